import { describe, expect, it } from 'vitest';
import { durationTolerance, tailStartSec, verifyEnd, verifyOutput } from '../../src/jobs/verify-output';
import type { SourceInfo, VideoInfo } from '../../src/presets/source-info';

function video(over: Partial<VideoInfo> = {}): VideoInfo {
  return { codec: 'h264', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30, ...over };
}

function info(over: Partial<SourceInfo> = {}): SourceInfo {
  return { durationSec: 20, container: 'mov,mp4,m4a,3gp,3g2,mj2', video: video(), audio: { codec: 'aac', channels: 2, sampleRate: 48000 }, ...over };
}

const h264_720 = (over: Partial<SourceInfo> = {}, v: Partial<VideoInfo> = {}): SourceInfo =>
  info({ video: video({ width: 1280, height: 720, displayWidth: 1280, displayHeight: 720, ...v }), ...over });

describe('verifyOutput', () => {
  it('passes an output that holds what the preset promises', () => {
    expect(verifyOutput('mp4-h264-720p', info(), h264_720())).toBeNull();
    expect(verifyOutput('mp4-h264-480p', info(), h264_720({}, { width: 854, height: 480, displayWidth: 854, displayHeight: 480 }))).toBeNull();
    const vp9 = h264_720({ container: 'matroska,webm', audio: { codec: 'opus', channels: 2, sampleRate: 48000 } }, { codec: 'vp9' });
    expect(verifyOutput('webm-vp9-720p', info(), vp9)).toBeNull();
  });

  it('checks the shown size, so a rotation tag kept by the WebCodecs route passes', () => {
    const portrait = info();
    portrait.video = video({ rotation: 90, displayWidth: 1080, displayHeight: 1920 });
    const out = h264_720({}, { width: 720, height: 406, displayWidth: 406, displayHeight: 720, rotation: 90 });
    expect(verifyOutput('mp4-h264-720p', portrait, out)).toBeNull();
    const sideways = h264_720();
    expect(verifyOutput('mp4-h264-720p', portrait, sideways)).toMatch(/1280×720, not the planned 406×720/);
  });

  it('checks the coded size of the fixed-size recipe presets', () => {
    const flv = info({ container: 'flv', video: video({ codec: 'flv1', width: 320, height: 240, displayWidth: 427, displayHeight: 240 }), audio: { codec: 'mp3', channels: 2, sampleRate: 44100 } });
    expect(verifyOutput('flv-320x240', info(), flv)).toBeNull();
  });

  it('wants video iff a video preset and audio iff the source has audio', () => {
    expect(verifyOutput('mp4-h264-720p', info(), h264_720({ audio: null }))).toMatch(/no audio track though the source has one/);
    expect(verifyOutput('mp4-h264-720p', info({ audio: null }), h264_720())).toMatch(/audio track though the source has none/);
    expect(verifyOutput('mp4-h264-720p', info(), h264_720({ video: null }))).toMatch(/no video track/);
    const mp3 = info({ container: 'mp3', video: null, audio: { codec: 'mp3', channels: 2, sampleRate: 48000 } });
    expect(verifyOutput('mp3-audio', info(), mp3)).toBeNull();
    expect(verifyOutput('mp3-audio', info(), { ...mp3, video: video({ codec: 'mjpeg' }) })).toMatch(/audio only/);
  });

  it('checks the codecs', () => {
    expect(verifyOutput('mp4-h264-720p', info(), h264_720({}, { codec: 'hevc' }))).toBe('The output failed its check: its video is HEVC, not H.264.');
    expect(verifyOutput('webm-vp9-720p', info(), h264_720({ audio: { codec: 'opus', channels: 2, sampleRate: 48000 } }))).toMatch(/video is H.264, not VP9/);
    expect(verifyOutput('mp4-h264-720p', info(), h264_720({ audio: { codec: 'mp3', channels: 2, sampleRate: 48000 } }))).toMatch(/audio is MP3, not AAC/);
  });

  it('wants the duration within 1 % or 0.2 s of the source', () => {
    expect(durationTolerance(10)).toBe(0.2);
    expect(durationTolerance(100)).toBe(1);
    expect(verifyOutput('mp4-h264-720p', info(), h264_720({ durationSec: 20.19 }))).toBeNull();
    expect(verifyOutput('mp4-h264-720p', info(), h264_720({ durationSec: 20.3 }))).toMatch(/lasts 20.30 s where the source lasts 20.00 s/);
    expect(verifyOutput('mp4-h264-720p', info({ durationSec: 600 }), h264_720({ durationSec: 605 }))).toBeNull();
    expect(verifyOutput('mp4-h264-720p', info({ durationSec: null }), h264_720({ durationSec: 3 }))).toBeNull();
  });

  it('keeps the source as it is for remux, and asks only for a readable output of a custom preset', () => {
    const mkv = info({ container: 'matroska,webm' });
    expect(verifyOutput('mp4-remux', mkv, info())).toBeNull();
    expect(verifyOutput('mp4-remux', mkv, h264_720())).toMatch(/not the planned 1920×1080/);
    expect(verifyOutput('custom-tiny', info(), h264_720({ durationSec: 3 }))).toBeNull();
    expect(verifyOutput('custom-tiny', info(), null)).toMatch(/no picture or sound/);
  });
});

