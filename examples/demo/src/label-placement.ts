// Where the timeline's text labels go: each label has a few candidate positions, most important label
// first; a label takes its first position that overlaps no label already placed and no obstacle (the
// "now" line), or is left out (its mark keeps its tooltip). Pure: boxes in, choices out.

/** A rectangle in the chart's px: `x`, `y` its top-left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type Anchor = 'start' | 'middle' | 'end';

/** Where an SVG `<text>` could go: its `x`, its baseline `y` and its `text-anchor`. */
export interface TextAt {
  readonly x: number;
  readonly y: number;
  readonly anchor: Anchor;
}

/** Width of one character, in ems, of the timeline's monospace font (DejaVu Sans Mono, Menlo, SF Mono: 0.60). */
const CHAR_EM = 0.61;
/** Above and below the baseline, in ems: the font's ascent and descent as a browser boxes them (0.91, 0.27). */
const ASCENT_EM = 0.93;
const DESCENT_EM = 0.29;
/** Kept between two labels, in px. */
export const LABEL_GAP = 1;

/** The box a browser draws `text` in at `at`, in a monospace font of `fontSize` px (a little larger, never smaller). */
export function textBox(text: string, at: TextAt, fontSize: number): Box {
  const width = [...text].length * CHAR_EM * fontSize + 1;
  const x = at.anchor === 'start' ? at.x : at.anchor === 'end' ? at.x - width : at.x - width / 2;
  return { x, y: at.y - ASCENT_EM * fontSize, width, height: (ASCENT_EM + DESCENT_EM) * fontSize };
}

/** Whether two boxes come closer than `gap` px (touching counts as overlapping when `gap` > 0). */
export function boxesOverlap(a: Box, b: Box, gap = LABEL_GAP): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/** One label to place: its candidate boxes, best first. */
export interface LabelRequest<K> {
  readonly key: K;
  readonly boxes: readonly Box[];
}

/**
 * Places `labels` in the order given (most important first): each takes the index of its first box
 * that overlaps no box placed before it and no obstacle, or -1 (left out). Also keeps each label
 * inside `bounds`, when given.
 */
export function placeLabels<K>(labels: ReadonlyArray<LabelRequest<K>>, obstacles: readonly Box[] = [], bounds?: Box): Map<K, number> {
  const placed: Box[] = [];
  const chosen = new Map<K, number>();
  const fits = (box: Box) =>
    (bounds === undefined ||
      (box.x >= bounds.x && box.y >= bounds.y && box.x + box.width <= bounds.x + bounds.width && box.y + box.height <= bounds.y + bounds.height)) &&
    obstacles.every((obstacle) => !boxesOverlap(box, obstacle, 0)) &&
    placed.every((other) => !boxesOverlap(box, other));
  for (const { key, boxes } of labels) {
    const index = boxes.findIndex(fits);
    chosen.set(key, index);
    if (index >= 0) placed.push(boxes[index]!);
  }
  return chosen;
}
