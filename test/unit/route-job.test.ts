/**
 * Issue 16: the router decides a job's route once (routeJob) and hands the WebCodecs route
 * what it needs (the encoder, the target with the edits it does, the scratch folder) or the
 * reason for ffmpeg.wasm; it asks the browser and the scratch only when the answer turns on them.
 */
import { describe, expect, it } from 'vitest';
import { HDR_REASON, routeJob, type RouteFacts, type WebCodecsSupport } from '../../src/jobs/engine-router';
import { presetById } from '../../src/presets/presets';
import type { SourceInfo } from '../../src/presets/source-info';

const SOURCE: SourceInfo = {
  durationSec: 20,
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  video: { codec: 'h264', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30 },
  audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
};

const SUPPORT: WebCodecsSupport = {
  readable: true,
  format: 'MP4',
  video: { codec: 'avc', decodable: true },
  audio: { codec: 'aac', decodable: true },
  encode: { 'mp4-h264-720p': { video: true, audio: true }, 'webm-vp9-720p': { video: true, audio: true } },
};

function fail(why: string): never {
  throw new Error(why);
}

const FOLDER = ['ffbatch-scratch', 'tab', 'job-1', 'run-1'];

/** Facts for one job, counting how often the browser and the scratch are asked. */
function facts(over: Partial<RouteFacts<string>> = {}, support: WebCodecsSupport | null = SUPPORT): RouteFacts<string> & { asked: { support: number; scratch: number } } {
  const asked = { support: 0, scratch: 0 };
  return {
    preset: presetById('mp4-h264-720p'),
    source: SOURCE,
    edits: {},
    mode: 'auto',
    encoder: 'the encoder',
    support: () => {
      asked.support += 1;
      return Promise.resolve(support);
    },
    scratchFolder: () => {
      asked.scratch += 1;
      return FOLDER;
    },
    ...over,
    asked,
  };
}

describe('routeJob', () => {
  it('a readable, encodable source goes to WebCodecs with the encoder, the planned target and a scratch folder', async () => {
    const f = facts();
    const route = await routeJob(f);
    expect(route).toMatchObject({ engine: 'webcodecs', encoder: 'the encoder', scratchFolder: FOLDER, target: { presetId: 'mp4-h264-720p', width: 1280, height: 720, video: 'avc' } });
    expect(f.asked).toEqual({ support: 1, scratch: 1 });
  });

  it('"ffmpeg.wasm only" and a pool without the fast route ask nothing of the browser', async () => {
    const only = facts({ mode: 'ffmpeg' });
    expect(await routeJob(only)).toEqual({ engine: 'ffmpeg', reason: 'ffmpeg.wasm only was chosen' });
    const none = facts({ encoder: undefined });
    expect(await routeJob(none)).toEqual({ engine: 'ffmpeg', reason: 'the fast route is not available here' });
    expect([only.asked, none.asked]).toEqual([
      { support: 0, scratch: 0 },
      { support: 0, scratch: 0 },
    ]);
  });

  it('a preset the fast route cannot make says why without asking the browser', async () => {
    const f = facts({ preset: presetById('flv-320x240') });
    expect(await routeJob(f)).toEqual({ engine: 'ffmpeg', reason: 'FLV1 preset is ffmpeg-only' });
    expect(f.asked.support).toBe(0);
  });

  it('the browser’s answers are chooseEngine’s: no support, an HDR source, an encoder missing', async () => {
    expect(await routeJob(facts({}, null))).toEqual({ engine: 'ffmpeg', reason: "the browser's codecs couldn't be checked" });
    const video = SOURCE.video ?? fail('SOURCE has video');
    const hdr: SourceInfo = { ...SOURCE, video: { ...video, codec: 'hevc', hdr: { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', range: 'tv', pixelFormat: 'yuv420p10le' } } };
    expect(await routeJob(facts({ source: hdr }))).toEqual({ engine: 'ffmpeg', reason: HDR_REASON });
    expect(await routeJob(facts({}, { ...SUPPORT, encode: {} }))).toEqual({ engine: 'ffmpeg', reason: "H.264 can't be encoded by this browser at this size" });
  });

  it('edits the fast route does not do send the job to ffmpeg.wasm before any folder is made', async () => {
    const f = facts({ edits: { flip: true } });
    const route = await routeJob(f);
    expect(route.engine).toBe('ffmpeg');
    expect(route.engine === 'ffmpeg' && route.reason).toMatch(/mirror|flip/i);
    expect(f.asked.scratch).toBe(0);
  });

  it('no OPFS scratch: ffmpeg.wasm, saying so', async () => {
    expect(await routeJob(facts({ scratchFolder: () => undefined }))).toEqual({ engine: 'ffmpeg', reason: 'no OPFS scratch for the fast route' });
  });

  it('the edits the fast route does travel in its target; the QP knob steers it', async () => {
    const route = await routeJob(facts({ edits: { trim: { start: 2, end: 8 }, rotate: 90 }, h264TargetQp: 30 }));
    expect(route).toMatchObject({ engine: 'webcodecs', target: { edits: { trim: { start: 2, end: 8 }, rotate: 90 }, targetQp: 30 } });
    const plain = await routeJob(facts());
    expect(plain.engine === 'webcodecs' && 'edits' in plain.target).toBe(false);
  });
});
