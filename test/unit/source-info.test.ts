import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../src/presets/source-info';
import type { ProbeReport, ProbeStream } from '../../workers/protocol';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');

/** The worker's probe command, run with Debian's native ffprobe. */
function probe(file: string): ProbeReport {
  const json = execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(json) as ProbeReport;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';

describe('describeSource on real ffprobe JSON of the fixtures', () => {
  it('friday.mp4: audio is stream 0, video stream 1', () => {
    const report = probe(path.join(FIXTURES, 'friday.mp4'));
    expect(report.streams?.map((s) => s.codec_type)).toEqual(['audio', 'video']);
    expect(describeSource(report)).toEqual({
      durationSec: 6.166,
      container: MP4,
      video: { codec: 'h264', width: 640, height: 480, displayWidth: 640, displayHeight: 480, rotation: 0, fps: 30 },
      audio: { codec: 'aac', channels: 2, sampleRate: 44100 },
    });
  });

  it('Big_Buck_Bunny_180_10s.webm: no audio track', () => {
    expect(describeSource(probe(path.join(FIXTURES, 'Big_Buck_Bunny_180_10s.webm')))).toEqual({
      durationSec: 10,
      container: 'matroska,webm',
      video: { codec: 'vp9', width: 320, height: 180, displayWidth: 320, displayHeight: 180, rotation: 0, fps: 30 },
      audio: null,
    });
  });

  it('good.mp3: audio only', () => {
    expect(describeSource(probe(path.join(FIXTURES, 'good.mp3')))).toEqual({
      durationSec: 13.43335,
      container: 'mp3',
      video: null,
      audio: { codec: 'mp3', channels: 2, sampleRate: 44100 },
    });
  });

  it('mdn-chroma-keying-video.ogv: the Ogg Skeleton data stream (stream 0) is skipped', () => {
    const report = probe(path.join(FIXTURES, 'mdn-chroma-keying-video.ogv'));
    expect(report.streams?.[0]?.codec_type).toBe('data');
    const info = describeSource(report);
    expect(info).toMatchObject({
      durationSec: 24.441083,
      container: 'ogg',
      video: { codec: 'theora', width: 320, height: 192, displayWidth: 320, displayHeight: 192, rotation: 0 },
      audio: { codec: 'vorbis', channels: 2, sampleRate: 48000 },
    });
    expect(info.video?.fps).toBeCloseTo(59.94, 2);
  });

  it('flower.mp4 (video first, SAR 1:1, 29.97 fps)', () => {
    const info = describeSource(probe(path.join(FIXTURES, 'flower.mp4')));
    expect(info).toMatchObject({
      durationSec: 5.055,
      container: MP4,
      video: { codec: 'h264', width: 960, height: 540, displayWidth: 960, displayHeight: 540, rotation: 0 },
      audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
    });
    expect(info.video?.fps).toBeCloseTo(29.97, 2);
  });

  it('trailer_big_buck_bunny.flv: mono MP3, audio listed first', () => {
    const info = describeSource(probe(path.join(FIXTURES, 'trailer_big_buck_bunny.flv')));
    expect(info).toMatchObject({
      container: 'flv',
      video: { codec: 'vp6f', width: 426, height: 240, displayWidth: 426, displayHeight: 240, rotation: 0 },
      audio: { codec: 'mp3', channels: 1, sampleRate: 44100 },
    });
    expect(info.durationSec).toBeCloseTo(32.995, 3);
    // Its one timestamp gap makes the average rate a little under 25.
    expect(info.video?.fps).toBeGreaterThan(24);
    expect(info.video?.fps).toBeLessThanOrEqual(25);
  });
});

describe('describeSource on files made with native ffmpeg', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-source-info-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('an MP3 with cover art (attached_pic) is audio only', () => {
    const cover = path.join(dir, 'cover.png');
    const mp3 = path.join(dir, 'with-cover.mp3');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', cover]);
    ffmpeg(['-i', path.join(FIXTURES, 'good.mp3'), '-i', cover, '-map', '0:a', '-map', '1:v', '-c', 'copy', '-id3v2_version', '3', '-disposition:v:0', 'attached_pic', mp3]);
    const report = probe(mp3);
    const picture = report.streams?.find((s) => s.codec_type === 'video');
    expect(picture?.disposition?.['attached_pic']).toBe(1);
    const info = describeSource(report);
    expect(info.video).toBeNull();
    expect(info.audio).toEqual({ codec: 'mp3', channels: 2, sampleRate: 44100 });
  });

  it('a phone-style portrait MP4 (tkhd matrix turned 90° clockwise) shows 180x320', () => {
    const plain = path.join(dir, 'plain.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', plain]);
    const bytes = readFileSync(plain);
    const tkhd = bytes.indexOf('tkhd');
    expect(tkhd).toBeGreaterThan(0);
    const version = bytes[tkhd + 4];
    // After 'tkhd': version+flags, times and ids (20 or 32 bytes), 8 reserved, layer/group/volume/reserved (8), then the matrix.
    const matrixAt = tkhd + 4 + 4 + (version === 1 ? 32 : 20) + 8 + 8;
    const clockwise90 = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000];
    clockwise90.forEach((value, i) => bytes.writeInt32BE(value, matrixAt + i * 4));
    const rotated = path.join(dir, 'rotated.mp4');
    writeFileSync(rotated, bytes);

    const report = probe(rotated);
    expect(report.streams?.[0]?.side_data_list?.[0]?.rotation).toBe(-90);
    expect(describeSource(report).video).toMatchObject({ width: 320, height: 180, displayWidth: 180, displayHeight: 320, rotation: 90 });
    // Native ffmpeg agrees: it turns the picture upright to 180x320.
    const frame = path.join(dir, 'frame.png');
    ffmpeg(['-i', rotated, '-frames:v', '1', frame]);
    const size = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', frame], { encoding: 'utf8' });
    expect(size.trim()).toBe('180,320');
  });
});

