import type { TokenEvent } from './event-log';
import { placeLabels, textBox, type Box, type TextAt } from './label-placement';

// The live timeline: a model fed by the manager's events (`record`), a pure layout of that model
// at a given moment and width (`layoutTimeline`), and a small DOM painter (`paintTimeline`).

type Role = 'refresher' | 'follower';

/** One token this tab took: one lane. */
export interface Lane {
  readonly key: number;
  /** When the request that brought it was sent (absent for a token from another tab). */
  readonly requestedAt: number | undefined;
  readonly at: number;
  readonly usableAt: number;
  readonly refreshAt: number;
  readonly expiresAt: number;
  readonly lifetimeMs: number;
  readonly origin: 'fetched' | 'tab';
  readonly fingerprint: string;
  /** When the next token replaced it. */
  replacedAt?: number;
  /** When it expired with no replacement. */
  expiredAt?: number;
}

export interface RequestMark {
  readonly at: number;
  readonly reason: string;
  readonly attempt: number;
  /** Sent by another tab of this user (relayed by the demo page), not by this one. */
  readonly remote: boolean;
}

export interface FailureMark {
  readonly at: number;
  readonly code: string;
  readonly status: number | undefined;
  readonly attempt: number;
  readonly retryAt: number | undefined;
  /** The wait the server asked for (Retry-After), if it did. */
  readonly retryAfterMs: number | undefined;
  readonly message: string;
  readonly serverCode: string | undefined;
  readonly remote: boolean;
}

/** A spell when requests failed (`outage`) or the browser was offline. */
export interface Spell {
  readonly kind: 'outage' | 'offline';
  readonly from: number;
  to?: number;
}

export interface Recovery {
  readonly at: number;
  readonly since: number;
  readonly failures: number;
}

export interface TimelineModel {
  lanes: Lane[];
  requests: RequestMark[];
  failures: FailureMark[];
  spells: Spell[];
  recoveries: Recovery[];
  roles: Array<{ from: number; role: Role }>;
  /** Tokens taken since the start (lanes are pruned; this is not). */
  tokens: number;
  /** The failures since the last token, while there are some. */
  outage?: { since: number; failures: FailureMark[] };
  expired?: number;
}

export const createTimeline = (): TimelineModel => ({ lanes: [], requests: [], failures: [], spells: [], recoveries: [], roles: [], tokens: 0 });

const KEEP_MS = 10 * 60_000;
const KEEP_LANES = 12;

/** Adds one event to the model. `remote`: relayed from another tab of this user. */
export function record(model: TimelineModel, event: TokenEvent, remote = false): void {
  switch (event.type) {
    case 'request':
      model.requests.push({ at: event.at, reason: event.reason, attempt: event.attempt, remote });
      break;
    case 'failure': {
      if (event.code === 'identity-mismatch') break; // a refusal, not an outage
      const mark: FailureMark = {
        at: event.at,
        code: event.code,
        status: event.status,
        attempt: event.attempt,
        retryAt: event.retryAt,
        retryAfterMs: event.retryAfterMs,
        message: event.serverError?.message ?? event.message,
        serverCode: event.serverError?.code,
        remote,
      };
      model.failures.push(mark);
      if (model.outage === undefined) {
        const sent = [...model.requests].reverse().find((request) => request.remote === remote && request.at <= event.at);
        const since = sent !== undefined && event.at - sent.at < 30_000 ? sent.at : event.at;
        model.outage = { since, failures: [] };
        model.spells.push({ kind: 'outage', from: since });
      }
      model.outage.failures.push(mark);
      break;
    }
    case 'token': {
      if (remote) break;
      const previous = model.lanes.at(-1);
      if (previous && previous.replacedAt === undefined) previous.replacedAt = event.at;
      const sent = event.origin === 'fetched' ? [...model.requests].reverse().find((request) => !request.remote && request.at <= event.at) : undefined;
      model.tokens += 1;
      model.lanes.push({
        key: model.tokens,
        requestedAt: sent?.at,
        at: event.at,
        usableAt: event.usableAt,
        refreshAt: event.refreshAt,
        expiresAt: event.expiresAt,
        lifetimeMs: event.lifetimeMs,
        origin: event.origin,
        fingerprint: event.fingerprint,
      });
      if (model.outage !== undefined) {
        model.recoveries.push({ at: event.at, since: model.outage.since, failures: model.outage.failures.length });
        const open = openSpell(model, 'outage');
        if (open) open.to = event.at;
        model.outage = undefined;
      }
      model.expired = undefined;
      break;
    }
    case 'expired': {
      if (remote) break;
      const held = model.lanes.at(-1);
      if (held && held.expiredAt === undefined && held.replacedAt === undefined) held.expiredAt = event.at;
      model.expired ??= event.at;
      break;
    }
    case 'network':
      if (remote) break;
      if (!event.online) model.spells.push({ kind: 'offline', from: event.at });
      else {
        const open = openSpell(model, 'offline');
        if (open) open.to = event.at;
      }
      break;
    case 'role':
      if (remote) break;
      if (model.roles.at(-1)?.role !== event.role) model.roles.push({ from: event.at, role: event.role });
      break;
    default:
      break;
  }
  prune(model, event.at);
}

