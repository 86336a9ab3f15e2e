/**
 * Every media fixture through every preset in one batch (2 workers), each output
 * downloaded through its link and checked with native ffprobe.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { displaySize, durationOf, ffprobe, ratio, streamsOf, topLevelBoxes, type Probe } from '../support/ffprobe';
import { fixture, makeTempDir, MEDIA_FIXTURES, removeDir } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, openApp, pressEncode, PRESET_IDS, readJobs, setWorkers, tickPresets, waitForAllFinished, type PresetId } from './app-page';

interface PresetExpectation {
  extension: string;
  /** ffprobe's format_name. */
  format: string;
  video: string | null;
  audio: string;
  /** Both sides fixed by the preset (the recipe presets). */
  fixedSize?: { width: number; height: number };
  /** "At most N lines high", aspect kept, never upscaled, even sides. */
  maxHeight?: number;
  fps?: number;
  audioSampleRate?: number;
  /** MP4 with moov before mdat. */
  fastStart?: boolean;
  /** The name when all six presets are ticked (mp4 clashes three ways, so those carry a suffix). */
  outputName: (base: string) => string;
}

const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';

/** The suffix a preset adds when its output would otherwise carry the source's own name. */
const SAME_NAME_SUFFIX: Record<PresetId, string> = {
  'flv-320x240': '320x240',
  'mp4-mpeg4-320x180': 'mpeg4',
  'mp4-h264-720p': '720p',
  'mp4-h264-480p': '480p',
  'webm-vp9-720p': 'vp9',
  'mp3-audio': 'audio',
};

const EXPECTED: Record<PresetId, PresetExpectation> = {
  'flv-320x240': { extension: 'flv', format: 'flv', video: 'flv1', audio: 'mp3', audioSampleRate: 44100, fixedSize: { width: 320, height: 240 }, fps: 25, outputName: (b) => `${b}.flv` },
  'mp4-mpeg4-320x180': { extension: 'mp4', format: MP4, video: 'mpeg4', audio: 'aac', fixedSize: { width: 320, height: 180 }, fps: 25, fastStart: true, outputName: (b) => `${b}-mpeg4.mp4` },
  'mp4-h264-720p': { extension: 'mp4', format: MP4, video: 'h264', audio: 'aac', maxHeight: 720, fastStart: true, outputName: (b) => `${b}-720p.mp4` },
  'mp4-h264-480p': { extension: 'mp4', format: MP4, video: 'h264', audio: 'aac', maxHeight: 480, fastStart: true, outputName: (b) => `${b}-480p.mp4` },
  'webm-vp9-720p': { extension: 'webm', format: 'matroska,webm', video: 'vp9', audio: 'opus', maxHeight: 720, outputName: (b) => `${b}.webm` },
  'mp3-audio': { extension: 'mp3', format: 'mp3', video: null, audio: 'mp3', outputName: (b) => `${b}.mp3` },
};

/** The preset rule, worked out here on its own: at most maxHeight lines, aspect kept, no upscale, even sides. */
function expectedFit(shown: { width: number; height: number }, maxHeight: number): { width: number; height: number } {
  let height = Math.min(maxHeight, shown.height);
  if (height % 2 === 1) height -= 1;
  const exactWidth = (shown.width * height) / shown.height;
  // The even width nearest the exact one.
  const lower = Math.floor(exactWidth / 2) * 2;
  const width = exactWidth - lower <= lower + 2 - exactWidth ? lower : lower + 2;
  return { width, height };
}

interface SourceFacts {
  probe: Probe;
  duration: number;
  hasAudio: boolean;
  hasVideo: boolean;
  shown: { width: number; height: number } | null;
}

declare global {
  interface Window {
    __progressSeen?: { between: number[]; texts: string[] };
  }
}

