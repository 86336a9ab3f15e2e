/**
 * Which segments of an interrupted split job can be used again (issue 11): a segment that
 * finished before the reload or crash was kept on disk and recorded with its size. It is
 * reused only for the same source file, the same preset and the same segment plan, and
 * only when its file is still there with the recorded size; every other segment is
 * encoded again.
 */
import type { KeptSegment, KeptSegments, SourceKey } from '../storage/records';
import { sameFile } from './resume-match';
import type { Segment } from './segment-plan';

/** The split about to run, to compare the kept segments against. */
export interface WantedSplit {
  source: SourceKey;
  presetId: string;
  count: number;
  plan: string;
}

export type ReuseDecision =
  /** Nothing usable was kept: encode every segment (`reason` says why, when something was kept). */
  | { kind: 'encode-all'; reason: string | null }
  | {
      kind: 'reuse';
      reuse: KeptSegment[];
      /** Indices of the segments to encode, in order. */
      missing: number[];
      /** Finished segments that cannot be used (gone, or a different size), with why. */
      dropped: { index: number; reason: string }[];
    };

/**
 * Everything that shapes a segment's bytes: if any of it differs, a kept segment would
 * not fit the others at the join.
 */
export function segmentPlanKey(parts: { segments: readonly Segment[]; frameRate: number; format: string; fpsMode: string; filters: string; video: readonly string[] }): string {
  return JSON.stringify([parts.segments.map((s) => [s.start, s.duration, s.frames]), parts.frameRate, parts.format, parts.fpsMode, parts.filters, parts.video]);
}

/**
 * The number of segments to cut: the kept plan's, when segments were kept for this same
 * file and preset (their work is worth more than a cut that fits today's free workers),
 * else `computed`.
 */
export function segmentCountForResume(kept: KeptSegments | null, source: SourceKey, presetId: string, computed: number): number {
  if (kept && kept.count > 1 && kept.finished.length > 0 && sameFile(kept.source, source) && kept.presetId === presetId) return kept.count;
  return computed;
}

/**
 * Decides which kept segments are reused. `sizeOnDisk(segment)` is the size of the
 * segment's file now, or null when it is gone.
 */
export function decideReuse(kept: KeptSegments | null, wanted: WantedSplit, sizeOnDisk: (segment: KeptSegment) => number | null): ReuseDecision {
  if (!kept || kept.finished.length === 0) return { kind: 'encode-all', reason: null };
  if (!sameFile(kept.source, wanted.source)) return { kind: 'encode-all', reason: 'the source file changed since they were made' };
  if (kept.presetId !== wanted.presetId) return { kind: 'encode-all', reason: 'they were made for another preset' };
  if (kept.count !== wanted.count || kept.plan !== wanted.plan) return { kind: 'encode-all', reason: 'the segment plan changed since they were made' };
  const reuse = new Map<number, KeptSegment>();
  const dropped: { index: number; reason: string }[] = [];
  for (const segment of kept.finished) {
    if (!Number.isInteger(segment.index) || segment.index < 0 || segment.index >= wanted.count || reuse.has(segment.index)) continue;
    const size = sizeOnDisk(segment);
    if (size === null) dropped.push({ index: segment.index, reason: 'its file is gone' });
    else if (segment.bytes <= 0 || size !== segment.bytes) dropped.push({ index: segment.index, reason: `its file has ${size} bytes, not the ${segment.bytes} recorded` });
    else reuse.set(segment.index, segment);
  }
  if (reuse.size === 0) return { kind: 'encode-all', reason: dropped.length > 0 ? 'their files are gone or incomplete' : null };
  const missing = Array.from({ length: wanted.count }, (_, index) => index).filter((index) => !reuse.has(index));
  return { kind: 'reuse', reuse: [...reuse.values()].sort((a, b) => a.index - b.index), missing, dropped };
}

/**
 * The decision once the reused files were opened: a kept segment whose file could not be read
 * (gone since it was measured) is encoded again like any missing one.
 */
export function reuseAfterReading(decision: ReuseDecision, read: ReadonlySet<number>, count: number): ReuseDecision {
  if (decision.kind !== 'reuse' || decision.reuse.every((s) => read.has(s.index))) return decision;
  const reuse = decision.reuse.filter((s) => read.has(s.index));
  if (reuse.length === 0) return { kind: 'encode-all', reason: 'their files are gone' };
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !read.has(index));
  return { ...decision, reuse, missing };
}

/** The log sentence for a decision, e.g. "reused 1 of 2 segments kept from before the interruption; encoding 1". */
export function reuseSentence(decision: ReuseDecision, count: number): string | null {
  if (decision.kind === 'encode-all') return decision.reason ? `Kept segments not reused: ${decision.reason}; encoding all ${count}.` : null;
  const drops = decision.dropped.map((d) => ` Segment ${d.index + 1} is encoded again: ${d.reason}.`).join('');
  return `Resumed: reused ${decision.reuse.length} of ${count} segments kept from before the interruption; encoding ${decision.missing.length}.${drops}`;
}
