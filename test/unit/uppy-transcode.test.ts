/**
 * `ffbatch/uppy` (issue 20) against a real Uppy core and a fake encoder: which files the
 * default filter picks, the determinate progress, the file replaced with the output (original
 * name and size in meta), removing a file cancels its job, a failure's sentence in uppy.info
 * and the file failed or uploaded as it was. The real encoder runs in test/e2e/uppy.spec.ts.
 */
import Uppy, { type Meta, type Body, type UppyFile } from '@uppy/core';
import { describe, expect, it } from 'vitest';
import { JobFailedError, type Encoder, type EncoderJob, type JobResult, type JobStatus, type SourceInfo } from '../../src/index';
import { FfbatchTranscode } from '../../src/uppy/index';

type Outcome = { output: Blob; name: string } | { fail: string } | 'hold';

class FakeJob extends EventTarget implements EncoderJob {
  status: JobStatus = 'running';
  progress = 0;
  speed = null;
  eta = null;
  error: string | null = null;
  private settle!: { resolve: (r: JobResult) => void; reject: (e: unknown) => void };
  private readonly done = new Promise<JobResult>((resolve, reject) => (this.settle = { resolve, reject }));
  constructor(readonly id: string) {
    super();
    this.done.catch(() => {});
  }
  step(progress: number): void {
    this.progress = progress;
    this.dispatchEvent(new Event('progress'));
  }
  finish(outcome: Exclude<Outcome, 'hold'>): void {
    if ('fail' in outcome) {
      this.status = 'failed';
      this.error = outcome.fail;
      this.settle.reject(new JobFailedError(outcome.fail, []));
    } else {
      this.status = 'done';
      this.settle.resolve({ blob: outcome.output, name: outcome.name, type: 'video/mp4', log: [], quality: null });
    }
  }
  result(): Promise<JobResult> {
    return this.done;
  }
  cancel(): void {
    this.status = 'canceled';
    this.settle.reject(new DOMException('The job was canceled.', 'AbortError'));
  }
}

/** A fake encoder: probe answers from `probes` by file name; each job ends as `outcomes` says. */
function fakeEncoder(probes: Record<string, SourceInfo>, outcomes: Record<string, Outcome>) {
  const jobs: { file: File; preset: unknown; job: FakeJob }[] = [];
  const deleted: string[] = [];
  const probed: string[] = [];
  const encoder = {
    call(file: Blob, preset: unknown) {
      const job = new FakeJob(`job-${jobs.length}`);
      jobs.push({ file: file as File, preset, job });
      const outcome = outcomes[(file as File).name] ?? { fail: 'no outcome' };
      if (outcome !== 'hold') {
        queueMicrotask(() => {
          job.step(0.25);
          job.step(0.75);
          job.finish(outcome);
        });
      }
      return job;
    },
    map: () => [],
    probe(file: Blob) {
      probed.push((file as File).name);
      const info = probes[(file as File).name];
      return info ? Promise.resolve(info) : Promise.reject(new JobFailedError('This is not a video or audio file ffmpeg can read.', []));
    },
    files: { list: () => Promise.resolve([]), get: () => Promise.resolve(undefined), put: () => Promise.reject(new Error('unused')), delete: (id: string) => Promise.resolve(void deleted.push(id)) },
    close: () => Promise.resolve(),
  } as unknown as Encoder;
  return { encoder, jobs, deleted, probed };
}

const h264 = (height: number): SourceInfo => ({ container: 'mov,mp4,m4a,3gp,3g2,mj2', durationSec: 5, video: { codec: 'h264', width: height * 16 / 9, height, displayWidth: height * 16 / 9, displayHeight: height, rotation: 0, fps: 30 }, audio: { codec: 'aac', channels: 2, sampleRate: 48000 } });
const hevc = (height: number): SourceInfo => ({ ...h264(height), video: { ...h264(height).video!, codec: 'hevc' } });

