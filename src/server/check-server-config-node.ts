import { checkServerConfigWith, type CheckServerConfigOptions } from '../doctor/config-check';
import type { ServerEnv } from '../doctor/config-settings';
import type { Diagnosis } from '../doctor/types';
import { mintAccessToken } from './mint-access-token-node';

/** `checkServerConfig` of the Node build: the same check, its sample token signed with `node:crypto`. */
export function checkServerConfig(env: ServerEnv, options?: CheckServerConfigOptions): Promise<Diagnosis> {
  return checkServerConfigWith(env, mintAccessToken, options);
}
