/**
 * Issue 16: whole or split, and what a split resumes, decided once (planRun) over the job's
 * facts; the split runner follows the plan and only drops kept files it cannot open.
 */
import { describe, expect, it } from 'vitest';
import { planRun, type KeptFound, type RunFacts } from '../../src/jobs/run-plan';
import { planSegments } from '../../src/jobs/segment-plan';
import { reuseAfterReading, segmentPlanKey } from '../../src/jobs/segment-reuse';
import type { PresetParts } from '../../src/presets/preset-parts';
import type { KeptSegment, KeptSegments } from '../../src/storage/records';

const TRAILER = { name: 'trailer.flv', size: 4_000_000, lastModified: 1_700_000_000_000 };
const PARTS: PresetParts = { filters: 'scale=320:240', video: ['-c:v', 'flv'], audio: ['-c:a', 'libmp3lame'], mux: ['-f', 'flv'], fps: 25 };
const VIDEO = { codec: 'flv1', width: 704, height: 544, displayWidth: 704, displayHeight: 544, rotation: 0, fps: 25 };
const KEEPER = 'the keeper';

function facts(over: Partial<RunFacts<string>> = {}): RunFacts<string> {
  return {
    presetId: 'flv-320x240',
    container: 'flv',
    source: TRAILER,
    info: { durationSec: 33, video: VIDEO },
    trimStart: 0,
    parts: PARTS,
    slots: 2,
    policy: { splitAboveSec: 20, minSegmentSec: 10 },
    keeper: KEEPER,
    kept: null,
    ...over,
  };
}

function segment(index: number, bytes = 1000 + index): KeptSegment {
  return { index, folder: ['ffbatch-segments', 'job-1', `run-${index}`], name: `segment-${index}.nut`, bytes };
}

/** What the keeper found: the segments of `count` cut as the plan would, each on disk at `sizes` (default: its recorded bytes). */
function found(count: number, finished: KeptSegment[], over: Partial<KeptSegments> = {}, sizes: Record<number, number | null> = {}): KeptFound {
  const plan = segmentPlanKey({ segments: planSegments(33, count, 25), frameRate: 25, format: 'nut', fpsMode: 'cfr', filters: PARTS.filters, video: PARTS.video });
  const kept: KeptSegments = { source: TRAILER, presetId: 'flv-320x240', count, plan, finished, ...over };
  return { kept, sizes: new Map(finished.map((s) => [s, s.index in sizes ? (sizes[s.index] ?? null) : s.bytes])) };
}

describe('planRun: whole or split', () => {
  it('a preset without parts, a short source or a single slot runs whole', () => {
    expect(planRun(facts({ parts: null }))).toEqual({ kind: 'whole' });
    expect(planRun(facts({ info: { durationSec: 15, video: VIDEO } }))).toEqual({ kind: 'whole' });
    expect(planRun(facts({ slots: 1 }))).toEqual({ kind: 'whole' });
    expect(planRun(facts({ info: { durationSec: null, video: VIDEO } }))).toEqual({ kind: 'whole' });
  });

  it('a long source with free slots is cut on the frame grid into as many segments as slots', () => {
    const plan = planRun(facts({ slots: 3 }));
    expect(plan.kind).toBe('split');
    if (plan.kind !== 'split') return;
    expect(plan.count).toBe(3);
    expect(plan.segments).toEqual(planSegments(33, 3, 25));
    expect(plan.segments.reduce((sum, s) => sum + s.frames, 0)).toBe(33 * 25);
    expect(plan).toMatchObject({ frameRate: 25, fpsMode: 'cfr', format: 'nut', keeper: KEEPER, reuse: { kind: 'encode-all', reason: null } });
    expect(plan.wanted).toMatchObject({ source: TRAILER, presetId: 'flv-320x240', count: 3 });
  });

  it('WebM segments stay WebM and keep the source timing; the source rate counts where the preset sets none', () => {
    const plan = planRun(facts({ container: 'webm', parts: { ...PARTS, fps: null }, info: { durationSec: 33, video: { ...VIDEO, fps: 30 } } }));
    expect(plan).toMatchObject({ kind: 'split', format: 'webm', fpsMode: 'vfr', frameRate: 30 });
  });

  it('a trim start is part of the plan the kept segments are recorded against', () => {
    const plain = planRun(facts());
    const trimmed = planRun(facts({ trimStart: 5 }));
    if (plain.kind !== 'split' || trimmed.kind !== 'split') throw new Error('both split');
    expect(trimmed.trimStart).toBe(5);
    expect(trimmed.wanted.plan).not.toBe(plain.wanted.plan);
  });
});

describe('planRun: what a resume reuses', () => {
  it('segments kept for this file and preset: the kept count wins over today’s slots, and the kept ones are reused', () => {
    const plan = planRun(facts({ slots: 3, kept: found(2, [segment(0)]) }));
    expect(plan).toMatchObject({ kind: 'split', count: 2, reuse: { kind: 'reuse', reuse: [segment(0)], missing: [1], dropped: [] } });
  });

  it('a kept split resumes split even with one slot free now', () => {
    expect(planRun(facts({ slots: 1, kept: found(2, [segment(1)]) }))).toMatchObject({ kind: 'split', count: 2, reuse: { kind: 'reuse', missing: [0] } });
  });

  it('kept segments of another file or preset are not reused, and the count is today’s', () => {
    const otherFile = planRun(facts({ slots: 3, kept: found(2, [segment(0)], { source: { ...TRAILER, size: 1 } }) }));
    expect(otherFile).toMatchObject({ kind: 'split', count: 3, reuse: { kind: 'encode-all', reason: 'the source file changed since they were made' } });
    const otherPreset = planRun(facts({ kept: found(2, [segment(0)], { presetId: 'mp4-h264-720p' }) }));
    expect(otherPreset).toMatchObject({ kind: 'split', count: 2, reuse: { kind: 'encode-all', reason: 'they were made for another preset' } });
  });

  it('a kept file whose size changed is encoded again', () => {
    const plan = planRun(facts({ kept: found(2, [segment(0), segment(1)], {}, { 1: 12 }) }));
    expect(plan).toMatchObject({ kind: 'split', reuse: { kind: 'reuse', reuse: [segment(0)], missing: [1], dropped: [{ index: 1, reason: 'its file has 12 bytes, not the 1001 recorded' }] } });
  });

  it('no keeper (another tab runs the job, or no OPFS): nothing is reused', () => {
    expect(planRun(facts({ keeper: null, kept: null }))).toMatchObject({ kind: 'split', count: 2, keeper: null, reuse: { kind: 'encode-all', reason: null } });
  });
});

describe('reuseAfterReading: kept files that cannot be opened', () => {
  const decision = { kind: 'reuse' as const, reuse: [segment(0), segment(2)], missing: [1], dropped: [] };

  it('all opened: the decision stands', () => {
    expect(reuseAfterReading(decision, new Set([0, 2]), 3)).toBe(decision);
  });

  it('one gone: it is encoded too', () => {
    expect(reuseAfterReading(decision, new Set([2]), 3)).toEqual({ ...decision, reuse: [segment(2)], missing: [0, 1] });
  });

  it('none opened: every segment is encoded, saying why', () => {
    expect(reuseAfterReading(decision, new Set(), 3)).toEqual({ kind: 'encode-all', reason: 'their files are gone' });
  });
});