/** An Uppy with the plugin and an uploader that records what it was given. */
function uppyWith(options: ConstructorParameters<typeof FfbatchTranscode>[1]) {
  const uppy = new Uppy<Meta, Body>({ autoProceed: false });
  uppy.use(FfbatchTranscode, options);
  const uploaded: { name: string; type: string; size: number | null; data: Blob; meta: Record<string, unknown> }[] = [];
  uppy.addUploader((fileIDs) => {
    for (const id of fileIDs) {
      const file = uppy.getFile(id);
      if (!file || file.error) continue;
      uploaded.push({ name: file.meta.name, type: String(file.meta.type), size: file.size, data: file.data as Blob, meta: file.meta });
      uppy.emit('upload-success', file, { status: 200, body: {}, uploadURL: `https://bucket/${file.meta.name}` });
    }
    return Promise.resolve();
  });
  const progress: { name: string; mode: string; value?: number; message?: string }[] = [];
  uppy.on('preprocess-progress', (file, p) => progress.push({ name: file?.name ?? '', mode: p.mode, ...(p.value !== undefined ? { value: p.value } : {}), ...(p.message ? { message: p.message } : {}) }));
  const infos: string[] = [];
  uppy.on('info-visible', () => infos.push(uppy.getState().info.map((i) => i.message).join(' | ')));
  return { uppy, uploaded, progress, infos };
}

function add(uppy: Uppy<Meta, Body>, name: string, type: string, bytes = 1000): string {
  return uppy.addFile({ name, type, data: new File([new Uint8Array(bytes).fill(7)], name, { type }) });
}

