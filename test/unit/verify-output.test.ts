import { describe, expect, it } from 'vitest';
import { durationTolerance, frameBounds, tailStartSec, verifyEnd, verifyFrames, verifyOutput } from '../../src/jobs/verify-output';
import { withMeasuredDuration, type SourceInfo, type VideoInfo } from '../../src/presets/source-info';

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
    expect(verifyOutput('mp4-fit-10mb', info(), h264_720(), undefined, 10_000_000)).toBeNull();
    expect(verifyOutput('mp4-fit-10mb', info(), h264_720(), undefined, 10_000_001)).toBe('The output failed its check: it is 10,000,001 bytes, over the 10,000,000 it must fit in.');
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

describe('verifyFrames: the output has the frames its source shows (duration × rate, within one)', () => {
  const timed = (durationSec: number | null, nominalFps: number | null, over: Partial<SourceInfo> = {}): SourceInfo =>
    info({ durationSec: 20.1, videoTiming: { index: 0, durationSec, frames: null, nominalFps }, ...over });

  it('a clip cut between key frames: its hidden pre-roll encoded as picture fails, the frames it shows pass', () => {
    // 20.1 s shown at 30 fps after 147 hidden packets: the fast route once made 749 frames of it.
    const cut = timed(20.1, 30);
    expect(frameBounds('mp4-h264-720p', cut)).toMatchObject({ shown: 603, most: 604 });
    expect(verifyFrames('mp4-h264-720p', cut, 749)).toBe('The output failed its check: it has 749 frames where the source shows 603 (20.10 s at 30.00 fps).');
    expect(verifyFrames('webm-vp9-720p', cut, 749)).toMatch(/749 frames where the source shows 603/);
    for (const frames of [603, 602, 604]) expect(verifyFrames('mp4-h264-720p', cut, frames), `${frames}`).toBeNull();
    expect(verifyFrames('mp4-h264-720p', cut, 605)).toMatch(/605 frames/);
  });

  it('a few frames short pass (a copy cut may end without its last B-frames); many short fail', () => {
    const cut = timed(20.1, 30);
    expect(verifyFrames('mp4-h264-720p', cut, 600)).toBeNull();
    expect(verifyFrames('mp4-h264-720p', cut, 560)).toMatch(/560 frames where the source shows 603/);
  });

  it('counts short only against the video stream\'s own length (a container\'s may be the audio\'s)', () => {
    const noOwnLength = timed(null, 30, { durationSec: 21 });
    expect(frameBounds('mp4-h264-720p', noOwnLength)?.least).toBeNull();
    expect(verifyFrames('mp4-h264-720p', noOwnLength, 500)).toBeNull();
    expect(verifyFrames('mp4-h264-720p', noOwnLength, 632)).toMatch(/632 frames/);
  });

  it('the recipe presets count at their own 25 fps, ffmpeg\'s CFR conversion adding a frame at either end', () => {
    const source = timed(10, 30, { durationSec: 10 });
    expect(verifyFrames('flv-320x240', source, 250)).toBeNull();
    expect(verifyFrames('flv-320x240', source, 252)).toBeNull();
    expect(verifyFrames('flv-320x240', source, 253)).toMatch(/253 frames where the source shows 250/);
    expect(verifyFrames('mp4-mpeg4-320x180', source, 300)).toMatch(/300 frames where the source shows 250 \(10\.00 s at 25\.00 fps\)/);
  });

  it('a VFR source: an upper bound only, at its highest rate, its last frame held up to 0.5 s, a percent over', () => {
    // The FLV fixture: 25 fps on average, r_frame_rate 616/25.
    const flv = timed(33, 616 / 25, { durationSec: 33 });
    flv.video = video({ fps: 25 });
    expect(frameBounds('mp4-h264-720p', flv)).toMatchObject({ least: null, most: 848 });
    for (const frames of [700, 813, 827, 848]) expect(verifyFrames('mp4-h264-720p', flv, frames), `${frames}`).toBeNull();
    expect(verifyFrames('mp4-h264-720p', flv, 900)).toMatch(/900 frames/);
    // 2 s at 30 fps then 10 fps: ffmpeg's CFR MP4 fills it at 30 fps, to the end of its last frame (179 frames natively).
    const sparse = timed(5.8, 30, { durationSec: 5.8 });
    sparse.video = video({ fps: 500 / 29 });
    expect(verifyFrames('mp4-h264-720p', sparse, 179)).toBeNull();
    expect(verifyFrames('flv-320x240', sparse, 150)).toBeNull();
  });

  it('an r_frame_rate above 210 fps says nothing of the frames: not counted', () => {
    expect(frameBounds('mp4-h264-720p', timed(20, 1000))).toBeNull();
  });

  it('nothing is counted for audio, stream copies, custom presets, or an unknown length or rate', () => {
    const cut = timed(20.1, 30);
    expect(frameBounds('mp3-audio', cut)).toBeNull();
    expect(frameBounds('mp4-remux', cut)).toBeNull();
    expect(frameBounds('custom-mine', cut)).toBeNull();
    expect(frameBounds('mp4-h264-720p', timed(null, 30, { durationSec: null }))).toBeNull();
    expect(frameBounds('mp4-h264-720p', { ...cut, video: video({ fps: null }) })).toBeNull();
    expect(verifyFrames('mp4-h264-720p', cut, null)).toBeNull();
  });

  it('an estimated duration counts nothing; once measured it does', () => {
    const estimated = timed(96.7, 30, { durationSec: 96.7, durationEstimated: true });
    expect(frameBounds('mp4-h264-720p', estimated)).toBeNull();
    const measured = withMeasuredDuration(estimated, 105.8);
    expect(frameBounds('mp4-h264-720p', measured)).toMatchObject({ shown: 3174, least: null });
  });
});
