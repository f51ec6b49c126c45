/** Which part of the {@link MintInput} was refused. */
export type MintInputErrorCode =
  | 'invalid-identity'
  | 'invalid-ttl'
  | 'invalid-sid'
  | 'invalid-secret'
  | 'invalid-grants'
  | 'invalid-time'
  | 'invalid-region';

/**
 * `mintAccessToken` was given input it will not sign. Nothing was signed; switch on `code`. The
 * message names the field, never the secret.
 */
export class MintInputError extends Error {
  override readonly name = 'MintInputError';
  declare readonly code: MintInputErrorCode;

  constructor(code: MintInputErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Whether `error` is a {@link MintInputError}, also when it comes from another copy of this package. */
export const isMintInputError = (error: unknown): error is MintInputError =>
  error instanceof MintInputError || (error instanceof Error && error.name === 'MintInputError' && typeof (error as { code?: unknown }).code === 'string');