const openSpell = (model: TimelineModel, kind: Spell['kind']) => [...model.spells].reverse().find((spell) => spell.kind === kind && spell.to === undefined);

function prune(model: TimelineModel, now: number) {
  const cutoff = now - KEEP_MS;
  if (model.lanes.length > KEEP_LANES) model.lanes.splice(0, model.lanes.length - KEEP_LANES);
  model.requests = model.requests.filter((request) => request.at >= cutoff);
  model.failures = model.failures.filter((failure) => failure.at >= cutoff);
  model.spells = model.spells.filter((spell) => (spell.to ?? now) >= cutoff);
  model.recoveries = model.recoveries.filter((recovery) => recovery.at >= cutoff);
  if (model.roles.length > 20) model.roles.splice(0, model.roles.length - 20);
}

// ─── Layout ──────────────────────────────────────────────────────────────────────────────────────

/** One SVG element, described: the painter turns these into DOM nodes. */
export interface Shape {
  readonly tag: 'g' | 'rect' | 'line' | 'circle' | 'text' | 'path';
  readonly attrs: Readonly<Record<string, string | number>>;
  readonly text?: string;
  /** A tooltip (an SVG `<title>`). */
  readonly title?: string;
  readonly children?: readonly Shape[];
}

export interface TimelineLayout {
  readonly width: number;
  readonly height: number;
  readonly shapes: readonly Shape[];
  /** A one-line summary, for the SVG's accessible name. */
  readonly summary: string;
}

export interface LayoutOptions {
  /** This tab's role now, if cross-tab sharing is on: a follower's lane shows when it would take over. */
  readonly role?: Role | undefined;
  /** How many lanes at most (newest first). */
  readonly maxLanes?: number;
}

/** The future side of the window spans the first of these that holds the latest expiry: an auto-zoom. */
export const FUTURE_STEPS_MS = [30_000, 60_000, 2, 5, 10, 20, 40, 70, 120, 240, 480, 960, 1560].map((n) => (n < 1000 ? n * 60_000 : n));
export const PAST_MS = 3 * 60_000;
/** Within this of now the past is close to linear; further back it is logarithmic. */
const TAU_MS = 4_000;
const PAD = 12;
const AXIS_H = 22;
const REQUEST_ROW_H = 34;
const LANE_H = 32;
const NEWEST_EXTRA_H = 26;
const ROLE_H = 14;
/** The chart's font size, and its role labels' (demo.css). */
const FONT_PX = 11;
const ROLE_FONT_PX = 8;
/** Second line of the newest lane's tick labels, below the first: apart by more than a text box's height. */
const TICK_LINE_PX = 14;
/** Which labels win a place first: lower first. Within a rank, first come first served. */
const RANK = { axis: 0, row: 1, failure: 2, recovery: 3, tick: 4, lane: 5, spell: 6, role: 7, empty: 8 } as const;

