import { describe, expect, it } from 'vitest';
import { chooseEngine, type WebCodecsSupport } from '../../src/jobs/engine-router';
import { planWebCodecsTarget } from '../../src/jobs/webcodecs-plan';
import { H264_TARGET_QP } from '../../src/jobs/webcodecs-bitrate';
import type { SourceInfo } from '../../src/presets/source-info';

const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';

function source(over: Partial<SourceInfo> = {}, video: Partial<NonNullable<SourceInfo['video']>> = {}): SourceInfo {
  return {
    durationSec: 20,
    container: MP4,
    video: { codec: 'h264', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30, ...video },
    audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
    ...over,
  };
}

const ALL_ENCODE = {
  'mp4-h264-720p': { video: true, audio: true },
  'mp4-h264-480p': { video: true, audio: true },
  'webm-vp9-720p': { video: true, audio: true },
} as const;

function support(over: Partial<WebCodecsSupport> = {}): WebCodecsSupport {
  return {
    readable: true,
    format: 'MP4',
    video: { codec: 'avc', decodable: true },
    audio: { codec: 'aac', decodable: true },
    encode: { ...ALL_ENCODE },
    ...over,
  };
}

describe('chooseEngine', () => {
  it.each(['mp4-h264-720p', 'mp4-h264-480p', 'webm-vp9-720p'])('sends %s of a readable, decodable source to WebCodecs', (preset) => {
    expect(chooseEngine(preset, source(), support())).toEqual({ engine: 'webcodecs' });
  });

  it.each([
    ['flv-320x240', 'FLV1 preset is ffmpeg-only'],
    ['mp4-mpeg4-320x180', 'MPEG-4 Part 2 preset is ffmpeg-only'],
    ['mp3-audio', 'MP3 preset is ffmpeg-only'],
    ['mp4-remux', 'remux copies streams with ffmpeg'],
    ['custom-my-gif', 'custom presets are ffmpeg-only'],
  ])('keeps %s on ffmpeg.wasm whatever the browser can do', (preset, reason) => {
    expect(chooseEngine(preset, source(), support())).toEqual({ engine: 'ffmpeg', reason });
  });

  it('obeys "ffmpeg.wasm only"', () => {
    expect(chooseEngine('mp4-h264-720p', source(), support(), 'ffmpeg')).toEqual({ engine: 'ffmpeg', reason: 'ffmpeg.wasm only was chosen' });
  });

  it('sends containers Mediabunny cannot read to ffmpeg.wasm, naming them', () => {
    const unreadable = support({ readable: false, format: null, video: null, audio: null, encode: {} });
    expect(chooseEngine('mp4-h264-720p', source({ container: 'avi' }, { codec: 'mpeg4' }), unreadable)).toEqual({ engine: 'ffmpeg', reason: "AVI isn't readable by the fast route" });
    expect(chooseEngine('mp4-h264-720p', source({ container: 'flv' }, { codec: 'vp6f' }), unreadable).reason).toBe("FLV isn't readable by the fast route");
    expect(chooseEngine('mp4-h264-720p', source({ container: 'asf' }, { codec: 'wmv3' }), unreadable).reason).toBe("WMV/ASF isn't readable by the fast route");
  });

  it('falls back when Mediabunny drops the video track (MPEG-4 Part 2 in MP4, Theora in Ogg)', () => {
    expect(chooseEngine('mp4-h264-720p', source({}, { codec: 'mpeg4' }), support({ video: null })).reason).toBe("MPEG-4 Part 2 video isn't readable by the fast route");
    expect(chooseEngine('webm-vp9-720p', source({ container: 'ogg' }, { codec: 'theora' }), support({ format: 'Ogg', video: null })).reason).toBe(
      "Theora video isn't readable by the fast route",
    );
  });

  it('falls back when the browser cannot decode the video', () => {
    expect(chooseEngine('mp4-h264-720p', source({}, { codec: 'hevc' }), support({ video: { codec: 'hevc', decodable: false } }))).toEqual({
      engine: 'ffmpeg',
      reason: "HEVC can't be decoded by this browser",
    });
  });

  it('falls back when the audio cannot be read or decoded, never dropping it', () => {
    const ac3 = source({ audio: { codec: 'ac3', channels: 6, sampleRate: 48000 } });
    expect(chooseEngine('mp4-h264-720p', ac3, support({ audio: null })).reason).toBe("AC-3 audio isn't readable by the fast route");
    expect(chooseEngine('mp4-h264-720p', ac3, support({ audio: { codec: 'ac3', decodable: false } })).reason).toBe("AC-3 audio can't be decoded by this browser");
  });

  it('ignores audio support when the source has no audio', () => {
    expect(chooseEngine('webm-vp9-720p', source({ audio: null }), support({ audio: null }))).toEqual({ engine: 'webcodecs' });
  });

  it('falls back when the target codecs cannot be encoded (no H.264 in Playwright’s Chromium; no AAC encoder at all)', () => {
    const noH264 = support({ encode: { ...ALL_ENCODE, 'mp4-h264-720p': { video: false, audio: true } } });
    expect(chooseEngine('mp4-h264-720p', source(), noH264).reason).toBe("H.264 can't be encoded by this browser at this size");
    expect(chooseEngine('webm-vp9-720p', source(), noH264)).toEqual({ engine: 'webcodecs' });
    const noAac = support({ encode: { ...ALL_ENCODE, 'mp4-h264-480p': { video: true, audio: false } } });
    expect(chooseEngine('mp4-h264-480p', source(), noAac).reason).toBe("AAC can't be encoded by this browser");
    expect(chooseEngine('mp4-h264-480p', source({ audio: null }), noAac)).toEqual({ engine: 'webcodecs' });
  });

  it('falls back when the preset was not probed, or the worker could not be asked', () => {
    expect(chooseEngine('mp4-h264-480p', source(), support({ encode: {} })).reason).toBe("H.264 can't be encoded by this browser at this size");
    expect(chooseEngine('mp4-h264-720p', source(), null)).toEqual({ engine: 'ffmpeg', reason: "the browser's codecs couldn't be checked" });
  });

  it('leaves a source without video to ffmpeg.wasm, which explains the mismatch', () => {
    expect(chooseEngine('mp4-h264-720p', source({ video: null }), support({ video: null }))).toEqual({ engine: 'ffmpeg', reason: 'no video track' });
  });
});

