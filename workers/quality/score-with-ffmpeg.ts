/**
 * Scores an output with frames ffmpeg grabs: one run for the sampled frames of the output,
 * one for the same instants of the source (lanczos-scaled to the output's size, as native
 * ffmpeg's reference is), then the sums here. ffmpeg is injected: ffmpeg.wasm in a worker.
 */
import type { QualityReport, QualityRequest } from '../protocol';
import { frameGrabArgs, frameGrabFiles, grabbedFrame, instantOfFrame, sampleFrameIndices, SCORED_FRAMES, SEQUENTIAL_GRAB_FRAMES, sequentialGrabArgs, splitFrames } from './frame-grab';
import { QualityTally } from './frame-quality';

export interface GrabEngine {
  /** Runs ffmpeg with these arguments; its exit code and log. */
  exec(args: string[]): { exitCode: number; log: string[] };
  /** The bytes ffmpeg wrote at `path` (then removed), or null. */
  take(path: string): Uint8Array | null;
}

/** Where the inputs are mounted and where the grabbed frames go (the worker's `/in` and `/work`). */
export interface GrabFolders {
  inputs: string;
  work: string;
}

export function scoreWithFfmpeg(
  request: QualityRequest,
  engine: GrabEngine,
  folders: GrabFolders = { inputs: '/in', work: '/work' },
  options: { sequentialUpTo?: number } = {},
): QualityReport {
  const folder = folders.work;
  const { width, height, fps } = request;
  const indices = sampleFrameIndices(request.frameCount, request.frames ?? SCORED_FRAMES);
  const instants = indices.map((k) => instantOfFrame(k, fps));
  const log: string[] = [];
  // The source frame shown at each sampled output frame's time (the same index when the rates agree).
  const ratio = request.sourceFps && Math.abs(request.sourceFps - fps) > 1e-3 ? request.sourceFps / fps : 1;
  const sourceIndices = indices.map((k) => Math.floor(k * ratio + 1e-6));
  const increasing = sourceIndices.every((k, i) => i === 0 || k > (sourceIndices[i - 1] as number));
  const sequential = increasing && Math.max(indices.at(-1) ?? 0, sourceIndices.at(-1) ?? 0) <= (options.sequentialUpTo ?? SEQUENTIAL_GRAB_FRAMES);
  // The source as the job cropped it (the grabs crop only what they scale, never the output).
  const crop = request.sourceCrop ? { crop: request.sourceCrop } : {};
  const grab = (input: string, asIs: boolean, prefix: string, offset: number): (ReturnType<typeof grabbedFrame>)[] => {
    if (sequential) {
      const spec = { input, indices: asIs ? indices : sourceIndices, width, height, asIs, ...crop, startSec: offset, output: `${folder}/${prefix}all.yuv` };
      const run = engine.exec(sequentialGrabArgs(spec));
      if (run.exitCode !== 0) log.push(...run.log.slice(-5));
      return splitFrames(engine.take(spec.output), indices.length, width, height);
    }
    const at = asIs ? instants : sourceIndices.map((j) => instantOfFrame(j, fps * ratio));
    const spec = { input, instants: at.map((t) => t + offset), width, height, asIs, ...crop, prefix: `${folder}/${prefix}` };
    const run = engine.exec(frameGrabArgs(spec));
    if (run.exitCode !== 0) log.push(...run.log.slice(-5));
    return frameGrabFiles(spec).map((file) => grabbedFrame(engine.take(file), width, height));
  };
  const outputs = grab(`${folders.inputs}/${request.output.name}`, true, 'q-out-', request.outputStartSec ?? 0);
  const references = grab(`${folders.inputs}/${request.source.name}`, false, 'q-ref-', request.sourceStartSec ?? 0);
  const tally = new QualityTally();
  const perFrame: QualityReport['perFrame'] = [];
  outputs.forEach((output, i) => {
    const reference = references[i];
    if (!output || !reference) return;
    perFrame.push({ at: instants[i] ?? 0, ...tally.add(output, reference) });
  });
  if (perFrame.length < outputs.length) log.push(`${outputs.length - perFrame.length} of ${outputs.length} sampled frames could not be grabbed.`);
  const score = tally.result();
  return { score: score && { psnr: score.psnr, psnrY: score.psnrY, ssim: score.ssim, frames: score.frames }, perFrame, log };
}
