/**
 * A separable lanczos (a = 3) scaler for I420 frames in plain typed arrays: the reference a
 * worker scores against when the browser decoded the frames, standing in for ffmpeg's
 * `scale=W:H:flags=lanczos` (swscale). Pixel centres aligned (swscale's default for luma and
 * for 4:2:0 chroma), the kernel widened by the ratio when shrinking, edges repeated, each
 * row of weights summing to 1. Not swscale's fixed-point arithmetic: its results differ by a
 * level here and there, far below what an encoder's error is (test/unit/lanczos-scale.test.ts
 * measures it against native ffmpeg).
 */
import type { PictureRect } from '../protocol';
import { i420Layout, i420Size, type I420Frame, type PlaneLayout } from './frame-quality';

const LOBES = 3;

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (x <= -LOBES || x >= LOBES) return 0;
  const px = Math.PI * x;
  return (LOBES * Math.sin(px) * Math.sin(px / LOBES)) / (px * px);
}

interface Taps {
  /** First source index of each output sample, in a line padded by `pad` repeated edge samples on each side. */
  first: Int32Array;
  weight: Float32Array;
  count: number;
  pad: number;
}

const tapCache = new Map<string, Taps>();

/** The weights that make each of `dst` samples from `src` ones (edges repeat: the line is padded). */
function tapsFor(src: number, dst: number): Taps {
  const key = `${src}>${dst}`;
  const cached = tapCache.get(key);
  if (cached) return cached;
  const ratio = src / dst;
  const stretch = Math.max(1, ratio);
  const support = LOBES * stretch;
  const count = Math.ceil(support) * 2 + 1;
  const pad = count + 1;
  const first = new Int32Array(dst);
  const weight = new Float32Array(dst * count);
  for (let i = 0; i < dst; i++) {
    const centre = (i + 0.5) * ratio - 0.5;
    const from = Math.floor(centre - support) + 1;
    first[i] = from + pad;
    let sum = 0;
    for (let t = 0; t < count; t++) {
      const w = lanczos((from + t - centre) / stretch);
      weight[i * count + t] = w;
      sum += w;
    }
    for (let t = 0; t < count; t++) weight[i * count + t] = (weight[i * count + t] as number) / sum;
  }
  const taps = { first, weight, count, pad };
  if (tapCache.size > 32) tapCache.clear();
  tapCache.set(key, taps);
  return taps;
}

function scalePlane(src: Uint8Array, from: PlaneLayout, out: Uint8Array, to: PlaneLayout, scratch: Float32Array): void {
  const h = tapsFor(from.width, to.width);
  const v = tapsFor(from.height, to.height);
  const { weight: hw, first: hf, count: hn } = h;
  // Rows first, into floats: to.width × (from.height + 2 pad) rows, the pad rows repeating the edges.
  const line = new Float32Array(from.width + 2 * h.pad);
  const rowOf = (row: number): number => row + v.pad;
  for (let row = 0; row < from.height; row++) {
    const base = from.offset + row * from.width;
    for (let x = 0; x < from.width; x++) line[x + h.pad] = src[base + x] as number;
    line.fill(src[base] as number, 0, h.pad);
    line.fill(src[base + from.width - 1] as number, h.pad + from.width);
    const at = rowOf(row) * to.width;
    for (let x = 0; x < to.width; x++) {
      let acc = 0;
      const k = x * hn;
      const f = hf[x] as number;
      for (let t = 0; t < hn; t++) acc += (hw[k + t] as number) * (line[f + t] as number);
      scratch[at + x] = acc;
    }
  }
  for (let p = 0; p < v.pad; p++) {
    scratch.copyWithin(p * to.width, rowOf(0) * to.width, (rowOf(0) + 1) * to.width);
    scratch.copyWithin((rowOf(from.height) + p) * to.width, rowOf(from.height - 1) * to.width, rowOf(from.height) * to.width);
  }
  // Then columns, a whole output row at a time (cache-friendly), rounded and clamped.
  const acc = new Float32Array(to.width);
  const { weight: vw, first: vf, count: vn } = v;
  for (let y = 0; y < to.height; y++) {
    acc.fill(0);
    const k = y * vn;
    for (let t = 0; t < vn; t++) {
      const w = vw[k + t] as number;
      if (w === 0) continue;
      const at = ((vf[y] as number) + t) * to.width;
      for (let x = 0; x < to.width; x++) acc[x] = (acc[x] as number) + w * (scratch[at + x] as number);
    }
    const base = to.offset + y * to.width;
    for (let x = 0; x < to.width; x++) {
      const value = (acc[x] as number) + 0.5;
      out[base + x] = value < 0 ? 0 : value >= 255 ? 255 : value;
    }
  }
}

/** `frame` scaled to `width`×`height` (the same object when the size is already that). */
export function scaleI420Lanczos(frame: I420Frame, width: number, height: number): I420Frame {
  if (frame.width === width && frame.height === height) return frame;
  const from = i420Layout(frame.width, frame.height);
  const to = i420Layout(width, height);
  const data = new Uint8Array(i420Size(width, height));
  const rows = frame.height + 2 * tapsFor(frame.height, height).pad;
  const scratch = new Float32Array(width * rows);
  for (let p = 0; p < 3; p++) scalePlane(frame.data, from[p] as PlaneLayout, data, to[p] as PlaneLayout, scratch);
  return { width, height, data };
}

/**
 * The rectangle `rect` of `frame` (luma pixels; chroma from half its offset, rounded down, as
 * ffmpeg's crop filter takes it for 4:2:0). The rectangle must lie inside the frame.
 */
export function cropI420(frame: I420Frame, rect: PictureRect): I420Frame {
  const { x, y, width, height } = rect;
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > frame.width || y + height > frame.height) {
    throw new RangeError(`crop ${width}×${height} at ${x},${y} is outside the ${frame.width}×${frame.height} picture`);
  }
  if (x === 0 && y === 0 && width === frame.width && height === frame.height) return frame;
  const from = i420Layout(frame.width, frame.height);
  const to = i420Layout(width, height);
  const data = new Uint8Array(i420Size(width, height));
  for (let p = 0; p < 3; p++) {
    const a = from[p] as PlaneLayout;
    const b = to[p] as PlaneLayout;
    const left = p === 0 ? x : x >> 1;
    const top = p === 0 ? y : y >> 1;
    for (let row = 0; row < b.height; row++) {
      const start = a.offset + (top + row) * a.width + left;
      data.set(frame.data.subarray(start, start + b.width), b.offset + row * b.width);
    }
  }
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
