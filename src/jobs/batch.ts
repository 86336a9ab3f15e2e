import { downloadZip } from 'client-zip';
import type { WorkerPool } from '../pool/worker-pool';
import { PRESETS, presetById, PresetMismatchError, type PresetId } from '../presets/presets';
import { describeSource } from '../presets/source-info';
import type { OutputRecord, OutputStore, StorageUsage } from '../storage/output-store';
import type { ScratchSpace } from '../storage/scratch-space';
import type { StorageBudget } from '../storage/storage-budget';
import { createEncodeRunner, type Scratch } from './encode-job';
import type { EngineMode } from './engine-router';
import { explainFailure } from './ffmpeg-log';
import { isFinished, type Job } from './job';
import { outputName, uniqueNames } from './output-names';
import { Scheduler } from './scheduler';
import { DEFAULT_SPLIT_POLICY, type SplitPolicy } from './segment-plan';
import { workerInputName, type Source } from './source';

export interface BatchDeps {
  encodePool: WorkerPool;
  probePool: WorkerPool;
  store: OutputStore;
  /** The workers' OPFS scratch; null where the browser has none (outputs in wasm memory). */
  scratch: (Scratch & Pick<ScratchSpace, 'saveStream'>) | null;
  budget: StorageBudget | null;
  workers: number;
  stallTimeoutMs?: number;
  splitPolicy?: SplitPolicy;
  /** The Engine select's first value (`?engine=`); default Auto. */
  engineMode?: EngineMode;
  /** Test knob `?webcodecsFail=1`: every WebCodecs encode throws after its first progress. */
  webcodecsFail?: boolean;
}

export interface AddedFile {
  file: File;
  /** Path within a dropped folder, when there is one. */
  displayName?: string;
}

type Listener = () => void;

/**
 * The page's model: the sources, the jobs made from them, and the stored outputs.
 * The UI reads it and sends it commands; it knows nothing of the DOM.
 */
export class Batch {
  readonly scheduler: Scheduler;
  private readonly sources = new Map<string, Source>();
  private readonly outputUrls = new Map<string, string>();
  private readonly records = new Map<string, OutputRecord>();
  private readonly listeners = new Set<Listener>();
  private notifyQueued = false;
  /** Jobs whose output was stored in this session and that are not yet announced as done. */
  private readonly storedThisSession = new Set<string>();
  private workerCount: number;
  private mode: EngineMode;
  private onDisk: boolean | null = null;
  /** Told of every output stored in this session (e.g. to upload it at once). */
  onOutputStored: ((job: Job, record: OutputRecord) => void) | null = null;

  constructor(private readonly deps: BatchDeps) {
    this.workerCount = deps.workers;
    this.mode = deps.engineMode ?? 'auto';
    const splitPolicy = deps.splitPolicy ?? DEFAULT_SPLIT_POLICY;
    const runner = createEncodeRunner({
      pool: deps.encodePool,
      store: deps.store,
      scratch: deps.scratch,
      budget: deps.budget,
      probePool: deps.probePool,
      engineMode: () => this.mode,
      ...(deps.webcodecsFail ? { webcodecsFail: true } : {}),
      sourceOf: (id) => this.sources.get(id),
      onStored: (job, record, blob) => {
        // Asked with the first output, when the person has something worth keeping.
        if (this.records.size === 0) void deps.store.persist();
        this.records.set(job.id, record);
        this.outputUrls.set(job.id, URL.createObjectURL(blob));
        this.storedThisSession.add(job.id);
      },
      splitPolicy,
    });
    this.scheduler = new Scheduler(runner, {
      concurrency: deps.workers,
      isReady: (job) => !this.sources.get(job.sourceId)?.probing,
      // A long source on a preset that can be cut asks for every worker, but only when no other
      // job waits: whole jobs side by side keep the cores busy without the cost of joining.
      slotsWanted: (job) => {
        const seconds = this.sources.get(job.sourceId)?.info?.durationSec ?? 0;
        if (!presetById(job.presetId).parts || seconds <= splitPolicy.splitAboveSec) return 1;
        const othersWaiting = this.scheduler.list().some((other) => other.id !== job.id && other.state === 'queued');
        return othersWaiting ? 1 : this.workerCount;
      },
      ...(deps.stallTimeoutMs ? { stallTimeoutMs: deps.stallTimeoutMs } : {}),
    });
    this.scheduler.subscribe((job) => {
      // Told once the job is marked done (not when stored, a moment before), so listeners see it done.
      if (job.state === 'done' && this.storedThisSession.delete(job.id)) {
        const record = this.records.get(job.id);
        if (record) this.onOutputStored?.(job, record);
      }
      this.changed();
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Coalesces bursts of changes (log lines, progress) into one notification per task. */
  changed(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const listener of this.listeners) listener();
    });
  }

  get workers(): number {
    return this.workerCount;
  }

