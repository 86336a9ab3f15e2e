import { compareJob, type CompareView } from './compare-job';
import type { WorkerPool } from '../pool/worker-pool';
import { PRESETS, presetById, PresetMismatchError, type PresetId } from '../presets/presets';
import { describeSource, describeVideoTiming, withMeasuredDuration } from '../presets/source-info';
import type { OutputRecord, OutputStore, StorageUsage } from '../storage/output-store';
import type { JobRecord, JobStore } from '../storage/job-store';
import type { ScratchSpace } from '../storage/scratch-space';
import type { TabPresence } from '../storage/tab-presence';
import type { SegmentKeeper } from '../storage/segment-keeper';
import type { StorageBudget } from '../storage/storage-budget';
import { createEncodeRunner, type Scratch } from './encode-job';
import type { EngineMode } from './engine-router';
import { explainFailure } from './ffmpeg-log';
import { Gate } from './gate';
import { isFinished, MISSING_OUTPUT_SENTENCE, newJob, type Job, type JobState } from './job';
import { outputName, uniqueNames } from './output-names';
import { changedSentence, keyOf, matchInterrupted } from './resume-match';
import { Scheduler } from './scheduler';
import { DEFAULT_SPLIT_POLICY, type SplitPolicy } from './segment-plan';
import { workerInputName, type Source } from './source';
import type { WebCodecsFault } from '../../workers/protocol';

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
  /** Test knob `?webcodecsFail=throw|stall`: every WebCodecs encode throws, or hangs, after its first progress. */
  webcodecsFault?: WebCodecsFault;
  /** Silence after which a WebCodecs encode counts as hung (default 30 s). */
  webcodecsStallMs?: number;
  /** Benchmark knob `?h264TargetQp=`: the mean QP the WebCodecs H.264 bitrate is steered to. */
  h264TargetQp?: number;
  /** Test knob `?truncateOutputs=1`: every output is cut short before it is checked. */
  truncateOutputs?: boolean;
  /** WebCodecs encodes at once; default: one per two cores (at least one). */
  webcodecsAtOnce?: number;
  /** Where jobs not yet finished are kept across reloads (issue 11); none: they are not kept. */
  jobStore?: JobStore | null;
  /** Keeps split jobs' finished segments for a resume (needs the job store and OPFS scratch); none: not kept. */
  segmentKeeper?: SegmentKeeper | null;
  /** Test knob `?holdSegment=N`: segment N of every split job waits until its job is canceled or the page goes. */
  holdSegment?: number;
  /** This tab among the open ones: jobs another open tab runs are left to it. None: every kept job is taken as this page's. */
  presence?: Pick<TabPresence, 'id' | 'openTabs' | 'isThisTab'> | null;
}

/**
 * A file to add to the batch, with the path it had inside a dropped folder.
 *
 * @example
 * ```ts
 * batch.addFiles([{ file, displayName: 'holiday/clip.mov' }]);
 * ```
 */
export interface AddedFile {
  file: File;
  /** Path within a dropped folder, when there is one. */
  displayName?: string;
  /** Chromium: the file's handle (picker or drop), kept with its jobs for Resume. */
  handle?: FileSystemFileHandle;
}

/**
 * Which jobs `Batch.encode` makes (the library API's `call` and `map`); default every source, fresh ids.
 *
 * @example
 * ```ts
 * batch.encode(['mp3-audio'], { sourceIds: [source.id] });
 * ```
 */
