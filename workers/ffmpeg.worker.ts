/// <reference lib="webworker" />
/**
 * One ffmpeg.wasm instance per worker. The worker runs one command at a time and knows
 * nothing of jobs, storage or the DOM: the page sends a command, the worker mounts the
 * inputs read-only (WORKERFS: no copy into wasm memory), runs ffmpeg with its outputs
 * written in place to OPFS scratch files (or, without OPFS, to wasm memory), and hands
 * the outputs back as Files.
 */
import * as Comlink from 'comlink';
import coreURL from '@ffmpeg/core?url';
import coreStack from 'virtual:ffmpeg-core-stack';
import wasmURL from '@ffmpeg/core/wasm?url';
import { compileCore, importCore, type FFmpegCoreModule } from './ffmpeg/core';
import { lastPacketEnd, packetCounts } from './ffmpeg/framecrc';
import { addReadAhead, type WorkerFs } from './ffmpeg/input-read-ahead';
import { createOpfsFs, type WriteFailure } from './ffmpeg/opfs-fs';
import { canWriteToOpfs, openScratchFiles, type ScratchFiles } from './ffmpeg/opfs-scratch';
import { comparePair, i420ToRgba, type ComparedPair } from './quality/compare-frames';
import { frameMse, frameSsim, psnrOfMse, type I420Frame } from './quality/frame-quality';
import { scoreWithFfmpeg, type GrabEngine } from './quality/score-with-ffmpeg';
import type {
  CompareFrames,
  CoreLists,
  DryRunResult,
  FfmpegWorkerApi,
  LoadResult,
  LogSink,
  MountedInput,
  ProbeReport,
  ProgressSink,
  QualityReport,
  QualityRequest,
  RunRequest,
  SmartCutOutput,
  SmartCutRequest,
  RunResult,
  WebCodecsEncodeResult,
  WebCodecsRequest,
  WebCodecsSupport,
  WebCodecsTarget,
  WriteFailureReport,
} from './protocol';

const LOG_FLUSH_MS = 150;

let core: FFmpegCoreModule | undefined;
let loading: Promise<FFmpegCoreModule> | undefined;
/** Where log lines of the current run go; the core has one logger for its lifetime. */
let logLine: (line: string) => void = () => {};

/**
 * @ffmpeg/core 0.12.10 is linked with Emscripten's default 64 KiB stack, but libvpx-vp9
 * inter frames and libopus need 70–85 KiB: they overflow into static data and die with
 * "memory access out of bounds" (ffmpeg.wasm issue #679). Every run gets a 4 MiB stack of
 * its own from the heap instead. The core does not export its stack functions by name:
 * their minified names are read from its glue at build time (scripts/ffmpeg-core-exports.ts).
 */
const RUN_STACK_BYTES = 4 * 1024 * 1024;
let withRunStack: <T>(run: () => T) => T = (run) => run();

type CoreInternals = FFmpegCoreModule & { asm?: Record<string, unknown>; _malloc?: (bytes: number) => number };

function installRunStack(core: CoreInternals): void {
  const save = core.asm?.[coreStack.stackSave];
  const restore = core.asm?.[coreStack.stackRestore];
  if (typeof save !== 'function' || typeof restore !== 'function' || !core._malloc) {
    console.warn('ffbatch: the ffmpeg core has no stack functions where expected; VP9 and Opus may crash.');
    return;
  }
  const stackSave = save as () => number;
  const stackRestore = restore as (pointer: number) => void;
  const base = core._malloc(RUN_STACK_BYTES);
  const top = (base + RUN_STACK_BYTES) & ~15; // the stack grows down and wants 16-byte alignment
  // Check that the pair really moves the stack pointer before trusting it with every run.
  const original = stackSave();
  stackRestore(top);
  const moved = stackSave() === top;
  stackRestore(original);
  if (!base || !moved) {
    console.warn('ffbatch: could not switch the ffmpeg core to a larger stack; VP9 and Opus may crash.');
    return;
  }
  withRunStack = (run) => {
    const previous = stackSave();
    stackRestore(top);
    try {
      return run();
    } finally {
      stackRestore(previous);
    }
  };
}

/** The module this worker instantiated: compiled here, or handed over by the page from another worker. */
let compiledHere: WebAssembly.Module | undefined;

