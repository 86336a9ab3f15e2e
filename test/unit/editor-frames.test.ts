/**
 * Issue 18: the editor's thumbnails come from the browser's decoder where it reads the source,
 * from ffmpeg.wasm otherwise (and when the browser's decode fails or finds nothing).
 */
import { describe, expect, it } from 'vitest';
import type { BrowserFrames } from '../../src/jobs/browser-frames';
import { grabFrames, type FrameRunner } from '../../src/jobs/frame-grab';

function runner(): FrameRunner & { runs: string[][] } {
  const runs: string[][] = [];
  return {
    runs,
    run: (request) => {
      runs.push(request.args);
      return Promise.resolve({ exitCode: 0, outputs: [new Blob(['jpeg'])] } as unknown as Awaited<ReturnType<FrameRunner['run']>>);
    },
  };
}

function browser(grab: BrowserFrames['grab']): BrowserFrames {
  return { grab, dispose: () => {} };
}

const input = { name: 'a.mp4', data: new Blob([]) };

describe('grabFrames', () => {
  it('takes the browser’s frames where it decodes the source, without running ffmpeg', async () => {
    const ffmpeg = runner();
    const frames = await grabFrames(browser((instants) => Promise.resolve(instants.map((at) => ({ at, image: new Blob(['b']) })))), ffmpeg, input, [1, 2], 72);
    expect(frames.map((f) => [f.at, f.decoder])).toEqual([[1, 'webcodecs'], [2, 'webcodecs']]);
    expect(ffmpeg.runs).toHaveLength(0);
  });

  it('falls back to ffmpeg.wasm without a browser decoder, or when its decode fails or finds nothing', async () => {
    for (const frames of [null, browser(() => Promise.reject(new Error('DecodingError'))), browser(() => Promise.resolve([]))]) {
      const ffmpeg = runner();
      let failed = 0;
      const got = await grabFrames(frames, ffmpeg, input, [0.5], 72, undefined, () => failed++);
      expect(got.map((f) => [f.at, f.decoder])).toEqual([[0.5, 'ffmpeg']]);
      expect(ffmpeg.runs[0]?.slice(0, 5)).toEqual(['-hide_banner', '-ss', '0.5', '-i', '/in/a.mp4']);
      expect(failed).toBe(frames ? 1 : 0);
    }
  });

  it('passes an abort through instead of falling back', async () => {
    const ffmpeg = runner();
    const stop = new AbortController();
    stop.abort();
    await expect(grabFrames(browser(() => Promise.reject(new DOMException('stop', 'AbortError'))), ffmpeg, input, [1], 72, stop.signal)).rejects.toThrow('stop');
    expect(ffmpeg.runs).toHaveLength(0);
  });
});