test('every fixture through every preset: outputs checked with ffprobe', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 4 * 60_000);
  const outDir = await makeTempDir('ffbatch-presets-');
  const sources = new Map<string, SourceFacts>();
  for (const name of MEDIA_FIXTURES) {
    const probe = await ffprobe(fixture(name));
    const video = streamsOf(probe, 'video')[0];
    sources.set(name, {
      probe,
      duration: durationOf(probe),
      hasAudio: streamsOf(probe, 'audio').length > 0,
      hasVideo: video !== undefined,
      shown: video ? displaySize(video) : null,
    });
  }

  await openApp(page);
  await setWorkers(page, 2);
  await addFiles(page, MEDIA_FIXTURES.map(fixture));
  await tickPresets(page, PRESET_IDS);

  // Watch the running jobs from inside the page, every 100 ms, for the whole batch.
  await page.evaluate(() => {
    const seen = { between: [] as number[], texts: [] as string[] };
    window.__progressSeen = seen;
    setInterval(() => {
      for (const job of document.querySelectorAll<HTMLElement>('[data-job-id][data-state=running]')) {
        const value = job.querySelector('progress')?.value;
        if (value !== undefined && value > 0 && value < 1 && seen.between.length < 500) seen.between.push(value);
        const text = job.innerText;
        if (seen.texts.length < 500 && !seen.texts.includes(text)) seen.texts.push(text);
      }
    }, 100);
  });

  const started = Date.now();
  await pressEncode(page);
  const jobCount = MEDIA_FIXTURES.length * PRESET_IDS.length;
  await waitForAllFinished(page, jobCount);
  console.log(`[presets] ${jobCount} jobs finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  await test.step('progress and time were shown while running', async () => {
    const seen = await page.evaluate(() => window.__progressSeen);
    expect(seen?.between.length ?? 0, 'some running job had 0 < progress < 1').toBeGreaterThan(0);
    const texts = seen?.texts ?? [];
    expect(texts.some((t) => /\b\d+:\d{2} elapsed\b/.test(t)), `a running job shows elapsed time; seen: ${texts.slice(0, 5).join(' | ')}`).toBe(true);
    expect(texts.some((t) => /\babout \d+:\d{2}(:\d{2})? left\b/.test(t)), `a running job shows an ETA; seen: ${texts.slice(0, 5).join(' | ')}`).toBe(true);
    expect(texts.some((t) => /\b\d{1,3}%/.test(t)), 'a running job shows a percentage').toBe(true);
  });

  const views = await readJobs(page);
  expect(views).toHaveLength(jobCount);
  for (const v of views) if (v.state !== 'done') console.log(`[presets] ${v.source} → ${v.preset}: ${v.state}: ${v.alert}`);

  for (const sourceName of MEDIA_FIXTURES) {
    const source = sources.get(sourceName);
    if (!source) throw new Error(`no facts for ${sourceName}`);
    const base = sourceName.slice(0, sourceName.lastIndexOf('.'));
    for (const presetId of PRESET_IDS) {
      await test.step(`${sourceName} → ${presetId}`, async () => {
        const want = EXPECTED[presetId];
        const job = jobFor(page, sourceName, presetId);
        await expect(job).toHaveCount(1);
        const view = views.find((v) => v.source === sourceName && v.preset === presetId);
        if (!view) throw new Error('job not listed');

        const cannotVideo = want.video !== null && !source.hasVideo;
        const cannotAudio = want.video === null && !source.hasAudio;
        if (cannotVideo || cannotAudio) {
          expect.soft(view.state, `log/alert: ${view.alert}`).toBe('failed');
          expect.soft(view.alert ?? '', 'the failure says why').toMatch(cannotVideo ? /no video/i : /no audio/i);
          expect.soft(view.downloadName, 'a failed job offers no download').toBeNull();
          return;
        }

        expect.soft(view.state, `alert: ${view.alert}`).toBe('done');
        if (view.state !== 'done') return;
        expect.soft(view.alert, 'a done job shows no alert').toBeNull();
        const got = await downloadFromJob(page, job, outDir);
        expect.soft(got.suggestedFilename).toBe(got.downloadAttribute);
        // An output never takes its source's own name: then the preset's suffix is added.
        const plainName = want.outputName(base);
        const expectedName = plainName === sourceName ? `${base}-${SAME_NAME_SUFFIX[presetId]}.${want.extension}` : plainName;
        expect.soft(got.downloadAttribute).toBe(expectedName);
        expect.soft(path.extname(got.suggestedFilename)).toBe(`.${want.extension}`);

        const out = await ffprobe(got.file);
        console.log(
          `[presets] ${got.suggestedFilename}: ${out.format.format_name} ${out.streams.map((st) => `${st.codec_name}${st.width ? ` ${st.width}x${st.height} ${st.r_frame_rate}` : ''}${st.sample_rate ? ` ${st.sample_rate} Hz` : ''}`).join(' + ')} ${durationOf(out).toFixed(2)} s`,
        );
        expect.soft(out.format.format_name, 'container').toBe(want.format);
        const videos = streamsOf(out, 'video');
        const audios = streamsOf(out, 'audio');
        expect.soft(out.streams.length, `streams: ${out.streams.map((s) => `${s.codec_type}:${s.codec_name}`).join(', ')}`).toBe(videos.length + audios.length);
        expect.soft(audios.length, 'audio present iff the source has audio').toBe(source.hasAudio ? 1 : 0);
        expect.soft(audios[0]?.codec_name).toBe(source.hasAudio ? want.audio : undefined);
        if (want.audioSampleRate && audios[0]) expect.soft(Number(audios[0].sample_rate), 'audio sample rate').toBe(want.audioSampleRate);

        const outDuration = durationOf(out);
        expect.soft(Math.abs(outDuration - source.duration) / source.duration, `duration ${outDuration} s vs source ${source.duration} s`).toBeLessThanOrEqual(0.05);

        if (want.video === null) {
          expect.soft(videos, 'an audio-only output has no picture').toHaveLength(0);
        } else {
          expect.soft(videos).toHaveLength(1);
          const video = videos[0];
          expect.soft(video?.codec_name, 'video codec').toBe(want.video);
          const size = { width: video?.width, height: video?.height };
          if (want.fixedSize) {
            expect.soft(size, 'fixed size').toEqual(want.fixedSize);
          } else if (want.maxHeight && source.shown) {
            const fit = expectedFit(source.shown, want.maxHeight);
            expect.soft(size, `fit of ${source.shown.width}x${source.shown.height} into ${want.maxHeight} lines`).toEqual(fit);
            // The rule's parts, on what came out: bounded, never upscaled, even, aspect kept.
            const w = video?.width ?? 0;
            const h = video?.height ?? 0;
            expect.soft(h, 'at most the bound and the source height').toBeLessThanOrEqual(Math.min(want.maxHeight, source.shown.height));
            expect.soft([w % 2, h % 2], 'even sides').toEqual([0, 0]);
            expect.soft(Math.abs(w / h - source.shown.width / source.shown.height) * h, 'aspect kept (within a pixel or two)').toBeLessThanOrEqual(2);
            expect.soft(ratio(video?.sample_aspect_ratio) ?? 1, 'square pixels').toBe(1);
          }
          if (want.fps) {
            expect.soft(ratio(video?.r_frame_rate), 'frame rate').toBe(want.fps);
            const avg = ratio(video?.avg_frame_rate);
            if (avg !== null) expect.soft(Math.abs(avg - want.fps), `average frame rate ${avg}`).toBeLessThan(0.5);
          }
        }

        if (want.fastStart) {
          const boxes = (await topLevelBoxes(got.file)).map((b) => b.type);
          expect.soft(boxes[0], `boxes: ${boxes.join(' ')}`).toBe('ftyp');
          const moov = boxes.indexOf('moov');
          const mdat = boxes.indexOf('mdat');
          expect.soft(moov, `moov present; boxes: ${boxes.join(' ')}`).toBeGreaterThanOrEqual(0);
          expect.soft(mdat, `mdat present; boxes: ${boxes.join(' ')}`).toBeGreaterThanOrEqual(0);
          expect.soft(moov < mdat, `fast start: moov before mdat; boxes: ${boxes.join(' ')}`).toBe(true);
        }
        if (want.extension === 'webm') {
          const head = (await readFile(got.file)).subarray(0, 64);
          expect.soft(head.includes(Buffer.from('webm')), 'EBML DocType is webm').toBe(true);
        }
      });
    }
  }
  await removeDir(outDir);
});
