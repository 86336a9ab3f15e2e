import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAbortError } from '../../src/shared/abort';
import { defaultPoolSize, FfmpegExitError, OutputWriteError, WorkerCrashedError, WorkerPool, type CompiledCore, type WorkerPoolOptions } from '../../src/pool/worker-pool';
import type { FfmpegWorkerApi, LogSink, MountedInput, ProbeResult, RunRequest, RunResult } from '../../workers/protocol';

/**
 * A stand-in for `new Worker(...)`: the page side of a MessageChannel, with a fake
 * FfmpegWorkerApi exposed by Comlink on the other side, as the real worker does.
 */
class FakeWorker {
  readonly page: MessagePort;
  readonly inside: MessagePort;
  private readonly events = new EventTarget();
  terminateCalls = 0;

  constructor(
    readonly index: number,
    api: FfmpegWorkerApi,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.page = port1;
    this.inside = port2;
    Comlink.expose(api, port2);
  }

  get terminated(): boolean {
    return this.terminateCalls > 0;
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (!this.terminated) this.page.postMessage(message, transfer);
  }

  addEventListener(type: string, listener: EventListener): void {
    if (type === 'message') {
      this.page.addEventListener('message', listener);
      this.page.start();
    } else {
      this.events.addEventListener(type, listener);
    }
  }

  removeEventListener(type: string, listener: EventListener): void {
    if (type === 'message') this.page.removeEventListener('message', listener);
    else this.events.removeEventListener(type, listener);
  }

  terminate(): void {
    this.terminateCalls++;
    this.page.close();
    this.inside.close();
  }

  /** What a browser does when the worker's script throws (wasm abort, out of memory). */
  crash(message: string): void {
    this.events.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message }));
  }
}

interface PendingRun {
  worker: FakeWorker;
  request: RunRequest;
  log(lines: string[]): void;
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

/** Makes fake workers and records everything done to them. */
class Lab {
  readonly workers: FakeWorker[] = [];
  readonly runs: PendingRun[] = [];
  readonly probes: { worker: number; input: string }[] = [];
  /** Milliseconds the first load of each worker reports. */
  coldLoadMs = 1_700;
  /** Each worker's first load, with the module the pool handed it. */
  readonly coreLoads: { worker: number; handed: WebAssembly.Module | undefined }[] = [];
  /** The module each worker would compile itself (a distinct empty module per worker). */
  readonly compiledBy = new Map<number, WebAssembly.Module>();

