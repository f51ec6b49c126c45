import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the public names, as an app would.
    alias: [
      { find: /^twilio-token-lifecycle\/testing$/, replacement: src('testing/index.ts') },
      { find: /^twilio-token-lifecycle\/react$/, replacement: src('react.ts') },
      { find: /^twilio-token-lifecycle\/doctor$/, replacement: src('doctor.ts') },
      // What Node resolves (the `node` condition); the WebCrypto build is src/server/index.ts.
      { find: /^twilio-token-lifecycle\/server$/, replacement: src('server/index.node.ts') },
      { find: /^twilio-token-lifecycle$/, replacement: src('index.ts') },
    ],
  },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // Generous: the suite must pass with both cores busy (`npm run test:load`); no assertion reads the time taken.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/browser/global-setup.ts'],
    // Any unhandled rejection fails the run: the library promises there are none.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
