import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameGrabArgs, frameGrabFiles, grabbedFrame, instantOfFrame, sampleFrameIndices } from '../../workers/quality/frame-grab';
import { QualityTally } from '../../workers/quality/frame-quality';
import { fixture } from '../support/media';
import { nativeScore } from '../support/native-quality';

describe('sampleFrameIndices', () => {
  it('spreads the frames evenly from frame 0', () => {
    expect(sampleFrameIndices(120)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
    expect(sampleFrameIndices(5)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleFrameIndices(0)).toEqual([]);
  });

  it('moves up to a third of them onto keyframes, keeping the count', () => {
    const picked = sampleFrameIndices(300, 12, [0, 60, 120, 180, 240]);
    expect(picked).toHaveLength(12);
    expect(picked[0]).toBe(0);
    const keys = picked.filter((k) => [60, 120, 180, 240].includes(k));
    expect(keys).toHaveLength(4);
    expect(picked.filter((k) => k % 60 !== 0).length).toBeGreaterThanOrEqual(7);
  });

  it('seeks a quarter frame before each frame', () => {
    expect(instantOfFrame(0, 30)).toBe(0);
    expect(instantOfFrame(10, 25)).toBeCloseTo(0.39, 10);
  });
});

/**
 * The grab arguments run in native ffmpeg here exactly as they run in ffmpeg.wasm in a worker:
 * 12 frames of an output and the same instants of its source, scored by workers/quality,
 * against native ffmpeg's psnr and ssim filters over every frame.
 */
describe('scoring 12 grabbed frames against native ffmpeg over every frame', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-grab-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    { name: 'flower.mp4 → x264 CRF 30 at 640×360', source: 'flower.mp4', encode: ['-vf', 'scale=640:360', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30'], ext: 'mp4' },
    { name: 'friday.mp4 → MPEG-4 Part 2 q 8 at 320×240', source: 'friday.mp4', encode: ['-vf', 'scale=320:240', '-c:v', 'mpeg4', '-q:v', '8'], ext: 'mp4' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const source = fixture(c.source);
      const output = path.join(dir, `out.${c.ext}`);
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', source, '-an', ...c.encode, output]);
      const native = nativeScore(output, source);
      const [num, den] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=avg_frame_rate', '-of', 'csv=p=0', output], { encoding: 'utf8' }).trim().split('/').map(Number);
      const fps = (num ?? 0) / (den ?? 1);
      const instants = sampleFrameIndices(native.frames).map((k) => instantOfFrame(k, fps));
      const grab = (input: string, asIs: boolean, prefix: string): ReturnType<typeof grabbedFrame>[] => {
        const g = { input, instants, width: native.width, height: native.height, asIs, prefix: path.join(dir, prefix) };
        execFileSync('ffmpeg', ['-y', ...frameGrabArgs(g)]);
        return frameGrabFiles(g).map((file) => grabbedFrame(readFileSync(file), native.width, native.height));
      };
      const outs = grab(output, true, 'o');
      const refs = grab(source, false, 'r');
      const tally = new QualityTally();
      outs.forEach((o, i) => {
        const r = refs[i];
        if (!o || !r) throw new Error(`frame ${i} missing`);
        tally.add(o, r);
      });
      const score = tally.result();
      expect(score?.frames).toBe(12);
      console.log(`${c.name}: 12 frames ${score?.psnr.toFixed(2)} dB / ${score?.ssim.toFixed(4)}; native, all ${native.frames}: ${native.psnr.toFixed(2)} dB / ${native.ssim.toFixed(4)}`);
      expect(Math.abs((score?.psnr ?? 0) - native.psnr)).toBeLessThanOrEqual(0.5);
      expect(Math.abs((score?.ssim ?? 0) - native.ssim)).toBeLessThanOrEqual(0.01);
    });
  }
});