describe('planWebCodecsTarget', () => {
  it('sizes as the ffmpeg route (fitHeight) and takes the bitrate rule; H.264 is steered to the target QP, VP9 is not', () => {
    // The plan now says the container and codecs too (compiled from the preset's spec; the worker keeps no table).
    const aac = { codec: 'aac', bitrate: 128_000, channels: 2 };
    expect(planWebCodecsTarget('mp4-h264-720p', source())).toEqual({ presetId: 'mp4-h264-720p', container: 'mp4', video: 'avc', width: 1280, height: 720, videoBitrate: 1_250_000, targetQp: H264_TARGET_QP, audio: aac });
    expect(planWebCodecsTarget('mp4-h264-480p', source())).toMatchObject({ width: 854, height: 480, targetQp: H264_TARGET_QP });
    // VP9 asks for quantizer mode (level 3 = CRF 33's 33) where the browser takes it; 700 kb/s otherwise.
    expect(planWebCodecsTarget('webm-vp9-720p', source())).toEqual({
      presetId: 'webm-vp9-720p', container: 'webm', video: 'vp9', width: 1280, height: 720, videoBitrate: 700_000, quantizer: 33, audio: { codec: 'opus', bitrate: 96_000, channels: 2 },
    });
    // The benchmark's ?h264TargetQp= knob: another H.264 target; VP9 still has none.
    expect(planWebCodecsTarget('mp4-h264-720p', source(), 20)).toMatchObject({ targetQp: 20 });
    expect(planWebCodecsTarget('webm-vp9-720p', source(), 20)).not.toHaveProperty('targetQp');
  });

  it('plans the shown size of a rotated source and never upscales', () => {
    const portrait = source({}, { width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920, rotation: 90 });
    expect(planWebCodecsTarget('mp4-h264-720p', portrait)).toMatchObject({ width: 406, height: 720 });
    const small = source({}, { width: 320, height: 180, displayWidth: 320, displayHeight: 180 });
    expect(planWebCodecsTarget('mp4-h264-720p', small)).toMatchObject({ width: 320, height: 180 });
  });

  it('refuses a source without video, naming the field', () => {
    expect(() => planWebCodecsTarget('mp4-h264-720p', source({ video: null }))).toThrow(/source\.video/);
  });
});
