// Remembers the last JWT the token server sent this tab, so that a token the TokenManager itself turns
// down (an `nbf` too far ahead, say) can still be explained by the token doctor. Kept in memory only:
// never logged, never shown.
import type { TokenRequestOptions } from 'twilio-token-lifecycle';

export interface ServedTokens {
  /** Pass as the manager's `request` option: a ky `afterResponse` hook that reads each answer's token. */
  request: TokenRequestOptions;
  /** The last token the server sent, if any. */
  last(): string | undefined;
}

export function servedTokens(): ServedTokens {
  let last: string | undefined;
  return {
    request: {
      hooks: {
        afterResponse: [
          // Awaited by ky before the manager reads the answer: `last` is set before any `refused` event.
          async (_request, _options, response) => {
            if (!response.ok) return;
            const body = (await response.clone().json().catch(() => undefined)) as { token?: unknown } | undefined;
            if (typeof body?.token === 'string') last = body.token;
          },
        ],
      },
    },
    last: () => last,
  };
}