async function loadCore(handed?: WebAssembly.Module): Promise<FFmpegCoreModule> {
  const absoluteCoreURL = new URL(coreURL, self.location.href).href;
  const absoluteWasmURL = new URL(wasmURL, self.location.href).href;
  const [module, compiled] = await Promise.all([
    importCore(absoluteCoreURL),
    handed ? Promise.resolve(handed) : compileCore(absoluteWasmURL),
  ]);
  if (!handed) compiledHere = compiled;
  // The core finds its .wasm through this hash (its own locateFile convention); it is not fetched
  // again: instantiateWasm instantiates the compiled module, which every worker of the page shares
  // (one compile, and code that V8 optimises once for all of them).
  const hash = btoa(JSON.stringify({ wasmURL: absoluteWasmURL, workerURL: '' }));
  let failInstantiate: (error: unknown) => void = () => {};
  const instantiateFailed = new Promise<never>((_, reject) => (failInstantiate = reject));
  const created = await Promise.race([
    module.default({
      mainScriptUrlOrBlob: `${absoluteCoreURL}#${hash}`,
      instantiateWasm: (imports, receiveInstance) => {
        WebAssembly.instantiate(compiled, imports).then((instance) => receiveInstance(instance, compiled), failInstantiate);
        return {};
      },
    }),
    instantiateFailed,
  ]);
  created.setLogger(({ message }) => logLine(message));
  installRunStack(created);
  addReadAhead(created.FS.filesystems.WORKERFS as WorkerFs);
  for (const dir of ['/in', '/out', '/work']) created.FS.mkdir(dir);
  return created;
}

async function ensureCore(handed?: WebAssembly.Module): Promise<FFmpegCoreModule> {
  if (core) return core;
  loading ??= loadCore(handed);
  core = await loading;
  return core;
}

/**
 * Collects log lines and hands them to the page in batches. The core runs
 * synchronously, so no timer can fire during a run: flush on the clock as lines come.
 */
function batchedLog(sink: LogSink): { push(line: string): void; flush(): Promise<void> } {
  let pending: string[] = [];
  let lastFlush = performance.now();
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    lastFlush = performance.now();
    await sink(lines);
  };
  return {
    push(line) {
      pending.push(line);
      if (performance.now() - lastFlush >= LOG_FLUSH_MS) void flush();
    },
    flush,
  };
}

function mountInputs(ffmpeg: FFmpegCoreModule, inputs: MountedInput[]): void {
  if (inputs.length === 0) return;
  ffmpeg.FS.mount(ffmpeg.FS.filesystems.WORKERFS, { blobs: inputs.map(({ name, data }) => ({ name, data })) }, '/in');
}

function unmountInputs(ffmpeg: FFmpegCoreModule, inputs: MountedInput[]): void {
  if (inputs.length > 0) ffmpeg.FS.unmount('/in');
}

function describeWriteFailure(failures: readonly WriteFailure[]): WriteFailureReport | null {
  const first = failures[0];
  if (!first) return null;
  const quota = failures.some(({ error }) => error instanceof DOMException && error.name === 'QuotaExceededError');
  const message = first.error instanceof Error ? first.error.message : String(first.error);
  return { kind: quota ? 'quota' : 'io', message };
}

/** MEMFS outputs: read once out of wasm memory into a Blob, then freed. */
function memoryOutputs(ffmpeg: FFmpegCoreModule, names: readonly string[]): (Blob | null)[] {
  return names.map((name) => {
    const path = `/out/${name}`;
    if (!ffmpeg.FS.analyzePath(path).exists) return null;
    const blob = new Blob([ffmpeg.FS.readFile(path) as Uint8Array<ArrayBuffer>]);
    ffmpeg.FS.unlink(path);
    return blob;
  });
}

function removeFiles(ffmpeg: FFmpegCoreModule, folder: string): void {
  for (const name of ffmpeg.FS.readdir(folder)) {
    if (name !== '.' && name !== '..') ffmpeg.FS.unlink(`${folder}/${name}`);
  }
}

/** Runs ffmpeg once in wasm memory and keeps its whole log (short runs only). */
function execCollecting(ffmpeg: FFmpegCoreModule, args: string[]): DryRunResult {
  const log: string[] = [];
  logLine = (line) => log.push(line);
  try {
    ffmpeg.reset();
    const exitCode = withRunStack(() => ffmpeg.exec('-nostdin', '-y', ...args));
    return { exitCode, log };
  } finally {
    logLine = () => {};
  }
}

