import { describe, expect, it } from 'vitest';
import { presetById } from '../../src/presets/presets';
import type { SourceInfo } from '../../src/presets/source-info';
import { atFixedRate, combinedPsnr, DRIFT_MARGIN_QP, keepQualityPromise, qualityGuard, referenceSampleArgs, sampleSpans } from '../../src/jobs/quality-promise';
import { planWebCodecsTarget } from '../../src/jobs/webcodecs-plan';
import type { QualityRequest, RunRequest, WebCodecsRequest } from '../../workers/protocol';
import type { RunContext } from '../../src/jobs/scheduler';

const INFO: SourceInfo = {
  durationSec: 30,
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  video: { codec: 'h264', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30 },
  audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
};
const PRESET = presetById('mp4-h264-720p');

/**
 * A fake pool: x264's samples score `reference` dB at 100 kB each; the fast route's score 6 dB
 * more per doubling of the bitrate from `at1M` dB at 1 Mb/s, and weigh what the rate says.
 */
/** The fake's H.264 QP at a rate: 30 at 1 Mb/s, 6 less a doubling (as H.264's quantiser scale is built); `readQp` false: none read. */
function qpAt(rate: number): number {
  return 30 - 6 * Math.log2(rate / 1_000_000);
}

function fakePool(reference: number, at1M: number, readQp = true) {
  const encodes: WebCodecsRequest[] = [];
  const runs: RunRequest[] = [];
  const scored: QualityRequest[] = [];
  const pool = {
    run: (request: RunRequest) => {
      runs.push(request);
      return Promise.resolve({ exitCode: 0, outputs: request.outputs.map(() => new Blob([new Uint8Array(100_000)])), writeFailure: null });
    },
    webcodecsEncode: (request: WebCodecsRequest) => {
      encodes.push(request);
      const rate = request.target.videoBitrate;
      const bytes = (rate * 2) / 8;
      return Promise.resolve({ output: new Blob([`${rate}`.padEnd(bytes, ' ')]), durationSec: 2, videoFrames: 60, audio: null, ...(readQp ? { meanQp: qpAt(rate) } : {}) });
    },
    scoreQuality: async (request: QualityRequest) => {
      scored.push(request);
      const psnr = request.output.name.startsWith('reference') ? reference : at1M + 6 * Math.log2(Number((await request.output.data.slice(0, 12).text()).trim()) / 1_000_000);
      return { score: { psnr, psnrY: psnr, ssim: 0.98, frames: 8 }, perFrame: [], log: [] };
    },
  };
  return { pool, encodes, runs, scored };
}

function planFor(info: SourceInfo) {
  const log: string[] = [];
  const context: RunContext = { signal: new AbortController().signal, slots: 1, onLog: (lines) => log.push(...lines), onProgress: () => {}, update: () => {}, whileWaiting: (w) => w };
  const file = new File(['x'], 'clip.mp4');
  return {
    log,
    plan: { info, preset: PRESET, input: { name: 'clip.mp4', data: file }, source: { id: 's', file, displayName: file.name, info, problem: null, probing: false, probed: Promise.resolve() }, context, scratchFolder: () => ['scratch', 'job'] },
  };
}

