/**
 * Compare: one instant of a finished output beside the same instant of its source, decoded and
 * scaled in a worker as the score's frames are, with that frame pair's PSNR and SSIM.
 */
import type { WorkerPool } from '../pool/worker-pool';
import { presetById } from '../presets/presets';
import type { CompareFrames } from '../../workers/protocol';
import type { Job } from './job';
import { qualityRequestFor, unscoredEdits, withEdits } from './score-output';
import { workerInputName, type Source } from './source';

/**
 * Two frames of one instant: the output's and the source's (scaled to the output's size), as
 * bitmaps, with their PSNR (dB) and SSIM, and the output's length for a scrubber.
 *
 * @example
 * ```ts
 * const view = await session.batch.compare(job.id, 2.5);
 * if (typeof view !== 'string') canvas.getContext('2d')?.drawImage(view.output, 0, 0);
 * ```
 */
export type CompareView = CompareFrames & { durationSec: number };

export interface CompareDeps {
  probePool: Pick<WorkerPool, 'probe' | 'compareFrames'>;
  getBlob(jobId: string): Promise<Blob | undefined>;
}

/** The view, or a sentence saying why there is none. */
export async function compareJob(deps: CompareDeps, job: Job, source: Source | undefined, atSec: number, signal?: AbortSignal): Promise<CompareView | string> {
  if (job.state !== 'done') return 'Only a finished job can be compared.';
  if (!source) return `Add ${job.sourceName} again to compare the output with it.`;
  await source.probed;
  if (!source.info?.video) return `${job.sourceName} has no picture to compare.`;
  const output = await deps.getBlob(job.id);
  if (!output) return 'The output is no longer stored.';
  const request = await qualityRequestFor(deps.probePool, output, presetById(job.presetId).extension, { name: workerInputName(source.file.name), data: source.file }, source.info, signal);
  if (request === null) return 'The output has no picture to compare.';
  if (typeof request === 'string') return `The output cannot be compared: ${request}`;
  const unscored = unscoredEdits(job.edits ?? {});
  if (unscored) return `The output cannot be compared: ${unscored}`;
  const frames = await deps.probePool.compareFrames(withEdits(request, job.edits ?? {}), atSec, signal);
  if (!frames) return 'Those frames could not be read.';
  return { ...frames, durationSec: request.frameCount / request.fps };
}
