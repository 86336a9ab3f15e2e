import * as Comlink from 'comlink';
import type {
  CompareFrames,
  CoreLists,
  DryRunResult,
  FfmpegWorkerApi,
  LoadResult,
  LogSink,
  MountedInput,
  ProbeResult,
  TailProbeResult,
  ProgressSink,
  QualityReport,
  QualityRequest,
  RunRequest,
  RunResult,
  WebCodecsEncodeResult,
  WebCodecsRequest,
  WebCodecsSupport,
  WebCodecsTarget,
  WriteFailureReport,
} from '../../workers/protocol';
import { abortError, asAbortError, isAbortError } from '../shared/abort';

/**
 * The worker died or threw (wasm abort, out of memory): the job fails, the slot gets a fresh worker.
 *
 * @example
 * ```ts
 * if (error instanceof WorkerCrashedError) console.warn('the encoder crashed:', error.message);
 * ```
 */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

export interface WorkerPoolOptions {
  size: number;
  /** A worker is replaced after this many tasks: instances slow down and leak over many runs. */
  maxTasksPerWorker?: number;
  /** Makes a new worker; the pool owns it from then on. */
  createWorker: () => Worker;
  /** Told of each cold core load: how long it took (the page's stats, the benchmark) and where outputs go. */
  onCoreLoaded?: (load: LoadResult) => void;
  /** Shared by the page's pools: the core is compiled by the first worker and handed to the others. */
  compiledCore?: CompiledCore;
}

/** ffmpeg ran to the end but failed; its log says why. */
export class FfmpegExitError extends Error {
  override name = 'FfmpegExitError';
  constructor(readonly exitCode: number) {
    super(`ffmpeg stopped with exit code ${exitCode}.`);
  }
}

/** An output could not be written (a full quota above all); ffmpeg may still have exited 0. */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';
  constructor(readonly failure: WriteFailureReport) {
    super(`Writing the output failed: ${failure.message}`);
  }
}

/**
 * The WebCodecs route failed in the worker; the job falls back to ffmpeg.wasm. `unsupported`
 * when the route said it cannot make this output (its WebCodecsUnsupportedError, rebuilt
 * from the name Comlink carries), false for any other failure.
 */
export class WebCodecsRouteError extends Error {
  override name = 'WebCodecsRouteError';
  constructor(
    message: string,
    readonly unsupported: boolean,
  ) {
    super(message);
  }
}

type Task<T> = (api: Comlink.Remote<FfmpegWorkerApi>) => Promise<T>;

interface Slot {
  worker: Worker;
  api: Comlink.Remote<FfmpegWorkerApi>;
  tasksRun: number;
  /** Rejects when the worker reports an uncaught error, so a crash never leaves a task hanging. */
  crashed: Promise<never>;
}

/**
 * N worker slots, each one ffmpeg.wasm instance, started lazily. A task borrows an idle
 * worker; cancel terminates it (the only way to stop a running exec) and the slot is
 * refilled on next use. Waiting tasks are served first come, first served: the order
 * of jobs is the scheduler's business.
 */