describe('quality samples', () => {
  it('are two spans under 30 s, three from 30 s, a twentieth of the file each (2–3 s), none under 10 s', () => {
    expect(sampleSpans(9.9)).toBeNull();
    expect(sampleSpans(null)).toBeNull();
    expect(sampleSpans(12)).toEqual([
      { start: 2, duration: 2 },
      { start: 8, duration: 2 },
    ]);
    expect(sampleSpans(50)).toEqual([
      { start: 7.083, duration: 2.5 },
      { start: 23.75, duration: 2.5 },
      { start: 40.417, duration: 2.5 },
    ]);
    expect(sampleSpans(600)?.map((s) => s.duration)).toEqual([3, 3, 3]);
  });

  it('are encoded by ffmpeg as the preset would, picture only, in one run', () => {
    const parts = PRESET.parts?.(INFO);
    if (!parts) throw new Error('the preset has parts');
    const args = referenceSampleArgs(parts, '/in/clip.mp4', sampleSpans(12) ?? [], ['/out/a.mp4', '/out/b.mp4']);
    expect(args.join(' ')).toBe(
      '-hide_banner -v error -ss 2.000 -t 2.000 -i /in/clip.mp4 -ss 8.000 -t 2.000 -i /in/clip.mp4 ' +
        '-map 0:v:0 -vf scale=1280:720,setsar=1 -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -fps_mode passthrough -an -movflags +faststart /out/a.mp4 ' +
        '-map 1:v:0 -vf scale=1280:720,setsar=1 -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -fps_mode passthrough -an -movflags +faststart /out/b.mp4',
    );
  });

  it('add up as one run over all their frames (errors averaged, the dB last)', () => {
    const at = (psnr: number, frames: number) => ({ score: { psnr, psnrY: psnr, ssim: 1, frames } });
    expect(combinedPsnr([at(40, 8), at(40, 8)])).toBeCloseTo(40, 9);
    // MSE 6.5 and 0.65 → 3.575: 42.6 dB, not the mean of the dB (45.0).
    expect(combinedPsnr([at(10 * Math.log10((255 * 255) / 6.5), 8), at(10 * Math.log10((255 * 255) / 0.65), 8)])).toBeCloseTo(10 * Math.log10((255 * 255) / 3.575), 6);
    expect(combinedPsnr([at(40, 8), { score: null }])).toBeNull();
  });
});

