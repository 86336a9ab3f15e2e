/**
 * The worker's lanczos scaler against native ffmpeg's `scale=W:H:flags=lanczos` on real
 * pictures (frames of the fixtures, decoded by native ffmpeg): the reference a browser-decoded
 * score is made against must be the one native's score is made against, within a hair.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { frameMse, i420Size, psnrOfMse, type I420Frame } from '../../workers/quality/frame-quality';
import { cropI420, rotateI420, scaleI420Lanczos } from '../../workers/quality/lanczos-scale';
import { fixture } from '../support/media';

/** One frame of `file` at `at` s as raw yuv420p, scaled by native ffmpeg when a size is given. */
function nativeFrame(file: string, at: number, size?: { width: number; height: number }): Buffer {
  const scale = size ? `scale=${size.width}:${size.height}:flags=lanczos,` : '';
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', String(at), '-i', file, '-frames:v', '1', '-vf', `${scale}format=yuv420p`, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 64 << 20 });
}

function frameOf(bytes: Buffer, width: number, height: number): I420Frame {
  expect(bytes.length).toBe(i420Size(width, height));
  return { width, height, data: new Uint8Array(bytes) };
}

const CASES = [
  // flower.mp4 is 960×540: the two routes' 480p and a 360p, and an upscale as 240p sources get.
  { file: 'flower.mp4', at: 2, from: { width: 960, height: 540 }, to: { width: 854, height: 480 } },
  { file: 'flower.mp4', at: 3.3, from: { width: 960, height: 540 }, to: { width: 640, height: 360 } },
  { file: 'friday.mp4', at: 1, from: null, to: { width: 426, height: 240 } },
  { file: 'flower.mp4', at: 1, from: { width: 960, height: 540 }, to: { width: 1280, height: 720 } },
] as const;

describe('lanczos scaling as native ffmpeg scales', () => {
  for (const c of CASES) {
    it(`${c.file} → ${c.to.width}×${c.to.height}: within a level of native's reference`, () => {
      const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', fixture(c.file)], { encoding: 'utf8' });
      const [width, height] = probe.trim().split(',').map(Number) as [number, number];
      if (c.from) expect({ width, height }).toEqual(c.from);
      const source = frameOf(nativeFrame(fixture(c.file), c.at), width, height);
      const native = frameOf(nativeFrame(fixture(c.file), c.at, c.to), c.to.width, c.to.height);
      const ours = scaleI420Lanczos(source, c.to.width, c.to.height);
      const mse = frameMse(ours, native);
      console.log(`[lanczos] ${c.file} ${width}×${height} → ${c.to.width}×${c.to.height}: ours vs native ${psnrOfMse(mse.all).toFixed(2)} dB (Y ${psnrOfMse(mse.y).toFixed(2)}, U ${psnrOfMse(mse.u).toFixed(2)}, V ${psnrOfMse(mse.v).toFixed(2)})`);
      // 50 dB is an MSE of 0.65: rounding, not a shifted or softer picture (a half-pixel shift is ~30 dB here).
      expect(psnrOfMse(mse.all)).toBeGreaterThan(50);
    });
  }

  it('turns a frame as native ffmpeg’s transpose does', () => {
    const source = frameOf(nativeFrame(fixture('flower.mp4'), 1, { width: 320, height: 180 }), 320, 180);
    const turned = frameOf(execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '320x180', '-i', '-', '-vf', 'transpose=clock', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { input: Buffer.from(source.data), maxBuffer: 8 << 20 }), 180, 320);
    expect(frameMse(rotateI420(source, 90), turned).all).toBe(0);
    const back = rotateI420(rotateI420(rotateI420(rotateI420(source, 90), 90), 90), 90);
    expect(frameMse(back, source).all).toBe(0);
    expect(frameMse(rotateI420(rotateI420(source, 90), 90), rotateI420(source, 180)).all).toBe(0);
  });

  it('crops a frame as native ffmpeg’s crop=…:exact=1 does (even and odd offsets), and refuses a rectangle outside it', () => {
    const source = frameOf(nativeFrame(fixture('flower.mp4'), 1, { width: 320, height: 180 }), 320, 180);
    for (const rect of [{ width: 240, height: 180, x: 40, y: 0 }, { width: 200, height: 100, x: 31, y: 17 }]) {
      const native = execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '320x180', '-i', '-', '-vf', `crop=${rect.width}:${rect.height}:${rect.x}:${rect.y}:exact=1`, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { input: Buffer.from(source.data), maxBuffer: 8 << 20 });
      expect(frameMse(cropI420(source, rect), frameOf(native, rect.width, rect.height)).all, `${rect.width}:${rect.height}:${rect.x}:${rect.y}`).toBe(0);
    }
    expect(cropI420(source, { width: 320, height: 180, x: 0, y: 0 })).toBe(source);
    expect(() => cropI420(source, { width: 300, height: 180, x: 40, y: 0 })).toThrow(RangeError);
  });
});
