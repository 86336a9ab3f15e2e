/**
 * The plan of a smart cut: a trim of "streams copied" where only the stretch from In to the
 * next keyframe is encoded again and every packet from that keyframe on is copied as it is.
 * Pure: it reads a keyframe table (presentation times of the video's sync samples, as a
 * demuxer lists them) and says which range is encoded and which is copied.
 */

/** What a smart cut does with the range [start, end). */
export type SmartCutPlan =
  /** In falls on a keyframe (or the file's start): everything is copied. */
  | { kind: 'copy'; copyFrom: number; end: number }
  /** In is between keyframes: [start, keyframe) is encoded again, [keyframe, end) copied. */
  | { kind: 'smart'; encodeFrom: number; encodeTo: number; copyFrom: number; end: number }
  /** No keyframe before the end: the whole range is encoded again. */
  | { kind: 'encode'; encodeFrom: number; end: number };

/**
 * Half a frame at 120 fps: times closer than this are the same instant (container time
 * bases round presentation times).
 */
const SAME_INSTANT = 1 / 240;

/**
 * Plans the smart cut of [start, end) over the given keyframe times (any order).
 *
 * @example
 * ```ts
 * planSmartCut([0, 2, 4, 6], 3, 10); // { kind: 'smart', encodeFrom: 3, encodeTo: 4, copyFrom: 4, end: 10 }
 * planSmartCut([0, 2, 4, 6], 4, 10); // { kind: 'copy', copyFrom: 4, end: 10 }
 * ```
 */
export function planSmartCut(keyframeTimes: readonly number[], start: number, end: number): SmartCutPlan {
  if (!(end > start)) throw new RangeError(`A cut needs its end (${end}) after its start (${start}).`);
  const keys = [...keyframeTimes].sort((a, b) => a - b);
  const first = keys[0];
  if (first === undefined) return { kind: 'encode', encodeFrom: start, end };
  if (keys.some((t) => Math.abs(t - start) <= SAME_INSTANT) || start <= first) {
    return { kind: 'copy', copyFrom: start <= first ? first : start, end };
  }
  const next = keys.find((t) => t > start);
  if (next === undefined || next >= end - SAME_INSTANT) return { kind: 'encode', encodeFrom: start, end };
  return { kind: 'smart', encodeFrom: start, encodeTo: next, copyFrom: next, end };
}

/**
 * Where a cut falls when the head cannot be encoded to match the source (an encoder that
 * cannot make the source's codec and parameters): on the keyframe at or before In, so the
 * output starts a little early and the page says so.
 */
export function keyframeAtOrBefore(keyframeTimes: readonly number[], start: number): number {
  let best = 0;
  for (const t of keyframeTimes) if (t <= start + SAME_INSTANT && t > best) best = t;
  return best;
}
