/**
 * Measures a finished output against its source (PSNR, SSIM) in a worker, before it is stored.
 * A score that cannot be made never fails the job: the log says why and the job has none.
 */
import type { Edits } from '../presets/edits';
import { describeSource, type SourceInfo } from '../presets/source-info';
import type { MountedInput, QualityRequest } from '../../workers/protocol';
import { qualityGrade } from '../../workers/quality/quality-grade';
import type { WorkerPool } from '../pool/worker-pool';
import { isAbortError } from '../shared/abort';
import type { EncodePlan, EncodeRunnerDeps } from './encode-plan';
import type { OutputQuality } from './job';

export type { OutputQuality } from './job';

export type QualityDeps = Pick<EncodeRunnerDeps, 'probePool'> & { pool: Partial<Pick<WorkerPool, 'scoreQuality'>> };

/**
 * What a worker needs to grab frames of `output` and of its source: the output's size, frame
 * rate and frame count, probed. Null for outputs without a picture; a sentence when it has one
 * but no rate or duration to sample by.
 */
export async function qualityRequestFor(
  probePool: NonNullable<EncodeRunnerDeps['probePool']>,
  output: Blob,
  extension: string,
  source: MountedInput,
  sourceInfo: SourceInfo,
  signal?: AbortSignal,
): Promise<QualityRequest | string | null> {
  const outputInput = { name: `scored.${extension}`, data: output };
  const { report } = await probePool.probe(outputInput, signal);
  const probed = report ? describeSource(report) : null;
  const video = probed?.video;
  const durationSec = probed?.durationSec;
  if (!video || !sourceInfo.video) return null;
  if (!video.fps || !durationSec) return 'the output has no frame rate or duration to sample by.';
  return {
    output: outputInput,
    source,
    width: video.width,
    height: video.height,
    fps: video.fps,
    frameCount: Math.max(1, Math.floor(durationSec * video.fps)),
    ...(sourceInfo.video.fps ? { sourceFps: sourceInfo.video.fps } : {}),
  };
}

/**
 * Why a job's edits keep it from being scored, or null: the source is grabbed as the job made
 * its picture (from In, cropped, then scaled), but a turn, a mirror, joined ranges or burned
 * text the scorer does not make, and would read as loss.
 */
export function unscoredEdits(edits: Edits): string | null {
  return edits.ranges || edits.rotate || edits.flip || edits.subtitles?.mode === 'burn'
    ? 'the scorer does not yet apply these edits (joined ranges, rotate, flip, burned subtitles) to the source.'
    : null;
}

/** The request with the source taken as the job's edits took it: from In, cropped. */
export function withEdits(request: QualityRequest, edits: Edits): QualityRequest {
  return {
    ...request,
    ...(edits.trim && edits.trim.start > 0 ? { sourceStartSec: edits.trim.start } : {}),
    ...(edits.crop ? { sourceCrop: edits.crop } : {}),
  };
}

/** Presets that copy the source's video stream as it is. */
const COPIED_PICTURE_PRESETS: ReadonlySet<string> = new Set(['mp4-remux']);

export async function scoreOutput(deps: QualityDeps, plan: Pick<EncodePlan, 'preset' | 'info' | 'input' | 'context'> & Partial<Pick<EncodePlan, 'edits'>>, output: Blob): Promise<OutputQuality | null> {
  const { preset, context } = plan;
  if (!deps.pool.scoreQuality || !deps.probePool || !plan.info.video) return null;
  // Streams copied: the picture is the source's own, packet for packet; nothing to measure.
  if (COPIED_PICTURE_PRESETS.has(preset.id)) return null;
  const edits = plan.edits ?? {};
  const unscored = unscoredEdits(edits);
  if (unscored) {
    context.onLog([`[ffbatch] Quality not measured: ${unscored}`]);
    return null;
  }
  const started = performance.now();
  try {
    const request = await qualityRequestFor(deps.probePool, output, preset.extension, plan.input, plan.info, context.signal);
    // Audio-only outputs have nothing to score.
    if (request === null) return null;
    if (typeof request === 'string') {
      context.onLog([`[ffbatch] Quality not measured: ${request}`]);
      return null;
    }
    const result = await deps.pool.scoreQuality(withEdits(request, edits), context.signal);
    if (result.log.length > 0) context.onLog(result.log.map((line) => `[quality] ${line}`));
    if (!result.score) {
      context.onLog(['[ffbatch] Quality not measured: no frame pair could be read.']);
      return null;
    }
    const { psnr, ssim, frames } = result.score;
    context.onLog([
      `[ffbatch] Quality: PSNR ${psnr.toFixed(2)} dB, SSIM ${ssim.toFixed(4)} over ${frames} frames against the source (${qualityGrade({ psnr, ssim })}); measured in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    ]);
    return { psnr, ssim, frames };
  } catch (error) {
    if (isAbortError(error) || context.signal.aborted) throw error;
    context.onLog([`[ffbatch] Quality not measured: ${error instanceof Error ? error.message : String(error)}`]);
    return null;
  }
}