export class WorkerPool {
  private size: number;
  private readonly idle: Slot[] = [];
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly maxTasksPerWorker: number;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size));
    this.maxTasksPerWorker = options.maxTasksPerWorker ?? 12;
  }

  get workerCount(): number {
    return this.busy + this.idle.length;
  }

  setSize(size: number): void {
    this.size = Math.max(1, Math.floor(size));
    while (this.idle.length > 0 && this.busy + this.idle.length > this.size) this.idle.pop()?.worker.terminate();
    this.wakeWaiting();
  }

  /** Starts workers ahead of need so the first job does not wait for a core load. */
  warmUp(count = this.size): void {
    for (let i = this.workerCount; i < Math.min(count, this.size); i++) {
      const slot = this.spawn();
      this.idle.push(slot);
      void this.load(slot).then(
        (load) => this.options.onCoreLoaded?.(load),
        () => {},
      );
    }
  }

  /** Runs `task` on a worker of its own; the worker is terminated at once if `signal` fires. */
  async use<T>(task: Task<T>, signal?: AbortSignal): Promise<T> {
    const slot = await this.acquire(signal);
    let healthy = false;
    try {
      const result = await this.runOn(slot, task, signal);
      healthy = true;
      return result;
    } finally {
      this.release(slot, healthy);
    }
  }

  /** Runs one ffmpeg command; a non-zero exit throws FfmpegExitError (and the worker is replaced). */
  run(request: RunRequest, onLog: LogSink, signal?: AbortSignal): Promise<RunResult> {
    return this.use(async (api) => {
      const result = await api.run(request, Comlink.proxy(onLog));
      if (result.writeFailure) throw new OutputWriteError(result.writeFailure);
      if (result.exitCode !== 0) throw new FfmpegExitError(result.exitCode);
      return result;
    }, signal);
  }

  probe(input: MountedInput, signal?: AbortSignal): Promise<ProbeResult> {
    return this.use((api) => api.probe(input), signal);
  }

  /** Where the packets of `input` really end, read from `fromSec` on (see FfmpegWorkerApi.probeTail). */
  probeTail(input: MountedInput, fromSec: number, signal?: AbortSignal): Promise<TailProbeResult> {
    return this.use((api) => api.probeTail(input, fromSec), signal);
  }

  /** The core's encoder and filter lists (text), for checking custom presets. */
  coreLists(signal?: AbortSignal): Promise<CoreLists> {
    return this.use((api) => api.coreLists(), signal);
  }

  /** Runs the steps of a custom preset's dry run in one worker's memory. */
  dryRun(steps: string[][], signal?: AbortSignal): Promise<DryRunResult> {
    return this.use((api) => api.dryRun(steps), signal);
  }

  /** Asks a worker what the browser's WebCodecs can do with `input` for each target. */
  webcodecsProbe(input: Blob, targets: WebCodecsTarget[], signal?: AbortSignal): Promise<WebCodecsSupport> {
    return this.use(async (api) => {
      try {
        return await api.webcodecsProbe(input, targets);
      } catch (error) {
        throw routeError(error);
      }
    }, signal);
  }

  /** One WebCodecs encode into OPFS scratch; any failure of the route throws WebCodecsRouteError. */
  webcodecsEncode(request: WebCodecsRequest, onProgress: ProgressSink, onLog: LogSink, signal?: AbortSignal): Promise<WebCodecsEncodeResult> {
    return this.use(async (api) => {
      try {
        return await api.webcodecsEncode(request, Comlink.proxy(onProgress), Comlink.proxy(onLog));
      } catch (error) {
        throw routeError(error);
      }
    }, signal);
  }

  /** PSNR and SSIM of an output against its source, computed in a worker. */
  scoreQuality(request: QualityRequest, signal?: AbortSignal): Promise<QualityReport> {
    return this.use((api) => api.scoreQuality(request), signal);
  }

  /** One instant of an output beside its source, as bitmaps, with that frame's PSNR and SSIM. */
  compareFrames(request: QualityRequest, atSec: number, signal?: AbortSignal): Promise<CompareFrames | null> {
    return this.use((api) => api.compareFrames(request, atSec), signal);
  }

  /** Ends every worker; running tasks fail. */
  terminateAll(): void {
    for (const slot of this.idle.splice(0)) slot.worker.terminate();
  }

  private async acquire(signal?: AbortSignal): Promise<Slot> {
    while (this.busy >= this.size) {
      if (signal?.aborted) throw abortError();
      await new Promise<void>((resume) => {
        this.waiting.push(resume);
        signal?.addEventListener('abort', () => resume(), { once: true });
      });
    }
    if (signal?.aborted) throw abortError();
    this.busy++;
    return this.idle.pop() ?? this.spawn();
  }

  private release(slot: Slot, healthy: boolean): void {
    this.busy--;
    slot.tasksRun++;
    const keep = healthy && slot.tasksRun < this.maxTasksPerWorker && this.busy + this.idle.length < this.size;
    if (keep) this.idle.push(slot);
    else slot.worker.terminate();
    this.wakeWaiting();
  }

  private wakeWaiting(): void {
    for (const resume of this.waiting.splice(0)) resume();
  }

  private spawn(): Slot {
    const worker = this.options.createWorker();
    const crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        reject(new WorkerCrashedError(`The encoder's worker crashed${event.message ? `: ${event.message}` : ''}.`));
      });
    });
    crashed.catch(() => {}); // observed by runOn when a task is in flight
    return { worker, api: Comlink.wrap<FfmpegWorkerApi>(worker), tasksRun: 0, crashed };
  }

  /**
   * Loads the core in `slot`'s worker. The first worker compiles the .wasm (32 MB) and hands
   * the module back; the others wait for it and only instantiate it: one compile per page
   * instead of one per worker, and V8's optimised code is shared by every instance.
   */
  private load(slot: Slot): Promise<LoadResult> {
    const shared = this.options.compiledCore;
    if (!shared) return slot.api.load();
    if (!shared.module) {
      const first = slot.api.load();
      shared.module = first.then(
        (loaded) => loaded.compiled ?? null,
        () => {
          shared.module = null; // the next worker tries again
          return null;
        },
      );
      return first;
    }
    return shared.module.then((compiled) => slot.api.load(compiled ?? undefined));
  }

  private async runOn<T>(slot: Slot, task: Task<T>, signal?: AbortSignal): Promise<T> {
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        slot.worker.terminate();
        reject(abortError());
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const load = this.load(slot).then((loaded) => {
        if (loaded.loadMs > 0) this.options.onCoreLoaded?.(loaded);
      });
      await Promise.race([load, aborted, slot.crashed]);
      return await Promise.race([task(slot.api), aborted, slot.crashed]);
    } catch (error) {
      if (isAbortError(error) || error instanceof WorkerCrashedError || error instanceof FfmpegExitError || error instanceof OutputWriteError || error instanceof WebCodecsRouteError) throw error;
      // Any other exception comes out of the worker (e.g. a wasm RuntimeError): the instance is spoiled.
      const message = error instanceof Error ? error.message : String(error);
      throw new WorkerCrashedError(`The encoder crashed: ${message}`);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The core's module as the first worker of the page compiled it (null when that failed: each worker then compiles its own). */
export interface CompiledCore {
  module: Promise<WebAssembly.Module | null> | null;
}

/** Comlink carries only an error's name and message across. */
function routeError(error: unknown): Error {
  if (isAbortError(error)) return asAbortError(error);
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  return new WebCodecsRouteError(message, name === 'WebCodecsUnsupportedError');
}

/**
 * Workers to run at once: one per core, but no more than memory allows (each running
 * instance takes 80–150 MiB).
 */
export function defaultPoolSize(hardwareConcurrency: number | undefined, deviceMemoryGiB: number | undefined): number {
  const cores = hardwareConcurrency && hardwareConcurrency > 0 ? hardwareConcurrency : 2;
  const byMemory = deviceMemoryGiB && deviceMemoryGiB > 0 ? Math.max(1, Math.floor(deviceMemoryGiB / 0.5)) : cores;
  return Math.max(1, Math.min(cores, byMemory, 8));
}