  /** Auto (WebCodecs where the router allows it) or ffmpeg.wasm only; applies to jobs not yet started. */
  get engineMode(): EngineMode {
    return this.mode;
  }

  setEngineMode(mode: EngineMode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.changed();
  }

  /** Whether outputs go to disk (OPFS) or stay in wasm memory (under 2 GB each); null until a core says. */
  get outputsOnDisk(): boolean | null {
    return this.onDisk;
  }

  setOutputsOnDisk(onDisk: boolean): void {
    if (this.onDisk === onDisk) return;
    this.onDisk = onDisk;
    this.changed();
  }

  /**
   * Before Encode: about how many bytes the new jobs' outputs will take, and how much the
   * browser has free for this page (null where it does not say).
   */
  async estimateOutputs(presetIds: readonly PresetId[]): Promise<{ bytes: number; freeBytes: number | null }> {
    const existing = this.scheduler.list();
    let bytes = 0;
    for (const source of this.sources.values()) {
      if (!source.info || source.problem) continue;
      for (const presetId of presetIds) {
        const twin = existing.find((j) => j.sourceId === source.id && j.presetId === presetId);
        if (twin && twin.state !== 'failed' && twin.state !== 'canceled') continue;
        if (sourceProblemFor(source, presetId)) continue;
        bytes += presetById(presetId).estimateBytes(source.info, source.file.size);
      }
    }
    return { bytes, freeBytes: (await this.deps.budget?.freeBytes()) ?? null };
  }

  listSources(): Source[] {
    return [...this.sources.values()];
  }

  /** Jobs, oldest first. */
  listJobs(): Job[] {
    return this.scheduler.list().sort((a, b) => a.queuedAt - b.queuedAt);
  }

  outputUrl(jobId: string): string | undefined {
    return this.outputUrls.get(jobId);
  }

  record(jobId: string): OutputRecord | undefined {
    return this.records.get(jobId);
  }

  /** Brings back every stored output as a finished job. */
  async restore(): Promise<void> {
    for (const record of await this.deps.store.list()) {
      const blob = await this.deps.store.getBlob(record.id);
      if (!blob) continue;
      this.records.set(record.id, record);
      this.outputUrls.set(record.id, URL.createObjectURL(blob));
      this.scheduler.adopt(jobFromRecord(record));
    }
    this.changed();
  }

  addFiles(files: readonly AddedFile[]): Source[] {
    const added = files.map(({ file, displayName }) => {
      const source: Source = {
        id: crypto.randomUUID(),
        file,
        displayName: displayName ?? file.name,
        info: null,
        problem: null,
        probing: true,
        probed: Promise.resolve(),
      };
      source.probed = this.probe(source);
      this.sources.set(source.id, source);
      return source;
    });
    this.changed();
    // Load the encoders' cores while the person picks presets: the first job then starts at once.
    if (added.length > 0) this.deps.encodePool.warmUp();
    return added;
  }

  removeSource(id: string): void {
    this.sources.delete(id);
    this.changed();
  }

