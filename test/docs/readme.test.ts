// @vitest-environment node
import { readFileSync, statSync } from 'node:fs';
import { expect, it } from 'vitest';

const readme = new URL('../../README.md', import.meta.url);
const text = readFileSync(readme, 'utf8');

// The README is the first screen of the project: what it is, how to install and start, and links into
// the docs for the rest. Long material belongs in docs/guide.
it('README.md stays at or under 20,000 bytes', () => {
  expect(statSync(readme).size).toBeLessThanOrEqual(20_000);
});

it('shows the demo picture before the install steps, and keeps the test command CI runs', () => {
  const picture = text.indexOf('](docs/demo.png)');
  expect(picture).toBeGreaterThan(0);
  expect(picture).toBeLessThan(text.indexOf('## Install'));
  expect(text).toMatch(/^npm test\b/m);
});

it('names the Twilio SDK its examples import and @types/react in the install steps', () => {
  const install = text.slice(text.indexOf('## Install'), text.indexOf('## Quick start'));
  expect(install).toContain('@twilio/conversations');
  expect(install).toContain('@types/react');
});
