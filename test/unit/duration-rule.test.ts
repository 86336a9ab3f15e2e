/**
 * The duration rule (issue 15, item 2): a duration ffprobe only estimated from the bitrate is
 * never a reference for an output's check; once measured (the packets read to the end) it is.
 * Probe reports and logs come from Debian's native ffprobe running the worker's own command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOutput } from '../../src/jobs/verify-output';
import { describeSource, referenceDurationSec, withMeasuredDuration, type SourceInfo } from '../../src/presets/source-info';
import { lastPacketEnd } from '../../workers/ffmpeg/framecrc';
import type { ProbeReport } from '../../workers/protocol';

/** The worker's probe: `-v warning -show_format -show_streams -of json`; its log is what ffprobe says on stderr. */
function probe(file: string): { report: ProbeReport; log: string[] } {
  const run = spawnSync('ffprobe', ['-v', 'warning', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ffprobe failed on ${file}: ${run.stderr}`);
  return { report: JSON.parse(run.stdout) as ProbeReport, log: run.stderr.split('\n').filter(Boolean) };
}

/** The worker's measurement (probeTail from 0): every packet listed, where the last one ends. */
function measure(file: string): number | null {
  return lastPacketEnd(execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-copyts', '-i', file, '-map', '0', '-c', 'copy', '-f', 'framecrc', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

/** An MP3 output of `durationSec`, as the worker's probe describes one. */
function mp3Output(durationSec: number): SourceInfo {
  return { durationSec, container: 'mp3', video: null, audio: { codec: 'mp3', channels: 2, sampleRate: 44100 } };
}

let dir = '';
let adts = '';
let bareMp3 = '';
let mp4 = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-duration-'));
  adts = path.join(dir, 'talk.aac');
  bareMp3 = path.join(dir, 'no-header.mp3');
  mp4 = path.join(dir, 'indexed.mp4');
  // Noise and a tone: a bitrate that varies along the file, so the estimate misses.
  const sound = ['-f', 'lavfi', '-i', 'anoisesrc=d=30:c=pink:r=44100:a=0.3:seed=15', '-f', 'lavfi', '-i', 'sine=f=300:r=44100:d=30', '-filter_complex', 'amerge=inputs=2'];
  ffmpeg([...sound, '-c:a', 'aac', '-b:a', '160k', '-f', 'adts', adts]);
  ffmpeg([...sound, '-c:a', 'libmp3lame', '-q:a', '2', '-write_xing', '0', bareMp3]);
  ffmpeg([...sound, '-c:a', 'aac', '-b:a', '160k', mp4]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the duration rule: an estimated duration is never a reference, a measured one is', () => {
  it('raw ADTS AAC: estimated, not a reference; measured, it is, and it holds the output to it', () => {
    const { report, log } = probe(adts);
    const estimated = describeSource(report, log);
    const real = measure(adts);
    expect(real).not.toBeNull();
    expect(real ?? 0).toBeCloseTo(30, 1);
    // The test's premise: ffprobe's figure is a guess that misses by more than the check's tolerance.
    expect(Math.abs((estimated.durationSec ?? 0) - (real ?? 0)), `ffprobe says ${estimated.durationSec} s`).toBeGreaterThan(0.3);
    expect(estimated.durationEstimated).toBe(true);
    expect(referenceDurationSec(estimated)).toBeNull();
    // No sentence on the log alone: ADTS has no index, so its format says it is a guess too.
    expect(describeSource(report).durationEstimated).toBe(true);
    // The right output passes against the estimate (before, it failed: "it lasts 30.0 s where the source lasts …").
    expect(verifyOutput('mp3-audio', estimated, mp3Output(real ?? 0))).toBeNull();

    const measured = withMeasuredDuration(estimated, real);
    expect(measured.durationEstimated).toBeUndefined();
    expect(referenceDurationSec(measured)).toBe(real);
    expect(verifyOutput('mp3-audio', measured, mp3Output(real ?? 0))).toBeNull();
    expect(verifyOutput('mp3-audio', measured, mp3Output(estimated.durationSec ?? 0))).toMatch(/^The output failed its check: it lasts .* where the source lasts 30\.0\d s\.$/);
  });

  it('MP3 without a Xing/VBRI header: ffprobe says it estimates, so it is no reference until measured', () => {
    const { report, log } = probe(bareMp3);
    expect(log.join('\n')).toMatch(/Estimating duration from bitrate/);
    const estimated = describeSource(report, log);
    expect(estimated.durationEstimated).toBe(true);
    expect(referenceDurationSec(estimated)).toBeNull();
    const real = measure(bareMp3);
    expect(real ?? 0).toBeCloseTo(30, 1);
    expect(referenceDurationSec(withMeasuredDuration(estimated, real))).toBe(real);
    // Nothing measured: it stays an estimate.
    expect(withMeasuredDuration(estimated, null)).toEqual(estimated);
  });

  it('an indexed MP4: its duration is the container\'s, a reference at once', () => {
    const { report, log } = probe(mp4);
    expect(log.join('\n')).not.toMatch(/Estimating/);
    const info = describeSource(report, log);
    expect(info.durationEstimated).toBeUndefined();
    expect(referenceDurationSec(info)).toBe(info.durationSec);
    expect(info.durationSec ?? 0).toBeCloseTo(30, 1);
    expect(verifyOutput('mp3-audio', info, mp3Output(27))).toMatch(/it lasts 27\.00 s where the source lasts 30\.0\d s/);
  });
});