const api: FfmpegWorkerApi = {
  async load(compiled?: WebAssembly.Module): Promise<LoadResult> {
    const outputsOnDisk = canWriteToOpfs();
    if (core) return { loadMs: 0, outputsOnDisk };
    const started = performance.now();
    await ensureCore(compiled);
    return { loadMs: performance.now() - started, outputsOnDisk, ...(compiledHere ? { compiled: compiledHere } : {}) };
  },

  async probe(input) {
    const { text, log } = await ffprobeTo(input, ['-v', 'warning', '-show_format', '-show_streams', '-of', 'json'], '/work/probe.json');
    if (text === null) return { report: null, log };
    const report = JSON.parse(text) as ProbeReport;
    const readable = (report.streams?.length ?? 0) > 0;
    return { report: readable ? report : null, log };
  },

  async probeTail(input, fromSec) {
    const ffmpeg = await ensureCore();
    mountInputs(ffmpeg, [input]);
    try {
      // ffmpeg rather than ffprobe: ffmpeg.wasm resets ffmpeg's globals between runs but not
      // ffprobe's, and a packet listing after a stream listing came back garbled now and then.
      // -copyts keeps the packets' own times; framecrc lists each packet's pts and duration.
      // From 0 no seek at all: a raw stream (ADTS, MP3) is read from its first byte.
      const seek = fromSec > 0 ? ['-ss', fromSec.toFixed(3)] : [];
      const args = ['-v', 'error', '-copyts', ...seek, '-i', `/in/${input.name}`, '-map', '0', '-c', 'copy', '-f', 'framecrc', TAIL_FILE];
      const { log } = execCollecting(ffmpeg, args);
      if (!ffmpeg.FS.analyzePath(TAIL_FILE).exists) return { endSec: null, log };
      const text = ffmpeg.FS.readFile(TAIL_FILE, { encoding: 'utf8' });
      ffmpeg.FS.unlink(TAIL_FILE);
      return { endSec: lastPacketEnd(text), packets: packetCounts(text), log };
    } finally {
      unmountInputs(ffmpeg, [input]);
    }
  },

  async run(request: RunRequest, onLog: LogSink): Promise<RunResult> {
    const ffmpeg = await ensureCore();
    const scratch: ScratchFiles | null = request.scratchFolder && canWriteToOpfs() ? await openScratchFiles(request.scratchFolder, request.outputs) : null;
    const failures: WriteFailure[] = [];
    const log = batchedLog(onLog);
    logLine = (line) => log.push(line);
    mountInputs(ffmpeg, request.inputs);
    let onDisk = false;
    if (scratch) {
      ffmpeg.FS.mount(createOpfsFs(ffmpeg.FS, scratch.handles, failures), {}, '/out');
      onDisk = true;
    }
    try {
      for (const { name, text } of request.textFiles ?? []) ffmpeg.FS.writeFile(`/work/${name}`, text);
      ffmpeg.reset();
      const exitCode = withRunStack(() => ffmpeg.exec('-nostdin', '-y', ...request.args));
      // The page must hold every line (the reason for a failure) before it gets the result.
      await log.flush();
      let outputs: (Blob | null)[];
      if (scratch) {
        const written = new Set(request.outputs.filter((name) => ffmpeg.FS.analyzePath(`/out/${name}`).exists));
        ffmpeg.FS.unmount('/out');
        onDisk = false;
        outputs = await scratch.close(written);
      } else {
        outputs = memoryOutputs(ffmpeg, request.outputs);
      }
      return { exitCode, outputs, writeFailure: describeWriteFailure(failures) };
    } finally {
      void log.flush();
      logLine = () => {};
      unmountInputs(ffmpeg, request.inputs);
      if (onDisk) ffmpeg.FS.unmount('/out');
      // Idempotent: after an exception the handles must still be let go.
      await scratch?.close(new Set());
      removeFiles(ffmpeg, '/out');
      removeFiles(ffmpeg, '/work');
    }
  },

  async coreLists(): Promise<CoreLists> {
    const ffmpeg = await ensureCore();
    return {
      encoders: execCollecting(ffmpeg, ['-hide_banner', '-encoders']).log.join('\n'),
      filters: execCollecting(ffmpeg, ['-hide_banner', '-filters']).log.join('\n'),
    };
  },

  async dryRun(steps: string[][]): Promise<DryRunResult> {
    const ffmpeg = await ensureCore();
    let result: DryRunResult = { exitCode: 0, log: [] };
    try {
      for (const args of steps) {
        result = execCollecting(ffmpeg, args);
        if (result.exitCode !== 0) break;
      }
      return result;
    } finally {
      removeFiles(ffmpeg, '/work');
    }
  },

  async scoreQuality(request: QualityRequest): Promise<QualityReport> {
    const browser = await inBrowser(async () => (await import('./quality/score-with-webcodecs')).scoreWithWebCodecs(request));
    if (browser.result?.score) return { ...browser.result, log: ['frames decoded by the browser (WebCodecs), the source scaled here (lanczos)', ...browser.result.log] };
    const report = await withGrabEngine(request, (engine) => scoreWithFfmpeg(request, engine));
    return { ...report, log: [`frames decoded by ffmpeg.wasm (${browser.why ?? 'the browser decoded none'})`, ...report.log] };
  },

  async compareFrames(request: QualityRequest, atSec: number): Promise<CompareFrames | null> {
    const browser = await inBrowser(() => compareInBrowser(request, atSec));
    const pair = browser.result ?? (await withGrabEngine(request, (engine) => comparePair(request, atSec, engine)));
    if (!pair) return null;
    const bitmap = (frame: I420Frame): Promise<ImageBitmap> => createImageBitmap(new ImageData(i420ToRgba(frame), frame.width, frame.height));
    const [output, source] = await Promise.all([bitmap(pair.output), bitmap(pair.source)]);
    const result: CompareFrames = { at: pair.at, width: request.width, height: request.height, output, source, psnr: pair.psnr, ssim: pair.ssim };
    return Comlink.transfer(result, [output, source]);
  },

  async webcodecsProbe(input: Blob, targets: WebCodecsTarget[]): Promise<WebCodecsSupport> {
    // Mediabunny and the AAC encoder load only in workers that take the fast route.
    const { probeWebCodecsSupport } = await import('./webcodecs/probe');
    return probeWebCodecsSupport(asFile(input), targets);
  },

  async webcodecsEncode(request: WebCodecsRequest, onProgress: ProgressSink, onLog: LogSink): Promise<WebCodecsEncodeResult> {
    const { transcodeWithWebCodecs } = await import('./webcodecs/transcode');
    if (!canWriteToOpfs()) throw namedError('WebCodecsUnsupportedError', 'this browser has no OPFS sync access handles for the fast route');
    const scratch = await openScratchFiles(request.scratchFolder, [request.output]);
    const handle = scratch.handles.get(request.output);
    const log = batchedLog(onLog);
    // Cancel is the pool terminating this worker; this controller only serves the test knob.
    const stop = new AbortController();
    let forced = false;
    try {
      if (!handle) throw new Error(`No scratch file was opened for ${request.output}.`);
      const result = await transcodeWithWebCodecs(asFile(request.input), request.target, handle, {
        onProgress: (seconds) => {
          void onProgress(seconds);
          if (request.fault && !forced) {
            forced = true;
            stop.abort();
          }
        },
        signal: stop.signal,
        log: (line) => log.push(line),
      });
      if (forced) await forcedFault(request.fault);
      await log.flush();
      const [output] = await scratch.close(new Set([request.output]));
      if (!output) throw new Error('the fast route wrote no output file');
      return { output, durationSec: result.durationSec, videoFrames: result.videoFrames, audio: result.audio, ...(result.meanQp !== null ? { meanQp: result.meanQp } : {}) };
    } catch (error) {
      if (forced) await forcedFault(request.fault, error);
      throw error;
    } finally {
      await log.flush();
      await scratch.close(new Set());
    }
  },

  async smartCut(request: SmartCutRequest, onProgress: ProgressSink, onLog: LogSink): Promise<SmartCutOutput> {
    const { smartCut } = await import('./smart-cut/smart-cut');
    if (!canWriteToOpfs()) throw namedError('SmartCutUnsupportedError', 'this browser has no OPFS sync access handles');
    const ffmpeg = await ensureCore();
    const scratch = await openScratchFiles(request.scratchFolder, [request.output]);
    const log = batchedLog(onLog);
    mountInputs(ffmpeg, [request.input]);
    try {
      const handle = scratch.handles.get(request.output);
      if (!handle) throw new Error(`No scratch file was opened for ${request.output}.`);
      // The re-encoded stretches are short: they go to wasm memory, and Mediabunny reads them back.
      const runCore = (args: string[], outputPath: string): Promise<Uint8Array | null> => {
        logLine = (line) => log.push(line);
        try {
          ffmpeg.reset();
          const exitCode = withRunStack(() => ffmpeg.exec('-nostdin', '-y', ...args));
          if (exitCode !== 0 || !ffmpeg.FS.analyzePath(outputPath).exists) return Promise.resolve(null);
          const bytes = ffmpeg.FS.readFile(outputPath);
          ffmpeg.FS.unlink(outputPath);
          return Promise.resolve(bytes);
        } finally {
          logLine = () => {};
        }
      };
      const result = await smartCut(request.input.data, request.trim, handle, {
        inputPath: `/in/${request.input.name}`,
        runCore,
        log: (line) => log.push(line),
        onProgress: (seconds) => void onProgress(seconds),
      });
      await log.flush();
      const [output] = await scratch.close(new Set([request.output]));
      if (!output) throw new Error('the remux wrote no output file');
      return { ...result, output };
    } finally {
      await log.flush();
      unmountInputs(ffmpeg, [request.input]);
      await scratch.close(new Set());
      removeFiles(ffmpeg, '/work');
    }
  },
};

