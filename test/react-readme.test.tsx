// @vitest-environment node
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

// The README's React example is the Vite test app's component, verbatim: the browser test runs it as
// written, and `npm run typecheck` checks it against the real @twilio/conversations types. (The React
// guide page includes the file itself.)
it('shows the React example exactly as the browser test app runs it', () => {
  const readme = read('../README.md');
  const section = readme.slice(readme.indexOf('\n## React\n'), readme.indexOf('\n## On your server'));
  const example = /```tsx\n([\s\S]*?)```/.exec(section)?.[1];
  expect(example).toBe(read('./browser/react-app/src/app.tsx'));
});
