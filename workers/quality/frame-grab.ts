/**
 * Which frames of an output are scored, and the ffmpeg arguments that pull those frames (and
 * the same instants of the source, scaled as native ffmpeg's reference is) out as raw I420.
 * The same arguments run in ffmpeg.wasm in a worker and, in the tests, in native ffmpeg.
 */
import type { PictureRect } from '../protocol';
import { i420Size, type I420Frame } from './frame-quality';

/** Frames scored per output at least: spread evenly, the first (a keyframe) among them. */
export const SCORED_FRAMES = 12;

/**
 * `count` frame indices spread over `frameCount` frames, one in each of `count` equal spans
 * (at a fixed, uneven place within it, so that a pattern that repeats every few frames, as
 * an encoder's rate control makes, cannot line up with the samples), starting with frame 0 (a
 * keyframe) and, where `keyframes` are known, up to a third of them on keyframes: encoders
 * spend most on keyframes, so a score of in-between frames only would flatter none and one of
 * keyframes only would flatter all.
 */
export function sampleFrameIndices(frameCount: number, count = SCORED_FRAMES, keyframes: readonly number[] = []): number[] {
  const total = Math.floor(frameCount);
  if (!(total >= 1)) return [];
  const n = Math.min(total, count);
  // i × the golden ratio, fractional part: well spread over [0, 1) and the same on every run.
  const slots = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : Math.min(total - 1, Math.floor(((i + ((i * 0.6180339887) % 1)) * total) / n))));
  const keys = [...new Set(keyframes)].filter((k) => k > 0 && k < total).sort((a, b) => a - b);
  const share = Math.min(keys.length, Math.floor(n / 3));
  const onKey = new Set<number>([0]);
  for (let j = 0; j < share; j++) {
    const key = keys[Math.floor(((j + 0.5) * keys.length) / share)] as number;
    if (slots.includes(key)) {
      onKey.add(slots.indexOf(key));
      continue;
    }
    // The nearest slot not yet moved onto a keyframe takes this one.
    let best = -1;
    for (let i = 1; i < n; i++) if (!onKey.has(i) && (best < 0 || Math.abs((slots[i] as number) - key) < Math.abs((slots[best] as number) - key))) best = i;
    if (best < 0) break;
    slots[best] = key;
    onKey.add(best);
  }
  return [...new Set(slots)].sort((a, b) => a - b);
}

/**
 * The seek time that lands ffmpeg's `-ss` (input side, accurate seek) on frame `index` of a
 * constant-rate stream: a quarter frame before it, so that neither rounding of the
 * timestamps nor the frame before can win.
 */
export function instantOfFrame(index: number, fps: number): number {
  return index <= 0 ? 0 : (index - 0.25) / fps;
}

export interface FrameGrab {
  /** The file as ffmpeg names it (`/in/x.mp4`). */
  input: string;
  /** Seconds from the start of the file, one frame each. */
  instants: readonly number[];
  /** The size of the frames wanted: the source is scaled to it with lanczos, as the reference native ffmpeg scores against. */
  width: number;
  height: number;
  /** True for the output itself (already the right size: no scaling). */
  asIs?: boolean;
  /** Cropped to this (upright pixels) before scaling: the job's crop. */
  crop?: PictureRect;
  /** Where frame i goes: `${prefix}${i}.yuv`. */
  prefix: string;
}

/** The job's crop as ffmpeg's route makes it (`crop=…:exact=1` before the scaling), or nothing. */
function cropFilter(crop: PictureRect | undefined): string {
  return crop ? `crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}:exact=1,` : '';
}

/** ffmpeg's arguments for one run that writes one raw yuv420p frame per instant. */
export function frameGrabArgs(grab: FrameGrab): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  grab.instants.forEach((t) => args.push('-ss', t.toFixed(6), '-i', grab.input));
  const filter = grab.asIs ? 'format=yuv420p' : `${cropFilter(grab.crop)}scale=${grab.width}:${grab.height}:flags=lanczos,format=yuv420p`;
  grab.instants.forEach((_, i) => {
    args.push('-map', `${i}:v:0`, '-frames:v', '1', '-filter:v', filter, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', `${grab.prefix}${i}.yuv`);
  });
  return args;
}

/** Up to here (the last sampled frame's index), decoding the file from the start costs less than seeking for each frame. */
export const SEQUENTIAL_GRAB_FRAMES = 900;

export interface SequentialGrab {
  input: string;
  /** Frame indices from the first frame (after `startSec`), increasing. */
  indices: readonly number[];
  width: number;
  height: number;
  asIs?: boolean;
  crop?: PictureRect;
  /** Seek here first (a trim's in point). */
  startSec?: number;
  /** One file, the frames one after another. */
  output: string;
}

/**
 * ffmpeg's arguments for one pass from the start that keeps only the sampled frames (by their
 * order, as native's reference pairs them) and writes them one after another as raw yuv420p:
 * for short outputs, where a seek per frame would decode from the same keyframe again and again.
 */
export function sequentialGrabArgs(grab: SequentialGrab): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  if (grab.startSec) args.push('-ss', grab.startSec.toFixed(6));
  const select = `select='${grab.indices.map((k) => `eq(n,${k})`).join('+')}'`;
  const scale = grab.asIs ? '' : `,${cropFilter(grab.crop)}scale=${grab.width}:${grab.height}:flags=lanczos`;
  args.push('-i', grab.input, '-map', '0:v:0', '-filter:v', `${select}${scale},format=yuv420p`, '-fps_mode', 'passthrough', '-frames:v', String(grab.indices.length));
  args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', grab.output);
  return args;
}

/** The frames of a sequential grab's file; missing ones (past the end) are null. */
export function splitFrames(bytes: Uint8Array | null, count: number, width: number, height: number): (I420Frame | null)[] {
  const size = i420Size(width, height);
  return Array.from({ length: count }, (_, i) => (bytes && bytes.length >= (i + 1) * size ? { width, height, data: bytes.subarray(i * size, (i + 1) * size) } : null));
}

/** The names `frameGrabArgs` writes, in order. */
export function frameGrabFiles(grab: Pick<FrameGrab, 'instants' | 'prefix'>): string[] {
  return grab.instants.map((_, i) => `${grab.prefix}${i}.yuv`);
}

/** One grabbed file as a frame; null when ffmpeg wrote nothing or something of the wrong size (past the end, a size mismatch). */
export function grabbedFrame(bytes: Uint8Array | null, width: number, height: number): I420Frame | null {
  if (!bytes || bytes.length !== i420Size(width, height)) return null;
  return { width, height, data: bytes };
}
