// @vitest-environment node
import { expect, it } from 'vitest';
import { isBuildFresh } from '../scripts/build-freshness.mjs';

// `npm start` skips the build when this says the last one is still good.
it.each([
  { case: 'every output newer than every input', inputs: [1, 2, 3], outputs: [4, 5], fresh: true },
  { case: 'one input edited after the build', inputs: [1, 6, 3], outputs: [4, 5], fresh: false },
  { case: 'an input as new as the oldest output', inputs: [1, 4], outputs: [4, 5], fresh: false },
  { case: 'an output missing', inputs: [1], outputs: [4, undefined], fresh: false },
  { case: 'no outputs at all', inputs: [1], outputs: [], fresh: false },
  { case: 'an input missing (a file listed but gone)', inputs: [1, undefined], outputs: [4], fresh: false },
  { case: 'no inputs', inputs: [], outputs: [4], fresh: true },
])('$case: fresh $fresh', ({ inputs, outputs, fresh }) => {
  expect(isBuildFresh(inputs, outputs)).toBe(fresh);
});