function videoStream(extra: Partial<ProbeStream>): ProbeStream {
  return { index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, sample_aspect_ratio: '1:1', avg_frame_rate: '30/1', r_frame_rate: '30/1', ...extra };
}

function report(...streams: ProbeStream[]): ProbeReport {
  return { format: { format_name: MP4, duration: '12.500000' }, streams };
}

describe('describeSource: rotation', () => {
  it('display matrix rotation -90 is a picture turned 90° clockwise: display swapped', () => {
    const v = describeSource(report(videoStream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }))).video;
    expect(v).toMatchObject({ width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920, rotation: 90 });
  });

  it('display matrix rotation 90 (counter-clockwise) is 270° clockwise: display swapped', () => {
    const v = describeSource(report(videoStream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }))).video;
    expect(v).toMatchObject({ displayWidth: 1080, displayHeight: 1920, rotation: 270 });
  });

  it('rotation 180 and -180 keep the sides', () => {
    for (const rotation of [180, -180]) {
      const v = describeSource(report(videoStream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation }] }))).video;
      expect(v, String(rotation)).toMatchObject({ displayWidth: 1920, displayHeight: 1080, rotation: 180 });
    }
  });

  it('the old "rotate" tag counts clockwise', () => {
    const v = describeSource(report(videoStream({ tags: { rotate: '90' } }))).video;
    expect(v).toMatchObject({ displayWidth: 1080, displayHeight: 1920, rotation: 90 });
    const w = describeSource(report(videoStream({ tags: { rotate: '270' } }))).video;
    expect(w).toMatchObject({ displayWidth: 1080, displayHeight: 1920, rotation: 270 });
  });

  it('side data without a rotation is ignored', () => {
    const v = describeSource(report(videoStream({ side_data_list: [{ side_data_type: 'CPB properties' }] }))).video;
    expect(v).toMatchObject({ displayWidth: 1920, displayHeight: 1080, rotation: 0 });
  });
});

