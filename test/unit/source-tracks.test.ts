import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../src/presets/source-info';
import { describeTracks } from '../../src/presets/source-tracks';
import type { ProbeReport } from '../../workers/protocol';

const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-tracks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function probe(file: string): ProbeReport {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as ProbeReport;
}

describe('describeTracks (files made by native ffmpeg)', () => {
  it('lists two tagged sound tracks and a subtitle track of an MKV, in file order', () => {
    const srt = path.join(dir, 'subs.srt');
    writeFileSync(srt, '1\n00:00:00,000 --> 00:00:01,500\nHello\n');
    const mkv = path.join(dir, 'two.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:d=2', '-f', 'lavfi', '-i', 'sine=f=440:d=2', '-f', 'lavfi', '-i', 'sine=f=880:d=2', '-i', srt,
      '-map', '0', '-map', '1', '-map', '2', '-map', '3', '-c:v', 'mpeg4', '-c:a', 'aac', '-ac:a:0', '2', '-ac:a:1', '1', '-c:s', 'srt',
      '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=eng', '-metadata:s:a:1', 'title=Commentary', '-metadata:s:s:0', 'language=fre', mkv]);
    const report = probe(mkv);
    expect(describeTracks(report)).toEqual({
      audio: [
        { index: 0, label: 'English · AAC stereo', codec: 'aac', language: 'eng', channels: 2, sampleRate: 44100 },
        { index: 1, label: 'English · Commentary · AAC mono', codec: 'aac', language: 'eng', channels: 1, sampleRate: 44100 },
      ],
      subtitles: [{ index: 0, label: 'French · SUBRIP', codec: 'subrip', language: 'fre' }],
    });
    expect(describeSource(report).tracks?.audio).toHaveLength(2);
  });

  it('leaves tracks out of the source info when there is no choice', () => {
    const mp4 = path.join(dir, 'one.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:d=1', '-f', 'lavfi', '-i', 'sine=d=1', '-c:v', 'mpeg4', '-c:a', 'aac', mp4]);
    const report = probe(mp4);
    expect(describeTracks(report).audio).toEqual([{ index: 0, label: 'AAC mono', codec: 'aac', language: null, channels: 1, sampleRate: 44100 }]);
    expect(describeSource(report).tracks).toBeUndefined();
  });
});