  compiledHere(worker: number): WebAssembly.Module {
    const module = new WebAssembly.Module(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    this.compiledBy.set(worker, module);
    return module;
  }

  readonly createWorker = (): Worker => {
    const index = this.workers.length;
    let loaded = false;
    const api: FfmpegWorkerApi = {
      // Nothing here is scored: these fakes have no frames.
      scoreQuality: () => Promise.resolve({ score: null, perFrame: [], log: [] }),
      compareFrames: () => Promise.resolve(null),
      load: (compiled?: WebAssembly.Module) => {
        const loadMs = loaded ? 0 : this.coldLoadMs;
        const cold = !loaded;
        loaded = true;
        if (cold) this.coreLoads.push({ worker: index, handed: compiled });
        // As the real worker: a worker that compiled the core itself hands the module back.
        return Promise.resolve({ loadMs, outputsOnDisk: true, ...(cold && !compiled ? { compiled: this.compiledHere(index) } : {}) });
      },
      probe: (input: MountedInput): Promise<ProbeResult> => {
        this.probes.push({ worker: index, input: input.name });
        return Promise.resolve({ report: { streams: [{ index: 0, codec_type: 'audio' }] }, log: [] });
      },
      run: (request: RunRequest, onLog: LogSink): Promise<RunResult> =>
        new Promise<RunResult>((resolve, reject) => {
          const worker = this.workers[index];
          if (!worker) throw new Error(`worker ${index} is missing`);
          this.runs.push({ worker, request, log: (lines) => void onLog(lines), resolve, reject });
        }),
      probeTail: () => Promise.reject(new Error('not used here')),
      coreLists: () => Promise.reject(new Error('not used here')),
      dryRun: () => Promise.reject(new Error('not used here')),
      webcodecsProbe: () => Promise.reject(new Error('not used here')),
      webcodecsEncode: () => Promise.reject(new Error('not used here')),
      smartCut: () => Promise.reject(new Error('not used here')),
    };
    const worker = new FakeWorker(index, api);
    this.workers.push(worker);
    return worker as unknown as Worker;
  };

  pool(options: Partial<WorkerPoolOptions> = {}): WorkerPool {
    return new WorkerPool({ size: 2, createWorker: this.createWorker, ...options });
  }

  alive(): FakeWorker[] {
    return this.workers.filter((w) => !w.terminated);
  }

  closeAll(): void {
    for (const worker of this.alive()) worker.terminate();
  }
}

const OK: RunResult = { exitCode: 0, outputs: [new Blob([new Uint8Array([1, 2, 3])])], writeFailure: null };

function request(name = 'a'): RunRequest {
  return { inputs: [{ name: `${name}.avi`, data: new Blob(['x']) }], args: ['-i', `/in/${name}.avi`, `/out/${name}.mp4`], outputs: [`${name}.mp4`] };
}

const noLog: LogSink = () => {};

/** Waits a little to show that something does not happen. */
function pause(ms = 40): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let lab = new Lab();

afterEach(() => {
  lab.closeAll();
  lab = new Lab();
});

describe('WorkerPool: workers', () => {
  it('starts no worker before the first task (lazy start)', async () => {
    const pool = lab.pool({ size: 4 });
    await pause(10);
    expect(lab.workers).toHaveLength(0);
    expect(pool.workerCount).toBe(0);
    await pool.probe({ name: 'a.mp4', data: new Blob(['x']) });
    expect(lab.workers).toHaveLength(1);
    expect(pool.workerCount).toBe(1);
  });

  it('runs at most `size` tasks at once: N+1 tasks make N workers and the extra one waits', async () => {
    const pool = lab.pool({ size: 2 });
    const results = [pool.run(request('a'), noLog), pool.run(request('b'), noLog), pool.run(request('c'), noLog)];
    await vi.waitFor(() => expect(lab.runs).toHaveLength(2));
    await pause();
    expect(lab.runs).toHaveLength(2);
    expect(lab.workers).toHaveLength(2);
    expect(pool.workerCount).toBe(2);

    lab.runs[0]?.resolve(OK);
    await expect(results[0]).resolves.toMatchObject({ exitCode: 0 });
    await vi.waitFor(() => expect(lab.runs).toHaveLength(3));
    // The freed worker is reused, warm: no third worker.
    expect(lab.workers).toHaveLength(2);
    expect(lab.runs[2]?.worker).toBe(lab.runs[0]?.worker);
    expect(lab.runs[2]?.request.outputs).toEqual(['c.mp4']);

    lab.runs[1]?.resolve(OK);
    lab.runs[2]?.resolve(OK);
    await Promise.all(results);
    expect(lab.alive()).toHaveLength(2);
  });

  it('recycles a worker after maxTasksPerWorker tasks', async () => {
    const pool = lab.pool({ size: 1, maxTasksPerWorker: 2 });
    for (let i = 0; i < 5; i++) await pool.probe({ name: `f${i}.mp4`, data: new Blob(['x']) });
    expect(lab.probes.map((p) => p.worker)).toEqual([0, 0, 1, 1, 2]);
    expect(lab.workers.map((w) => w.terminated)).toEqual([true, true, false]);
    expect(pool.workerCount).toBe(1);
  });

  it('tells onCoreLoaded of each cold core load only', async () => {
    const loads: number[] = [];
    const pool = lab.pool({ size: 1, onCoreLoaded: ({ loadMs }) => loads.push(loadMs) });
    await pool.probe({ name: 'a.mp4', data: new Blob(['x']) });
    await pool.probe({ name: 'b.mp4', data: new Blob(['x']) });
    expect(loads).toEqual([1_700]);
  });

  it('the core is compiled once: pools sharing a CompiledCore hand the first worker\'s module to every later worker', async () => {
    const compiledCore: CompiledCore = { module: null };
    const encode = lab.pool({ size: 2, compiledCore });
    const probe = lab.pool({ size: 1, compiledCore });
    encode.warmUp(2);
    await probe.probe({ name: 'a.mp4', data: new Blob(['x']) });
    await vi.waitFor(() => expect(lab.coreLoads).toHaveLength(3));
    const compilers = lab.coreLoads.filter((load) => load.handed === undefined);
    expect(compilers.map((load) => load.worker), 'only the first worker compiles').toEqual([0]);
    expect([...lab.compiledBy.keys()]).toEqual([0]);
    // The module crosses to each worker by structured clone (as postMessage does): a copy of the first.
    for (const load of lab.coreLoads.slice(1)) expect(load.handed).toBeInstanceOf(WebAssembly.Module);
  });

  it('without a CompiledCore every worker compiles its own', async () => {
    const pool = lab.pool({ size: 2 });
    pool.warmUp(2);
    await vi.waitFor(() => expect(lab.coreLoads).toHaveLength(2));
    expect(lab.coreLoads.every((load) => load.handed === undefined)).toBe(true);
  });

  it('warmUp starts workers ahead of need, no more than the size', async () => {
    const loads: number[] = [];
    const pool = lab.pool({ size: 2, onCoreLoaded: ({ loadMs }) => loads.push(loadMs) });
    pool.warmUp(5);
    expect(lab.workers).toHaveLength(2);
    await vi.waitFor(() => expect(loads).toEqual([1_700, 1_700]));
    await pool.probe({ name: 'a.mp4', data: new Blob(['x']) });
    expect(lab.workers).toHaveLength(2);
    expect(loads).toHaveLength(2);
  });
});

describe('WorkerPool: results and errors', () => {
  it('returns the outputs and hands log lines to onLog while the run goes on', async () => {
    const pool = lab.pool();
    const seen: string[][] = [];
    const result = pool.run(request(), (lines) => {
      seen.push(lines);
    });
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    lab.runs[0]?.log(['frame=1 time=00:00:00.04']);
    await vi.waitFor(() => expect(seen).toEqual([['frame=1 time=00:00:00.04']]));
    lab.runs[0]?.resolve(OK);
    const { exitCode, outputs } = await result;
    expect(exitCode).toBe(0);
    expect([...new Uint8Array(await outputs[0]!.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(lab.workers[0]?.terminated).toBe(false);
  });

  it('a non-zero exit throws FfmpegExitError with the code, and the worker is replaced', async () => {
    const pool = lab.pool({ size: 1 });
    const result = pool.run(request(), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    lab.runs[0]?.resolve({ exitCode: 1, outputs: [null], writeFailure: null });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegExitError);
    expect((error as FfmpegExitError).exitCode).toBe(1);
    expect(lab.workers[0]?.terminated).toBe(true);
    await pool.probe({ name: 'b.mp4', data: new Blob(['x']) });
    expect(lab.probes.map((p) => p.worker)).toEqual([1]);
  });

  it('a write failure throws OutputWriteError even when ffmpeg exited 0, and the worker is replaced', async () => {
    const pool = lab.pool({ size: 1 });
    const result = pool.run(request(), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    lab.runs[0]?.resolve({ exitCode: 0, outputs: [null], writeFailure: { kind: 'quota', message: 'Quota exceeded.' } });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as OutputWriteError).failure.kind).toBe('quota');
    expect(lab.workers[0]?.terminated).toBe(true);
  });

  it('a task that throws fails with WorkerCrashedError; its worker is terminated and replaced', async () => {
    const pool = lab.pool({ size: 1 });
    const result = pool.run(request(), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    lab.runs[0]?.reject(new Error('RuntimeError: memory access out of bounds'));
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toContain('memory access out of bounds');
    expect(lab.workers[0]?.terminated).toBe(true);

    const next = pool.run(request('b'), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(2));
    expect(lab.runs[1]?.worker.index).toBe(1);
    lab.runs[1]?.resolve(OK);
    await expect(next).resolves.toMatchObject({ exitCode: 0 });
  });

  it('a worker that crashes (error event) fails its task at once and is replaced', async () => {
    const pool = lab.pool({ size: 1 });
    const result = pool.run(request(), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    lab.workers[0]?.crash('Aborted(OOM)');
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toBe("The encoder's worker crashed: Aborted(OOM).");
    expect(lab.workers[0]?.terminated).toBe(true);
    await pool.probe({ name: 'b.mp4', data: new Blob(['x']) });
    expect(lab.workers).toHaveLength(2);
  });

  it('a failed task does not stop the others', async () => {
    const pool = lab.pool({ size: 2 });
    const bad = pool.run(request('bad'), noLog);
    const good = pool.run(request('good'), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(2));
    lab.runs.find((r) => r.request.outputs[0] === 'bad.mp4')?.reject(new Error('boom'));
    await expect(bad).rejects.toBeInstanceOf(WorkerCrashedError);
    lab.runs.find((r) => r.request.outputs[0] === 'good.mp4')?.resolve(OK);
    await expect(good).resolves.toMatchObject({ exitCode: 0 });
  });
});

describe('WorkerPool: abort', () => {
  it('abort while running terminates the worker at once and rejects with an AbortError', async () => {
    const pool = lab.pool({ size: 1 });
    const cancel = new AbortController();
    const result = pool.run(request(), noLog, cancel.signal);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    expect(lab.workers[0]?.terminated).toBe(false);
    cancel.abort();
    // Synchronously: an exec cannot be stopped any other way.
    expect(lab.workers[0]?.terminated).toBe(true);
    const error = await result.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);

    const next = pool.run(request('b'), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(2));
    expect(lab.runs[1]?.worker.index).toBe(1);
    lab.runs[1]?.resolve(OK);
    await expect(next).resolves.toMatchObject({ exitCode: 0 });
  });

  it('abort while waiting for a slot rejects at once, starts no worker, and leaves the running task alone', async () => {
    const pool = lab.pool({ size: 1 });
    const first = pool.run(request('first'), noLog);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    const cancel = new AbortController();
    const waiting = pool.run(request('waiting'), noLog, cancel.signal);
    await pause(10);
    cancel.abort();
    const error = await waiting.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(lab.workers).toHaveLength(1);
    expect(lab.workers[0]?.terminated).toBe(false);
    lab.runs[0]?.resolve(OK);
    await expect(first).resolves.toMatchObject({ exitCode: 0 });
    await pause();
    expect(lab.runs).toHaveLength(1);
  });

  it('an already aborted signal rejects without starting a worker', async () => {
    const pool = lab.pool();
    const cancel = new AbortController();
    cancel.abort();
    const error = await pool.run(request(), noLog, cancel.signal).catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(lab.workers).toHaveLength(0);
  });
});

describe('WorkerPool: setSize', () => {
  it('raising the size starts a waiting task at once', async () => {
    const pool = lab.pool({ size: 1 });
    const results = [pool.run(request('a'), noLog), pool.run(request('b'), noLog)];
    await vi.waitFor(() => expect(lab.runs).toHaveLength(1));
    await pause();
    expect(lab.runs).toHaveLength(1);
    pool.setSize(2);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(2));
    expect(lab.workers).toHaveLength(2);
    for (const run of lab.runs) run.resolve(OK);
    await Promise.all(results);
  });

  it('lowering the size ends idle workers at once and busy ones when they finish', async () => {
    const pool = lab.pool({ size: 3 });
    const results = [pool.run(request('a'), noLog), pool.run(request('b'), noLog)];
    await vi.waitFor(() => expect(lab.runs).toHaveLength(2));
    pool.warmUp();
    expect(lab.workers).toHaveLength(3);
    pool.setSize(1);
    expect(lab.alive()).toHaveLength(2);
    expect(lab.runs.every((r) => !r.worker.terminated)).toBe(true);
    for (const run of lab.runs) run.resolve(OK);
    await Promise.all(results);
    expect(pool.workerCount).toBe(1);
    expect(lab.alive()).toHaveLength(1);

    // Only one task at a time from now on.
    const more = [pool.run(request('c'), noLog), pool.run(request('d'), noLog)];
    await vi.waitFor(() => expect(lab.runs).toHaveLength(3));
    await pause();
    expect(lab.runs).toHaveLength(3);
    lab.runs[2]?.resolve(OK);
    await vi.waitFor(() => expect(lab.runs).toHaveLength(4));
    lab.runs[3]?.resolve(OK);
    await Promise.all(more);
  });
});

describe('defaultPoolSize', () => {
  it('one worker per core, at most 8', () => {
    expect(defaultPoolSize(2, undefined)).toBe(2);
    expect(defaultPoolSize(4, undefined)).toBe(4);
    expect(defaultPoolSize(16, undefined)).toBe(8);
    expect(defaultPoolSize(1, undefined)).toBe(1);
  });

  it('two cores when the browser does not say', () => {
    expect(defaultPoolSize(undefined, undefined)).toBe(2);
    expect(defaultPoolSize(0, undefined)).toBe(2);
  });

  it('capped by memory: two workers per GiB, at least one', () => {
    expect(defaultPoolSize(8, 8)).toBe(8);
    expect(defaultPoolSize(8, 2)).toBe(4);
    expect(defaultPoolSize(8, 1)).toBe(2);
    expect(defaultPoolSize(8, 0.5)).toBe(1);
    expect(defaultPoolSize(8, 0.25)).toBe(1);
    expect(defaultPoolSize(4, 0)).toBe(4);
  });
});
