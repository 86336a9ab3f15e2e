import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure, parseDuration, parseOutTime, parseSpeed, progressOf } from '../../src/jobs/ffmpeg-log';
import { presetById } from '../../src/presets/presets';
import { describeSource } from '../../src/presets/source-info';
import type { ProbeReport } from '../../workers/protocol';
import { pseudoRandomBytes } from '../support/media';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');

describe('parseOutTime', () => {
  it('reads time= of a stats line', () => {
    expect(parseOutTime('frame=  150 fps= 48 q=28.0 size=     256kB time=00:00:05.00 bitrate= 419.4kbits/s speed=1.61x')).toBe(5);
    expect(parseOutTime('size=      20kB time=00:00:02.01 bitrate=  82.8kbits/s speed=95.2x')).toBeCloseTo(2.01, 6);
  });

  it('reads hours and minutes', () => {
    expect(parseOutTime('frame=90000 time=01:02:03.45 bitrate=1000.0kbits/s')).toBeCloseTo(3723.45, 6);
    expect(parseOutTime('time=10:00:00.00')).toBe(36000);
  });

  it('gives null for time=N/A and for lines without time=', () => {
    expect(parseOutTime('frame=    0 fps=0.0 q=0.0 size=       0kB time=N/A bitrate=N/A speed=N/A')).toBeNull();
    expect(parseOutTime('  Duration: 00:00:05.05, start: 0.000000, bitrate: 1234 kb/s')).toBeNull();
    expect(parseOutTime('Stream mapping:')).toBeNull();
  });

  it('clamps a negative time (first packets before zero) to 0', () => {
    expect(parseOutTime('size=       0kB time=-00:00:00.04 bitrate=N/A speed=N/A')).toBe(0);
    expect(parseOutTime('size=       0kB time=-00:00:01.50 bitrate=N/A speed=N/A')).toBe(0);
  });

  it('reads -progress style out_time= too, and the last time= of a line', () => {
    expect(parseOutTime('out_time=00:00:01.500000')).toBe(1.5);
    expect(parseOutTime('time=00:00:01.00 ... time=00:00:03.00 bitrate=1kbits/s')).toBe(3);
  });
});

describe('parseSpeed', () => {
  it('reads speed=…x, with or without padding', () => {
    expect(parseSpeed('time=00:00:05.00 bitrate= 419.4kbits/s speed=1.61x')).toBeCloseTo(1.61, 6);
    expect(parseSpeed('time=00:00:05.00 bitrate= 419.4kbits/s speed= 0.5x    ')).toBe(0.5);
    expect(parseSpeed('speed=95.2x')).toBeCloseTo(95.2, 6);
  });

  it('gives null for N/A, zero and absent speeds', () => {
    expect(parseSpeed('time=N/A bitrate=N/A speed=N/A')).toBeNull();
    expect(parseSpeed('time=00:00:00.00 bitrate=N/A speed=   0x')).toBeNull();
    expect(parseSpeed('frame=1 fps=0.0')).toBeNull();
  });
});

describe('parseDuration', () => {
  it('reads the input\'s Duration line', () => {
    expect(parseDuration('  Duration: 00:00:05.06, start: 0.000000, bitrate: 316 kb/s')).toBeCloseTo(5.06, 6);
    expect(parseDuration('  Duration: 01:30:00.50, start: 0.000000, bitrate: 900 kb/s')).toBeCloseTo(5400.5, 6);
  });

  it('gives null for N/A and other lines', () => {
    expect(parseDuration('  Duration: N/A, start: 0.000000, bitrate: N/A')).toBeNull();
    expect(parseDuration('frame=1 time=00:00:01.00')).toBeNull();
  });
});

describe('progressOf', () => {
  it('is out time over duration', () => {
    expect(progressOf(2.5, 10)).toBe(0.25);
    expect(progressOf(0, 10)).toBe(0);
  });

  it('clamps to 0..1', () => {
    expect(progressOf(10.4, 10)).toBe(1);
    expect(progressOf(-3, 10)).toBe(0);
  });

  it('is 0 when the duration is unknown, zero or negative', () => {
    expect(progressOf(5, null)).toBe(0);
    expect(progressOf(5, 0)).toBe(0);
    expect(progressOf(5, -1)).toBe(0);
  });
});

/** ffmpeg's log as the worker sees it: one entry per line (stats lines end in \r). */
function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
}

/** Runs native ffmpeg the way the worker runs the core: `-nostdin -y` then the preset's arguments. */
function runPreset(input: string, outDir: string): { exitCode: number; log: string[] } {
  const args = presetById('mp4-h264-480p').args(
    { durationSec: 5, container: 'mov', video: { codec: 'h264', width: 640, height: 360, displayWidth: 640, displayHeight: 360, rotation: 0, fps: 25 }, audio: null },
    { input, output: path.join(outDir, 'output.mp4') },
  );
  const run = spawnSync('ffmpeg', ['-nostdin', '-y', ...args], { encoding: 'utf8' });
  return { exitCode: run.status ?? -1, log: lines(run.stderr) };
}