  private async probe(source: Source): Promise<void> {
    try {
      if (source.file.size === 0) {
        source.problem = 'This file is empty (0 bytes): there is nothing in it to convert.';
        return;
      }
      const { report, log } = await this.deps.probePool.probe({ name: workerInputName(source.file.name), data: source.file });
      if (!report) {
        source.problem = explainFailure(log, 1, source.file.name);
        return;
      }
      source.info = describeSource(report);
      if (!source.info.video && !source.info.audio) source.problem = 'ffmpeg found no picture or sound it can use in this file.';
    } catch (error) {
      source.problem = `The file could not be examined: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      source.probing = false;
      this.changed();
      this.refreshCosts(source);
      this.scheduler.wake();
    }
  }

  private refreshCosts(source: Source): void {
    for (const job of this.scheduler.list()) {
      if (job.sourceId === source.id && job.state === 'queued') job.cost = jobCost(source, job.presetId);
    }
  }

  /**
   * One job per (source × preset). A pair that is already queued, running or done in
   * this session is not made again; a failed or canceled one is tried again.
   */
  /** How many jobs `encode(presetIds)` would make now. */
  newJobCount(presetIds: readonly PresetId[]): number {
    const existing = this.scheduler.list();
    let count = 0;
    for (const source of this.sources.values()) {
      for (const presetId of presetIds) {
        const twin = existing.find((j) => j.sourceId === source.id && j.presetId === presetId);
        if (!twin || twin.state === 'failed' || twin.state === 'canceled') count++;
      }
    }
    return count;
  }

  encode(presetIds: readonly PresetId[]): Job[] {
    const presets = presetIds.map(presetById);
    const existing = this.scheduler.list();
    const jobs: Job[] = [];
    const now = Date.now();
    for (const source of this.sources.values()) {
      for (const preset of presets) {
        const twin = existing.find((j) => j.sourceId === source.id && j.presetId === preset.id);
        if (twin && (twin.state === 'queued' || twin.state === 'running' || twin.state === 'done')) continue;
        if (twin) this.scheduler.remove(twin.id);
        jobs.push({
          id: crypto.randomUUID(),
          sourceId: source.id,
          sourceName: source.file.name,
          presetId: preset.id,
          outputName: outputName(source.file.name, preset, presets),
          state: 'queued',
          progress: 0,
          speed: null,
          etaSec: null,
          queuedAt: now + jobs.length / 1000,
          startedAt: null,
          endedAt: null,
          cost: jobCost(source, preset.id),
          error: null,
          log: [],
          outputSize: null,
          upload: null,
          uploadProgress: null,
          uploadSpeed: null,
          uploadError: null,
          uploadLocation: null,
          engine: null,
          engineNote: null,
          verified: false,
        });
      }
    }
    // A job whose source is known to be unusable fails at once instead of waiting for a worker.
    for (const job of jobs) {
      const source = this.sources.get(job.sourceId);
      const problem = source && !source.probing ? sourceProblemFor(source, job.presetId) : null;
      if (problem) Object.assign(job, { state: 'failed', error: problem, startedAt: now, endedAt: now });
    }
    this.scheduler.enqueue(jobs);
    return jobs;
  }

  cancel(jobId: string): void {
    this.scheduler.cancel(jobId);
  }

  setWorkers(count: number): void {
    this.workerCount = Math.max(1, Math.min(16, Math.floor(count)));
    this.deps.encodePool.setSize(this.workerCount);
    this.scheduler.setConcurrency(this.workerCount);
    this.changed();
  }

  /** Removes a finished job; a stored output is deleted from storage too. */
  async deleteJob(jobId: string): Promise<void> {
    const job = this.scheduler.get(jobId);
    if (job && !isFinished(job)) return;
    await this.deps.store.delete(jobId);
    const url = this.outputUrls.get(jobId);
    if (url) URL.revokeObjectURL(url);
    this.outputUrls.delete(jobId);
    this.records.delete(jobId);
    this.scheduler.remove(jobId);
    this.changed();
  }

  async deleteAllOutputs(): Promise<void> {
    for (const job of this.scheduler.list()) {
      if (job.state === 'done') await this.deleteJob(job.id);
    }
    await this.deps.store.deleteAll();
    this.changed();
  }

  /** One zip of every stored output (stored, not recompressed: media does not deflate). */
  async zipAllOutputs(): Promise<Blob> {
    const done = this.listJobs().filter((job) => job.state === 'done' && this.records.has(job.id));
    const names = uniqueNames(done.map((job) => job.outputName));
    const entries = await Promise.all(
      done.map(async (job, i) => {
        const blob = await this.deps.store.getBlob(job.id);
        return blob ? { name: names[i] ?? job.outputName, input: blob, lastModified: new Date(job.endedAt ?? Date.now()) } : null;
      }),
    );
    const zip = downloadZip(entries.filter((e) => e !== null));
    // Streamed to a file on disk where there is OPFS: the page never holds the outputs.
    if (this.deps.scratch && zip.body) return this.deps.scratch.saveStream('outputs.zip', zip.body);
    return zip.blob();
  }

  usage(): Promise<StorageUsage> {
    return this.deps.store.usage();
  }
}

/** Why `source` cannot become `presetId`, or null when it can (as far as the probe tells). */
function sourceProblemFor(source: Source, presetId: PresetId): string | null {
  if (source.problem) return source.problem;
  if (!source.info) return null;
  try {
    presetById(presetId).args(source.info, { input: 'in', output: 'out' });
    return null;
  } catch (error) {
    return error instanceof PresetMismatchError ? error.message : null;
  }
}

function jobCost(source: Source, presetId: PresetId): number {
  const seconds = source.info?.durationSec ?? 0;
  return seconds * presetById(presetId).relativeCost;
}

function jobFromRecord(record: OutputRecord): Job {
  return {
    id: record.id,
    sourceId: '',
    sourceName: record.sourceName,
    presetId: record.presetId,
    outputName: record.outputName,
    state: 'done',
    progress: 1,
    speed: null,
    etaSec: 0,
    queuedAt: record.startedAt,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    cost: 0,
    error: null,
    log: [...record.logTail],
    outputSize: record.outputSize,
    upload: record.upload?.state ?? null,
    uploadProgress: record.upload?.state === 'uploaded' ? 1 : null,
    uploadSpeed: null,
    uploadError: record.upload?.error ?? null,
    uploadLocation: record.upload?.location ?? null,
    engine: record.engine ?? null,
    engineNote: null,
    verified: record.verified ?? false,
  };
}

export const ALL_PRESET_IDS: readonly PresetId[] = PRESETS.map((p) => p.id);