export interface EncodeOptions {
  /** Only these sources (default: every source in the list). */
  sourceIds?: readonly string[];
  /** The id of the job for (source, preset); default a random UUID. */
  makeId?: (sourceId: string, presetId: PresetId) => string;
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
  private readonly jobListeners = new Set<(jobId: string) => void>();
  private notifyQueued = false;
  /** Jobs whose output was stored in this session and that are not yet announced as done. */
  private readonly storedThisSession = new Set<string>();
  private workerCount: number;
  private mode: EngineMode;
  private onDisk: boolean | null = null;
  /** Records of the interrupted jobs (from before the last reload), by job id. */
  private readonly interrupted = new Map<string, JobRecord>();
  /** The state each job's record was last written for, so progress ticks write nothing. */
  private readonly persistedStates = new Map<string, JobState>();
  /** Job-store writes, one after another (a delete never overtakes the put before it). */
  private jobWrites: Promise<void> = Promise.resolve();
  private note: string | null = null;
  /** Kept jobs that another open tab was running when this page started. */
  private elsewhere = 0;
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
      ...(deps.webcodecsFault ? { webcodecsFault: deps.webcodecsFault } : {}),
      ...(deps.webcodecsStallMs ? { webcodecsStallMs: deps.webcodecsStallMs } : {}),
      ...(deps.h264TargetQp ? { h264TargetQp: deps.h264TargetQp } : {}),
      ...(deps.truncateOutputs ? { truncateOutputs: true } : {}),
      webcodecsGate: new Gate(deps.webcodecsAtOnce ?? Math.max(1, Math.floor((globalThis.navigator?.hardwareConcurrency ?? 2) / 2))),
      sourceOf: (id) => this.sources.get(id),
      onStored: (job, record, blob) => {
        // Asked with the first output, when the person has something worth keeping.
        if (this.records.size === 0) void deps.store.persist();
        this.records.set(job.id, record);
        this.outputUrls.set(job.id, URL.createObjectURL(blob));
        this.storedThisSession.add(job.id);
      },
      splitPolicy,
      ...(deps.segmentKeeper && deps.jobStore ? { segmentKeeper: deps.segmentKeeper } : {}),
      ...(deps.holdSegment ? { holdSegment: deps.holdSegment } : {}),
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
      this.persistJob(job);
      for (const listener of this.jobListeners) listener(job.id);
      this.changed();
    });
  }

  /** Told the id of every job that changes, at once; the page then redraws only those rows (issue 15). */
  subscribeJobs(listener: (jobId: string) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
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
   * browser has free for this page (null where it does not say); `inMemoryBytes`: in a private
   * window, what it holds in memory (issue 15), else null.
   */
  async estimateOutputs(presetIds: readonly PresetId[]): Promise<{ bytes: number; freeBytes: number | null; inMemoryBytes: number | null }> {
    const twins = twinIndex(this.scheduler.list());
    let bytes = 0;
    for (const source of this.sources.values()) {
      if (!source.info || source.problem) continue;
      for (const presetId of presetIds) {
        const twin = twins.get(twinKey(source.id, presetId));
        if (twin && twin.state !== 'failed' && twin.state !== 'canceled') continue;
        if (sourceProblemFor(source, presetId)) continue;
        bytes += presetById(presetId).estimateBytes(source.info, source.file.size);
      }
    }
    const budget = this.deps.budget;
    const [freeBytes, inMemoryBytes] = budget ? await Promise.all([budget.freeBytes(), budget.inMemoryBytes()]) : [null, null];
    return { bytes, freeBytes, inMemoryBytes };
  }

  listSources(): Source[] {
    return [...this.sources.values()];
  }

  /** Jobs, oldest first. */
  listJobs(): Job[] {
    return this.scheduler.list().sort((a, b) => a.queuedAt - b.queuedAt);
  }

  /** The output's object URL once its Blob has been read (this session's outputs at once; restored ones: see outputLink). */
  outputUrl(jobId: string): string | undefined {
    return this.outputUrls.get(jobId);
  }

  /**
   * The output's object URL, reading its Blob from storage on first use (issue 15: a reload
   * lists the records at once and fetches a Blob only when it is downloaded). Undefined when
   * the bytes are gone: the job then says so.
   */
  async outputLink(jobId: string): Promise<string | undefined> {
    const known = this.outputUrls.get(jobId);
    if (known || !this.records.has(jobId)) return known;
    const blob = await this.deps.store.getBlob(jobId);
    if (this.outputUrls.has(jobId)) return this.outputUrls.get(jobId);
    const job = this.scheduler.get(jobId);
    if (!blob) {
      if (job?.state === 'done') this.scheduler.update(job, missingOutput());
      return undefined;
    }
    const url = URL.createObjectURL(blob);
    this.outputUrls.set(jobId, url);
    return url;
  }

  /** One instant of a done job's output beside its source (Compare); a sentence when it cannot be shown. */
  async compare(jobId: string, atSec: number, signal?: AbortSignal): Promise<CompareView | string> {
    const job = this.listJobs().find((j) => j.id === jobId);
    if (!job) return 'That job is no longer in the list.';
    // After a reload a stored job knows its source by name only: the file must be added again.
    const source = this.sources.get(job.sourceId) ?? this.listSources().find((s) => s.file.name === job.sourceName);
    return compareJob({ probePool: this.deps.probePool, getBlob: (id) => this.deps.store.getBlob(id) }, job, source, atSec, signal);
  }

  record(jobId: string): OutputRecord | undefined {
    return this.records.get(jobId);
  }

  /**
   * Brings back every stored output as a finished job. Only the records and the keys of the
   * stored Blobs are read (issue 15: 384 Blobs read one by one took 11 s); a Blob is read when
   * it is downloaded (outputLink), zipped or uploaded. A record without bytes stays listed, failed, saying so.
   */
  async restore(): Promise<void> {
    const [outputs, stored] = await Promise.all([this.deps.store.list(), this.deps.store.blobIds()]);
    for (const record of outputs) {
      this.records.set(record.id, record);
      const job = jobFromRecord(record);
      this.scheduler.adopt(stored.has(record.id) ? job : { ...job, ...missingOutput() });
    }
    // Jobs that were queued or running when the page went away come back interrupted, in their order.
    const records = (await this.deps.jobStore?.list().catch(() => null)) ?? null;
    const presence = this.deps.presence;
    const openTabs = (await presence?.openTabs().catch(() => null)) ?? null;
    for (const record of records ?? []) {
      // Another open tab's job (running, queued or interrupted there): left to it, or Resume could encode it twice.
      if (record.tab && presence && !presence.isThisTab(record.tab) && openTabs?.has(record.tab)) {
        this.elsewhere++;
        continue;
      }
      if (this.records.has(record.id) || this.scheduler.get(record.id)) {
        // Its output was stored just before the page went: the job is done, not interrupted.
        this.writeJob((store) => store.delete(record.id));
        continue;
      }
      // This tab takes the job over: one tab at a time lists it and may resume it.
      const owned: JobRecord = presence && record.tab !== presence.id ? { ...record, tab: presence.id } : record;
      if (owned !== record) this.writeJob((store) => store.put(owned));
      this.interrupted.set(record.id, owned);
      this.scheduler.adopt(jobFromInterrupted(owned));
    }
    // Kept segments of jobs that ended or were deleted while no page could clean up; only when
    // the records could be read (else every kept segment would look orphaned).
    const keeper = this.deps.jobStore ? this.deps.segmentKeeper : null;
    if (keeper && records) {
      const live = new Set([...this.interrupted.keys(), ...records.filter((r) => !this.records.has(r.id)).map((r) => r.id)]);
      this.writeJob(() => keeper.removeOrphans(live).then(() => {}));
    }
    this.changed();
  }

  /** A sentence about resuming (files that changed since, files to add again), or null. */
  get resumeNote(): string | null {
    return this.note;
  }

  /** When this page opened, unfinished jobs that belong to another open ffbatch tab: said in a sentence, or null. */
  get otherTabNote(): string | null {
    if (this.elsewhere === 0) return null;
    const one = this.elsewhere === 1;
    const jobs = one ? '1 unfinished job belonged' : `${this.elsewhere} unfinished jobs belonged`;
    return `When this page opened, ${jobs} to another open ffbatch tab; ${one ? 'it is' : 'they are'} left to that tab, and ${one ? 'its output shows' : 'their outputs show'} here after a reload.`;
  }

  interruptedCount(): number {
    return this.scheduler.list().filter((job) => job.state === 'interrupted').length;
  }

  /**
   * Resume: reads every interrupted job's file again through its kept handle (asking for
   * read permission where needed) and requeues the jobs whose file is unchanged. Jobs
   * without a usable handle wait for their file to be added again; the note says which.
   */
  async resume(): Promise<void> {
    const waiting = (): JobRecord[] => [...this.interrupted.values()].filter((r) => this.scheduler.get(r.id)?.state === 'interrupted');
    const files: AddedFile[] = [];
    const tried = new Set<string>();
    for (const record of waiting()) {
      const handle: PermissionedHandle | undefined = record.handle;
      const key = JSON.stringify(Object.values(keyOf(record.source)));
      if (!handle || tried.has(key)) continue;
      tried.add(key);
      try {
        const options = { mode: 'read' as const };
        let permission = (await handle.queryPermission?.(options)) ?? 'granted';
        if (permission !== 'granted') permission = (await handle.requestPermission?.(options)) ?? 'denied';
        if (permission !== 'granted') continue;
        files.push({ file: await handle.getFile(), displayName: record.source.displayName, handle: record.handle });
      } catch {
        // The file is gone or moved: it must be added again.
      }
    }
    let changed: string[] = [];
    if (files.length > 0) changed = this.addFiles(files).changed;
    const left = [...new Set(waiting().map((r) => r.source.displayName))];
    const sentences = [changedSentence(changed)];
    if (left.length > 0) sentences.push(`Add ${left.length === 1 ? 'this file' : 'these files'} again to resume ${left.length === 1 ? 'its' : 'their'} jobs: ${left.join(', ')}.`);
    this.note = sentences.filter(Boolean).join(' ') || null;
    this.changed();
  }

  /** Writes a job's record when its state changes: kept while queued or running, removed when it ends. */
  private persistJob(job: Job): void {
    if (!this.deps.jobStore) return;
    const last = this.persistedStates.get(job.id);
    if (last === job.state) return;
    this.persistedStates.set(job.id, job.state);
    // An interrupted job's record stays as it was until the job is requeued or deleted.
    if (job.state === 'interrupted') return;
    if (job.state === 'queued' || job.state === 'running') {
      const source = this.sources.get(job.sourceId);
      if (!source) return;
      const handle = source.handle ?? this.interrupted.get(job.id)?.handle;
      const record: JobRecord = {
        id: job.id,
        source: { ...keyOf(source.file), displayName: source.displayName },
        presetId: job.presetId,
        outputName: job.outputName,
        queuedAt: job.queuedAt,
        state: job.state,
        ...(handle ? { handle } : {}),
        ...(this.deps.presence ? { tab: this.deps.presence.id } : {}),
      };
      this.writeJob((store) => store.put(record));
    } else if (last !== undefined) {
      this.interrupted.delete(job.id);
      this.writeJob((store) => store.delete(job.id));
    }
  }

  private writeJob(write: (store: JobStore) => Promise<void>): void {
    const store = this.deps.jobStore;
    if (!store) return;
    this.jobWrites = this.jobWrites.then(() => write(store)).catch((error: unknown) => console.warn('ffbatch: could not keep a job for after a reload', error));
  }

  /** Requeues the interrupted jobs whose file is among `added` (same name, size and time). */
  private resumeWith(added: readonly Source[]): string[] {
    const candidates = [...this.interrupted.values()].filter((r) => this.scheduler.get(r.id)?.state === 'interrupted');
    if (candidates.length === 0) return [];
    const { matched, changed } = matchInterrupted(candidates, added.map((source) => keyOf(source.file)));
    for (const [index, ids] of matched) {
      const source = added[index];
      if (!source) continue;
      for (const id of ids) {
        const job = this.scheduler.get(id);
        if (!job) continue;
        source.handle ??= this.interrupted.get(id)?.handle;
        this.scheduler.requeue(id, { sourceId: source.id, sourceName: source.file.name, cost: jobCost(source, job.presetId) });
      }
    }
    return changed;
  }

  /**
   * Adds sources; a file that is the same as an interrupted job's (name, size, time)
   * requeues that job; `changed` names files that have an interrupted job's name but changed since.
   */
  addFiles(files: readonly AddedFile[]): Source[] & { changed: string[] } {
    const added = files.map(({ file, displayName, handle }) => {
      const source: Source = {
        id: crypto.randomUUID(),
        file,
        displayName: displayName ?? file.name,
        ...(handle ? { handle } : {}),
        info: null,
        problem: null,
        probing: true,
        probed: Promise.resolve(),
      };
      source.probed = this.probe(source);
      this.sources.set(source.id, source);
      return source;
    });
    const changed = this.resumeWith(added);
    if (changed.length > 0 || this.interruptedCount() === 0) this.note = changedSentence(changed);
    this.changed();
    // Load the encoders' cores while the person picks presets: the first job then starts at once.
    if (added.length > 0) this.deps.encodePool.warmUp();
    return Object.assign(added, { changed });
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
      const input = { name: workerInputName(source.file.name), data: source.file };
      const { report, log } = await this.deps.probePool.probe(input);
      if (!report) {
        source.problem = explainFailure(log, 1, source.file.name);
        return;
      }
      const timing = describeVideoTiming(report);
      let info = { ...describeSource(report, log), ...(timing ? { videoTiming: timing } : {}) };
      if (info.durationEstimated) {
        // ffprobe only guessed the length from the bitrate: the packets, read to the end, give the real one
        // (for the output's check, the progress bar and the estimates). Unmeasured, it stays an estimate.
        info = withMeasuredDuration(info, await this.deps.probePool.probeTail(input, 0).then((tail) => tail.endSec, () => null));
      }
      source.info = info;
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
    const twins = twinIndex(this.scheduler.list());
    let count = 0;
    for (const source of this.sources.values()) {
      for (const presetId of presetIds) {
        const twin = twins.get(twinKey(source.id, presetId));
        if (!twin || twin.state === 'failed' || twin.state === 'canceled') count++;
      }
    }
    return count;
  }

  encode(presetIds: readonly PresetId[], options: EncodeOptions = {}): Job[] {
    const presets = presetIds.map(presetById);
    const twins = twinIndex(this.scheduler.list());
    const jobs: Job[] = [];
    const now = Date.now();
    const only = options.sourceIds ? new Set(options.sourceIds) : null;
    for (const source of this.sources.values()) {
      if (only && !only.has(source.id)) continue;
      for (const preset of presets) {
        const twin = twins.get(twinKey(source.id, preset.id));
        if (twin && (twin.state === 'queued' || twin.state === 'running' || twin.state === 'done')) continue;
        if (twin) this.scheduler.remove(twin.id);
        jobs.push(
          newJob(
            {
              id: options.makeId?.(source.id, preset.id) ?? crypto.randomUUID(),
              sourceId: source.id,
              sourceName: source.file.name,
              presetId: preset.id,
              outputName: outputName(source.file.name, preset, presets),
              state: 'queued',
              queuedAt: now + jobs.length / 1000,
            },
            { cost: jobCost(source, preset.id) },
          ),
        );
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
    if (job?.state === 'interrupted') {
      // Never stored as an output: only its job record goes.
      this.interrupted.delete(jobId);
      this.persistedStates.delete(jobId);
      this.writeJob((store) => store.delete(jobId));
      // Its kept segments (a split job cut off half way) go with it.
      const keeper = this.deps.segmentKeeper;
      if (keeper) this.writeJob(() => keeper.remove(jobId));
      this.scheduler.remove(jobId);
      if (this.interruptedCount() === 0) this.note = null;
      this.changed();
      return;
    }
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
    // The zip writer is loaded on the first Download all, not with the page.
    const { downloadZip } = await import('client-zip');
    const zip = downloadZip(entries.filter((e) => e !== null));
    // Streamed to a file on disk where there is OPFS: the page never holds the outputs.
    if (this.deps.scratch && zip.body) return this.deps.scratch.saveStream('outputs.zip', zip.body);
    return zip.blob();
  }

  usage(): Promise<StorageUsage> {
    return this.deps.store.usage();
  }
}

/**
 * Each (source, preset)'s first job, for lookups in O(1): with 1,000 jobs a scan per pair
 * made every render of the page quadratic (issue 15).
 */
function twinIndex(jobs: readonly Job[]): Map<string, Job> {
  const index = new Map<string, Job>();
  for (const job of jobs) if (!index.has(twinKey(job.sourceId, job.presetId))) index.set(twinKey(job.sourceId, job.presetId), job);
  return index;
}

function twinKey(sourceId: string, presetId: PresetId): string {
  return `${sourceId}\n${presetId}`;
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
  const identity = { id: record.id, sourceId: '', sourceName: record.sourceName, presetId: record.presetId, outputName: record.outputName, state: 'done' as const, queuedAt: record.startedAt };
  return newJob(identity, {
    progress: 1,
    etaSec: 0,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    log: [...record.logTail],
    outputSize: record.outputSize,
    upload: record.upload?.state ?? null,
    uploadProgress: record.upload?.state === 'uploaded' ? 1 : null,
    uploadError: record.upload?.error ?? null,
    uploadLocation: record.upload?.location ?? null,
    engine: record.engine ?? null,
    verified: record.verified ?? false,
    quality: validQuality(record.quality),
  });
}

/** What a done job whose stored bytes are gone becomes: failed, with the reason on its row. */
function missingOutput(): Pick<Job, 'state' | 'error'> {
  return { state: 'failed', error: MISSING_OUTPUT_SENTENCE };
}

/** A stored score, if it has the shape of one (records from before scoring have none). */
function validQuality(quality: OutputRecord['quality']): Job['quality'] {
  if (!quality || typeof quality.psnr !== 'number' || typeof quality.ssim !== 'number' || typeof quality.frames !== 'number') return null;
  return { psnr: quality.psnr, ssim: quality.ssim, frames: quality.frames };
}

/** A job that was queued or running when the page went away: it starts again from the beginning when resumed. */
function jobFromInterrupted(record: JobRecord): Job {
  return newJob({
    id: record.id,
    sourceId: '',
    sourceName: record.source.name,
    presetId: record.presetId,
    outputName: record.outputName,
    state: 'interrupted',
    queuedAt: record.queuedAt,
  });
}

/** The File System Access permission calls (Chromium), not yet in TypeScript's DOM types. */
type PermissionedHandle = FileSystemFileHandle & {
  queryPermission?: (options: { mode: 'read' }) => Promise<PermissionState>;
  requestPermission?: (options: { mode: 'read' }) => Promise<PermissionState>;
};

export const ALL_PRESET_IDS: readonly PresetId[] = PRESETS.map((p) => p.id);
