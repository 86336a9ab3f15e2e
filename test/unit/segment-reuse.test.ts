/**
 * Issue 11: which finished segments of an interrupted split job are reused after a reload,
 * and when the kept ones must be thrown away.
 */
import { describe, expect, it } from 'vitest';
import { planSegments } from '../../src/jobs/segment-plan';
import { decideReuse, reuseSentence, segmentCountForResume, segmentPlanKey } from '../../src/jobs/segment-reuse';
import type { KeptSegment, KeptSegments } from '../../src/storage/records';

const TRAILER = { name: 'trailer.flv', size: 4_000_000, lastModified: 1_700_000_000_000 };
const planOf = (count: number, video = ['-c:v', 'flv1']): string =>
  segmentPlanKey({ segments: planSegments(33, count, 25), frameRate: 25, format: 'nut', fpsMode: 'cfr', filters: 'scale=320:240', video });

function segment(index: number, bytes = 1000 + index): KeptSegment {
  return { index, folder: ['ffbatch-segments', 'job-1', `run-${index}`], name: `segment-${index}.nut`, bytes };
}

function kept(finished: KeptSegment[], extra: Partial<KeptSegments> = {}): KeptSegments {
  return { source: TRAILER, presetId: 'flv-320x240', count: 3, plan: planOf(3), finished, ...extra };
}

const wanted = { source: TRAILER, presetId: 'flv-320x240', count: 3, plan: planOf(3) };
/** Every kept file is on disk with its recorded size. */
const allThere = (s: KeptSegment): number => s.bytes;

describe('decideReuse', () => {
  it('reuses the finished segments whose files are there with their recorded size, and encodes only the others', () => {
    const decision = decideReuse(kept([segment(2), segment(0)]), wanted, allThere);
    expect(decision).toEqual({ kind: 'reuse', reuse: [segment(0), segment(2)], missing: [1], dropped: [] });
    expect(reuseSentence(decision, 3)).toBe('Resumed: reused 2 of 3 segments kept from before the interruption; encoding 1.');
  });

  it('nothing kept: every segment is encoded, nothing said', () => {
    const decision = decideReuse(null, wanted, allThere);
    expect(decision).toEqual({ kind: 'encode-all', reason: null });
    expect(reuseSentence(decision, 3)).toBeNull();
    expect(decideReuse(kept([]), wanted, allThere)).toEqual({ kind: 'encode-all', reason: null });
  });

  it('a segment whose file is gone or has another size is encoded again, and the log says why', () => {
    const sizes = new Map([
      [0, null],
      [1, 999],
    ]);
    const decision = decideReuse(kept([segment(0), segment(1), segment(2)]), wanted, (s) => (sizes.has(s.index) ? (sizes.get(s.index) ?? null) : s.bytes));
    expect(decision.kind).toBe('reuse');
    if (decision.kind !== 'reuse') return;
    expect(decision.reuse.map((s) => s.index)).toEqual([2]);
    expect(decision.missing).toEqual([0, 1]);
    expect(reuseSentence(decision, 3)).toBe(
      'Resumed: reused 1 of 3 segments kept from before the interruption; encoding 2. Segment 1 is encoded again: its file is gone. Segment 2 is encoded again: its file has 999 bytes, not the 1001 recorded.',
    );
  });

  it('no kept file usable at all: everything is encoded again', () => {
    expect(decideReuse(kept([segment(0)]), wanted, () => null)).toEqual({ kind: 'encode-all', reason: 'their files are gone or incomplete' });
  });

  it('an empty recorded segment is never reused (an encode cut off at its first byte)', () => {
    expect(decideReuse(kept([segment(0, 0)]), wanted, () => 0).kind).toBe('encode-all');
  });

  it('a changed source file (size or time) discards every kept segment', () => {
    for (const source of [{ ...TRAILER, size: TRAILER.size + 1 }, { ...TRAILER, lastModified: TRAILER.lastModified + 1 }, { ...TRAILER, name: 'other.flv' }]) {
      expect(decideReuse(kept([segment(0)]), { ...wanted, source }, allThere)).toEqual({ kind: 'encode-all', reason: 'the source file changed since they were made' });
    }
  });

  it('another preset discards them', () => {
    expect(decideReuse(kept([segment(0)]), { ...wanted, presetId: 'mp4-h264-480p' }, allThere).kind).toBe('encode-all');
  });

  it('a different plan (another cut, or other video arguments after a new deployment) discards them', () => {
    const otherCut = decideReuse(kept([segment(0)], { count: 2, plan: planOf(2) }), wanted, allThere);
    expect(otherCut).toEqual({ kind: 'encode-all', reason: 'the segment plan changed since they were made' });
    const otherArgs = decideReuse(kept([segment(0)], { plan: planOf(3, ['-c:v', 'flv1', '-b:v', '300k']) }), wanted, allThere);
    expect(otherArgs.kind).toBe('encode-all');
    expect(reuseSentence(otherArgs, 3)).toBe('Kept segments not reused: the segment plan changed since they were made; encoding all 3.');
  });

  it('segment indices out of the plan or recorded twice are ignored', () => {
    const decision = decideReuse(kept([segment(1), { ...segment(1), name: 'again.nut' }, segment(7), segment(-1)]), wanted, allThere);
    expect(decision).toEqual({ kind: 'reuse', reuse: [segment(1)], missing: [0, 2], dropped: [] });
  });
});

describe('segmentPlanKey', () => {
  it('is the same for the same plan and differs when a boundary, the format or the arguments differ', () => {
    expect(planOf(3)).toBe(planOf(3));
    expect(planOf(3)).not.toBe(planOf(2));
    const base = { segments: planSegments(33, 2, 25), frameRate: 25, format: 'nut', fpsMode: 'cfr', filters: '', video: ['-c:v', 'flv1'] };
    expect(segmentPlanKey(base)).not.toBe(segmentPlanKey({ ...base, segments: planSegments(34, 2, 25) }));
    expect(segmentPlanKey(base)).not.toBe(segmentPlanKey({ ...base, format: 'webm' }));
    expect(segmentPlanKey(base)).not.toBe(segmentPlanKey({ ...base, fpsMode: 'vfr' }));
  });
});

describe('segmentCountForResume', () => {
  it('keeps the kept plan’s count for the same file and preset, whatever workers are free now', () => {
    expect(segmentCountForResume(kept([segment(0)]), TRAILER, 'flv-320x240', 1)).toBe(3);
    expect(segmentCountForResume(kept([segment(0)]), TRAILER, 'flv-320x240', 2)).toBe(3);
  });

  it('cuts afresh when nothing finished, or the file or preset differ', () => {
    expect(segmentCountForResume(null, TRAILER, 'flv-320x240', 2)).toBe(2);
    expect(segmentCountForResume(kept([]), TRAILER, 'flv-320x240', 2)).toBe(2);
    expect(segmentCountForResume(kept([segment(0)]), { ...TRAILER, size: 1 }, 'flv-320x240', 2)).toBe(2);
    expect(segmentCountForResume(kept([segment(0)]), TRAILER, 'mp4-h264-480p', 2)).toBe(2);
  });
});
