/**
 * Which frames of an output are scored, and the ffmpeg arguments that pull those frames (and
 * the same instants of the source, scaled as native ffmpeg's reference is) out as raw I420.
 * The same arguments run in ffmpeg.wasm in a worker and, in the tests, in native ffmpeg.
 */
import { i420Size, type I420Frame } from './frame-quality';

/** Frames scored per output at least: spread evenly, the first (a keyframe) among them. */
export const SCORED_FRAMES = 12;

/**
 * `count` frame indices spread evenly over `frameCount` frames, starting with frame 0 (a
 * keyframe) and, where `keyframes` are known, up to a third of them on keyframes: encoders
 * spend most on keyframes, so a score of in-between frames only would flatter none and one of
 * keyframes only would flatter all.
 */
export function sampleFrameIndices(frameCount: number, count = SCORED_FRAMES, keyframes: readonly number[] = []): number[] {
  const total = Math.floor(frameCount);
  if (!(total >= 1)) return [];
  const n = Math.min(total, count);
  const slots = Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
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
  /** Where frame i goes: `${prefix}${i}.yuv`. */
  prefix: string;
}

/** ffmpeg's arguments for one run that writes one raw yuv420p frame per instant. */
export function frameGrabArgs(grab: FrameGrab): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  grab.instants.forEach((t) => args.push('-ss', t.toFixed(6), '-i', grab.input));
  const filter = grab.asIs ? 'format=yuv420p' : `scale=${grab.width}:${grab.height}:flags=lanczos,format=yuv420p`;
  grab.instants.forEach((_, i) => {
    args.push('-map', `${i}:v:0`, '-frames:v', '1', '-filter:v', filter, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', `${grab.prefix}${i}.yuv`);
  });
  return args;
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
