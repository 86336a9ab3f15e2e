import type { Crop } from './edits';

/** One decoded frame's luma plane (Y of I420/NV12), enough to find black bars. */
export interface LumaFrame {
  width: number;
  height: number;
  /** Bytes from one row to the next (≥ width). */
  stride: number;
  data: Uint8Array;
}

/**
 * A row or column is bar when its mean luma is at most this (of 255). ffmpeg's cropdetect
 * uses 24 on the same scale; limited-range black is 16, so noise and compression ringing of a
 * real bar stay under it while a dark scene's row (grain, a lamp) usually does not.
 */
export const BAR_LUMA_LIMIT = 24;

function rowIsBar(frame: LumaFrame, y: number): boolean {
  let sum = 0;
  const start = y * frame.stride;
  for (let x = 0; x < frame.width; x++) sum += frame.data[start + x] ?? 0;
  return sum <= BAR_LUMA_LIMIT * frame.width;
}

function columnIsBar(frame: LumaFrame, x: number, top: number, bottom: number): boolean {
  let sum = 0;
  for (let y = top; y <= bottom; y++) sum += frame.data[y * frame.stride + x] ?? 0;
  return sum <= BAR_LUMA_LIMIT * (bottom - top + 1);
}

/** The picture's bounds in one frame, or null when the whole frame is dark (it says nothing). */
function pictureBounds(frame: LumaFrame): { left: number; top: number; right: number; bottom: number } | null {
  let top = 0;
  while (top < frame.height && rowIsBar(frame, top)) top++;
  if (top === frame.height) return null;
  let bottom = frame.height - 1;
  while (bottom > top && rowIsBar(frame, bottom)) bottom--;
  let left = 0;
  while (left < frame.width && columnIsBar(frame, left, top, bottom)) left++;
  let right = frame.width - 1;
  while (right > left && columnIsBar(frame, right, top, bottom)) right--;
  return { left, top, right, bottom };
}

/**
 * Finds letterbox and pillarbox bars from frames sampled across a file: the crop that keeps
 * every pixel any sample shows (a bar is black in every frame; a dark scene is not a bar),
 * with even sides and offsets (most encoders need even sizes), or null when there are no bars
 * or no sample showed a picture. Frames must all have the source's size.
 *
 * @example
 * ```ts
 * detectBars(frames); // { width: 1920, height: 800, x: 0, y: 140 }
 * ```
 */
export function detectBars(frames: readonly LumaFrame[]): Crop | null {
  let bounds: { left: number; top: number; right: number; bottom: number } | null = null;
  let width = 0;
  let height = 0;
  for (const frame of frames) {
    width = frame.width;
    height = frame.height;
    const found = pictureBounds(frame);
    if (!found) continue;
    bounds = bounds
      ? { left: Math.min(bounds.left, found.left), top: Math.min(bounds.top, found.top), right: Math.max(bounds.right, found.right), bottom: Math.max(bounds.bottom, found.bottom) }
      : found;
  }
  if (!bounds) return null;
  // Even offsets rounded down and even sizes rounded up: never cut into the picture.
  const x = bounds.left - (bounds.left % 2);
  const y = bounds.top - (bounds.top % 2);
  const cropWidth = Math.min(width - x, Math.ceil((bounds.right + 1 - x) / 2) * 2);
  const cropHeight = Math.min(height - y, Math.ceil((bounds.bottom + 1 - y) / 2) * 2);
  if (cropWidth >= width - 1 && cropHeight >= height - 1) return null;
  return { width: cropWidth - (cropWidth % 2), height: cropHeight - (cropHeight % 2), x, y };
}
