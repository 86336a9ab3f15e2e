/**
 * The spec compiler's arguments run by native ffmpeg 5.1 (the core's version) on clips made
 * here, judged by ffprobe: a size target's promise, GIF's size and rate, M4A's one stream.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specArgs } from '../../src/presets/ffmpeg-compile';
import type { OutputSpec } from '../../src/presets/output-spec';
import { describeSource } from '../../src/presets/source-info';
import type { ProbeReport } from '../../workers/protocol';
import { ffprobe, ratio, streamsOf } from '../support/ffprobe';

let dir = '';
let clip = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ffbatch-spec-'));
  clip = path.join(dir, 'clip.mp4');
  // 12 s of 960×540 30 fps with grain (it needs the room) and a tone, as a phone clip would be stored.
  execFileSync('ffmpeg', [
    '-v', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=960x540:rate=30:duration=12,noise=alls=24:allf=t',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '192k', '-shortest', clip,
  ]);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(spec: OutputSpec, name: string): string {
  const report = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', clip], { encoding: 'utf8' })) as ProbeReport;
  const output = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...specArgs(spec, describeSource(report), { input: clip, output })]);
  return output;
}

describe('spec arguments on native ffmpeg', () => {
  it('Fit in 1 MB of 12 s of grainy 540p: never over 1,000,000 bytes, at least 85 % of it', async () => {
    const spec: OutputSpec = {
      container: 'mp4',
      video: { codec: 'h264', maxHeight: 540, rate: { kind: 'size', bytes: 1_000_000 } },
      audio: { codec: 'aac', bitrate: 96_000, channels: 2 },
      faststart: true,
    };
    const { size } = await stat(run(spec, 'fit.mp4'));
    expect(size).toBeLessThanOrEqual(1_000_000);
    expect(size).toBeGreaterThanOrEqual(850_000);
  }, 120_000);

  it('GIF: 480 wide at most, 15 fps, no sound', async () => {
    const probe = await ffprobe(run({ container: 'gif', video: { codec: 'gif', maxWidth: 480, maxFps: 15 }, audio: null }, 'loop.gif'));
    const [v] = streamsOf(probe, 'video');
    expect(probe.format.format_name).toBe('gif');
    expect([v?.codec_name, v?.width, v?.height]).toEqual(['gif', 480, 270]);
    expect(ratio(v?.avg_frame_rate)).toBeCloseTo(15, 1);
    expect(streamsOf(probe, 'audio')).toHaveLength(0);
  }, 120_000);

  it('M4A: one AAC stream, no video', async () => {
    const probe = await ffprobe(run({ container: 'm4a', video: null, audio: { codec: 'aac', bitrate: 160_000, channels: 2 }, faststart: true }, 'sound.m4a'));
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['audio', 'aac']]);
    expect(probe.format.format_name).toContain('mp4');
    expect(Number(probe.format.duration)).toBeCloseTo(12, 0);
  }, 120_000);
});
