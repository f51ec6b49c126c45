// Controls, format characters (bidi overrides can reorder what a terminal shows), line and paragraph
// separators, lone surrogates, and the backslash, so an escape in the input cannot pass for ours.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\\]/gu;

const escape = (char: string) => {
  if (char === '\\') return '\\\\';
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/**
 * Makes client-supplied text safe to put in a log line: `%0a` in a path (decoded to a newline) cannot
 * start a forged line, and a NUL shows as `\x00`.
 */
export const escapeForLog = (text: string): string => text.replace(UNSAFE, escape);