/** The test knob's end of a WebCodecs encode: an error, or a hang until the page terminates this worker. */
async function forcedFault(fault: WebCodecsRequest['fault'], cause?: unknown): Promise<never> {
  if (fault === 'stall') await new Promise<never>(() => {});
  throw new Error(`failure forced by ?webcodecsFail=${fault ?? 'throw'}`, { cause });
}

/**
 * Runs ffprobe with `args` on one input, its report written to `outFile` (in wasm memory),
 * and returns that text (null when ffprobe wrote none) and ffprobe's log.
 */
async function ffprobeTo(input: MountedInput, args: string[], outFile: string): Promise<{ text: string | null; log: string[] }> {
  const ffmpeg = await ensureCore();
  const log: string[] = [];
  logLine = (line) => log.push(line);
  mountInputs(ffmpeg, [input]);
  try {
    ffmpeg.reset();
    withRunStack(() => ffmpeg.ffprobe(...args, `/in/${input.name}`, '-o', outFile));
    // ffprobe ends with an "Aborted()" and returns −1 even when it succeeded: read the file instead.
    if (!ffmpeg.FS.analyzePath(outFile).exists) return { text: null, log };
    const text = ffmpeg.FS.readFile(outFile, { encoding: 'utf8' });
    ffmpeg.FS.unlink(outFile);
    return { text, log };
  } finally {
    unmountInputs(ffmpeg, [input]);
    logLine = () => {};
  }
}

