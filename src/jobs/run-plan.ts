/**
 * Whole or split, and what a split resumes: the one decision about an ffmpeg.wasm encode's
 * shape (`planRun`), taken before it starts. The whole and split runners (encode-job.ts,
 * encode-split.ts) do what the plan says and decide nothing of it again.
 */
import { editedFilters, splitsWithEdits, type Edits } from '../presets/edits';
import type { Preset, PresetParts } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import type { KeptSegment, KeptSegments, SourceKey } from '../storage/records';
import { keyOf } from './resume-match';
import { DEFAULT_SPLIT_POLICY, planSegments, segmentCount, type Segment, type SplitPolicy } from './segment-plan';
import { decideReuse, segmentCountForResume, segmentPlanKey, type ReuseDecision, type WantedSplit } from './segment-reuse';
import type { EncodePlan, EncodeRunnerDeps } from './encode-plan';

export type SegmentKeeperDep = NonNullable<EncodeRunnerDeps['segmentKeeper']>;

/** A job's kept segments as found at its start, with each one's size on disk now. */
export interface KeptFound {
  kept: KeptSegments;
  sizes: Map<KeptSegment, number | null>;
}

/** What the decision is taken over: facts of the job, the preset, the pool and what was kept. */
export interface RunFacts<K> {
  presetId: string;
  container: string;
  source: SourceKey;
  /** The source as the edits make it (its duration and frame rate). */
  info: Pick<SourceInfo, 'durationSec' | 'video'>;
  /** Seconds into the file where the edits' trim starts (0 for none). */
  trimStart: number;
  /** The preset's arguments by role with the edits' filters in; null: the job cannot be split. */
  parts: PresetParts | null;
  /** Workers the scheduler gave the job. */
  slots: number;
  policy: SplitPolicy;
  /** Who keeps this job's finished segments for a resume; null: this tab keeps none. */
  keeper: K | null;
  /** What the keeper had kept for the job (null: nothing, or no keeper). */
  kept: KeptFound | null;
}

export interface SplitPlan<K> {
  kind: 'split';
  parts: PresetParts;
  count: number;
  segments: Segment[];
  frameRate: number;
  /** Frame timing as the whole encode has it: CFR for MP4 and the fixed-rate presets, else the source's. */
  fpsMode: 'cfr' | 'vfr';
  /** NUT holds every codec with exact timestamps; VP9 goes in its own WebM (libvpx-vp9 into NUT crashed the wasm core). */
  format: 'nut' | 'webm';
  trimStart: number;
  /** The plan as kept segments are recorded against (issue 11). */
  wanted: WantedSplit;
  keeper: K | null;
  /** Which kept segments are reused, measured by their sizes; the runner may only lose some whose files cannot be read. */
  reuse: ReuseDecision;
}

export type RunPlan<K> = { kind: 'whole' } | SplitPlan<K>;

/**
 * Whole or split, into how many segments (a resume keeps the kept plan's count: its work is
 * worth more than a cut that fits today's free workers), and which kept segments are reused.
 *
 * @example
 * planRun({ ...facts, info: { durationSec: 30, video }, slots: 1 }); // { kind: 'whole' }
 */
export function planRun<K>(facts: RunFacts<K>): RunPlan<K> {
  const { parts, info, keeper, kept } = facts;
  if (!parts) return { kind: 'whole' };
  const computed = segmentCount(info.durationSec, facts.slots, facts.policy);
  const count = segmentCountForResume(kept?.kept ?? null, facts.source, facts.presetId, computed);
  if (count <= 1) return { kind: 'whole' };
  const frameRate = parts.fps ?? info.video?.fps ?? 25;
  const segments = planSegments(info.durationSec ?? 0, count, frameRate);
  const fpsMode = parts.fps !== null || facts.container === 'mp4' ? 'cfr' : 'vfr';
  const format = facts.container === 'webm' ? 'webm' : 'nut';
  const wanted: WantedSplit = {
    source: facts.source,
    presetId: facts.presetId,
    count,
    // The trim's start is part of what the kept segments were cut from.
    plan: segmentPlanKey({ segments, frameRate, format, fpsMode, filters: facts.trimStart > 0 ? `${parts.filters}|from ${facts.trimStart}` : parts.filters, video: parts.video }),
  };
  const reuse: ReuseDecision = keeper ? decideReuse(kept?.kept ?? null, wanted, (segment) => kept?.sizes.get(segment) ?? null) : { kind: 'encode-all', reason: null };
  return { kind: 'split', parts, count, segments, frameRate, fpsMode, format, trimStart: facts.trimStart, wanted, keeper, reuse };
}

/** The preset's arguments by role with the edits' picture filters in; null where the job runs whole (no parts, or edits that must run whole). */
export function splittableParts(preset: Pick<Preset, 'parts'>, info: SourceInfo, edits: Edits): PresetParts | null {
  const presetParts = preset.parts?.(info) ?? null;
  // Picture edits run before the preset's own chain in every segment; subtitles are drawn or muxed whole.
  return presetParts && splitsWithEdits(edits) ? { ...presetParts, filters: editedFilters(presetParts.filters, edits) } : null;
}

/**
 * Gathers the facts (the preset's parts; the keeper's claim and what it kept, where
 * segments can be written to disk at all) and plans the run.
 */
export async function decideRun(deps: EncodeRunnerDeps, plan: EncodePlan): Promise<RunPlan<SegmentKeeperDep>> {
  const { job, source, info, preset, edits, context } = plan;
  const parts = splittableParts(preset, info, edits);
  // Segments are kept only where OPFS scratch is, and by the tab that runs the job (see SegmentKeeper.claim).
  const candidate = parts && deps.scratch ? deps.segmentKeeper : undefined;
  const keeper = candidate && (await candidate.claim(job.id)) ? candidate : null;
  const kept = keeper ? await keeper.load(job.id) : null;
  return planRun({
    presetId: preset.id,
    container: preset.container,
    source: keyOf(source.file),
    info,
    trimStart: edits.trim?.start ?? 0,
    parts,
    slots: context.slots,
    policy: deps.splitPolicy ?? DEFAULT_SPLIT_POLICY,
    keeper,
    kept,
  });
}