/** A text whose position is settled at the end by `placeLabels`: where it may go, best first. */
interface PendingLabel {
  readonly rank: number;
  readonly className: string;
  readonly text: string;
  readonly fontSize: number;
  readonly at: readonly TextAt[];
}

const compress = (ms: number) => Math.log1p(Math.max(0, ms) / TAU_MS);

/** The window's future span for the latest thing ahead of now, with room for its label. */
export function futureSpan(aheadMs: number): number {
  return FUTURE_STEPS_MS.find((step) => step >= aheadMs * 1.08) ?? FUTURE_STEPS_MS.at(-1)!;
}

/** The window's past span: a minute for short tokens, up to five for long ones. */
export const pastSpan = (futureMs: number): number => (futureMs <= 30_000 ? 60_000 : futureMs <= 2 * 60_000 ? PAST_MS : 5 * 60_000);

/** Beyond a minute ahead, the first 30 s ahead keep a fifth of the future side, so a retry in 1 s shows. */
const NEAR_MS = 30_000;
const NEAR_SHARE = 0.2;

/**
 * Maps epoch ms to x. Now sits at 40 % of the width (30 % when narrow). The past is logarithmic (its
 * far end compressed); the future is linear up to `futureMs`, its first 30 s magnified when that is long.
 */
export function timeScale(now: number, width: number, futureMs: number, pastMs = PAST_MS) {
  const left = PAD;
  const right = width - PAD;
  const nowX = left + (right - left) * (width < 520 ? 0.3 : 0.4);
  const ahead = (d: number) =>
    futureMs <= 2 * NEAR_MS ? d / futureMs : d <= NEAR_MS ? (NEAR_SHARE * d) / NEAR_MS : NEAR_SHARE + ((1 - NEAR_SHARE) * (d - NEAR_MS)) / (futureMs - NEAR_MS);
  const x = (t: number) => {
    const d = t - now;
    if (d >= 0) return nowX + (right - nowX) * Math.min(1, ahead(d));
    return nowX - (nowX - left) * Math.min(1, compress(-d) / compress(pastMs));
  };
  return { x, left, right, nowX };
}