const TAIL_FILE = '/work/tail.framecrc';

/** Runs `work` on the browser's decoders; its result, or why not (the caller uses ffmpeg.wasm). */
async function inBrowser<T>(work: () => Promise<T>): Promise<{ result: T | null; why?: string }> {
  if (typeof VideoDecoder === 'undefined') return { result: null, why: 'no WebCodecs here' };
  try {
    return { result: await work() };
  } catch (error) {
    return { result: null, why: error instanceof Error ? error.message : String(error) };
  }
}

/** Compare's pair from the browser's decoders, scored as the score's frames are. */
async function compareInBrowser(request: QualityRequest, atSec: number): Promise<ComparedPair | null> {
  const { browserFramePairs } = await import('./quality/score-with-webcodecs');
  const { indices, pairs } = await browserFramePairs(request, (count) => [Math.max(0, Math.min(count - 1, Math.round(atSec * request.fps)))]);
  const pair = pairs[0];
  if (!pair) return null;
  return { at: (indices[0] ?? 0) / request.fps, ...pair, psnr: psnrOfMse(frameMse(pair.output, pair.source).all), ssim: frameSsim(pair.output, pair.source).all };
}

/** Mounts an output and its source, and lets `use` grab frames of them into wasm memory (read and removed one by one). */
async function withGrabEngine<T>(request: QualityRequest, use: (engine: GrabEngine) => T): Promise<T> {
  const ffmpeg = await ensureCore();
  const inputs = [request.output, request.source];
  mountInputs(ffmpeg, inputs);
  try {
    return use({
      exec: (args) => execCollecting(ffmpeg, args),
      take: (path) => {
        if (!ffmpeg.FS.analyzePath(path).exists) return null;
        const bytes = ffmpeg.FS.readFile(path);
        ffmpeg.FS.unlink(path);
        return bytes;
      },
    });
  } finally {
    unmountInputs(ffmpeg, inputs);
    removeFiles(ffmpeg, '/work');
  }
}

/** Mediabunny reads a Blob; the route names the file in its messages. */
function asFile(input: Blob): File {
  return input instanceof File ? input : new File([input], 'input');
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

Comlink.expose(api);
