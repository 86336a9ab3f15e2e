/** Cutting one long encode into time segments that several workers encode at once. */

export interface Segment {
  index: number;
  /** Seconds into the source where the segment starts (0 for the first). */
  start: number;
  /** Seconds the segment lasts; null for the last one, which runs to the end. */
  duration: number | null;
  /** Frames of the grid in this segment: its length when joined is frames ÷ frame rate. */
  frames: number;
}

export interface SplitPolicy {
  /** Sources longer than this (seconds) are split when workers are free. */
  splitAboveSec: number;
  /** No segment is made shorter than this: each one pays a seek and an encoder start. */
  minSegmentSec: number;
}

export const DEFAULT_SPLIT_POLICY: SplitPolicy = { splitAboveSec: 60, minSegmentSec: 10 };

/** How many segments a source of `durationSec` gets with `slots` workers: 1 means whole. */
export function segmentCount(durationSec: number | null, slots: number, policy: SplitPolicy = DEFAULT_SPLIT_POLICY): number {
  if (!durationSec || durationSec <= policy.splitAboveSec || slots < 2) return 1;
  return Math.max(1, Math.min(slots, Math.floor(durationSec / policy.minSegmentSec)));
}

/**
 * Equal segments whose boundaries fall half a frame before a frame of the `frameRate`
 * grid, so every frame lands in exactly one segment: none is lost or doubled at a join.
 */
export function planSegments(durationSec: number, count: number, frameRate: number): Segment[] {
  const totalFrames = Math.round(durationSec * frameRate);
  const firstFrames = Array.from({ length: count + 1 }, (_, i) => Math.round((totalFrames * i) / count));
  // The first segment starts at 0; the others half a frame before their first frame.
  const boundaries = firstFrames.map((frame, i) => (i === 0 ? 0 : (frame - 0.5) / frameRate));
  return Array.from({ length: count }, (_, index) => {
    const start = boundaries[index] ?? 0;
    const next = index + 1 < count ? boundaries[index + 1] : undefined;
    return {
      index,
      start: round6(start),
      duration: next === undefined ? null : round6(next - start),
      frames: (firstFrames[index + 1] ?? totalFrames) - (firstFrames[index] ?? 0),
    };
  });
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
