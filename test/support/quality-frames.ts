/**
 * Small I420 frame pairs made the same way on every run, for the PSNR/SSIM tests: a textured
 * picture, and that picture offset, blurred or noised. Native ffmpeg scored the same bytes once
 * (scripts/quality-fixtures.ts); its figures are checked in beside the test.
 */
import { i420Layout, i420Size, type I420Frame } from '../../workers/quality/frame-quality';

/** xorshift32: the same numbers on every run. */
function randoms(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

/** Gradients, a few edges and some grain: enough texture for SSIM to mean something. */
export function texturedFrame(width: number, height: number, seed = 7): I420Frame {
  const data = new Uint8Array(i420Size(width, height));
  const random = randoms(seed);
  const [y, u, v] = i420Layout(width, height);
  for (let row = 0; row < y.height; row++) {
    for (let col = 0; col < y.width; col++) {
      const wave = 40 * Math.sin(col / 5 + seed) + 30 * Math.cos(row / 7);
      const edge = (Math.floor(col / 12) + Math.floor(row / 10)) % 2 === 0 ? 35 : -35;
      data[y.offset + row * y.width + col] = clamp(128 + wave + edge + 24 * (random() - 0.5));
    }
  }
  for (const [plane, phase] of [[u, 1], [v, 2]] as const) {
    for (let row = 0; row < plane.height; row++) {
      for (let col = 0; col < plane.width; col++) {
        data[plane.offset + row * plane.width + col] = clamp(128 + 50 * Math.sin((col + row * phase) / 6) + 10 * (random() - 0.5));
      }
    }
  }
  return { width, height, data };
}

/** Every sample moved by `delta` (clamped to 0–255), chroma by `chromaDelta`. */
export function offsetFrame(frame: I420Frame, delta: number, chromaDelta = 0): I420Frame {
  const data = new Uint8Array(frame.data.length);
  const [y] = i420Layout(frame.width, frame.height);
  for (let i = 0; i < data.length; i++) data[i] = clamp((frame.data[i] as number) + (i < y.offset + y.width * y.height ? delta : chromaDelta));
  return { ...frame, data };
}

/** A 3×3 box blur of every plane (edges repeat). */
export function blurFrame(frame: I420Frame): I420Frame {
  const data = new Uint8Array(frame.data.length);
  for (const plane of i420Layout(frame.width, frame.height)) {
    const at = (row: number, col: number): number =>
      frame.data[plane.offset + Math.max(0, Math.min(plane.height - 1, row)) * plane.width + Math.max(0, Math.min(plane.width - 1, col))] as number;
    for (let row = 0; row < plane.height; row++) {
      for (let col = 0; col < plane.width; col++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(row + dy, col + dx);
        data[plane.offset + row * plane.width + col] = Math.round(sum / 9);
      }
    }
  }
  return { ...frame, data };
}

/** Grain of ±`amount` on every sample. */
export function noisyFrame(frame: I420Frame, amount: number, seed = 99): I420Frame {
  const random = randoms(seed);
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clamp((frame.data[i] as number) + amount * 2 * (random() - 0.5));
  return { ...frame, data };
}

export interface FramePairCase {
  name: string;
  width: number;
  height: number;
  /** The scored frames (ffmpeg's first input, "main") and the references (its second), frame by frame. */
  outputs: I420Frame[];
  references: I420Frame[];
}

/** The cases native ffmpeg scored: sizes not multiples of 8 or of 4 on purpose. */
export function framePairCases(): FramePairCase[] {
  const a = texturedFrame(64, 48);
  const odd = texturedFrame(70, 46, 3);
  const big = texturedFrame(160, 90, 11);
  return [
    { name: 'identical', width: 64, height: 48, outputs: [a], references: [a] },
    { name: 'offset +4 luma', width: 64, height: 48, outputs: [offsetFrame(a, 4)], references: [a] },
    { name: 'offset +3 luma, −2 chroma', width: 64, height: 48, outputs: [offsetFrame(a, 3, -2)], references: [a] },
    { name: 'box blur', width: 64, height: 48, outputs: [blurFrame(a)], references: [a] },
    { name: 'box blur, odd size', width: 70, height: 46, outputs: [blurFrame(odd)], references: [odd] },
    { name: 'noise ±12', width: 160, height: 90, outputs: [noisyFrame(big, 12)], references: [big] },
    { name: 'two frames: blur then noise', width: 70, height: 46, outputs: [blurFrame(odd), noisyFrame(odd, 4)], references: [odd, odd] },
  ];
}
