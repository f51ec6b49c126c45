export { mintTestToken, TEST_ACCOUNT_SID, TEST_API_KEY_SID } from './mint-test-token';

export type { MintTestTokenOptions } from './mint-test-token';
