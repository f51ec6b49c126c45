// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { boxesOverlap, placeLabels, textBox, type Box } from '../../examples/demo/src/label-placement';
import { createTimeline, layoutTimeline, record, type Shape, type TimelineLayout } from '../../examples/demo/src/timeline';

const box = (x: number, y: number, width = 10, height = 10): Box => ({ x, y, width, height });

describe('placeLabels: most important first, first free position, else left out', () => {
  it.each([
    ['two labels apart both take their first place', [[box(0, 0)], [box(20, 0)]], [], [0, 0]],
    ['the second gives way to its next place', [[box(0, 0)], [box(5, 0), box(5, 12)]], [], [0, 1]],
    ['touching is too close (1 px gap)', [[box(0, 0)], [box(10.5, 0), box(30, 0)]], [], [0, 1]],
    ['1 px apart is fine', [[box(0, 0)], [box(11, 0)]], [], [0, 0]],
    ['a label with no free place is left out', [[box(0, 0)], [box(2, 2), box(4, 4)]], [], [0, -1]],
    ['the earlier label keeps its place; the later one, with none other, is left out', [[box(0, 0), box(50, 0)], [box(0, 0)]], [], [0, -1]],
    ['a left-out label blocks nothing', [[box(0, 0)], [box(5, 0)], [box(12, 0)]], [], [0, -1, 0]],
    ['the "now" line is an obstacle', [[box(0, 0), box(20, 0)]], [box(5, 0, 2, 40)], [1]],
    ['an obstacle only touching is fine', [[box(0, 0)]], [box(10, 0, 2, 40)], [0]],
  ] as const)('%s', (_name, candidates, obstacles, expected) => {
    const chosen = placeLabels(
      candidates.map((boxes, key) => ({ key, boxes })),
      obstacles,
    );
    expect(candidates.map((_, key) => chosen.get(key))).toEqual(expected);
  });

  it('keeps labels inside the bounds', () => {
    const chosen = placeLabels([{ key: 'a', boxes: [box(-2, 0), box(95, 0), box(80, 0)] }], [], box(0, 0, 100, 100));
    expect(chosen.get('a')).toBe(2);
  });

  it.each([
    ['start', 10, 10],
    ['middle', 10, 10 - (3 * 0.61 * 11 + 1) / 2],
    ['end', 10, 10 - (3 * 0.61 * 11 + 1)],
  ] as const)('boxes a text anchored at its %s', (anchor, x, left) => {
    const b = textBox('503', { x, y: 20, anchor }, 11);
    expect(b.x).toBeCloseTo(left);
    expect(b.y).toBeLessThan(20 - 10); // Chromium boxes DejaVu Sans Mono 11 px from 10 px above the baseline…
    expect(b.y + b.height).toBeGreaterThan(20 + 3); // …to 3 px below
    expect(b.width).toBeGreaterThan(3 * 6.62); // 6.62 px a character
  });

  it('overlap is symmetric', () => {
    expect(boxesOverlap(box(0, 0), box(5, 5))).toBe(true);
    expect(boxesOverlap(box(5, 5), box(0, 0))).toBe(true);
    expect(boxesOverlap(box(0, 0), box(0, 30))).toBe(false);
  });
});

// ─── The whole layout: no two labels overlap, none crosses the "now" line ──────────────────────────

const now = 1_800_000_000_000;
const texts = (shapes: readonly Shape[]): Shape[] => shapes.flatMap((shape) => [...(shape.tag === 'text' ? [shape] : []), ...texts(shape.children ?? [])]);
const boxOf = (shape: Shape): Box => {
  const { x, y, class: className } = shape.attrs;
  const anchor = (shape.attrs['text-anchor'] ?? 'start') as 'start' | 'middle' | 'end';
  return textBox(shape.text ?? '', { x: Number(x), y: Number(y), anchor }, String(className).includes('tl-role-label') ? 8 : 11);
};
function collisions(layout: TimelineLayout): string[] {
  const labels = texts(layout.shapes).map((shape) => ({ text: shape.text, box: boxOf(shape) }));
  const nowLine = layout.shapes.find((shape) => shape.attrs.class === 'tl-now')!.children![0]!.attrs;
  const line = box(Number(nowLine.x1) - 0.75, Number(nowLine.y1), 1.5, Number(nowLine.y2) - Number(nowLine.y1));
  const found: string[] = [];
  labels.forEach((a, i) => {
    if (a.text !== 'now' && boxesOverlap(a.box, line, 0)) found.push(`"${a.text}" × now line`);
    for (const b of labels.slice(i + 1)) if (boxesOverlap(a.box, b.box, 0)) found.push(`"${a.text}" × "${b.text}"`);
    if (a.box.x < 0 || a.box.x + a.box.width > layout.width) found.push(`"${a.text}" outside`);
  });
  return found;
}

