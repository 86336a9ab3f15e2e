/**
 * A separable lanczos (a = 3) scaler for I420 frames in plain typed arrays: the reference a
 * worker scores against when the browser decoded the frames, standing in for ffmpeg's
 * `scale=W:H:flags=lanczos` (swscale). Pixel centres aligned (swscale's default for luma and
 * for 4:2:0 chroma), the kernel widened by the ratio when shrinking, edges repeated, each
 * row of weights summing to 1. Not swscale's fixed-point arithmetic: its results differ by a
 * level here and there, far below what an encoder's error is (test/unit/lanczos-scale.test.ts
 * measures it against native ffmpeg).
 */
import { i420Layout, i420Size, type I420Frame, type PlaneLayout } from './frame-quality';

const LOBES = 3;

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (x <= -LOBES || x >= LOBES) return 0;
  const px = Math.PI * x;
  return (LOBES * Math.sin(px) * Math.sin(px / LOBES)) / (px * px);
}

interface Taps {
  /** First source index of each output sample (already clamped into the plane). */
  index: Int32Array;
  weight: Float32Array;
  count: number;
}

const tapCache = new Map<string, Taps>();

/** The weights that make each of `dst` samples from `src` ones, indices clamped (edges repeat). */
function tapsFor(src: number, dst: number): Taps {
  const key = `${src}>${dst}`;
  const cached = tapCache.get(key);
  if (cached) return cached;
  const ratio = src / dst;
  const stretch = Math.max(1, ratio);
  const support = LOBES * stretch;
  const count = Math.ceil(support) * 2 + 1;
  const index = new Int32Array(dst * count);
  const weight = new Float32Array(dst * count);
  for (let i = 0; i < dst; i++) {
    const centre = (i + 0.5) * ratio - 0.5;
    const first = Math.floor(centre - support) + 1;
    let sum = 0;
    for (let t = 0; t < count; t++) {
      const w = lanczos((first + t - centre) / stretch);
      weight[i * count + t] = w;
      index[i * count + t] = Math.min(src - 1, Math.max(0, first + t));
      sum += w;
    }
    for (let t = 0; t < count; t++) weight[i * count + t] = (weight[i * count + t] as number) / sum;
  }
  const taps = { index, weight, count };
  if (tapCache.size > 32) tapCache.clear();
  tapCache.set(key, taps);
  return taps;
}

function scalePlane(src: Uint8Array, from: PlaneLayout, out: Uint8Array, to: PlaneLayout, scratch: Float32Array): void {
  const h = tapsFor(from.width, to.width);
  const v = tapsFor(from.height, to.height);
  // Rows first, into floats: to.width × from.height.
  for (let row = 0; row < from.height; row++) {
    const base = from.offset + row * from.width;
    const line = row * to.width;
    for (let x = 0; x < to.width; x++) {
      let acc = 0;
      const k = x * h.count;
      for (let t = 0; t < h.count; t++) acc += (h.weight[k + t] as number) * (src[base + (h.index[k + t] as number)] as number);
      scratch[line + x] = acc;
    }
  }
  // Then columns, a whole output row at a time (cache-friendly), rounded and clamped.
  const acc = new Float32Array(to.width);
  for (let y = 0; y < to.height; y++) {
    acc.fill(0);
    const k = y * v.count;
    for (let t = 0; t < v.count; t++) {
      const w = v.weight[k + t] as number;
      if (w === 0) continue;
      const line = (v.index[k + t] as number) * to.width;
      for (let x = 0; x < to.width; x++) acc[x] = (acc[x] as number) + w * (scratch[line + x] as number);
    }
    const base = to.offset + y * to.width;
    for (let x = 0; x < to.width; x++) {
      const value = Math.round(acc[x] as number);
      out[base + x] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
}

/** `frame` scaled to `width`×`height` (the same object when the size is already that). */
export function scaleI420Lanczos(frame: I420Frame, width: number, height: number): I420Frame {
  if (frame.width === width && frame.height === height) return frame;
  const from = i420Layout(frame.width, frame.height);
  const to = i420Layout(width, height);
  const data = new Uint8Array(i420Size(width, height));
  const scratch = new Float32Array(width * frame.height);
  for (let p = 0; p < 3; p++) scalePlane(frame.data, from[p] as PlaneLayout, data, to[p] as PlaneLayout, scratch);
  return { width, height, data };
}

/** `frame` turned clockwise by `degrees` (a multiple of 90), as a player shows a rotated stream. */
export function rotateI420(frame: I420Frame, degrees: number): I420Frame {
  const turn = ((degrees % 360) + 360) % 360;
  if (turn === 0) return frame;
  const sideways = turn === 90 || turn === 270;
  const width = sideways ? frame.height : frame.width;
  const height = sideways ? frame.width : frame.height;
  const from = i420Layout(frame.width, frame.height);
  const to = i420Layout(width, height);
  const data = new Uint8Array(i420Size(width, height));
  for (let p = 0; p < 3; p++) {
    const a = from[p] as PlaneLayout;
    const b = to[p] as PlaneLayout;
    for (let y = 0; y < a.height; y++) {
      for (let x = 0; x < a.width; x++) {
        const [nx, ny] = turn === 90 ? [a.height - 1 - y, x] : turn === 180 ? [a.width - 1 - x, a.height - 1 - y] : [y, a.width - 1 - x];
        if (nx < b.width && ny < b.height) data[b.offset + ny * b.width + nx] = frame.data[a.offset + y * a.width + x] as number;
      }
    }
  }
  return { width, height, data };
}
