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

it("keeps the doctor's code table true to the doctor's own", async () => {
  const { TWILIO_TOKEN_ERROR_CODES } = await import('twilio-token-lifecycle/doctor');
  const section = text.slice(text.indexOf('## Why was my token refused?'), text.indexOf('## Documentation'));
  const rows = [...section.matchAll(/^\| ([\d, ()a-z]+) \| [^|]+ \| ([^|]+) \|$/gm)];
  const listed = new Set<number>();
  for (const [, codes, findings] of rows) {
    const named = [...findings!.matchAll(/`([a-z-]+)`/g)].map(([, finding]) => finding!);
    const known = [...codes!.matchAll(/\d{5}/g)].map(([digits]) => {
      const entry = TWILIO_TOKEN_ERROR_CODES.find(({ code }) => code === Number(digits));
      expect(entry, `README names ${digits}`).toBeDefined();
      listed.add(entry!.code);
      return entry!;
    });
    if (named.length === 0 || known.length === 0) continue; // "any of the above", "any other"
    // Each code of a row is explained by one of the row's findings, and each finding explains one of its codes.
    for (const entry of known) expect(named.some((finding) => entry.findings.includes(finding as never)), `${entry.code}`).toBe(true);
    for (const finding of named) expect(known.some((entry) => entry.findings.includes(finding as never)), finding).toBe(true);
  }
  for (const { code } of TWILIO_TOKEN_ERROR_CODES) if (code !== 20003) expect([...listed], `README lists ${code}`).toContain(code);
});