describe('keepQualityPromise', () => {
  const target = planWebCodecsTarget('mp4-h264-720p', INFO);

  it('picks the lowest fast-route rate within 1 dB of x264 at ≤ 1.5× its bytes, at a fixed rate', async () => {
    // x264: 44 dB in 400 kB a sample; the fast route 42 dB at 1 Mb/s, so 43 dB needs 1.12 Mb/s (280 kB a sample).
    const fake = fakePool(44, 42);
    const bigReference = { ...fake.pool, run: (r: RunRequest) => fake.pool.run(r).then((res) => ({ ...res, outputs: res.outputs.map(() => new Blob([new Uint8Array(400_000)])) })) };
    const { plan, log } = planFor(INFO);
    const promise = await keepQualityPromise({ pool: bigReference }, plan, target);
    expect(promise.engine).toBe('webcodecs');
    if (promise.engine !== 'webcodecs') return;
    const exact = 1_000_000 * 2 ** (1 / 6);
    expect(promise.videoBitrate).toBeGreaterThanOrEqual(exact);
    expect(promise.videoBitrate).toBeLessThanOrEqual(exact * 1.3);
    // Every sample a trim of the source with 1 s of pre-roll, picture only, at a fixed rate (no QP steering).
    for (const encode of fake.encodes) {
      expect(encode.target.videoOnly).toBe(true);
      expect(encode.target.targetQp).toBeUndefined();
      expect(encode.target.edits?.trim?.end).toBeCloseTo((encode.target.edits?.trim?.start ?? 0) + 3, 6);
    }
    expect(new Set(fake.encodes.map((e) => e.target.edits?.trim?.start))).toEqual(new Set([3, 13, 23]));
    // Scored over the spans only: the fast route's samples from after their pre-roll, x264's whole.
    const samples = fake.scored.filter((s) => s.output.name.startsWith('sample'));
    const references = fake.scored.filter((s) => s.output.name.startsWith('reference'));
    expect(new Set(samples.map((s) => `${s.sourceStartSec} ${s.outputStartSec}`))).toEqual(new Set(['4 1', '14 1', '24 1']));
    expect(references.map((s) => `${s.sourceStartSec} ${s.outputStartSec}`)).toEqual(['4 undefined', '14 undefined', '24 undefined']);
    expect(fake.scored.every((s) => s.width === 1280 && s.height === 720)).toBe(true);
    expect(log.join('\n')).toMatch(/Quality samples, ffmpeg route: 44\.00 dB/);
  });

  it("guards the whole encode's QP at the chosen rate's sample QP + 1 within the size cap, and guards nothing when a sample's QP was not read", async () => {
    const withReference = (fake: ReturnType<typeof fakePool>) => ({ ...fake.pool, run: (r: RunRequest) => fake.pool.run(r).then((res) => ({ ...res, outputs: res.outputs.map(() => new Blob([new Uint8Array(400_000)])) })) });
    const read = fakePool(44, 42);
    const { plan, log } = planFor(INFO);
    const promise = await keepQualityPromise({ pool: withReference(read) }, plan, target);
    if (promise.engine !== 'webcodecs') throw new Error(`expected the fast route, got ${promise.engine}`);
    const rate = promise.videoBitrate;
    expect(promise.guard?.qpCeiling).toBeCloseTo(qpAt(rate) + DRIFT_MARGIN_QP, 2);
    // Three 2 s samples of rate/4 bytes each against the cap, 1.5 × three 400 kB references, a tenth kept spare.
    expect(promise.guard?.maxBitrate).toBe(Math.round(rate * ((0.9 * 1.5 * 3 * 400_000) / ((3 * rate) / 4))));
    expect(log.join('\n')).toMatch(/QP guarded at \d+\.\d\d, up to \d+ kb\/s/);
    // The route hands the guard on; a fixed rate never keeps an older one.
    expect(atFixedRate(target, rate, promise.guard).qualityGuard).toEqual(promise.guard);
    expect(atFixedRate({ ...target, qualityGuard: { qpCeiling: 20, maxBitrate: 2e6 } }, 1_000_000).qualityGuard).toBeUndefined();

    const unread = fakePool(44, 42, false);
    const second = await keepQualityPromise({ pool: withReference(unread) }, planFor(INFO).plan, target);
    if (second.engine !== 'webcodecs') throw new Error(`expected the fast route, got ${second.engine}`);
    expect(second.guard).toBeUndefined();
  });

  it('a guard never lowers the chosen rate, even with no room left under the size cap', () => {
    expect(qualityGuard(1_000_000, { meanQp: 28.004, bytes: 2_000_000 }, 1_500_000)).toEqual({ qpCeiling: 29, maxBitrate: 1_000_000 });
    expect(qualityGuard(1_000_000, { meanQp: null, bytes: 2_000_000 }, 1_500_000)).toBeNull();
    expect(qualityGuard(1_000_000, undefined, 1_500_000)).toBeNull();
  });

  it('sends the job to ffmpeg.wasm with the sentence when the fast route needs more than 1.5× the bytes', async () => {
    // x264 44 dB in 100 kB a sample; the fast route reaches 43 dB only at ~2.2 Mb/s (550 kB a sample).
    const fake = fakePool(44, 36);
    const { plan, log } = planFor(INFO);
    const promise = await keepQualityPromise({ pool: fake.pool }, plan, target);
    expect(promise).toEqual({ engine: 'ffmpeg', reason: "fast route can't reach Good quality on this footage within 1.5× the size" });
    expect(fake.encodes.length).toBeLessThanOrEqual(3 * 3);
    expect(log.join('\n')).toMatch(/Quality: fast route can't reach Good quality/);
  });

  it('measures nothing on a source under 10 s', async () => {
    const fake = fakePool(44, 42);
    const { plan } = planFor({ ...INFO, durationSec: 6 });
    const promise = await keepQualityPromise({ pool: fake.pool }, plan, target);
    expect(promise.engine).toBe('as-planned');
    expect(promise.engine === 'as-planned' && promise.why).toMatch(/under 10 s/);
    expect(fake.encodes).toHaveLength(0);
    expect(fake.runs).toHaveLength(0);
  });

  it('measures nothing on a job with edits (its spans and the yardstick know none yet)', async () => {
    const fake = fakePool(44, 42);
    const { plan } = planFor(INFO);
    const promise = await keepQualityPromise({ pool: fake.pool }, plan, { ...target, edits: { trim: { start: 5, end: 25 } } });
    expect(promise.engine).toBe('as-planned');
    expect(fake.encodes).toHaveLength(0);
    expect(fake.runs).toHaveLength(0);
  });
});
