import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEncoder, JobFailedError, PRESETS, upload, type Encoder, type EncoderJob } from '../../src/index';
import { BAD_SIZE, Lab, mp3 } from '../support/fake-ffmpeg-workers';

let storeNumber = 0;
let lab = new Lab();
let encoder: Encoder | null = null;

function makeEncoder(workers = 2): Encoder {
  storeNumber++;
  encoder = createEncoder({ workers, engine: 'ffmpeg', createWorker: lab.createWorker, storeName: `api-test-${storeNumber}` });
  return encoder;
}

/** Every `statechange` of a job, as the statuses seen. */
function statuses(job: EncoderJob): string[] {
  const seen: string[] = [];
  job.addEventListener('statechange', () => seen.push(job.status));
  return seen;
}

beforeAll(() => {
  // Node has no navigator before v21: no OPFS scratch, no storage estimate (as in an old browser).
  if (typeof navigator === 'undefined') vi.stubGlobal('navigator', {});
});

afterEach(async () => {
  await encoder?.close();
  encoder = null;
  for (const worker of lab.workers) worker.terminate();
  lab = new Lab();
});

describe('createEncoder: arguments', () => {
  it('refuses workers < 1, an unknown engine, an unknown preset and a non-Blob with TypeErrors naming the field', () => {
    // Each: a TypeError (not a plain Error) whose message starts with the field's name.
    const typeError = (run: () => unknown, field: RegExp): void => {
      expect(run).toThrow(TypeError);
      expect(run).toThrow(field);
    };
    typeError(() => createEncoder({ workers: 0 }), /^options\.workers/);
    typeError(() => createEncoder({ workers: -2 }), /^options\.workers/);
    typeError(() => createEncoder({ workers: 1.5 }), /^options\.workers/);
    typeError(() => createEncoder({ engine: 'gpu' as 'auto' }), /^options\.engine/);
    const enc = makeEncoder();
    typeError(() => enc.call(mp3(), 'mp4-h265' as 'mp3-audio'), /^preset must be a preset id.*mp4-h265/);
    typeError(() => enc.map([mp3()], ['mp3-audio', 'mp4-h265' as 'mp3-audio']), /^presets\[1\] must be a preset id.*mp4-h265/);
    typeError(() => enc.call('song.mp3' as unknown as File, 'mp3-audio'), /^file must be a File or a Blob/);
    typeError(() => enc.map([mp3(), 42 as unknown as File], ['mp3-audio']), /^files\[1\] must be a File or a Blob/);
    typeError(() => enc.call(mp3(), { name: 'x', container: 'exe', args: '-c:a copy' }), /^preset\.container/);
    expect(lab.runs).toHaveLength(0);
  });

  it('upload refuses a non-Blob and options without endpoint or url with TypeErrors naming the field, before any request', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    await expect(upload('clip.mp4' as unknown as Blob, { endpoint: 'https://sign.example.com' })).rejects.toThrow(/^blob must be a File or a Blob/);
    await expect(upload(new Blob(['x']), {} as { url: string })).rejects.toThrow(/^options\.endpoint or options\.url/);
    await expect(upload(new Blob(['x']), { endpoint: 'https://sign.example.com', name: '' })).rejects.toThrow(/^options\.name/);
    await expect(upload(new Blob(['x']), { url: '' })).rejects.toBeInstanceOf(TypeError);
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('exports the built-in presets', () => {
    expect(PRESETS.map((p) => p.id)).toContain('mp3-audio');
  });
});

describe('createEncoder: jobs', () => {
  it('call: queued → running → done, with progress events, and result() gives the stored blob, name, type and log', async () => {
    const enc = makeEncoder();
    const job = enc.call(mp3('holiday.wav'), 'mp3-audio');
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.status).toBe('queued');
    const seen = statuses(job);
    const progress: number[] = [];
    job.addEventListener('progress', () => progress.push(job.progress));

    const [run] = await lab.runsStarted(1);
    expect(run?.request.args).toContain('libmp3lame');
    expect(job.status).toBe('running');
    run?.log(['size=  100kB time=00:00:05.00 bitrate= 160.0kbits/s speed=2.50x']);
    await vi.waitFor(() => expect(job.progress).toBeCloseTo(0.5, 2));
    expect(job.speed).toBe(2.5);
    run?.finish();

    const result = await job.result();
    expect(seen).toEqual(['running', 'done']);
    expect(progress.at(-1)).toBe(1);
    expect(result.name).toBe('holiday.mp3');
    expect(result.type).toBe('audio/mpeg');
    expect(result.blob.size).toBe(4);
    expect(result.log.join('\n')).toContain('time=00:00:05.00');
    expect(job.status).toBe('done');
  });

  it('map: one job per (file × preset), file by file, each named apart', async () => {
    const enc = makeEncoder(4);
    const jobs = enc.map([mp3('a.wav'), mp3('b.wav')], ['mp3-audio', { name: 'Low', container: 'mp3', args: '-c:a libmp3lame -b:a 64k' }]);
    expect(jobs).toHaveLength(4);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(4);
    const runs = await lab.runsStarted(4);
    expect(runs.filter((r) => r.request.args.includes('64k'))).toHaveLength(2);
    runs.forEach((r) => r.finish());
    const names = (await Promise.all(jobs.map((j) => j.result()))).map((r) => r.name);
    // Two MP3s of one source: a short preset suffix tells them apart.
    expect(names.slice(0, 2)).toEqual(['a-audio.mp3', 'a-low.mp3']);
    expect(names[2]).toMatch(/^b/);
  });

  it('a file that is not media fails its own job: result() rejects with JobFailedError, its sentence and the log', async () => {
    const enc = makeEncoder();
    const [bad, good] = enc.map([mp3('bad.bin', BAD_SIZE), mp3('good.wav')], ['mp3-audio']);
    if (!bad || !good) throw new Error('two jobs expected');
    const error: unknown = await bad.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).message).toMatch(/^This is not a video or audio file/);
    expect(bad.status).toBe('failed');
    expect(bad.error).toBe((error as JobFailedError).message);
    const [run] = await lab.runsStarted(1);
    run?.finish();
    await expect(good.result()).resolves.toMatchObject({ name: 'good.mp3' });
  });

  it('an encode that fails rejects result() with JobFailedError carrying ffmpeg’s log', async () => {
    const enc = makeEncoder(1);
    const job = enc.call(mp3(), 'mp3-audio');
    const [run] = await lab.runsStarted(1);
    run?.fail(1, ['Unknown encoder libmp3lame']);
    const error = (await job.result().catch((e: unknown) => e)) as JobFailedError;
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.log.join('\n')).toContain('Unknown encoder');
  });

  it('cancel() of a running job: status canceled, result() rejects with an AbortError DOMException', async () => {
    const enc = makeEncoder();
    const job = enc.call(mp3(), 'mp3-audio');
    const seen = statuses(job);
    await lab.runsStarted(1);
    job.cancel();
    const error: unknown = await job.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(job.status).toBe('canceled');
    expect(seen).toEqual(['running', 'canceled']);
  });

  it('cancel() at once, and a signal that fires, stop jobs before any run', async () => {
    const enc = makeEncoder(1);
    const first = enc.call(mp3(), 'mp3-audio');
    first.cancel();
    expect(first.status).toBe('canceled');
    const controller = new AbortController();
    const second = enc.call(mp3(), 'mp3-audio', { signal: controller.signal });
    controller.abort();
    await expect(first.result()).rejects.toMatchObject({ name: 'AbortError' });
    await expect(second.result()).rejects.toMatchObject({ name: 'AbortError' });
    expect(lab.runs).toHaveLength(0);
  });

  it('result({ signal: AbortSignal.timeout() }) rejects with an AbortError DOMException, not the TimeoutError', async () => {
    const enc = makeEncoder();
    const job = enc.call(mp3(), 'mp3-audio');
    await lab.runsStarted(1);
    const error: unknown = await job.result({ signal: AbortSignal.timeout(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    // Only the wait stopped: the job runs on.
    expect(job.status).toBe('running');
    const timedOut = AbortSignal.timeout(1);
    await new Promise((resolve) => timedOut.addEventListener('abort', resolve, { once: true }));
    expect((timedOut.reason as DOMException).name).toBe('TimeoutError');
    const late: unknown = await job.result({ signal: timedOut }).catch((e: unknown) => e);
    expect((late as DOMException).name).toBe('AbortError');
    expect(() => enc.call(mp3(), 'mp3-audio', { signal: timedOut })).toThrow(expect.objectContaining({ name: 'AbortError' }) as Error);
  });

  it('result({ signal }) stops waiting without canceling the job', async () => {
    const enc = makeEncoder();
    const job = enc.call(mp3(), 'mp3-audio');
    const controller = new AbortController();
    const waiting = job.result({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    const [run] = await lab.runsStarted(1);
    run?.finish();
    await expect(job.result()).resolves.toMatchObject({ name: 'song.mp3' });
  });
});

describe('createEncoder: files', () => {
  it('list, get, put and delete the stored outputs', async () => {
    const enc = makeEncoder();
    const job = enc.call(mp3('tune.wav'), 'mp3-audio');
    const [run] = await lab.runsStarted(1);
    run?.finish();
    await job.result();
    const mine = await enc.files.put('notes.txt', new Blob(['hello'], { type: 'text/plain' }));
    const list = await enc.files.list();
    expect(list.map((r) => r.outputName).sort()).toEqual(['notes.txt', 'tune.mp3']);
    expect(list.find((r) => r.outputName === 'tune.mp3')?.id).toBe(job.id);
    expect(await (await enc.files.get(mine.id))?.text()).toBe('hello');
    await enc.files.delete(job.id);
    expect((await enc.files.list()).map((r) => r.id)).toEqual([mine.id]);
    expect(await enc.files.get(job.id)).toBeUndefined();
    await expect(enc.files.put('', new Blob([]))).rejects.toThrow(TypeError);
  });

  it('close() cancels unfinished jobs and ends the workers; a closed encoder takes no new job', async () => {
    const enc = makeEncoder();
    const job = enc.call(mp3(), 'mp3-audio');
    await lab.runsStarted(1);
    await enc.close();
    encoder = null;
    expect(job.status).toBe('canceled');
    expect(lab.workers.every((w) => w.terminated)).toBe(true);
    expect(() => enc.call(mp3(), 'mp3-audio')).toThrow(/closed/);
  });
});
