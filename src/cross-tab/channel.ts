import type { SharedToken } from '../lifecycle/state';

/** A message bus between the tabs of one origin; `BroadcastChannel` in browsers. */
export interface CrossTabChannel {
  post(message: CrossTabMessage): void;
  /** Listens to the other tabs (never to this one's own posts) until the returned function is called. */
  subscribe(listener: (message: CrossTabMessage) => void): () => void;
  close(): void;
}

/** Opens a channel by name; called each time a manager becomes active. */
export type CrossTabChannelFactory = (name: string) => CrossTabChannel;

// The lifecycle model owns the type; it is re-exported here, where it has always been imported from.
export type { SharedToken };

interface Envelope {
  /** Marks our messages apart from anything else on a shared channel. */
  ns: 'twilio-token-lifecycle';
  v: 1;
  from: string;
  isVisible: boolean;
}

export type CrossTabMessage = Envelope &
  (
    | { type: 'hello' }
    | { type: 'token'; token: SharedToken }
    /** Answers a hello while this tab's request is in flight: its token is coming. */
    | { type: 'fetching' }
    | { type: 'presence' }
    | { type: 'bye' }
    | { type: 'lease'; until: number }
    | { type: 'lease-release' }
  );

/** A message without its envelope, as a tab writes it. */
export type MessageBody = CrossTabMessage extends infer M ? (M extends CrossTabMessage ? Omit<M, keyof Envelope> : never) : never;

// The lazy chunk's modules keep no top-level state (only functions): a bundler that inlines the chunk
// then has nothing to initialise.

/** Wraps a message body in this library's envelope. */
export function envelope(from: string, isVisible: boolean, body: MessageBody): CrossTabMessage {
  return { ns: 'twilio-token-lifecycle', v: 1, from, isVisible, ...body } as CrossTabMessage;
}

/** Whether a message is one of ours and well formed, down to the token's fields: peers are not trusted. */
export function isCrossTabMessage(value: unknown): value is CrossTabMessage {
  // Reading a field of a primitive gives undefined, so the namespace check also turns those away.
  const message = value as Partial<Record<string, unknown>> | null | undefined;
  if (message?.ns !== 'twilio-token-lifecycle' || message.v !== 1 || typeof message.from !== 'string' || typeof message.isVisible !== 'boolean') {
    return false;
  }
  if (message.type === 'token') {
    const token = message.token as Partial<Record<keyof SharedToken, unknown>> | null | undefined;
    return (
      typeof token?.jwt === 'string' &&
      token.jwt.length < 16_384 &&
      [token.usableAt, token.refreshAt, token.expiresAt].every(Number.isFinite)
    );
  }
  return message.type === 'lease' ? Number.isFinite(message.until) : ['hello', 'fetching', 'presence', 'bye', 'lease-release'].includes(message.type as string);
}

/** The browser's `BroadcastChannel`; `undefined` where it does not exist. Its readers check what they get. */
export function broadcastChannel(name: string): CrossTabChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = new BroadcastChannel(name);
  return {
    post: (message) => channel.postMessage(message),
    subscribe(listener) {
      const handler = (event: MessageEvent) => listener(event.data);
      channel.addEventListener('message', handler);
      return () => channel.removeEventListener('message', handler);
    },
    close: () => channel.close(),
  };
}
