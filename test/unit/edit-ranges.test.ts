/**
 * Issue 18, the stretch: several ranges kept and joined in order. Checked like a trim, compiled
 * to ffmpeg's select/aselect, and run here by native ffmpeg: the output lasts the ranges' sum and
 * its frames are the source's inside them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEditsToArgs, checkEdits, copyEditsProblem, editedDuration, editProblems, fastRouteEditsReason, isEmptyEdits, splitsWithEdits, summarizeEdits } from '../../src/presets/edits';

const two = { ranges: [{ start: 1, end: 3 }, { start: 6, end: 8 }] };

describe('several ranges', () => {
  it('are checked, in order, and their span becomes the trim', () => {
    expect(checkEdits(two)).toEqual({ trim: { start: 1, end: 8 }, ranges: [{ start: 1, end: 3 }, { start: 6, end: 8 }] });
    expect(checkEdits({ ranges: [{ start: 2, end: 4 }] })).toEqual({ trim: { start: 2, end: 4 } });
    expect(checkEdits({ ranges: [{ start: 1, end: 3 }, { start: 6, end: null }] }).trim).toEqual({ start: 1, end: null });
    expect(isEmptyEdits(checkEdits(two))).toBe(false);
    // A stored job's edits (trim and ranges both) read back the same.
    expect(checkEdits(checkEdits(two))).toEqual(checkEdits(two));
    expect(() => checkEdits({ ranges: [{ start: 1, end: 3 }, { start: 2, end: 5 }] })).toThrow('edits.ranges[1] must start at or after the end of edits.ranges[0]');
    expect(() => checkEdits({ ranges: [{ start: 1, end: null }, { start: 4, end: 5 }] })).toThrow('edits.ranges[0].end must be a time');
    expect(() => checkEdits({ ranges: [{ start: 3, end: 1 }, { start: 4, end: 5 }] })).toThrow('edits.ranges[0].end must come after edits.ranges[0].start.');
    expect(() => checkEdits({ trim: { start: 0, end: 9 }, ...two })).toThrow('edits.trim must be left out with edits.ranges');
    expect(() => checkEdits({ ranges: 'no' })).toThrow(TypeError);
  });

  it('last as long as their sum, and say so in one line', () => {
    const edits = checkEdits(two);
    expect(editedDuration(edits, 10)).toBe(4);
    expect(editedDuration(checkEdits({ ranges: [{ start: 1, end: 3 }, { start: 6, end: null }] }), 10)).toBe(6);
    expect(summarizeEdits(edits)).toBe('0:01–0:03 + 0:06–0:08');
    expect(editProblems(checkEdits({ ranges: [{ start: 1, end: 3 }, { start: 12, end: null }] }), { durationSec: 10, picture: null, audioTracks: 1, subtitleTracks: 0 })).toEqual([
      'The range from 0:12 starts after the end of this file (0:10).',
    ]);
  });

  it('run on ffmpeg.wasm, whole, and never with streams copied', () => {
    const edits = checkEdits(two);
    expect(fastRouteEditsReason(edits)).toBe('several ranges run on ffmpeg.wasm');
    expect(splitsWithEdits(edits)).toBe(false);
    expect(copyEditsProblem(edits)).toMatch(/^Several ranges are joined by re-encoding/);
    expect(copyEditsProblem(checkEdits({ trim: { start: 1, end: 3 } }))).toBeNull();
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-ranges-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compile to select/aselect that native ffmpeg joins: 4 s, 120 frames, the pictures from inside the ranges', () => {
    const source = path.join(dir, 'in.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=30:d=10', '-f', 'lavfi', '-i', 'sine=f=440:d=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', source]);
    const output = path.join(dir, 'out.mp4');
    const args = applyEditsToArgs(['-i', source, '-map', '0:v:0', '-map', '0:a:0?', '-c:v', 'libx264', '-c:a', 'aac', output], checkEdits(two), { inputPath: source, container: 'mp4', fontsDir: dir });
    expect(args.slice(0, 5)).toEqual(['-ss', '1', '-t', '7', '-i']);
    expect(args.indexOf('-t')).toBe(2);
    expect(args).toContain("select='gte(t,0)*lt(t,2)+gte(t,5)*lt(t,7)',setpts=N/FRAME_RATE/TB");
    expect(args).toContain("aselect='gte(t,0)*lt(t,2)+gte(t,5)*lt(t,7)',asetpts=N/SR/TB");
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
    const streams = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames,duration', '-of', 'json', output]).toString()) as { streams: { codec_type: string; nb_read_frames: string; duration: string }[] };
    const video = streams.streams.find((s) => s.codec_type === 'video');
    const audio = streams.streams.find((s) => s.codec_type === 'audio');
    expect(Number(video?.nb_read_frames)).toBe(120);
    expect(Math.abs(Number(audio?.duration) - 4)).toBeLessThan(0.05);
    // testsrc2 draws its clock: the output's frame at 2.5 s is the source's at 6.5 s (the second range).
    const gray = (file: string, at: number): Buffer => execFileSync('ffmpeg', ['-v', 'error', '-ss', String(at), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
    const diff = (a: Buffer, b: Buffer): number => a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] ?? 0)), 0) / a.length;
    const out = gray(output, 2.5);
    expect(diff(out, gray(source, 6.5))).toBeLessThan(diff(out, gray(source, 3.5)) / 3);
    expect(diff(gray(output, 0.5), gray(source, 1.5))).toBeLessThan(2);
  });
});