describe('describeSource: sample aspect ratio', () => {
  it('720x576 with SAR 16:15 shows as 768x576', () => {
    const v = describeSource(report(videoStream({ width: 720, height: 576, sample_aspect_ratio: '16:15' }))).video;
    expect(v).toMatchObject({ width: 720, height: 576, displayWidth: 768, displayHeight: 576 });
  });

  it('720x576 with SAR 64:45 (16:9 PAL) shows as 1024x576', () => {
    const v = describeSource(report(videoStream({ width: 720, height: 576, sample_aspect_ratio: '64:45' }))).video;
    expect(v).toMatchObject({ displayWidth: 1024, displayHeight: 576 });
  });

  it('an unknown SAR (0:1, N/A, absent) counts as square pixels', () => {
    for (const sar of ['0:1', 'N/A', undefined]) {
      const stream = videoStream({ width: 640, height: 480 });
      if (sar === undefined) delete stream.sample_aspect_ratio;
      else stream.sample_aspect_ratio = sar;
      expect(describeSource(report(stream)).video, String(sar)).toMatchObject({ displayWidth: 640, displayHeight: 480 });
    }
  });

  it('SAR is applied before the rotation', () => {
    const v = describeSource(
      report(videoStream({ width: 720, height: 576, sample_aspect_ratio: '16:15', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })),
    ).video;
    expect(v).toMatchObject({ displayWidth: 576, displayHeight: 768, rotation: 90 });
  });
});

describe('describeSource: streams and fields', () => {
  it('a cover picture listed before the real video is not taken for the video', () => {
    const cover = videoStream({ index: 0, codec_name: 'mjpeg', width: 600, height: 600, disposition: { default: 0, attached_pic: 1 } });
    const real = videoStream({ index: 1, codec_name: 'h264', width: 1280, height: 720, disposition: { default: 1, attached_pic: 0 } });
    expect(describeSource(report(cover, real)).video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(describeSource(report(cover)).video).toBeNull();
  });

  it('the first audio stream counts; missing channels default to 2, missing sample rate to 0', () => {
    const info = describeSource(
      report(
        { index: 0, codec_type: 'audio', codec_name: 'ac3', channels: 6, sample_rate: '48000' },
        { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '44100' },
      ),
    );
    expect(info.audio).toEqual({ codec: 'ac3', channels: 6, sampleRate: 48000 });
    expect(describeSource(report({ index: 0, codec_type: 'audio' })).audio).toEqual({ codec: 'unknown', channels: 2, sampleRate: 0 });
  });

  it('fps: avg_frame_rate, else r_frame_rate, else null', () => {
    expect(describeSource(report(videoStream({ avg_frame_rate: '30000/1001' }))).video?.fps).toBeCloseTo(29.97, 2);
    expect(describeSource(report(videoStream({ avg_frame_rate: '0/0', r_frame_rate: '25/1' }))).video?.fps).toBe(25);
    expect(describeSource(report(videoStream({ avg_frame_rate: '0/0', r_frame_rate: '0/0' }))).video?.fps).toBeNull();
  });

  it('a video stream without a size is no video', () => {
    expect(describeSource(report(videoStream({ width: 0, height: 0 }))).video).toBeNull();
  });

  it('duration: the container\'s, else the longest stream\'s, else null', () => {
    expect(describeSource(report(videoStream({}))).durationSec).toBe(12.5);
    const noFormatDuration: ProbeReport = {
      format: { format_name: 'matroska,webm', duration: 'N/A' },
      streams: [videoStream({ duration: '9.5' }), { index: 1, codec_type: 'audio', duration: '10.25' }],
    };
    expect(describeSource(noFormatDuration).durationSec).toBe(10.25);
    expect(describeSource({ format: { format_name: 'matroska,webm' }, streams: [videoStream({})] }).durationSec).toBeNull();
  });

  it('an empty report: nothing known', () => {
    expect(describeSource({})).toEqual({ durationSec: null, container: 'unknown', video: null, audio: null });
  });
});
