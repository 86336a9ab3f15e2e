/**
 * The library API (issue 10): `createEncoder()` → `call` / `map` / job handles / `files` / `close`.
 * A thin layer over the page's own model (Batch), built by createBatch like the page's.
 */
import { checkEdits, type Edits } from '../presets/edits';
import type { Batch } from '../session/batch';
import { JobFailedError } from '../jobs/errors';
import { abortError, abortReason, isAbortError, throwIfAborted } from '../shared/abort';
import { isFinished, type Job } from '../jobs/job';
import type { OutputQuality } from '../jobs/score-output';
import type { CompareView } from '../jobs/compare-job';
import { checkCustomArgs, containerById, customPresetShape, slugOf } from '../presets/custom-preset';
import { checkOutputSpec, type OutputSpec } from '../presets/output-spec';
import { addCustomPresets, isPresetId, presetById, presetFromSpec, SPEC_EXTENSIONS, type CustomPresetId, type PresetId } from '../presets/presets';
import { explainFailure } from '../jobs/ffmpeg-log';
import { workerInputName } from '../jobs/source';
import { describeSource, type SourceInfo } from '../presets/source-info';
import type { OutputStore } from '../storage/output-store';
import type { OutputRecord } from '../storage/records';
import { bundledWorker, checkCommonOptions, createBatch, workerAt, workerURLAt, type BatchParts } from './create-batch';

/**
 * Options of {@link createEncoder}.
 *
 * @example
 * ```ts
 * createEncoder({ workers: 2, engine: 'ffmpeg', assetsURL: '/static/ffbatch/' });
 * ```
 */
export interface EncoderOptions {
  /** Encode workers, at least 1; default one per core (fewer on devices with little memory). */
  workers?: number;
  /**
   * Where the library's assets (`ffmpeg.worker.js`, the ffmpeg core's `.js` and `.wasm`) are
   * served from, e.g. `'/ffbatch/'`: on the page's own origin, since browsers start a worker
   * only from there. Default: next to the library module.
   */
  assetsURL?: string | URL;
  /** `'auto'` (default): the browser's own encoders (WebCodecs) where they can, else ffmpeg.wasm; `'ffmpeg'`: ffmpeg.wasm only. */
  engine?: 'auto' | 'ffmpeg';
  /** Advanced and for tests: makes one ffmpeg worker (overrides `assetsURL`). */
  createWorker?: () => Worker;
  /** Prefix of the IndexedDB databases holding the outputs; default `ffbatch` (the page's own). */
  storeName?: string;
}

/**
 * A preset of your own: a container and ffmpeg arguments written as on a command line
 * between the input and the output. Checked as the page's form checks it (no `-i`, no
 * output path, no filters that open files).
 *
 * @example
 * ```ts
 * encoder.call(file, { name: 'Small 360p', container: 'mp4', args: '-c:v libx264 -crf 28 -vf scale=-2:360 -c:a aac -b:a 96k' });
 * ```
 */
export interface CustomPresetInput {
  name: string;
  /** `mp4`, `mov`, `mkv`, `webm`, `flv`, `avi`, `mp3`, `m4a`, `ogg`, `opus`, `wav` or `flac`. */
  container: string;
  args: string;
}

/**
 * A built-in preset id (see `PRESETS`), an output spec (checked: a `TypeError` names the
 * field at fault), or a preset of your own as ffmpeg arguments.
 *
 * @example
 * ```ts
 * const presets: PresetChoice[] = [
 *   'mp3-audio',
 *   { container: 'mp4', video: { codec: 'h264', maxHeight: 720, rate: { kind: 'size', bytes: 25_000_000 } }, audio: { codec: 'aac', bitrate: 96_000 }, faststart: true },
 *   { name: 'Tiny', container: 'webm', args: '-c:v libvpx-vp9 -crf 40 -b:v 0 -c:a libopus' },
 * ];
 * ```
 */