const NOT_MEDIA = 'This is not a video or audio file that ffmpeg can read: its contents are damaged or of an unknown kind.';
const NO_MOOV = 'This MP4/MOV file is incomplete: its index (the "moov atom") is missing, which usually means the recording or download was cut off.';

describe('explainFailure on real ffmpeg logs', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-ffmpeg-log-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('random bytes: not a media file, with ffmpeg\'s own line', () => {
    const input = path.join(dir, 'input.avi');
    writeFileSync(input, pseudoRandomBytes(64 * 1024, 12345));
    const { exitCode, log } = runPreset(input, dir);
    expect(exitCode).not.toBe(0);
    const sentence = explainFailure(log, exitCode);
    expect(sentence.startsWith(NOT_MEDIA)).toBe(true);
    expect(sentence).toContain(`(ffmpeg: ${input}: Invalid data found when processing input)`);
  });

  it('a truncated MP4 whose moov atom is missing: the file is incomplete', () => {
    const whole = path.join(dir, 'whole.mp4');
    // Without +faststart the index (moov) is written last; cutting the file in half loses it.
    execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', path.join(FIXTURES, 'flower.mp4'), '-t', '3', '-c', 'copy', whole]);
    const bytes = readFileSync(whole);
    expect(bytes.indexOf('moov')).toBeGreaterThan(bytes.length / 2);
    const input = path.join(dir, 'input.mp4');
    writeFileSync(input, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { exitCode, log } = runPreset(input, dir);
    expect(exitCode).not.toBe(0);
    expect(log.some((line) => line.includes('moov atom not found'))).toBe(true);
    expect(explainFailure(log, exitCode)).toBe(`${NO_MOOV} (ffmpeg: ${input}: Invalid data found when processing input)`);
  });

  it('an empty file: a known sentence with ffmpeg\'s own line, not a bare exit code', () => {
    const input = path.join(dir, 'empty.mp4');
    writeFileSync(input, new Uint8Array(0));
    const { exitCode, log } = runPreset(input, dir);
    expect(exitCode).not.toBe(0);
    const sentence = explainFailure(log, exitCode);
    expect(sentence).not.toMatch(/^ffmpeg stopped with exit code/);
    expect(sentence).toContain(`(ffmpeg: ${input}: Invalid data found when processing input)`);
  });

  // Fails today: see the report. ffmpeg guesses MOV from the extension alone ("detected only
  // with low score of 1, misdetection possible!"), then says "moov atom not found", and
  // explainFailure tells the person their text file is a cut-off MP4 recording.
  it('a text file named .mov: not a media file (not "an incomplete MP4 recording")', () => {
    const input = path.join(dir, 'input.mov');
    writeFileSync(input, 'Meeting notes\nThis is a plain text file, not a movie.\n');
    const { exitCode, log } = runPreset(input, dir);
    expect(exitCode).not.toBe(0);
    expect(log.some((line) => line.includes('misdetection possible'))).toBe(true);
    expect(explainFailure(log, exitCode)).toBe(`${NOT_MEDIA} (ffmpeg: ${input}: Invalid data found when processing input)`);
  });

  it('a run that succeeds has time= lines that parse and reach the probed duration', () => {
    const input = path.join(FIXTURES, 'flower.mp4');
    const report = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', input], { encoding: 'utf8' }),
    ) as ProbeReport;
    const info = describeSource(report);
    const args = presetById('mp3-audio').args(info, { input, output: path.join(dir, 'flower.mp3') });
    const run = spawnSync('ffmpeg', ['-nostdin', '-y', ...args], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const log = lines(run.stderr);
    const durations = log.map(parseDuration).filter((d): d is number => d !== null);
    expect(durations[0]).toBeCloseTo(5.06, 2);
    const times = log.map(parseOutTime).filter((t): t is number => t !== null);
    expect(times.length).toBeGreaterThan(0);
    expect(progressOf(times.at(-1) ?? 0, info.durationSec)).toBeGreaterThan(0.95);
    const speeds = log.map(parseSpeed).filter((s): s is number => s !== null);
    expect(speeds.length).toBeGreaterThan(0);
  });
});

describe('explainFailure on known log lines', () => {
  it('names running out of memory in the wasm core', () => {
    const sentence = explainFailure(['frame=  10 time=00:00:00.40', 'Aborted(OOM)'], 1);
    expect(sentence).toBe('The encoder ran out of memory on this file. Try a smaller preset, or fewer workers at once. (ffmpeg: Aborted(OOM))');
  });

  it('falls back to the exit code, with the last error-looking line, never "Conversion failed!"', () => {
    const sentence = explainFailure(['Press [q] to stop', 'Error initializing output stream 0:0 -- something', 'Conversion failed!'], 1);
    expect(sentence).toBe('ffmpeg stopped with exit code 1. (ffmpeg: Error initializing output stream 0:0 -- something)');
  });

  it('says only the sentence when no line looks like an error', () => {
    expect(explainFailure(['frame=1', 'Conversion failed!'], 187)).toBe('ffmpeg stopped with exit code 187.');
    expect(explainFailure([], 1)).toBe('ffmpeg stopped with exit code 1.');
  });
});