/** "10 s", "2 min", "1 h": a span said briefly. */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`;
  return `${Math.round(abs / 3_600_000)} h`;
}

const TICKS_MS = [-300_000, -180_000, -60_000, -30_000, -10_000, 0, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 2 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 24 * 3_600_000];

const r = (n: number) => Math.round(n * 10) / 10;

/** Lays the model out at `now` for a chart `width` px wide. Pure: same inputs, same shapes. */
export function layoutTimeline(model: TimelineModel, now: number, width: number, options: LayoutOptions = {}): TimelineLayout {
  const maxLanes = options.maxLanes ?? (width < 520 ? 4 : 6);
  const lanes = model.lanes.slice(-maxLanes).reverse(); // newest on top
  const newest = model.lanes.at(-1);
  const ahead = Math.max(
    10_000,
    ...lanes.filter((lane) => lane.replacedAt === undefined).map((lane) => lane.expiresAt - now),
    ...(model.outage?.failures.at(-1)?.retryAt !== undefined ? [model.outage.failures.at(-1)!.retryAt! - now] : []),
  );
  const futureMs = futureSpan(ahead);
  const pastMs = pastSpan(futureMs);
  const { x, left, right, nowX } = timeScale(now, width, futureMs, pastMs);
  const cx = (t: number) => r(Math.max(left, Math.min(right, x(t))));
  const narrow = width < 520;
  // Every text is a placeholder until the end, where one rule places them all so that none overlaps.
  const pending = new Map<Shape, PendingLabel>();
  const label = (rank: number, className: string, text: string, at: readonly TextAt[], fontSize = FONT_PX): Shape => {
    const placeholder: Shape = { tag: 'text', attrs: { class: className }, text };
    pending.set(placeholder, { rank, className, text, fontSize, at });
    return placeholder;
  };

  const shapes: Shape[] = [];
  const requestTop = 0;
  const lanesTop = requestTop + REQUEST_ROW_H;
  const laneHeights = lanes.map((lane) => LANE_H + (lane === newest ? NEWEST_EXTRA_H : 0));
  const lanesBottom = lanesTop + laneHeights.reduce((sum, h) => sum + h, 0) + (lanes.length === 0 ? LANE_H : 0);
  const roleTop = lanesBottom + 4;
  const axisTop = roleTop + ROLE_H + 4;
  const height = axisTop + AXIS_H;

  // Spells first, behind everything.
  for (const spell of model.spells) {
    const x1 = cx(spell.from);
    const x2 = cx(spell.to ?? now);
    if (x2 - x1 < 0.5 && spell.to !== undefined) continue;
    const open = spell.to === undefined;
    shapes.push({
      tag: 'g',
      attrs: { class: `tl-spell tl-${spell.kind}`, 'data-spell': spell.kind, ...(open ? { 'data-open': 'true' } : {}) },
      title: `${spell.kind === 'outage' ? 'Requests failing' : 'Offline'} ${open ? 'since' : 'for'} ${open ? new Date(spell.from).toLocaleTimeString() : span((spell.to ?? now) - spell.from)}`,
      children: [
        { tag: 'rect', attrs: { x: x1, y: 0, width: r(Math.max(2, x2 - x1)), height: axisTop, class: 'tl-spell-fill' } },
        label(RANK.spell, 'tl-spell-label', spell.kind === 'outage' ? (narrow ? 'down' : 'backend down') : 'offline', [
          { x: x1 + 3, y: roleTop - 4, anchor: 'start' },
          { x: Math.min(x2, nowX - 2) - 3, y: roleTop - 4, anchor: 'end' },
          { x: x1 + 3, y: 11, anchor: 'start' },
        ]),
      ],
    });
  }

  // The request row: every request, failure, planned retry and recovery.
  const row: Shape[] = [label(RANK.row, 'tl-row-label', 'requests', [{ x: left, y: 11, anchor: 'start' }])];
  const rowY = requestTop + 20;
  row.push({ tag: 'line', attrs: { x1: left, x2: right, y1: rowY, y2: rowY, class: 'tl-baseline' } });
  for (const request of model.requests) {
    row.push({
      tag: 'circle',
      attrs: { cx: cx(request.at), cy: rowY, r: 3.5, class: `tl-request${request.remote ? ' tl-remote' : ''}`, 'data-mark': 'request' },
      title: `${request.remote ? 'Another tab requested' : 'Requested'} a token (${request.reason}, attempt ${request.attempt}) at ${new Date(request.at).toLocaleTimeString()}`,
    });
  }
  const lastFailure = model.failures.at(-1);
  model.failures.forEach((failure, index) => {
    const fx = cx(failure.at);
    const children: Shape[] = [{ tag: 'path', attrs: { d: `M${fx - 4} ${rowY - 4}l8 8m0 -8l-8 8`, class: 'tl-failure-x' } }];
    if (failure.retryAt !== undefined && failure === lastFailure && model.outage !== undefined) {
      const rx = cx(failure.retryAt);
      children.push({ tag: 'line', attrs: { x1: fx, x2: rx, y1: rowY, y2: rowY, class: 'tl-retry-line' } });
      children.push({ tag: 'circle', attrs: { cx: rx, cy: rowY, r: 3.5, class: 'tl-retry', 'data-mark': 'retry' } });
    }
    if (failure === lastFailure || !narrow) {
      // The newest failure first: an older one gives way.
      const rank = RANK.failure + (0.5 * (model.failures.length - 1 - index)) / model.failures.length;
      const text = failure.status === undefined ? failure.code : String(failure.status);
      const y = rowY - 8;
      children.push(label(rank, 'tl-failure-label', text, [{ x: fx, y, anchor: 'middle' }, { x: fx + 5, y, anchor: 'start' }, { x: fx - 5, y, anchor: 'end' }]));
    }
    row.push({
      tag: 'g',
      attrs: { class: 'tl-failure', 'data-mark': 'failure', 'data-code': failure.serverCode ?? failure.code },
      title: `Attempt ${failure.attempt} failed: ${failure.code}${failure.status === undefined ? '' : ` HTTP ${failure.status}`}${failure.serverCode ? ` ${failure.serverCode}` : ''}: ${failure.message}`,
      children,
    });
  });
  for (const recovery of model.recoveries) {
    const rx = cx(recovery.at);
    row.push({
      tag: 'g',
      attrs: { class: 'tl-recovery', 'data-mark': 'recovery' },
      title: `Recovered after ${recovery.failures} failed attempt${recovery.failures === 1 ? '' : 's'} (${span(recovery.at - recovery.since)} without a new token)`,
      children: [
        { tag: 'path', attrs: { d: `M${rx - 4} ${rowY}l3 3.5l5 -7`, class: 'tl-recovery-check' } },
        label(RANK.recovery, 'tl-recovery-label', 'recovered', [
          { x: rx + 6, y: rowY - 5, anchor: 'start' },
          { x: rx - 6, y: rowY - 5, anchor: 'end' },
        ]),
      ],
    });
  }
  shapes.push({ tag: 'g', attrs: { class: 'tl-requests' }, children: row });

  // One lane per token, newest on top.
  let y = lanesTop;
  if (lanes.length === 0) {
    shapes.push(label(RANK.empty, 'tl-row-label', 'no token yet', [{ x: nowX + 6, y: y + 16, anchor: 'start' }]));
  }
  lanes.forEach((lane, index) => {
    const isNewest = lane === newest;
    const barY = y + 12;
    const barH = 12;
    const children: Shape[] = [];
    const segment = (from: number, to: number, kind: string) => {
      if (to <= from) return;
      const x1 = cx(from);
      const x2 = cx(to);
      if (x2 - x1 < 0.3) return;
      children.push({ tag: 'rect', attrs: { x: x1, y: barY, width: r(x2 - x1), height: barH, rx: 2, class: `tl-seg tl-${kind}` } });
    };
    if (lane.requestedAt !== undefined) {
      const x1 = cx(lane.requestedAt);
      const x2 = cx(lane.at);
      children.push({ tag: 'line', attrs: { x1, x2, y1: barY + barH / 2, y2: barY + barH / 2, class: 'tl-flight' } });
      children.push({ tag: 'circle', attrs: { cx: x1, cy: barY + barH / 2, r: 2.5, class: 'tl-requested' } });
    }
    const end = lane.expiredAt ?? lane.expiresAt;
    segment(lane.at, lane.usableAt, 'wait');
    segment(Math.max(lane.at, lane.usableAt), Math.min(lane.refreshAt, end), 'fresh');
    segment(Math.max(lane.at, lane.usableAt, lane.refreshAt), end, 'window');
    children.push({ tag: 'circle', attrs: { cx: cx(lane.at), cy: barY + barH / 2, r: 3.5, class: 'tl-received' } });
    const labels: Array<{ x: number; kind: string; text: string }> = [];
    const tick = (t: number, kind: string, text: string) => {
      const tx = cx(t);
      children.push({ tag: 'line', attrs: { x1: tx, x2: tx, y1: barY - 3, y2: barY + barH + 3, class: `tl-tick tl-${kind}-tick`, 'data-mark': kind } });
      if (isNewest) labels.push({ x: tx, kind, text });
    };
    if (isNewest && lane.usableAt > lane.at) tick(lane.usableAt, 'usable', 'usable');
    const takeover = lane.refreshAt + (lane.expiresAt - lane.refreshAt) / 2;
    if (isNewest && options.role === 'follower' && lane.replacedAt === undefined) tick(takeover, 'takeover', narrow ? 'take over' : 'takes over');
    else tick(lane.refreshAt, 'refresh', narrow ? 'refresh' : 'refresh due');
    tick(lane.expiresAt, 'expires', 'expires');
    if (lane.expiredAt !== undefined) {
      const ex = cx(lane.expiredAt);
      children.push({ tag: 'path', attrs: { d: `M${ex - 4} ${barY}l8 ${barH}m0 ${-barH}l-8 ${barH}`, class: 'tl-expired-x', 'data-mark': 'expired' } });
    }
    // The newest lane's labels: under their tick, else a line lower, else beside it.
    for (const { x: lx, kind, text } of labels) {
      const [y1, y2] = [barY + barH + 13, barY + barH + 13 + TICK_LINE_PX];
      const at: TextAt[] = [y1, y2].flatMap((ly) => [
        { x: lx, y: ly, anchor: 'middle' as const },
        { x: lx + 4, y: ly, anchor: 'start' as const },
        { x: lx - 4, y: ly, anchor: 'end' as const },
      ]);
      children.push(label(RANK.tick, `tl-tick-label tl-${kind}-label`, text, at));
    }
    const from = lane.origin === 'fetched' ? 'this tab' : 'another tab';
    const labelX = Math.max(left, Math.min(cx(lane.at) + 6, right - 120));
    const laneText = `${lane.fingerprint} · ${span(lane.lifetimeMs)}${narrow ? '' : ` · ${from}`}`;
    // Beside its start, else clear of the "now" line on either side, else at the right edge.
    children.push(
      label(RANK.lane, 'tl-lane-label', laneText, [
        { x: labelX, y: barY - 3, anchor: 'start' },
        { x: nowX + 4, y: barY - 3, anchor: 'start' },
        { x: nowX - 4, y: barY - 3, anchor: 'end' },
        { x: right, y: barY - 3, anchor: 'end' },
      ]),
    );
    shapes.push({
      tag: 'g',
      attrs: {
        class: `tl-lane${lane.replacedAt !== undefined ? ' tl-replaced' : ''}${isNewest ? ' tl-newest' : ''}`,
        'data-lane': lane.key,
        'data-origin': lane.origin,
      },
      title:
        `Token ${lane.fingerprint} (${from})` +
        (lane.requestedAt === undefined ? '' : `, requested ${new Date(lane.requestedAt).toLocaleTimeString()}`) +
        `, received ${new Date(lane.at).toLocaleTimeString()}, usable ${new Date(lane.usableAt).toLocaleTimeString()}` +
        `, refresh due ${new Date(lane.refreshAt).toLocaleTimeString()}, expires ${new Date(lane.expiresAt).toLocaleTimeString()}`,
      children,
    });
    y += laneHeights[index]!;
  });

  // This tab's role over time.
  const roleShapes: Shape[] = [];
  model.roles.forEach((spanOfRole, index) => {
    const to = model.roles[index + 1]?.from ?? now;
    const x1 = cx(spanOfRole.from);
    const x2 = cx(to);
    if (x2 - x1 < 0.5) return;
    roleShapes.push({
      tag: 'rect',
      attrs: { x: x1, y: roleTop, width: r(x2 - x1), height: ROLE_H - 4, rx: 2, class: `tl-role tl-role-${spanOfRole.role}`, 'data-role': spanOfRole.role },
      title: `This tab was the ${spanOfRole.role}`,
    });
    if (x2 - x1 > 60) roleShapes.push(label(RANK.role, 'tl-role-label', spanOfRole.role, [{ x: x1 + 4, y: roleTop + 8, anchor: 'start' }], ROLE_FONT_PX));
  });
  shapes.push({ tag: 'g', attrs: { class: 'tl-roles' }, children: roleShapes });

  // The axis and "now".
  const axis: Shape[] = [{ tag: 'line', attrs: { x1: left, x2: right, y1: axisTop, y2: axisTop, class: 'tl-axis' } }];
  const axisLabel = (ms: number) => (ms === 0 ? 'now' : `${ms < 0 ? '−' : '+'}${span(ms)}`);
  const extent = (ms: number, tx: number) => {
    const w = axisLabel(ms).length * 6.8;
    const anchor: TextAt['anchor'] = tx > right - w / 2 ? 'end' : tx < left + w / 2 ? 'start' : 'middle';
    const from = anchor === 'start' ? tx : anchor === 'end' ? tx - w : tx - w / 2;
    return { anchor, from: from - 6, to: from + w + 6 };
  };
  const placed: Array<{ ms: number; x: number; anchor: TextAt['anchor']; from: number; to: number }> = [{ ms: 0, x: nowX, ...extent(0, nowX) }];
  // Nearest to now first, so the finer ticks win where labels would collide.
  const candidates = TICKS_MS.filter((ms) => ms !== 0 && ms >= -pastMs && ms <= futureMs).sort((a, b) => Math.abs(a) - Math.abs(b));
  for (const ms of candidates) {
    const tx = x(now + ms);
    const box = extent(ms, tx);
    if (placed.every((p) => box.to <= p.from || box.from >= p.to)) placed.push({ ms, x: tx, ...box });
  }
  for (const { ms, x: tx, anchor } of placed) {
    axis.push({ tag: 'line', attrs: { x1: r(tx), x2: r(tx), y1: axisTop, y2: axisTop + 4, class: 'tl-axis' } });
    if (ms !== 0) axis.push(label(RANK.axis, 'tl-axis-label', axisLabel(ms), [{ x: tx, y: axisTop + 15, anchor }]));
  }
  shapes.push({ tag: 'g', attrs: { class: 'tl-axis-group' }, children: axis });
  shapes.push({
    tag: 'g',
    attrs: { class: 'tl-now' },
    children: [
      { tag: 'line', attrs: { x1: r(nowX), x2: r(nowX), y1: 2, y2: axisTop + 4, class: 'tl-now-line' } },
      label(RANK.axis, 'tl-now-label', 'now', [{ x: nowX, y: axisTop + 15, anchor: 'middle' }]),
    ],
  });

  // Place every label, most important first; the "now" line runs through none.
  const nowLine: Box = { x: nowX - 1, y: 2, width: 2, height: axisTop + 2 };
  const requests = [...pending].map(([key, spec], order) => ({ key, spec, order })).sort((a, b) => a.spec.rank - b.spec.rank || a.order - b.order);
  const chosen = placeLabels(
    requests.map(({ key, spec }) => ({ key, boxes: spec.at.map((at) => textBox(spec.text, at, spec.fontSize)) })),
    [nowLine],
    { x: 0, y: 0, width, height },
  );
  const settle = (list: readonly Shape[]): Shape[] =>
    list.flatMap((shape): Shape[] => {
      const spec = pending.get(shape);
      if (spec === undefined) return shape.children ? [{ ...shape, children: settle(shape.children) }] : [shape];
      const at = spec.at[chosen.get(shape) ?? -1];
      if (at === undefined) return []; // no room: the mark's tooltip still says it
      return [{ tag: 'text', attrs: { x: r(at.x), y: r(at.y), class: spec.className, 'text-anchor': at.anchor }, text: spec.text }];
    });

  const held = newest && newest.expiredAt === undefined && newest.expiresAt > now ? `, the newest expires in ${span(newest.expiresAt - now)}` : '';
  const failing = model.outage ? `, ${model.outage.failures.length} failed request${model.outage.failures.length === 1 ? '' : 's'} since the last token` : '';
  return { width, height, shapes: settle(shapes), summary: `Timeline of ${model.tokens} token${model.tokens === 1 ? '' : 's'}${held}${failing}` };
}

// ─── DOM ─────────────────────────────────────────────────────────────────────────────────────────

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(shape: Shape): SVGElement {
  const node = document.createElementNS(SVG_NS, shape.tag);
  for (const [name, value] of Object.entries(shape.attrs)) node.setAttribute(name, String(value));
  if (shape.title !== undefined) {
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = shape.title;
    node.append(title);
  }
  if (shape.text !== undefined) node.append(shape.text);
  for (const child of shape.children ?? []) node.append(build(child));
  return node;
}

/** Draws `layout` into `svg`, replacing what was there. */
export function paintTimeline(svg: SVGSVGElement, layout: TimelineLayout): void {
  svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
  svg.setAttribute('width', String(layout.width));
  svg.setAttribute('height', String(layout.height));
  svg.setAttribute('aria-label', layout.summary);
  svg.replaceChildren(...layout.shapes.map(build));
}