export type PresetChoice = PresetId | CustomPresetInput | OutputSpec;

/**
 * The state of a job, as `job.status` says it.
 *
 * @example
 * ```ts
 * job.addEventListener('statechange', () => { if (job.status === 'done') notify(); });
 * ```
 */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'canceled';

/**
 * What `job.result()` resolves to.
 *
 * @example
 * ```ts
 * const { blob, name } = await job.result();
 * Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: name }).click();
 * ```
 */
export interface JobResult {
  /** The output, stored in IndexedDB (also listed by `encoder.files`). */
  blob: Blob;
  /** File name, after the source's (`holiday.avi` → `holiday.mp4`). */
  name: string;
  /** MIME type, e.g. `video/mp4`. */
  type: string;
  /** ffmpeg's log of the job. */
  log: string[];
  /** Video outputs: PSNR (dB) and SSIM against the source over the sampled frames; null where not measured. */
  quality: OutputQuality | null;
}

/**
 * `{ signal }`: an AbortSignal that stops the call (it then rejects with an AbortError DOMException).
 *
 * @example
 * ```ts
 * const jobs = encoder.map(files, ['mp3-audio'], { signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface SignalOption {
  signal?: AbortSignal;
}

/**
 * A call's options: a signal, and the edits the job makes of the file (trim, crop, rotate,
 * flip, audioTrack, subtitles; see `Edits`), checked with TypeErrors naming the field.
 *
 * @example
 * ```ts
 * encoder.call(file, 'mp4-h264-720p', { trim: { start: 12, end: 100 }, crop: { width: 1920, height: 800, x: 0, y: 140 } });
 * ```
 */
export interface CallOptions extends SignalOption, Edits {}

/**
 * One encode. An EventTarget: `progress` while it runs, `statechange` on every change of `status`.
 *
 * @example
 * ```ts
 * const job = encoder.call(file, 'mp3-audio');
 * job.addEventListener('progress', () => (label.textContent = `${Math.round(job.progress * 100)} %, ${job.eta ?? '?'} s left`));
 * cancelButton.onclick = () => job.cancel();
 * ```
 */
