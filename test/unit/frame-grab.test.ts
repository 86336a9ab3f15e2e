import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantOfFrame, sampleFrameIndices, SEQUENTIAL_GRAB_FRAMES } from '../../workers/quality/frame-grab';
import { scoreWithFfmpeg, type GrabEngine } from '../../workers/quality/score-with-ffmpeg';
import { fixture } from '../support/media';
import { nativeScore } from '../support/native-quality';

describe('sampleFrameIndices', () => {
  it('takes one frame in each of 12 equal spans, frame 0 first, at uneven places within them', () => {
    const picked = sampleFrameIndices(120);
    expect(picked).toHaveLength(12);
    expect(picked[0]).toBe(0);
    picked.forEach((k, i) => {
      expect(k).toBeGreaterThanOrEqual(i * 10);
      expect(k).toBeLessThan((i + 1) * 10);
    });
    // Not one fixed offset into every span: a pattern repeating every 10 frames cannot line up with them.
    expect(new Set(picked.map((k) => k % 10)).size).toBeGreaterThan(5);
    expect(sampleFrameIndices(5)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleFrameIndices(0)).toEqual([]);
  });

  it('moves up to a third of them onto keyframes, keeping the count', () => {
    const picked = sampleFrameIndices(300, 12, [0, 60, 120, 180, 240]);
    expect(picked).toHaveLength(12);
    expect(picked[0]).toBe(0);
    expect(picked.filter((k) => [60, 120, 180, 240].includes(k))).toHaveLength(4);
  });

  it('seeks a quarter frame before each frame', () => {
    expect(instantOfFrame(0, 30)).toBe(0);
    expect(instantOfFrame(10, 25)).toBeCloseTo(0.39, 10);
  });
});

/**
 * The worker's own scoring (scoreWithFfmpeg) with native ffmpeg in the place of ffmpeg.wasm:
 * the same arguments, 12 frames of an output and the same frames of its source, against native
 * ffmpeg's psnr and ssim filters over every frame.
 */
describe('scoreWithFfmpeg against native ffmpeg over every frame', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-grab-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const nativeEngine = (): GrabEngine & { runs: string[][] } => {
    const runs: string[][] = [];
    return {
      runs,
      exec: (args) => {
        runs.push(args);
        const run = spawnSync('ffmpeg', ['-y', ...args], { encoding: 'utf8' });
        return { exitCode: run.status ?? -1, log: run.stderr.split('\n') };
      },
      take: (file) => (existsSync(file) ? new Uint8Array(readFileSync(file)) : null),
    };
  };

  const cases = [
    { name: 'flower.mp4 → x264 CRF 30 at 640×360', source: 'flower.mp4', encode: ['-vf', 'scale=640:360', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30'], ext: 'mp4' },
    { name: 'friday.mp4 → MPEG-4 Part 2 q 8 at 320×240', source: 'friday.mp4', encode: ['-vf', 'scale=320:240', '-c:v', 'mpeg4', '-q:v', '8'], ext: 'mp4' },
    // As the recipe preset: another frame rate, so frames pair by time (native's framesync), not order.
    { name: 'friday.mp4 (30 fps) → MPEG-4 Part 2 at 25 fps', source: 'friday.mp4', encode: ['-vf', 'scale=320:240', '-r', '25', '-c:v', 'mpeg4', '-q:v', '4'], ext: 'mp4', sourceFps: 30 },
  ];
  for (const c of cases) {
    for (const mode of ['one pass', 'a seek per frame'] as const) {
      it(`${c.name}, ${mode}`, () => {
        const output = path.join(dir, `out.${c.ext}`);
        execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', fixture(c.source), '-an', ...c.encode, output]);
        copyFileSync(fixture(c.source), path.join(dir, 'source'));
        const native = nativeScore(output, fixture(c.source), { pairBy: c.sourceFps ? 'time' : 'order' });
        const [num, den] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=avg_frame_rate', '-of', 'csv=p=0', output], { encoding: 'utf8' }).trim().split('/').map(Number);
        const engine = nativeEngine();
        const request = { output: { name: path.basename(output), data: new Blob() }, source: { name: 'source', data: new Blob() }, width: native.width, height: native.height, fps: (num ?? 0) / (den ?? 1), frameCount: native.frames, ...(c.sourceFps ? { sourceFps: c.sourceFps } : {}) };
        // Past SEQUENTIAL_GRAB_FRAMES frames the worker seeks for each frame; here that way is forced.
        const report = scoreWithFfmpeg(request, engine, { inputs: dir, work: dir }, mode === 'one pass' ? {} : { sequentialUpTo: 0 });
        expect(engine.runs.length).toBe(2);
        expect(engine.runs.every((args) => args.includes('-fps_mode') === (mode === 'one pass'))).toBe(true);
        expect(SEQUENTIAL_GRAB_FRAMES).toBeGreaterThan(native.frames);
        const score = report.score;
        expect(report.log).toEqual([]);
        expect(score?.frames).toBe(12);
        console.log(`${c.name}, ${mode}: 12 frames ${score?.psnr.toFixed(2)} dB / ${score?.ssim.toFixed(4)}; native over all ${native.frames}: ${native.psnr.toFixed(2)} dB / ${native.ssim.toFixed(4)}`);
        expect(Math.abs((score?.psnr ?? 0) - native.psnr)).toBeLessThanOrEqual(0.5);
        expect(Math.abs((score?.ssim ?? 0) - native.ssim)).toBeLessThanOrEqual(0.01);
      });
    }
  }

  it('a trimmed and cropped output is scored against its source from In, cropped as the job cropped it (and reads as loss without)', () => {
    // As the ffmpeg route makes it: -ss In before -i, -t Out−In, crop=…:exact=1 before the preset's scaling.
    const output = path.join(dir, 'edited.mp4');
    const crop = { width: 720, height: 540, x: 120, y: 0 };
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-ss', '1.5', '-i', fixture('flower.mp4'), '-t', '3', '-an', '-vf', `crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}:exact=1,scale=480:360`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', output]);
    copyFileSync(fixture('flower.mp4'), path.join(dir, 'source'));
    const [num, den] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=avg_frame_rate', '-of', 'csv=p=0', output], { encoding: 'utf8' }).trim().split('/').map(Number);
    const fps = (num ?? 0) / (den ?? 1);
    const request = { output: { name: 'edited.mp4', data: new Blob() }, source: { name: 'source', data: new Blob() }, width: 480, height: 360, fps, frameCount: Math.floor(3 * fps) };
    const edited = scoreWithFfmpeg({ ...request, sourceStartSec: 1.5, sourceCrop: crop }, nativeEngine(), { inputs: dir, work: dir });
    const asIs = scoreWithFfmpeg(request, nativeEngine(), { inputs: dir, work: dir });
    console.log(`trimmed + cropped: ${edited.score?.psnr.toFixed(2)} dB with the edits applied to the source, ${asIs.score?.psnr.toFixed(2)} dB without`);
    expect(edited.score?.frames).toBe(12);
    // x264 CRF 20 of flower: above 38 dB against the right reference; the uncropped, untrimmed source is another picture.
    expect(edited.score?.psnr).toBeGreaterThan(38);
    expect(asIs.score?.psnr).toBeLessThan(25);
  });
});
