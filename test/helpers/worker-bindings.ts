/** The Worker's settings in the workerd tests: a local key, never a real one (the secret must never leak). */
export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
export const SECRET = 'worker-api-secret-that-must-never-leak';
export const BINDINGS = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY: API_KEY_SID, TWILIO_API_SECRET: SECRET, SESSION_SECRET: 'worker-session-secret', TOKEN_TTL: '600' };
export const ORIGIN = 'http://localhost';