describe('FfbatchTranscode (ffbatch/uppy)', () => {
  it('transcodes the videos the default filter picks, replaces their data, name, type and size, and keeps the originals in meta', async () => {
    const out = new Blob([new Uint8Array(300).fill(1)], { type: 'video/mp4' });
    const { encoder, jobs, deleted, probed } = fakeEncoder(
      { 'phone.mp4': hevc(1080), 'small.mp4': h264(480), 'big.mp4': h264(1080) },
      { 'holiday.avi': { output: out, name: 'holiday.mp4' }, 'phone.mp4': { output: out, name: 'phone.mp4' }, 'big.mp4': { output: out, name: 'big.mp4' } },
    );
    const { uppy, uploaded, progress } = uppyWith({ preset: 'mp4-h264-720p', encoder });
    add(uppy, 'holiday.avi', 'video/x-msvideo', 5000);
    add(uppy, 'phone.mp4', 'video/mp4', 4000);
    add(uppy, 'small.mp4', 'video/mp4', 2000);
    add(uppy, 'big.mp4', 'video/mp4', 3000);
    add(uppy, 'photo.png', 'image/png', 1234);
    const result = await uppy.upload();

    // The AVI is not probed (not an MP4); an H.264/AAC MP4 of 480 lines is within 720p and goes up as it is.
    expect(probed.sort()).toEqual(['big.mp4', 'phone.mp4', 'small.mp4']);
    expect(jobs.map((j) => [j.file.name, j.preset])).toEqual([
      ['holiday.avi', 'mp4-h264-720p'],
      ['phone.mp4', 'mp4-h264-720p'],
      ['big.mp4', 'mp4-h264-720p'],
    ]);
    expect(result?.failed).toEqual([]);
    const byName = Object.fromEntries(uploaded.map((u) => [u.name, u]));
    expect(Object.keys(byName).sort()).toEqual(['big.mp4', 'holiday.mp4', 'phone.mp4', 'photo.png', 'small.mp4']);
    expect(byName['holiday.mp4']).toMatchObject({ type: 'video/mp4', size: 300, meta: { originalName: 'holiday.avi', originalSize: 5000 } });
    expect(byName['holiday.mp4']!.data.size).toBe(300);
    expect(byName['phone.mp4']).toMatchObject({ size: 300, meta: { originalName: 'phone.mp4', originalSize: 4000 } });
    expect(byName['small.mp4']).toMatchObject({ size: 2000 });
    expect(byName['small.mp4']!.meta['originalName']).toBeUndefined();
    expect(byName['photo.png']).toMatchObject({ type: 'image/png', size: 1234 });
    // Determinate progress with a message, for each transcoded file, rising to the job's last value.
    const avi = progress.filter((p) => p.name === 'holiday.avi' && p.mode === 'determinate');
    expect(avi.map((p) => p.value)).toEqual([0, 0.25, 0.75]);
    expect(avi[0]?.message).toBe('Converting the video on this device…');
    expect(progress.some((p) => p.name === 'photo.png')).toBe(false);
    // Uploaded outputs are not kept in the visitor's storage.
    expect(deleted.sort()).toEqual(['job-0', 'job-1', 'job-2']);
  });

  it('a file that cannot be converted shows the job sentence and fails alone; with keepOriginalOnFailure it goes up as it was', async () => {
    const out = new Blob([new Uint8Array(300)], { type: 'video/mp4' });
    const sentence = 'ffmpeg could not read this file: it is damaged or cut short.';
    for (const keepOriginalOnFailure of [false, true]) {
      const { encoder } = fakeEncoder({}, { 'broken.mov': { fail: sentence }, 'good.avi': { output: out, name: 'good.mp4' } });
      const { uppy, uploaded, infos } = uppyWith({ preset: 'mp4-h264-720p', encoder, keepOriginalOnFailure });
      add(uppy, 'broken.mov', 'video/quicktime', 999);
      add(uppy, 'good.avi', 'video/x-msvideo');
      const result = await uppy.upload();
      expect(infos.join('\n')).toContain(`broken.mov could not be converted: ${sentence}`);
      if (keepOriginalOnFailure) {
        expect(uploaded.map((u) => [u.name, u.size]).sort()).toEqual([['broken.mov', 999], ['good.mp4', 300]]);
        expect(result?.failed).toEqual([]);
      } else {
        expect(uploaded.map((u) => u.name)).toEqual(['good.mp4']);
        expect(result?.failed?.map((f) => [f.name, f.error])).toEqual([['broken.mov', sentence]]);
      }
    }
  });

  it('removing a file while it converts cancels its job; the others go on', async () => {
    const out = new Blob([new Uint8Array(300)], { type: 'video/mp4' });
    const { encoder, jobs } = fakeEncoder({}, { 'long.avi': 'hold', 'short.avi': { output: out, name: 'short.mp4' } });
    const { uppy, uploaded } = uppyWith({ preset: 'mp4-h264-720p', encoder });
    const long = add(uppy, 'long.avi', 'video/x-msvideo');
    add(uppy, 'short.avi', 'video/x-msvideo');
    const upload = uppy.upload();
    await expect.poll(() => jobs.length).toBe(2);
    uppy.removeFile(long);
    await upload;
    expect(jobs[0]!.job.status).toBe('canceled');
    expect(uploaded.map((u) => u.name)).toEqual(['short.mp4']);
  });

  it('a filter of the site decides alone; Cancel all cancels every job; bad options are TypeErrors naming the field', async () => {
    const { encoder, jobs, probed } = fakeEncoder({}, { 'a.avi': 'hold', 'b.png': 'hold' });
    const { uppy } = uppyWith({ preset: 'webm-vp9-720p', encoder, filter: (file: UppyFile<Meta, Body>) => file.name !== 'c.avi' });
    add(uppy, 'a.avi', 'video/x-msvideo');
    add(uppy, 'b.png', 'image/png');
    add(uppy, 'c.avi', 'video/x-msvideo');
    const upload = uppy.upload();
    await expect.poll(() => jobs.length).toBe(2);
    expect(jobs.map((j) => j.file.name)).toEqual(['a.avi', 'b.png']);
    expect(probed).toEqual([]);
    uppy.cancelAll();
    await upload.catch(() => {});
    expect(jobs.map((j) => j.job.status)).toEqual(['canceled', 'canceled']);

    expect(() => new Uppy().use(FfbatchTranscode, {} as never)).toThrow(/options\.preset/);
    expect(() => new Uppy().use(FfbatchTranscode, { preset: 'mp3-audio', limit: 0 })).toThrow(/options\.limit/);
  });
});
