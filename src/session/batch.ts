import { checkEdits, copyEditsProblem, editableFacts, editProblems, editsForOthers, isEmptyEdits, uprightPicture, type Crop } from '../presets/edits';
import { JobFailedError } from '../jobs/errors';
import type { BrowserFrames } from '../jobs/browser-frames';
import { detectBarsOf, grabFrames, type GrabbedFrame } from '../jobs/frame-grab';
import { compareJob, type CompareView } from '../jobs/compare-job';
import type { WorkerPool } from '../pool/worker-pool';
import { PRESETS, presetById, PresetMismatchError, type PresetId } from '../presets/presets';
import { describeSource, describeVideoTiming, withMeasuredDuration } from '../presets/source-info';
import type { OutputStore, StorageUsage } from '../storage/output-store';
import type { JobStore } from '../storage/job-store';
import type { JobRecord, OutputRecord } from '../storage/records';
import type { ScratchSpace } from '../storage/scratch-space';
import type { TabPresence } from '../storage/tab-presence';
import type { SegmentKeeper } from '../storage/segment-keeper';
import type { StorageBudget } from '../storage/storage-budget';
import { BatchEvents, type BatchListener } from './batch-events';
import { createEncodeRunner, type Scratch } from '../jobs/encode-job';
import type { EngineMode } from '../jobs/engine-router';
import { explainFailure } from '../jobs/ffmpeg-log';
import { Gate } from '../jobs/gate';
import { NO_HOOKS, type Hooks } from '../jobs/hooks';
import { isFinished, MISSING_OUTPUT_SENTENCE, newJob, type Job } from '../jobs/job';
import { JobPersistence } from './job-persistence';
import { OutputCatalogue } from './output-catalogue';
import { outputName } from '../jobs/output-names';
import { changedSentence, keyOf, matchInterrupted } from '../jobs/resume-match';
import { Scheduler } from '../jobs/scheduler';
import { DEFAULT_SPLIT_POLICY, type SplitPolicy } from '../jobs/segment-plan';
import { workerInputName, type Source } from '../jobs/source';

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
  /** The page's test and benchmark knobs (src/main.ts), read where they act; default none. */
  hooks?: Hooks;
  /** WebCodecs encodes at once; default: one per two cores (at least one). */
  webcodecsAtOnce?: number;
  /** Where jobs not yet finished are kept across reloads (issue 11); none: they are not kept. */
  jobStore?: JobStore | null;
  /** Keeps split jobs' finished segments for a resume (needs the job store and OPFS scratch); none: not kept. */
  segmentKeeper?: SegmentKeeper | null;
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

/**
 * The page's model: the sources, the jobs made from them, and the stored outputs.
 * The UI reads it and sends it commands; it knows nothing of the DOM.
 */
export class Batch {
  /** Internal (tests read it): a job changes through `updateJob`, and is followed through `subscribe`. */
  readonly scheduler: Scheduler;
  private readonly sources = new Map<string, Source>();
  private readonly outputs: OutputCatalogue;
  private readonly events = new BatchEvents();
  /** Jobs whose output was stored in this session and that are not yet announced as done. */
  private readonly storedThisSession = new Set<string>();
  private workerCount: number;
  private mode: EngineMode;
  private onDisk: boolean | null = null;
  /** Kept job records: what a reload brings back interrupted. */
  private readonly persistence: JobPersistence;
  private note: string | null = null;
  /** Each source's frames decoded by the browser (the editor's), opened when first asked; null where it cannot. */
  private readonly browserFrames = new Map<string, Promise<BrowserFrames | null>>();