const token = (at: number, lifetimeMs: number, leadMs: number, origin: 'fetched' | 'tab' = 'fetched') =>
  ({ type: 'token', at, origin, identity: 'alice', lifetimeMs, usableAt: at, refreshAt: at + lifetimeMs - leadMs, expiresAt: at + lifetimeMs, fingerprint: '…abcdef' }) as const;
const failure = (at: number, attempt: number, retryAt: number | undefined) =>
  ({
    type: 'failure', at, code: 'http', message: 'HTTP 503', status: 503, attempt, retryAt,
    serverError: { code: 'simulated-outage', message: 'The token backend is down (simulated by the demo)' },
  }) as never;

/** Models the demo goes through: short tokens, an outage with many failures, a recovery, an expiry, a follower. */
const scenarios = {
  'five 4 s tokens': () => {
    const model = createTimeline();
    for (let i = 0; i < 5; i++) {
      record(model, { type: 'request', at: now - 15_000 + i * 3_000, reason: i === 0 ? 'initial' : 'scheduled', attempt: 1 });
      record(model, token(now - 14_950 + i * 3_000, 4_000, 1_000));
    }
    return model;
  },
  'an outage: failures 1 s apart, the token expired, the retry ahead': () => {
    const model = createTimeline();
    record(model, { type: 'role', at: now - 30_000, role: 'refresher' });
    record(model, { type: 'request', at: now - 20_000, reason: 'initial', attempt: 1 });
    record(model, token(now - 19_900, 20_000, 5_000));
    for (let i = 0; i < 6; i++) {
      record(model, { type: 'request', at: now - 6_000 + i * 1_000, reason: i === 0 ? 'refresh' : 'retry', attempt: i + 1 });
      record(model, failure(now - 5_950 + i * 1_000, i + 1, now + 2_000));
    }
    record(model, { type: 'expired', at: now - 100 });
    return model;
  },
  'just failed, now': () => {
    const model = createTimeline();
    record(model, { type: 'request', at: now - 10_000, reason: 'initial', attempt: 1 });
    record(model, token(now - 9_900, 20_000, 5_000));
    record(model, { type: 'request', at: now - 40, reason: 'refresh', attempt: 1 });
    record(model, failure(now - 20, 1, now + 4_000));
    return model;
  },
  'recovered after failures, then more tokens': () => {
    const model = createTimeline();
    record(model, { type: 'request', at: now - 40_000, reason: 'initial', attempt: 1 });
    record(model, token(now - 39_900, 20_000, 5_000));
    for (let i = 0; i < 3; i++) {
      record(model, { type: 'request', at: now - 25_000 + i * 1_500, reason: 'retry', attempt: i + 1 });
      record(model, failure(now - 24_950 + i * 1_500, i + 1, now - 23_000 + i * 1_500));
    }
    record(model, { type: 'request', at: now - 20_000, reason: 'retry', attempt: 4 });
    record(model, token(now - 19_950, 20_000, 5_000));
    record(model, { type: 'request', at: now - 5_000, reason: 'scheduled', attempt: 1 });
    record(model, token(now - 4_950, 20_000, 5_000));
    return model;
  },
  'a follower with tokens from another tab and its requests': () => {
    const model = createTimeline();
    record(model, { type: 'role', at: now - 60_000, role: 'follower' });
    for (let i = 0; i < 4; i++) {
      record(model, { type: 'request', at: now - 45_000 + i * 15_000, reason: 'scheduled', attempt: 1 }, true);
      record(model, token(now - 44_900 + i * 15_000, 20_000, 5_000, 'tab'));
    }
    return model;
  },
  'a 1 h token and an offline spell': () => {
    const model = createTimeline();
    record(model, { type: 'request', at: now - 120_000, reason: 'initial', attempt: 1 });
    record(model, token(now - 119_900, 3_600_000, 300_000));
    record(model, { type: 'network', at: now - 60_000, online: false });
    record(model, { type: 'network', at: now - 30_000, online: true });
    return model;
  },
  'no token yet': () => createTimeline(),
};

describe('the timeline layout places its labels so that none overlaps (pure)', () => {
  const cases = Object.entries(scenarios).flatMap(([name, model]) =>
    [360, 390, 1280].flatMap((width) => [0, 250, 700, 1_500, 3_000].map((later) => [name, width, later, model] as const)),
  );
  it.each(cases)('%s, %i px wide, %i ms later', (_name, width, later, model) => {
    const layout = layoutTimeline(model(), now + later, width, { role: _name.startsWith('a follower') ? 'follower' : 'refresher' });
    expect(collisions(layout)).toEqual([]);
  });

  it('keeps the newest failure label and the lane labels where there is room', () => {
    const layout = layoutTimeline(scenarios['an outage: failures 1 s apart, the token expired, the retry ahead'](), now, 1280);
    const shown = texts(layout.shapes).map((shape) => shape.text);
    expect(shown.filter((text) => text === '503').length).toBeGreaterThanOrEqual(1);
    expect(shown).toContain('…abcdef · 20 s · this tab');
    expect(shown).toEqual(expect.arrayContaining(['requests', 'now', 'expires']));
  });
});
