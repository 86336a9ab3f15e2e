import { describe, expect, it } from 'vitest';
import { frameMse, frameSsim, i420Size, psnrOfMse, QualityTally } from '../../workers/quality/frame-quality';
import { framePairCases, texturedFrame } from '../support/quality-frames';

/**
 * Native ffmpeg's figures for the same bytes, printed by `npx tsx scripts/quality-fixtures.ts`
 * (ffmpeg 5.1.9-0+deb12u1; per case: `ffmpeg -f rawvideo -pix_fmt yuv420p -s WxH -i main.yuv
 * -f rawvideo -pix_fmt yuv420p -s WxH -i ref.yuv -lavfi '[0:v][1:v]psnr' -f null -`, then `ssim`).
 */
const NATIVE = [
  { name: 'identical', psnr: { y: Infinity, u: Infinity, v: Infinity, average: Infinity }, ssim: { y: 1.0, u: 1.0, v: 1.0, all: 1.0 } },
  { name: 'offset +4 luma', psnr: { y: 36.089604, u: Infinity, v: Infinity, average: 37.850516 }, ssim: { y: 0.999299, u: 1.0, v: 1.0, all: 0.999532 } },
  { name: 'offset +3 luma, −2 chroma', psnr: { y: 38.588379, u: 42.110204, v: 42.110204, average: 39.477789 }, ssim: { y: 0.9996, u: 0.999832, v: 0.999861, all: 0.999682 } },
  { name: 'box blur', psnr: { y: 24.883111, u: 38.881418, v: 37.575268, average: 26.543541 }, ssim: { y: 0.828155, u: 0.983064, v: 0.990433, all: 0.88102 } },
  { name: 'box blur, odd size', psnr: { y: 24.953556, u: 39.047619, v: 37.643925, average: 26.614885 }, ssim: { y: 0.841302, u: 0.984839, v: 0.990806, all: 0.890142 } },
  { name: 'noise ±12', psnr: { y: 31.282269, u: 31.328859, v: 31.274854, average: 31.28876 }, ssim: { y: 0.959584, u: 0.914532, v: 0.959676, all: 0.952091 } },
  { name: 'two frames: blur then noise', psnr: { y: 27.849855, u: 39.73333, v: 38.942623, average: 29.458673 }, ssim: { y: 0.918173, u: 0.987086, v: 0.993024, all: 0.942134 } },
];

/** ffmpeg prints six decimals; the maths is the same, so the figures agree to the last printed digit. */
function expectNear(actual: number, expected: number): void {
  if (expected === Infinity) expect(actual).toBe(Infinity);
  else expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1.5e-6);
}

describe('PSNR and SSIM as native ffmpeg computes them', () => {
  const cases = framePairCases();
  it('covers every case native ffmpeg scored', () => {
    expect(cases.map((c) => c.name)).toEqual(NATIVE.map((n) => n.name));
  });

  for (const [index, c] of cases.entries()) {
    it(c.name, () => {
      const native = NATIVE[index];
      if (!native) throw new Error(`no native figures for ${c.name}`);
      const tally = new QualityTally();
      const mse = { y: 0, u: 0, v: 0 };
      const ssim = { y: 0, u: 0, v: 0 };
      c.outputs.forEach((output, i) => {
        const reference = c.references[i];
        if (!reference) throw new Error('unpaired frame');
        tally.add(output, reference);
        const m = frameMse(output, reference);
        const s = frameSsim(output, reference);
        for (const k of ['y', 'u', 'v'] as const) {
          mse[k] += m[k];
          ssim[k] += s[k];
        }
      });
      const frames = c.outputs.length;
      const score = tally.result();
      expect(score?.frames).toBe(frames);
      expectNear(score?.psnr ?? NaN, native.psnr.average);
      expectNear(score?.psnrY ?? NaN, native.psnr.y);
      expectNear(score?.ssim ?? NaN, native.ssim.all);
      for (const k of ['y', 'u', 'v'] as const) {
        expectNear(psnrOfMse(mse[k] / frames), native.psnr[k]);
        expectNear(ssim[k] / frames, native.ssim[k]);
      }
    });
  }

  it('averages errors before the dB, as ffmpeg does, not the frames’ dB', () => {
    const c = cases.find((x) => x.name.startsWith('two frames'));
    if (!c) throw new Error('case missing');
    const perFrame = c.outputs.map((o, i) => psnrOfMse(frameMse(o, c.references[i] ?? o).all));
    const meanOfDb = perFrame.reduce((a, b) => a + b, 0) / perFrame.length;
    const tally = new QualityTally();
    c.outputs.forEach((o, i) => tally.add(o, c.references[i] ?? o));
    expect(Math.abs((tally.result()?.psnr ?? 0) - meanOfDb)).toBeGreaterThan(1);
  });

  it('refuses frames of different sizes or short buffers, saying what to do', () => {
    const a = texturedFrame(64, 48);
    const b = texturedFrame(70, 46);
    expect(() => frameMse(a, b)).toThrow(/differ in size \(64×48 and 70×46\): scale the reference first/);
    expect(() => frameSsim(a, { ...a, data: a.data.subarray(0, 100) })).toThrow(`needs ${i420Size(64, 48)} bytes`);
    expect(() => frameSsim(texturedFrame(6, 6), texturedFrame(6, 6))).toThrow(/too small/);
  });

  it('has no score before a frame', () => {
    expect(new QualityTally().result()).toBeNull();
  });
});
