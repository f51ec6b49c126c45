// The checker is typed from the real options: it takes exactly `TokenManagerOptions`, and every option
// and option field of those types has a rule (the table of rules would not compile otherwise).
import { describe, expectTypeOf, it } from 'vitest';
import type { createTokenManager, CrossTabOptions, GetTokenOptions, RetryOptions, TokenManager, TokenManagerOptions } from 'twilio-token-lifecycle';
import type { checkOptions, GetTokenOptions as OwnGetTokenOptions, OptionRules, resolveOptions, Rule, TokenManagerOptions as OwnOptions } from '../src/options';

describe('the options have one home', () => {
  it('checks and resolves exactly the options createTokenManager takes', () => {
    expectTypeOf<Parameters<typeof checkOptions>[0]>().toEqualTypeOf<TokenManagerOptions>();
    expectTypeOf<Parameters<typeof resolveOptions>[0]>().toEqualTypeOf<TokenManagerOptions>();
    expectTypeOf<Parameters<typeof createTokenManager>[0]>().toEqualTypeOf<Parameters<typeof checkOptions>[0]>();
  });

  it('has a rule for every option, and every field of retry and crossTab, named after the types', () => {
    expectTypeOf<keyof OptionRules>().toEqualTypeOf<
      | keyof TokenManagerOptions
      | `retry.${keyof RetryOptions}`
      | `crossTab.${keyof CrossTabOptions}`
      | 'scheduler.monotonicNow'
      | 'request.timeout'
    >();
    expectTypeOf<OptionRules[keyof OptionRules]>().toEqualTypeOf<Rule>();
  });

  it('is where the public option types come from', () => {
    expectTypeOf<OwnOptions>().toEqualTypeOf<TokenManagerOptions>();
    expectTypeOf<OwnGetTokenOptions>().toEqualTypeOf<GetTokenOptions>();
    expectTypeOf<Parameters<TokenManager['getToken']>[0]>().toEqualTypeOf<GetTokenOptions | undefined>();
  });
});
