/**
 * Frames of a source for the editor: thumbnails for the filmstrip and playhead, and luma
 * planes for "Detect bars". Thumbnails are decoded by the browser (WebCodecs, browser-frames.ts)
 * where it reads the source, else by ffmpeg.wasm in a worker (it reads every container the page
 * accepts); luma planes always by ffmpeg.wasm (the exact stored pixels). One short run per frame,
 * each an input seek (`-ss` before `-i`: decode from the keyframe before, so a frame costs a GOP,
 * not the file).
 */
import { detectBars, type LumaFrame } from '../presets/crop-detect';
import type { Crop } from '../presets/edits';
import type { MountedInput, RunRequest, RunResult } from '../../workers/protocol';
import { isAbortError, throwIfAborted } from '../shared/abort';
import type { BrowserFrames } from './browser-frames';

/** What decoded a thumbnail: the browser (WebCodecs) or ffmpeg.wasm. */
export type FrameDecoder = 'webcodecs' | 'ffmpeg';

/** What runs one ffmpeg command in a worker (a pool's `run`). */
export interface FrameRunner {
  run(request: RunRequest, onLog: (lines: string[]) => void, signal?: AbortSignal): Promise<RunResult>;
}

/** A picture of the source at one instant. */
export interface GrabbedFrame {
  /** Seconds into the source (its presentation time). */
  at: number;
  /** A JPEG of the upright picture, `height` lines high. */
  image: Blob;
  decoder: FrameDecoder;
}

/**
 * Instants spread evenly across a file, away from its very ends (first frames are often
 * black, and a seek to the end finds nothing).
 *
 * @example
 * ```ts
 * spreadInstants(100, 4); // [12.5, 37.5, 62.5, 87.5]
 * ```
 */
export function spreadInstants(durationSec: number, count: number): number[] {
  if (!(durationSec > 0) || count < 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round(((i + 0.5) * durationSec * 1000) / count) / 1000);
}

function seconds(at: number): string {
  return String(Math.max(0, Math.round(at * 1000) / 1000));
}

/** ffmpeg's arguments for one thumbnail (the file's rotation applied, as a player shows it). */
export function thumbnailArgs(input: string, at: number, height: number, output: string): string[] {
  return ['-hide_banner', '-ss', seconds(at), '-i', input, '-map', '0:v:0', '-frames:v', '1', '-vf', `scale=-2:${height}`, '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2', output];
}

/** ffmpeg's arguments for one luma plane at full size (the upright picture's stored pixels: where a crop is given). */
export function lumaArgs(input: string, at: number, output: string): string[] {
  return ['-hide_banner', '-ss', seconds(at), '-i', input, '-map', '0:v:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', output];
}

async function runOne(runner: FrameRunner, input: MountedInput, args: string[], output: string, signal?: AbortSignal): Promise<Blob | null> {
  if (signal) throwIfAborted(signal);
  const result = await runner.run({ inputs: [input], args, outputs: [output] }, () => {}, signal);
  const blob = result.outputs[0] ?? null;
  return blob && blob.size > 0 ? blob : null;
}

/**
 * Thumbnails at the given instants; an instant that gives no picture (past the end, a
 * damaged stretch) is left out.
 */
export async function grabThumbnails(runner: FrameRunner, input: MountedInput, instants: readonly number[], height: number, signal?: AbortSignal): Promise<GrabbedFrame[]> {
  const frames: GrabbedFrame[] = [];
  for (const at of instants) {
    const image = await runOne(runner, input, thumbnailArgs(`/in/${input.name}`, at, height, '/out/frame.jpg'), 'frame.jpg', signal);
    if (image) frames.push({ at, image: image.slice(0, image.size, 'image/jpeg'), decoder: 'ffmpeg' });
  }
  return frames;
}

/**
 * Thumbnails decoded by the browser where it can (`browser`, null where it cannot read the
 * source), else by ffmpeg.wasm; a browser decode that fails or finds no frame falls back to
 * ffmpeg.wasm and calls `onBrowserFailed` (the caller stops asking the browser).
 */
export async function grabFrames(browser: BrowserFrames | null, runner: FrameRunner, input: MountedInput, instants: readonly number[], height: number, signal?: AbortSignal, onBrowserFailed?: () => void): Promise<GrabbedFrame[]> {
  if (browser && instants.length > 0) {
    try {
      const frames = await browser.grab(instants, height, signal);
      if (frames.length > 0) return frames.map((frame) => ({ ...frame, decoder: 'webcodecs' }));
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw error;
    }
    onBrowserFailed?.();
  }
  return grabThumbnails(runner, input, instants, height, signal);
}

/**
 * Finds black bars from frames sampled across the file (the upright picture is
 * `picture.width` × `picture.height` stored pixels); null when there are none.
 */
export async function detectBarsOf(runner: FrameRunner, input: MountedInput, durationSec: number, picture: { width: number; height: number }, signal?: AbortSignal, samples = 8): Promise<Crop | null> {
  const frames: LumaFrame[] = [];
  for (const at of spreadInstants(durationSec, samples)) {
    const plane = await runOne(runner, input, lumaArgs(`/in/${input.name}`, at, '/out/luma.gray'), 'luma.gray', signal);
    // A plane of another size is not the picture the crop is given in (a stream that changes size): skip it.
    if (!plane || plane.size !== picture.width * picture.height) continue;
    frames.push({ width: picture.width, height: picture.height, stride: picture.width, data: new Uint8Array(await plane.arrayBuffer()) });
  }
  return detectBars(frames);
}
