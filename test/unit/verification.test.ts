/**
 * Issue 16: verification reports what it checked. checkOutput over Debian's native ffprobe
 * and ffmpeg (the worker's probe and its tail read) says which checks it made, and which one
 * failed; the job's "verified" and its log line come from that, not from a guess.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutput } from '../../src/jobs/encode-plan';
import { createEncodeRunner, type EncodeRunnerDeps } from '../../src/jobs/encode-job';
import { newJob, type Job } from '../../src/jobs/job';
import type { RunContext } from '../../src/jobs/scheduler';
import type { OutputRecord } from '../../src/storage/records';
import { bothChecks, checkEnd, checkFrames, checkPromise, passed, UNCHECKED, verifiedLine } from '../../src/jobs/verify-output';
import { presetById } from '../../src/presets/presets';
import { describeSource, type SourceInfo } from '../../src/presets/source-info';
import { lastPacketEnd, packetCounts } from '../../workers/ffmpeg/framecrc';
import type { MountedInput, ProbeReport } from '../../workers/protocol';

let dir = '';
let source: SourceInfo;
let output: Blob;
let sourceFile: File;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

async function onDisk(input: MountedInput): Promise<string> {
  const file = path.join(dir, `probed-${Math.random().toString(36).slice(2)}-${input.name}`);
  writeFileSync(file, new Uint8Array(await input.data.arrayBuffer()));
  return file;
}

function probeReport(file: string): ProbeReport | null {
  const run = spawnSync('ffprobe', ['-v', 'warning', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return run.status === 0 ? (JSON.parse(run.stdout) as ProbeReport) : null;
}

/** The worker's probe pool, run by native ffprobe and ffmpeg as the worker runs ffmpeg.wasm. */
const probePool = {
  probe: async (input: MountedInput) => ({ report: probeReport(await onDisk(input)), log: [] }),
  probeTail: async (input: MountedInput, fromSec: number) => {
    const file = await onDisk(input);
    const seek = fromSec > 0 ? ['-ss', fromSec.toFixed(3)] : [];
    const run = spawnSync('ffmpeg', ['-v', 'error', '-copyts', ...seek, '-i', file, '-map', '0', '-c', 'copy', '-f', 'framecrc', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return { endSec: lastPacketEnd(run.stdout), packets: packetCounts(run.stdout), log: run.stderr.split('\n').filter(Boolean) };
  },
};

function planFor(presetId: string, log: string[] = []) {
  return { preset: presetById(presetId), info: source, context: { signal: new AbortController().signal, onLog: (lines: readonly string[]) => log.push(...lines) } };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-verification-'));
  const src = path.join(dir, 'source.mp4');
  const out = path.join(dir, 'output.mp4');
  const av = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=6', '-f', 'lavfi', '-i', 'sine=f=440:r=48000:duration=6'];
  ffmpeg([...av, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', src]);
  // An output as mp4-h264-480p makes of it (a 360p picture is never scaled up), its index at the front.
  ffmpeg(['-i', src, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', out]);
  const report = probeReport(src);
  if (!report) throw new Error('ffprobe could not read the source');
  source = describeSource(report);
  output = new Blob([readFileSync(out)]);
  sourceFile = new File([readFileSync(src)], 'source.mp4', { lastModified: 1_700_000_000_000 });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('checkOutput: what was checked', () => {
  it('a whole output: streams, codecs, size, duration, its end and its frames, all held', async () => {
    const log: string[] = [];
    const verification = await checkOutput({ probePool }, planFor('mp4-h264-480p', log), output);
    expect(verification).toEqual({ checked: ['readable', 'streams', 'codecs', 'size', 'duration', 'end', 'frames'], problem: null });
    expect(passed(verification)).toBe(true);
    expect(verifiedLine(verification.checked)).toBe('[ffbatch] Output verified: streams, codecs, size, duration, packets to the end and frames as the preset and the source promise.');
  });

  it('a file cut short (its header still whole): the end check fails, and the frames were not counted', async () => {
    const cut = output.slice(0, Math.floor(output.size * 0.6));
    const verification = await checkOutput({ probePool }, planFor('mp4-h264-480p'), cut);
    expect(verification.checked).toEqual(['readable', 'streams', 'codecs', 'size', 'duration', 'end']);
    expect(verification.problem).toMatch(/^The output failed its check: its packets stop at \d+\.\d\d s though it claims 6\.\d\d s; the file is cut short\.$/);
    expect(passed(verification)).toBe(false);
  });

  it('a picture of another size fails at the size, the later checks not made', async () => {
    const verification = await checkOutput({ probePool }, { ...planFor('mp4-h264-480p'), info: { ...source, video: source.video && { ...source.video, width: 1280, height: 720, displayWidth: 1280, displayHeight: 720 } } }, output);
    expect(verification.checked).toEqual(['readable', 'streams', 'codecs', 'size']);
    expect(verification.problem).toBe('The output failed its check: its picture is 640×360, not the planned 854×480.');
  });

  it('without a tail read the frames come from the index and the end goes unchecked', async () => {
    const verification = await checkOutput({ probePool: { probe: probePool.probe } }, planFor('mp4-h264-480p'), output);
    expect(verification).toEqual({ checked: ['readable', 'streams', 'codecs', 'size', 'duration', 'frames'], problem: null });
  });

  it('no probe pool: nothing checked, so not verified', async () => {
    const verification = await checkOutput({}, planFor('mp4-h264-480p'), output);
    expect(verification).toEqual(UNCHECKED);
    expect(passed(verification)).toBe(false);
  });
});

describe('the checks one by one say what they looked at', () => {
  it('a preset that promises nothing more (custom): readable only, and the log line says so', () => {
    const verification = checkPromise('custom-my-gif', source, source);
    expect(verification).toEqual({ checked: ['readable'], problem: null });
    expect(verifiedLine(verification.checked)).toBe('[ffbatch] Output verified: readable (ffprobe finds picture or sound in it); its preset promises nothing more to check.');
  });

  it('an unreadable output fails at the first check', () => {
    expect(checkPromise('mp4-h264-480p', source, null)).toEqual({ checked: ['readable'], problem: 'The output failed its check: ffprobe found no picture or sound in it.' });
  });

  it('an audio preset checks streams, codec and duration; a size target its bytes too', () => {
    const mp3 = checkPromise('mp3-audio', source, { ...source, video: null, audio: { codec: 'mp3', channels: 1, sampleRate: 48000 } });
    expect(mp3).toEqual({ checked: ['readable', 'streams', 'codecs', 'duration'], problem: null });
    const over = checkPromise('mp4-fit-10mb', source, source, undefined, 10_000_001);
    expect(over.checked).toEqual(['readable', 'streams', 'codecs', 'size', 'bytes']);
    expect(over.problem).toMatch(/over the 10,000,000/);
    expect(checkPromise('mp4-fit-10mb', source, source).checked).not.toContain('bytes');
  });

  it('frames and end: checked only where there is something to count or an end claimed', () => {
    expect(checkFrames('mp3-audio', source, 10)).toEqual(UNCHECKED);
    expect(checkFrames('mp4-h264-480p', source, null)).toEqual(UNCHECKED);
    expect(checkFrames('mp4-h264-480p', source, 150)).toEqual({ checked: ['frames'], problem: null });
    expect(checkEnd(null, 3)).toEqual(UNCHECKED);
    expect(checkEnd(6, 6)).toEqual({ checked: ['end'], problem: null });
    expect(bothChecks({ checked: ['readable', 'end'], problem: 'first' }, { checked: ['end', 'frames'], problem: 'second' })).toEqual({ checked: ['readable', 'end', 'frames'], problem: 'first' });
  });
});

/** Runs one mp4-h264-480p job on ffmpeg.wasm (a fake pool handing back `made`): its record, patches and log. */
async function runJob(made: Blob, over: Partial<EncodeRunnerDeps> = {}): Promise<{ job: Job; record: OutputRecord | null; patches: Partial<Job>[] }> {
  let record: OutputRecord | null = null;
  const deps: EncodeRunnerDeps = {
    pool: { run: () => Promise.resolve({ exitCode: 0, outputs: [new File([made], 'output.mp4')], writeFailure: null }) },
    store: {
      put: (r, blob) => {
        record = r;
        return Promise.resolve(blob);
      },
    },
    scratch: null,
    budget: null,
    sourceOf: () => ({ id: 'source-1', file: sourceFile, displayName: 'source.mp4', info: source, problem: null, probing: false, probed: Promise.resolve() }),
    onStored: () => {},
    ...over,
  };
  const job = newJob({ id: 'job-1', sourceId: 'source-1', sourceName: 'source.mp4', presetId: 'mp4-h264-480p', outputName: 'source-480p.mp4', state: 'running', queuedAt: 1 });
  const patches: Partial<Job>[] = [];
  const context: RunContext = { signal: new AbortController().signal, slots: 1, onLog: (lines) => job.log.push(...lines), onProgress: () => {}, update: (patch) => patches.push(patch), whileWaiting: (waiting) => waiting };
  await createEncodeRunner(deps)(job, context);
  return { job, record, patches };
}

describe('the job follows what verification reports', () => {
  it('checked and held: the job and its record say verified, the log names the checks', async () => {
    const { job, record, patches } = await runJob(output, { probePool });
    expect(patches).toContainEqual({ verified: true });
    expect(record?.verified).toBe(true);
    expect(job.log).toContain('[ffbatch] Output verified: streams, codecs, size, duration, packets to the end and frames as the preset and the source promise.');
  });

  it('nothing to check with (no probe pool): not verified, and no line claims it', async () => {
    const { job, record, patches } = await runJob(output);
    expect(patches).not.toContainEqual({ verified: true });
    expect(record?.verified).toBe(false);
    expect(job.log.join('\n')).not.toContain('Output verified');
  });

  it('a check that fails fails the job with its sentence; nothing is stored', async () => {
    const stored: OutputRecord[] = [];
    const store: EncodeRunnerDeps['store'] = {
      put: (r, blob) => {
        stored.push(r);
        return Promise.resolve(blob);
      },
    };
    await expect(runJob(output.slice(0, Math.floor(output.size * 0.6)), { probePool, store })).rejects.toThrow(/its packets stop at .* the file is cut short/);
    expect(stored).toEqual([]);
  });
});
