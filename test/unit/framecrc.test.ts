import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastPacketEnd } from '../../workers/ffmpeg/framecrc';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-framecrc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same listing the worker makes (native ffmpeg here): packets from `fromSec` on, their own times kept. */
function framecrc(file: string, fromSec: number): string {
  const out = path.join(dir, 'tail.framecrc');
  execFileSync('ffmpeg', ['-v', 'quiet', '-nostdin', '-y', '-copyts', '-ss', fromSec.toFixed(3), '-i', file, '-map', '0', '-c', 'copy', '-f', 'framecrc', out]);
  return readFileSync(out, 'utf8');
}

/** The first `share` of a file's bytes, as a write cut short leaves it. */
function cutShort(file: string, share: number): string {
  const cut = path.join(dir, `cut-${path.basename(file)}`);
  writeFileSync(cut, readFileSync(file).subarray(0, Math.floor(statSync(file).size * share)));
  return cut;
}

describe('lastPacketEnd of a framecrc listing', () => {
  it('a whole MP4 and WebM end where they last (flower: 5.05 s of video and audio)', () => {
    const mp4 = path.join(dir, 'whole.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', path.join(FIXTURES, 'flower.mp4'), '-c', 'copy', '-movflags', '+faststart', mp4]);
    expect(lastPacketEnd(framecrc(mp4, 3))).toBeCloseTo(5.06, 1);
    expect(lastPacketEnd(framecrc(path.join(FIXTURES, 'flower.webm'), 3))).toBeCloseTo(5.07, 1);
  });

  it('a fast-start MP4 cut at 60 % still claims 5 s in its header, but its packets stop well before', () => {
    const mp4 = path.join(dir, 'faststart.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', path.join(FIXTURES, 'flower.mp4'), '-c', 'copy', '-movflags', '+faststart', mp4]);
    const end = lastPacketEnd(framecrc(cutShort(mp4, 0.6), 3));
    expect(end).not.toBeNull();
    expect(end ?? 0).toBeLessThan(4);
  });

  it('no packet lines: null; time bases apply per stream', () => {
    expect(lastPacketEnd('#software: Lavf59\n#tb 0: 1/1000\n')).toBeNull();
    expect(lastPacketEnd('#tb 0: 1/1000\n#tb 1: 1/48000\n0, 0, 4000, 40, 100, 0x1\n1, 0, 192000, 1024, 10, 0x2\n')).toBeCloseTo(4.04, 3); // video ends at (4000 + 40) / 1000; audio at (192000 + 1024) / 48000 = 4.021
  });
});