export interface EncoderJob extends EventTarget {
  readonly id: string;
  readonly status: JobStatus;
  /** 0..1. */
  readonly progress: number;
  /** Times real time, while running; null before the encoder says. */
  readonly speed: number | null;
  /** Seconds left, estimated; null until there is enough to go on. */
  readonly eta: number | null;
  /** The sentence saying why, once failed. */
  readonly error: string | null;
  result(options?: SignalOption): Promise<JobResult>;
  cancel(): void;
  addEventListener(type: 'progress' | 'statechange', listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

/**
 * The stored outputs (IndexedDB), the API's `files`.
 *
 * @example
 * ```ts
 * for (const record of await encoder.files.list()) console.log(record.outputName, record.outputSize);
 * const blob = await encoder.files.get(job.id);
 * ```
 */
export interface EncoderFiles {
  /** Every stored output's record (not its bytes), oldest first. */
  list(): Promise<OutputRecord[]>;
  /** A stored output's bytes, or undefined. */
  get(id: string): Promise<Blob | undefined>;
  /** Stores a Blob of your own under `name`; resolves to its record (its `id` for `get`/`delete`). */
  put(name: string, blob: Blob): Promise<OutputRecord>;
  /** Removes a stored output (record and bytes). */
  delete(id: string): Promise<void>;
}

/**
 * What {@link createEncoder} returns.
 *
 * @example
 * ```ts
 * const encoder: Encoder = createEncoder();
 * const results = await Promise.all(encoder.map(files, ['mp4-h264-480p']).map((job) => job.result()));
 * await encoder.close();
 * ```
 */
export interface Encoder {
  /** One job: `file` encoded with `preset`. */
  call(file: Blob, preset: PresetChoice, options?: CallOptions): EncoderJob;
  /** Every (file × preset) pair, file by file. */
  map(files: Iterable<Blob>, presets: Iterable<PresetChoice>, options?: CallOptions): EncoderJob[];
  /**
   * What ffprobe finds in `file` (container, video and audio codecs, size, duration), read in a
   * worker without encoding anything; rejects with a JobFailedError and a sentence when it is
   * not a video or audio file ffmpeg can read. For deciding whether a file needs a job at all.
   */
  probe(file: Blob, options?: SignalOption): Promise<SourceInfo>;
  readonly files: EncoderFiles;
  /**
   * A finished video job's frame at `at` seconds beside its source's frame of the same instant
   * (scaled to the output's size, as the score's reference is), as ImageBitmaps, with that
   * pair's PSNR (dB) and SSIM; the frame shown is the output's frame at or after `at`. Rejects
   * with a JobFailedError and a sentence when there is nothing to compare (an unfinished or
   * audio-only job, a source no longer held).
   *
   * @example
   * ```ts
   * const job = encoder.call(file, 'mp4-h264-720p');
   * await job.result();
   * const view = await encoder.compare(job, { at: 2.5 });
   * canvas.getContext('2d')?.drawImage(view.source, 0, 0);
   * console.log(`${view.psnr.toFixed(1)} dB at ${view.at.toFixed(2)} s`);
   * ```
   */
  compare(job: EncoderJob | string, options: { at: number } & SignalOption): Promise<CompareView>;
  /** Cancels every unfinished job and ends every worker. */
  close(): Promise<void>;
}

/** The AbortError's message when the caller's signal stops `result()` (the job runs on). */
const WAIT_STOPPED = 'Waiting for the job was stopped.';

const STATUSES = new Set<string>(['queued', 'running', 'done', 'failed', 'canceled']);

class JobHandle extends EventTarget implements EncoderJob {
  private job: Job | null = null;
  /** The batch holding the job, once it does: cancel() then acts at once. */
  private batch: Batch | null = null;
  private lastStatus: JobStatus = 'queued';
  private lastProgress = 0;
  private readonly ended: Promise<void>;
  private end!: () => void;
  /** Canceled before the batch had it. */
  private canceledEarly = false;

  constructor(
    readonly id: string,
    private readonly parts: Promise<BatchParts>,
    /** Why the encoder's worker could not start, once one could not. */
    private readonly loadProblem: () => string | null,
  ) {
    super();
    this.ended = new Promise((resolve) => (this.end = resolve));
  }

  get status(): JobStatus {
    if (this.canceledEarly) return 'canceled';
    const state = this.job?.state;
    return state && STATUSES.has(state) ? (state as JobStatus) : 'queued';
  }

  get progress(): number {
    return this.job?.progress ?? 0;
  }

  get speed(): number | null {
    return this.job?.speed ?? null;
  }

  get eta(): number | null {
    return this.job?.etaSec ?? null;
  }

  get error(): string | null {
    return siteOwnerSentence(this.job?.error ?? null, this.loadProblem());
  }

  /** Called with the batch's job on each change of one of its fields. */
  update(job: Job, batch: Batch): void {
    this.job = job;
    this.batch = batch;
    if (job.progress !== this.lastProgress) {
      this.lastProgress = job.progress;
      this.dispatchEvent(new Event('progress'));
    }
    const status = this.status;
    if (status !== this.lastStatus) {
      this.lastStatus = status;
      this.dispatchEvent(new Event('statechange'));
    }
    if (isFinished(job)) this.end();
  }

  cancelEarly(): void {
    this.canceledEarly = true;
    this.lastStatus = 'canceled';
    this.dispatchEvent(new Event('statechange'));
    this.end();
  }

  cancel(): void {
    if (this.status === 'done' || this.status === 'failed' || this.status === 'canceled') return;
    if (!this.job) {
      this.cancelEarly();
      return;
    }
    // Synchronous once the batch has the job, so `status` reads 'canceled' right after cancel().
    if (this.batch) this.batch.cancel(this.id);
    else void this.parts.then(({ batch }) => batch.cancel(this.id));
  }

  async result(options: SignalOption = {}): Promise<JobResult> {
    const { signal } = options;
    if (signal) throwIfAborted(signal, WAIT_STOPPED);
    if (signal) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(abortReason(signal, WAIT_STOPPED));
        signal.addEventListener('abort', onAbort, { once: true });
        void this.ended.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    } else {
      await this.ended;
    }
    const job = this.job;
    if (this.status === 'canceled' || !job) throw abortError();
    if (job.state === 'failed') throw new JobFailedError(this.error ?? 'The job failed.', [...job.log]);
    const { store } = await this.parts;
    const [blob, record] = await Promise.all([store.getBlob(job.id), store.getRecord(job.id)]);
    if (!blob) throw new JobFailedError('The output is no longer stored (it was deleted).', [...job.log]);
    return { blob, name: job.outputName, type: record?.mimeType ?? blob.type, log: [...job.log], quality: record?.quality ?? job.quality ?? null };
  }
}

/**
 * Makes an encoder: a pool of ffmpeg.wasm workers (plus the browser's own encoders where
 * they can), outputs kept in IndexedDB. Workers start on the first job.
 *
 * @example
 * ```ts
 * import { createEncoder } from 'ffbatch';
 * const encoder = createEncoder({ workers: 2 });
 * const job = encoder.call(input.files[0], 'mp4-h264-720p');
 * job.addEventListener('progress', () => (bar.value = job.progress));
 * const { blob, name } = await job.result();
 * await encoder.close();
 * ```
 */
export function createEncoder(options: EncoderOptions = {}): Encoder {
  checkCommonOptions(options);
  let workerProblem: string | null = null;
  const workerPlace = options.assetsURL !== undefined ? workerURLAt(options.assetsURL).href : 'beside the library (lib/ffmpeg.worker.js)';
  const createWorker = watchWorkerStart(options.createWorker ?? (options.assetsURL !== undefined ? workerAt(options.assetsURL) : bundledWorker), () => {
    workerProblem = `ffbatch could not start its worker from ${workerPlace}: serve lib/ there, or set assetsURL.`;
  });
  const parts = createBatch({
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    createWorker,
    ...(options.storeName ? { storeName: options.storeName } : {}),
    engineMode: options.engine ?? 'auto',
  });
  const handles = new Map<string, JobHandle>();
  void parts.then(({ batch }) =>
    batch.subscribe((event) => {
      if (event.type === 'job-changed') handles.get(event.job.id)?.update(event.job, batch);
    }),
  );
  let closed = false;

  /** `fieldOf` names a preset in errors: `preset` for call(), `presets[i]` for map(). */
  const start = (files: Blob[], presets: PresetChoice[], callOptions: CallOptions, fieldOf: (i: number) => string): JobHandle[] => {
    if (closed) throw new Error('This encoder is closed: make another with createEncoder().');
    const { signal, ...editFields } = callOptions;
    if (signal) throwIfAborted(signal);
    const edits = checkEdits(editFields, 'options');
    const presetIds = presets.map((preset, i) => presetIdOf(preset, fieldOf(i)));
    const keyed = files.map((file) => ({ file: asFile(file), ids: presetIds.map(() => crypto.randomUUID()) }));
    const made = keyed.flatMap(({ ids }) => ids.map((id) => new JobHandle(id, parts, () => workerProblem)));
    for (const handle of made) handles.set(handle.id, handle);
    void parts.then(({ batch }) => enqueue(batch, keyed, presetIds, made, edits));
    signal?.addEventListener('abort', () => made.forEach((h) => h.cancel()), { once: true });
    return made;
  };

  const enqueue = (batch: Batch, keyed: { file: File; ids: string[] }[], presetIds: PresetId[], made: JobHandle[], edits: Edits): void => {
    const sources = batch.addFiles(keyed.map(({ file }) => ({ file })));
    for (const source of sources) batch.setEdits(source.id, edits);
    const idOf = new Map<string, string>();
    sources.forEach((source, i) => presetIds.forEach((presetId, j) => idOf.set(`${source.id} ${presetId}`, keyed[i]?.ids[j] ?? crypto.randomUUID())));
    const wanted = made.filter((h) => h.status !== 'canceled');
    const jobs = batch.encode(presetIds, { sourceIds: sources.map((s) => s.id), makeId: (sourceId, presetId) => idOf.get(`${sourceId} ${presetId}`) ?? crypto.randomUUID() });
    for (const job of jobs) {
      const handle = handles.get(job.id);
      if (!handle) continue;
      if (!wanted.includes(handle)) batch.cancel(job.id);
      handle.update(job, batch);
    }
  };

  return {
    call(file, preset, callOptions = {}) {
      checkBlob(file, 'file');
      const [job] = start([file], [preset], callOptions, () => 'preset');
      if (!job) throw new Error('No job was made.');
      return job;
    },
    map(files, presets, mapOptions = {}) {
      if (!isIterable(files)) throw new TypeError('files must be an array (or iterable) of Files or Blobs.');
      if (!isIterable(presets)) throw new TypeError('presets must be an array (or iterable) of preset ids or custom presets.');
      const fileList = [...files];
      fileList.forEach((file, i) => checkBlob(file, `files[${i}]`));
      return start(fileList, [...presets], mapOptions, (i) => `presets[${i}]`);
    },
    async probe(file, probeOptions = {}) {
      checkBlob(file, 'file');
      const name = asFile(file).name;
      const { probePool } = await parts;
      let probed;
      try {
        probed = await probePool.probe({ name: workerInputName(name), data: file }, probeOptions.signal);
      } catch (error) {
        if (isAbortError(error)) throw error;
        const sentence = siteOwnerSentence(`The file could not be examined: ${error instanceof Error ? error.message : String(error)}`, workerProblem);
        throw new JobFailedError(sentence ?? 'The file could not be examined.', []);
      }
      if (!probed.report) throw new JobFailedError(explainFailure(probed.log, 1, name), [...probed.log]);
      return describeSource(probed.report);
    },
    async compare(job, compareOptions) {
      const id = typeof job === 'string' ? job : job?.id;
      if (typeof id !== 'string') throw new TypeError('compare(job, { at }) takes a job from call() or map(), or its id.');
      const at = compareOptions?.at;
      if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw new TypeError(`compare(job, { at }): at must be seconds from the start (a number ≥ 0); got ${String(at)}.`);
      compareOptions.signal?.throwIfAborted();
      const { batch } = await parts;
      const view = await batch.compare(id, at, compareOptions.signal);
      if (typeof view === 'string') throw new JobFailedError(view, []);
      return view;
    },
    files: {
      list: async () => (await parts).store.list(),
      get: async (id) => (await parts).store.getBlob(id),
      put: async (name, blob) => putFile((await parts).store, name, blob),
      delete: async (id) => (await parts).batch.deleteJob(id),
    },
    async close() {
      closed = true;
      const { encodePool, probePool } = await parts;
      for (const handle of handles.values()) handle.cancel();
      await Promise.all([...handles.values()].map((h) => h.result().catch(() => {})));
      encodePool.terminateAll();
      probePool.terminateAll();
    },
  };
}

/** What the page's job model says of a core or worker that did not load ("The file could not be examined: The encoder crashed: ffbatch could not load …"), said for the site's owner. */
function siteOwnerSentence(error: string | null, workerProblem: string | null): string | null {
  if (error === null) return null;
  const at = error.indexOf('ffbatch could not load its ffmpeg core');
  if (at >= 0) return error.slice(at);
  if (workerProblem && /The encoder's worker crashed\.?$/.test(error)) return workerProblem;
  return error;
}

/**
 * Calls `onNoStart` when a worker fails before it ever answered (its script could not be
 * fetched or run: a network error event carries no message), not when a running one dies.
 */
function watchWorkerStart(make: () => Worker, onNoStart: () => void): () => Worker {
  return () => {
    const worker = make();
    let answered = false;
    worker.addEventListener('message', () => (answered = true), { once: true });
    worker.addEventListener('error', (event) => {
      if (!answered && !event.message) onNoStart();
    });
    return worker;
  };
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

function checkBlob(value: unknown, field: string): asserts value is Blob {
  if (!(value instanceof Blob)) throw new TypeError(`${field} must be a File or a Blob.`);
}

/** A Blob without a name becomes a File named `input` (the output is named after it). */
function asFile(blob: Blob): File {
  return blob instanceof File ? blob : new File([blob], 'input', { type: blob.type });
}

/** A preset id, checked; a custom preset object is checked and made known to the engine. */
function presetIdOf(preset: unknown, field: string): PresetId {
  if (typeof preset === 'string') {
    if (!isPresetId(preset)) throw new TypeError(`${field} must be a preset id of PRESETS or a custom preset object (got "${preset}").`);
    return preset;
  }
  if (typeof preset !== 'object' || preset === null) throw new TypeError(`${field} must be a preset id (string), an output spec or a custom preset object.`);
  if (!('args' in preset)) return specPresetId(checkOutputSpec(preset, field));
  const { name, container, args } = preset as Partial<CustomPresetInput>;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError(`${field}.name must be a non-empty string.`);
  if (typeof container !== 'string' || !containerById(container)) throw new TypeError(`${field}.container must be a container id such as 'mp4' (got ${JSON.stringify(container)}).`);
  if (typeof args !== 'string') throw new TypeError(`${field}.args must be a string of ffmpeg arguments.`);
  const words = checkCustomArgs(args);
  const slug = slugOf(name) || 'preset';
  const id: CustomPresetId = `custom-api-${slug}-${hashOf(`${container} ${args}`)}`;
  const now = Date.now();
  // Outputs are named after the preset's name (`holiday-small-360p.mp4`), not its internal id.
  addCustomPresets([{ ...customPresetShape({ id, name, container, argsText: args, args: words, createdAt: now, updatedAt: now }), nameSuffix: slug }]);
  presetById(id);
  return id;
}

/** An output spec given to the library: a preset of its own for the page's life, named after what it makes. */
function specPresetId(spec: OutputSpec): PresetId {
  const key = JSON.stringify(spec);
  const id: CustomPresetId = `custom-spec-${hashOf(key)}`;
  if (!isPresetId(id)) {
    const video = typeof spec.video === 'object' && spec.video ? spec.video : null;
    const suffix = video ? `${video.codec}${video.maxHeight ?? ''}` : spec.container;
    addCustomPresets([
      presetFromSpec({ id, group: 'own', label: `${spec.container.toUpperCase()} (spec)`, summary: key, extension: SPEC_EXTENSIONS[spec.container], nameSuffix: suffix, relativeCost: 6, spec }),
    ]);
  }
  return id;
}

function hashOf(text: string): string {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return (hash >>> 0).toString(36);
}

async function putFile(store: OutputStore, name: string, blob: Blob): Promise<OutputRecord> {
  if (typeof name !== 'string' || name === '') throw new TypeError('name must be a non-empty string.');
  checkBlob(blob, 'blob');
  const now = Date.now();
  const record: OutputRecord = {
    id: crypto.randomUUID(),
    sourceName: name,
    sourceSize: blob.size,
    sourceLastModified: blob instanceof File ? blob.lastModified : now,
    // Not made by a preset: the id says so (the page never shows these records' presets).
    presetId: 'custom-files-put',
    outputName: name,
    outputSize: blob.size,
    mimeType: blob.type,
    startedAt: now,
    endedAt: now,
    exitCode: 0,
    logTail: [],
  };
  await store.put(record, blob);
  return record;
}