describe('verifyEnd: the packets reach the end the header claims', () => {
  it('a whole file passes, within the duration tolerance', () => {
    expect(verifyEnd(30, 30.02)).toBeNull();
    expect(verifyEnd(30, 29.75)).toBeNull(); // 1 % of 30 s is 0.3 s
  });

  it('a file cut short fails with where its packets stop and what it claims', () => {
    expect(verifyEnd(30, 14.9)).toBe('The output failed its check: its packets stop at 14.90 s though it claims 30.00 s; the file is cut short.');
    expect(verifyEnd(5.05, 4.8)).toMatch(/stop at 4\.80 s/); // 0.25 s short: over the 0.2 s floor
  });

  it('no packet near the end is a failure; no claimed duration is nothing to check', () => {
    expect(verifyEnd(12, null)).toMatch(/no packet could be read near its end/);
    expect(verifyEnd(null, null)).toBeNull();
    expect(verifyEnd(0, null)).toBeNull();
  });

  it('reading starts 2 s before the claimed end, never before 0', () => {
    expect(tailStartSec(30)).toBe(28);
    expect(tailStartSec(1.5)).toBe(0);
  });
});

describe('verifyOutput: the promises of spec-built presets', () => {
  it('Fit in 10 MB: an output over 10,000,000 bytes fails its check, one at the limit passes', () => {
    expect(verifyOutput('mp4-fit-10mb', info(), h264_720(), 10_000_000)).toBeNull();
    expect(verifyOutput('mp4-fit-10mb', info(), h264_720(), 10_000_001)).toBe('The output failed its check: it is 10,000,001 bytes, over the 10,000,000 it must fit in.');
  });

  it('GIF: GIF video of the planned size and no sound, even from a source with sound', () => {
    const gif = info({ container: 'gif', audio: null, video: video({ codec: 'gif', width: 480, height: 270, displayWidth: 480, displayHeight: 270 }) });
    expect(verifyOutput('gif-480', info(), gif)).toBeNull();
    expect(verifyOutput('gif-480', info(), { ...gif, audio: { codec: 'aac', channels: 2, sampleRate: 48000 } })).toMatch(/audio track though the preset leaves the sound out/);
    expect(verifyOutput('gif-480', info(), { ...gif, video: video({ codec: 'gif', width: 640, height: 360, displayWidth: 640, displayHeight: 360 }) })).toMatch(/640×360, not the planned 480×270/);
  });

  it('M4A: AAC sound only', () => {
    const m4a = info({ video: null });
    expect(verifyOutput('m4a-audio', info(), m4a)).toBeNull();
    expect(verifyOutput('m4a-audio', info(), { ...m4a, video: video() })).toMatch(/video track though the preset is audio only/);
    expect(verifyOutput('m4a-audio', info(), { ...m4a, audio: { codec: 'mp3', channels: 2, sampleRate: 48000 } })).toMatch(/its audio is MP3, not AAC/);
  });
});
