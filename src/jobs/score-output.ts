/**
 * Measures a finished output against its source (PSNR, SSIM) in a worker, before it is stored.
 * A score that cannot be made never fails the job: the log says why and the job has none.
 */
import { describeSource } from '../presets/source-info';
import { qualityGrade } from '../../workers/quality/quality-grade';
import type { WorkerPool } from '../pool/worker-pool';
import { isAbortError } from './errors';
import type { EncodePlan, EncodeRunnerDeps } from './encode-plan';

/**
 * An output's measured quality: `psnr` in dB as native ffmpeg's psnr filter reports its
 * "average" (Y, U, V weighted), `ssim` 0–1 as the ssim filter's "All", over `frames` sampled
 * frames against the same instants of the source scaled to the output's size (lanczos).
 *
 * @example
 * ```ts
 * const { quality } = await job.result();
 * if (quality) console.log(`${quality.psnr.toFixed(1)} dB, SSIM ${quality.ssim.toFixed(3)}`);
 * ```
 */
export interface OutputQuality {
  psnr: number;
  ssim: number;
  frames: number;
}

export type QualityDeps = Pick<EncodeRunnerDeps, 'probePool'> & { pool: Partial<Pick<WorkerPool, 'scoreQuality'>> };

export async function scoreOutput(deps: QualityDeps, plan: Pick<EncodePlan, 'preset' | 'info' | 'input' | 'context'>, output: Blob): Promise<OutputQuality | null> {
  const { preset, context } = plan;
  if (!deps.pool.scoreQuality || !deps.probePool || !plan.info.video) return null;
  const started = performance.now();
  try {
    const outputInput = { name: `scored.${preset.extension}`, data: output };
    const { report } = await deps.probePool.probe(outputInput, context.signal);
    const probed = report ? describeSource(report) : null;
    const video = probed?.video;
    const durationSec = probed?.durationSec;
    // Audio-only outputs have nothing to score.
    if (!video) return null;
    if (!video.fps || !durationSec) {
      context.onLog(['[ffbatch] Quality not measured: the output has no frame rate or duration to sample by.']);
      return null;
    }
    const result = await deps.pool.scoreQuality(
      {
        output: outputInput,
        source: plan.input,
        width: video.width,
        height: video.height,
        fps: video.fps,
        frameCount: Math.max(1, Math.floor(durationSec * video.fps)),
        ...(plan.info.video.fps ? { sourceFps: plan.info.video.fps } : {}),
      },
      context.signal,
    );
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