  constructor(private readonly deps: BatchDeps) {
    this.workerCount = deps.workers;
    this.outputs = new OutputCatalogue(deps.store, deps.scratch);
    this.persistence = new JobPersistence(deps.jobStore ?? null, deps.presence ?? null, deps.segmentKeeper ?? null);
    this.mode = deps.engineMode ?? 'auto';
    const splitPolicy = deps.splitPolicy ?? DEFAULT_SPLIT_POLICY;
    const runner = createEncodeRunner({
      pool: deps.encodePool,
      store: deps.store,
      scratch: deps.scratch,
      budget: deps.budget,
      probePool: deps.probePool,
      engineMode: () => this.mode,
      hooks: deps.hooks ?? NO_HOOKS,
      webcodecsGate: new Gate(deps.webcodecsAtOnce ?? Math.max(1, Math.floor((globalThis.navigator?.hardwareConcurrency ?? 2) / 2))),
      sourceOf: (id) => this.sources.get(id),
      onStored: (job, record, blob) => {
        this.outputs.stored(record, blob);
        this.storedThisSession.add(job.id);
      },
      splitPolicy,
      ...(deps.segmentKeeper && deps.jobStore ? { segmentKeeper: deps.segmentKeeper } : {}),
    });
    // Edits a preset that copies the picture cannot make (several ranges) fail the job with the sentence, however they reached it.
    const guarded: typeof runner = (job, context) => {
      const problem = copyProblemFor(job);
      return problem ? Promise.reject(new JobFailedError(problem)) : runner(job, context);
    };
    this.scheduler = new Scheduler(guarded, {
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
        const record = this.outputs.record(job.id);
        if (record) this.events.emit({ type: 'output-stored', job, record });
      }
      this.persistence.persist(job, this.sources.get(job.sourceId));
      this.changed();
      this.events.emit({ type: 'job-changed', job });
    });
  }

  /** Told the id of every job that changes, at once; the page then redraws only those rows (issue 15). */
  subscribeJobs(listener: (jobId: string) => void): () => void {
    return this.events.subscribe((event) => {
      if (event.type === 'job-changed') listener(event.job.id);
    });
  }

  /** The batch's one event stream (see BatchEvent); returns the unsubscribe. */
  subscribe(listener: BatchListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Tells listeners that something a view shows changed (coalesced into one `changed` per task). */
  changed(): void {
    this.events.changed();
  }

  getJob(jobId: string): Job | undefined {
    return this.scheduler.get(jobId);
  }

  /** The one way to change a job from outside the run (uploads): listeners are told. */
  updateJob(jobId: string, patch: Partial<Job>): void {
    const job = this.scheduler.get(jobId);
    if (job) this.scheduler.update(job, patch);
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
        if (standingTwin(twins, source.id, presetId)) continue;
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
    return this.outputs.url(jobId);
  }

  /**
   * The output's object URL, reading its Blob from storage on first use (issue 15: a reload
   * lists the records at once and fetches a Blob only when it is downloaded). Undefined when
   * the bytes are gone: the job then says so.
   */
  async outputLink(jobId: string): Promise<string | undefined> {
    const url = await this.outputs.link(jobId);
    const job = this.scheduler.get(jobId);
    if (!url && this.outputs.has(jobId) && job?.state === 'done') this.updateJob(job.id, missingOutput());
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
    return this.outputs.record(jobId);
  }

  /**
   * Brings back every stored output as a finished job. Only the records and the keys of the
   * stored Blobs are read (issue 15: 384 Blobs read one by one took 11 s); a Blob is read when
   * it is downloaded (outputLink), zipped or uploaded. A record without bytes stays listed, failed, saying so.
   */
  async restore(): Promise<void> {
    for (const { record, present } of await this.outputs.restore()) {
      const job = jobFromRecord(record);
      this.scheduler.adopt(present ? job : { ...job, ...missingOutput() });
    }
    // Jobs that were queued or running when the page went away come back interrupted, in their order.
    const isListed = (id: string): boolean => this.outputs.has(id) || this.scheduler.get(id) !== undefined;
    for (const record of await this.persistence.restore(isListed, (id) => this.outputs.has(id))) this.scheduler.adopt(jobFromInterrupted(record));
    this.changed();
  }

  /** A sentence about resuming (files that changed since, files to add again), or null. */
  get resumeNote(): string | null {
    return this.note;
  }

  /** When this page opened, unfinished jobs that belong to another open ffbatch tab: said in a sentence, or null. */
  get otherTabNote(): string | null {
    return this.persistence.otherTabNote;
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
    const waiting = (): JobRecord[] => this.persistence.waiting((id) => this.scheduler.get(id)?.state === 'interrupted');
    const files: AddedFile[] = await this.persistence.filesFromHandles(waiting());
    let changed: string[] = [];
    if (files.length > 0) changed = this.addFiles(files).changed;
    const left = [...new Set(waiting().map((r) => r.source.displayName))];
    const sentences = [changedSentence(changed)];
    if (left.length > 0) sentences.push(`Add ${left.length === 1 ? 'this file' : 'these files'} again to resume ${left.length === 1 ? 'its' : 'their'} jobs: ${left.join(', ')}.`);
    this.note = sentences.filter(Boolean).join(' ') || null;
    this.changed();
  }

  /** Requeues the interrupted jobs whose file is among `added` (same name, size and time). */
  private resumeWith(added: readonly Source[]): string[] {
    const candidates = this.persistence.waiting((id) => this.scheduler.get(id)?.state === 'interrupted');
    if (candidates.length === 0) return [];
    const { matched, changed } = matchInterrupted(candidates, added.map((source) => keyOf(source.file)));
    for (const [index, ids] of matched) {
      const source = added[index];
      if (!source) continue;
      for (const id of ids) {
        const job = this.scheduler.get(id);
        if (!job) continue;
        source.handle ??= this.persistence.handleOf(id);
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

  /**
   * Sets a source's edits (checked first: a TypeError names the field). New jobs of the source
   * take them, and so do its queued jobs, which can still change until they start; returns
   * the sentences of what does not fit the file (empty when all fits).
   */
  setEdits(sourceId: string, value: unknown): string[] {
    const source = this.sources.get(sourceId);
    if (!source) throw new RangeError(`No source ${sourceId} in the list.`);
    const edits = checkEdits(value);
    source.edits = edits;
    const problems = source.info ? editProblems(edits, editableFacts(source.info)) : [];
    for (const job of this.scheduler.list()) {
      if (job.sourceId !== sourceId || job.state !== 'queued') continue;
      this.updateJob(job.id, { edits: isEmptyEdits(edits) ? undefined : structuredClone(edits) });
      this.persistence.persist(job, source, true);
    }
    this.changed();
    return problems;
  }

  /**
   * Sets one queued job's edits (checked first: a TypeError names the field): only that job
   * changes, not its source nor the source's other jobs; kept with the job (a resume keeps
   * them). A job that has started keeps what it started with: a RangeError says so. Returns
   * the sentences of what does not fit the file (empty when all fits). A later change of the
   * source's edits (`setEdits`) replaces them, as it does on every queued job of the source.
   */
  setJobEdits(jobId: string, value: unknown): string[] {
    const job = this.scheduler.get(jobId);
    if (!job) throw new RangeError(`No job ${jobId} in the list.`);
    if (job.state !== 'queued') throw new RangeError(`${job.outputName} has started: its edits can no longer change.`);
    const edits = checkEdits(value);
    const source = this.sources.get(job.sourceId);
    this.updateJob(job.id, { edits: isEmptyEdits(edits) ? undefined : structuredClone(edits) });
    this.persistence.persist(job, source, true);
    this.changed();
    return source?.info ? editProblems(edits, editableFacts(source.info)) : [];
  }

  /** Copies one source's edits to every other source ("Apply to all"); says where they do not fit, by file. */
  applyEditsToAll(sourceId: string): { sourceId: string; name: string; problems: string[] }[] {
    const edits = this.sources.get(sourceId)?.edits ?? {};
    const misfits: { sourceId: string; name: string; problems: string[] }[] = [];
    for (const other of this.sources.values()) {
      if (other.id === sourceId) continue;
      const problems = this.setEdits(other.id, editsForOthers(edits));
      if (problems.length > 0) misfits.push({ sourceId: other.id, name: other.displayName, problems });
    }
    return misfits;
  }

  /**
   * Thumbnails of a source at the given instants (the editor's filmstrip and playhead): decoded
   * by the browser (WebCodecs) where it reads the source, else by ffmpeg.wasm in the probe
   * worker; each frame says which (`decoder`).
   */
  async thumbnails(sourceId: string, instants: readonly number[], height: number, signal?: AbortSignal): Promise<GrabbedFrame[]> {
    const source = this.sources.get(sourceId);
    if (!source) return [];
    let browser = this.browserFrames.get(sourceId);
    if (!browser) {
      // Loaded when an editor first asks: the page's first load carries no demuxer.
      browser = import('../jobs/browser-frames').then(({ openBrowserFrames }) => openBrowserFrames(source.file), () => null);
      this.browserFrames.set(sourceId, browser);
    }
    const forget = (): void => {
      void browser.then((frames) => frames?.dispose());
      this.browserFrames.set(sourceId, Promise.resolve(null));
    };
    return grabFrames(await browser, this.deps.probePool, { name: workerInputName(source.file.name), data: source.file }, instants, height, signal, forget);
  }

  /** Black bars of a source found in frames sampled across it (the editor's Detect bars); null for none. */
  async detectBars(sourceId: string, signal?: AbortSignal): Promise<Crop | null> {
    const source = this.sources.get(sourceId);
    await source?.probed;
    const info = source?.info;
    if (!source || !info?.video || !info.durationSec) return null;
    return detectBarsOf(this.deps.probePool, { name: workerInputName(source.file.name), data: source.file }, info.durationSec, uprightPicture(info.video), signal);
  }

  removeSource(id: string): void {
    this.sources.delete(id);
    void this.browserFrames.get(id)?.then((frames) => frames?.dispose());
    this.browserFrames.delete(id);
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

  /** How many jobs `encode(presetIds)` would make now. */
  newJobCount(presetIds: readonly PresetId[]): number {
    const twins = twinIndex(this.scheduler.list());
    let count = 0;
    for (const source of this.sources.values()) {
      for (const presetId of presetIds) if (!standingTwin(twins, source.id, presetId)) count++;
    }
    return count;
  }

  /** One job per (source × preset), but never a second one beside a standing twin (see standingTwin). */

  encode(presetIds: readonly PresetId[], options: EncodeOptions = {}): Job[] {
    const presets = presetIds.map(presetById);
    const twins = twinIndex(this.scheduler.list());
    const jobs: Job[] = [];
    const now = Date.now();
    const only = options.sourceIds ? new Set(options.sourceIds) : null;
    for (const source of this.sources.values()) {
      if (only && !only.has(source.id)) continue;
      for (const preset of presets) {
        if (standingTwin(twins, source.id, preset.id)) continue;
        // A failed or canceled twin is tried again: the new job takes its place.
        const twin = twins.get(twinKey(source.id, preset.id));
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
            { cost: jobCost(source, preset.id), ...(source.edits && !isEmptyEdits(source.edits) ? { edits: structuredClone(source.edits) } : {}) },
          ),
        );
      }
    }
    // A job whose source is known to be unusable fails at once instead of waiting for a worker.
    for (const job of jobs) {
      const source = this.sources.get(job.sourceId);
      const problem = source && !source.probing ? (sourceProblemFor(source, job.presetId) ?? editProblemFor(source, job)) : null;
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
      // Never stored as an output: only its job record goes, and its kept segments (a split job cut off half way).
      this.persistence.forget(jobId);
      this.scheduler.remove(jobId);
      if (this.interruptedCount() === 0) this.note = null;
      this.changed();
      return;
    }
    if (job && !isFinished(job)) return;
    await this.outputs.delete(jobId);
    this.scheduler.remove(jobId);
    this.changed();
  }

  async deleteAllOutputs(): Promise<void> {
    for (const job of this.scheduler.list()) {
      if (job.state === 'done') await this.deleteJob(job.id);
    }
    await this.outputs.deleteAll();
    this.changed();
  }

  /** One zip of every stored output (stored, not recompressed: media does not deflate). */
  async zipAllOutputs(): Promise<Blob> {
    return this.outputs.zip(this.listJobs());
  }

  usage(): Promise<StorageUsage> {
    return this.outputs.usage();
  }
}

/**
 * The rule for a (source × preset) pair, written once: a job for it that is queued, running,
 * done or interrupted stands, and no other is made; a failed or canceled one is tried again.
 * Looked up in an index (O(1)): with 1,000 jobs a scan per pair made every render quadratic (issue 15).
 */
function standingTwin(twins: ReadonlyMap<string, Job>, sourceId: string, presetId: PresetId): Job | undefined {
  const twin = twins.get(twinKey(sourceId, presetId));
  return twin && twin.state !== 'failed' && twin.state !== 'canceled' ? twin : undefined;
}

/** Each (source, preset)'s job, a standing one before one to be tried again. */
function twinIndex(jobs: readonly Job[]): Map<string, Job> {
  const index = new Map<string, Job>();
  for (const job of jobs) {
    const key = twinKey(job.sourceId, job.presetId);
    const known = index.get(key);
    if (!known || known.state === 'failed' || known.state === 'canceled') index.set(key, job);
  }
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

/** A job's edits that do not fit its source (a trim past its end): it fails at once with the sentence. */
function editProblemFor(source: Source, job: Job): string | null {
  if (!job.edits || !source.info) return null;
  const problems = editProblems(job.edits, editableFacts(source.info));
  return problems.length > 0 ? problems.join(' ') : copyProblemFor(job);
}

/** Why the job's preset, which copies the picture, cannot make its edits; null when it can. */
function copyProblemFor(job: Job): string | null {
  if (!job.edits) return null;
  const preset = presetById(job.presetId);
  return preset.id === 'mp4-remux' || preset.spec?.video === 'copy' ? copyEditsProblem(job.edits) : null;
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
  }, record.edits ? { edits: record.edits } : {});
}

export const ALL_PRESET_IDS: readonly PresetId[] = PRESETS.map((p) => p.id);
