/**
 * The slice of @ffmpeg/core's Emscripten module that ffbatch uses. The package ships
 * no types for the core itself, only for the @ffmpeg/ffmpeg wrapper, which ffbatch
 * does not use: the wrapper starts a worker of its own, and hosting the core directly
 * in our worker avoids that extra hop.
 */
import type { EmscriptenFS } from './opfs-fs';

/** An open file of Emscripten's FS (only what tests and the worker touch). */
export interface CoreStream {
  position: number;
}

export interface CoreFS extends EmscriptenFS {
  mkdir(path: string): void;
  readdir(path: string): string[];
  writeFile(path: string, data: string | Uint8Array): void;
  readFile(path: string): Uint8Array;
  readFile(path: string, options: { encoding: 'utf8' }): string;
  unlink(path: string): void;
  analyzePath(path: string): { exists: boolean };
  stat(path: string): { size: number; mode: number };
  open(path: string, flags: string): CoreStream;
  close(stream: CoreStream): void;
  read(stream: CoreStream, buffer: Uint8Array, offset: number, length: number, position?: number): number;
  write(stream: CoreStream, buffer: Uint8Array, offset: number, length: number, position?: number): number;
  llseek(stream: CoreStream, offset: number, whence: number): number;
  truncate(path: string, length: number): void;
  mount(type: unknown, options: { blobs?: { name: string; data: Blob }[]; files?: File[] }, mountPoint: string): void;
  unmount(mountPoint: string): void;
  filesystems: { WORKERFS: unknown; MEMFS: unknown };
}

export interface FFmpegCoreModule {
  FS: CoreFS;
  /** Runs ffmpeg synchronously; returns its exit code. */
  exec(...args: string[]): number;
  /** Runs ffprobe synchronously; returns its exit code (often −1 after a clean run). */
  ffprobe(...args: string[]): number;
  setLogger(logger: (entry: { type: string; message: string }) => void): void;
  setTimeout(ms: number): void;
  reset(): void;
}

export interface CoreOptions {
  /** `<core.js URL>#<base64 JSON of { wasmURL, workerURL }>`: how the core finds its .wasm. */
  mainScriptUrlOrBlob?: string;
  /** The .wasm's bytes, where it is not fetched (Node, in unit tests). */
  wasmBinary?: Uint8Array;
  /** Emscripten's hook: instantiate the module ourselves (from a module compiled once); returns `{}` at once. */
  instantiateWasm?: (imports: WebAssembly.Imports, receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
}

export type CreateFFmpegCore = (options: CoreOptions) => Promise<FFmpegCoreModule>;

/**
 * The core could not be fetched or run from its URL (a 404, the wrong file, a site that
 * bundled the library without its assets): a sentence for the site's owner, not a crash.
 */
export class CoreLoadError extends Error {
  override name = 'CoreLoadError';
  constructor(readonly url: string, detail: string) {
    super(`ffbatch could not load its ffmpeg core from ${url}: serve lib/assets/ there, or set assetsURL (${detail}).`);
  }
}

/** Imports the core's glue (an ES module) from `url`; any failure is a CoreLoadError. */
export async function importCore(url: string): Promise<{ default: CreateFFmpegCore }> {
  try {
    // Both comments: the site's bundler must leave this import alone (the URL is only known at run time).
    const module = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as { default?: unknown };
    if (typeof module.default !== 'function') throw new Error('the file there is not the ffmpeg core');
    return module as { default: CreateFFmpegCore };
  } catch (error) {
    throw new CoreLoadError(url, error instanceof Error ? error.message : String(error));
  }
}

/** Fetches and compiles the core's .wasm (streaming where the server sends application/wasm); any failure is a CoreLoadError. */
export async function compileCore(url: string): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CoreLoadError(url, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw new CoreLoadError(url, `the server answered ${response.status}`);
  try {
    if (response.headers.get('content-type')?.startsWith('application/wasm')) return await WebAssembly.compileStreaming(response);
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    throw new CoreLoadError(url, error instanceof Error ? error.message : String(error));
  }
}
