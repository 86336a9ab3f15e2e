/**
 * `ffbatch/uppy`: an Uppy pre-processor that transcodes videos in the visitor's browser before
 * Uppy uploads them, in the shape of `@uppy/compressor` (a BasePlugin of type `modifier` whose
 * one pre-processor replaces each selected file's data in place). The work goes through the
 * library's own `createEncoder`: this file holds no encoding logic.
 *
 * It imports the library by its public entry only (`../index`, `ffbatch` in the build), so
 * `lib/uppy.js` is this file and nothing else.
 */
import { BasePlugin, type Body, type Meta, type PluginOpts, type Uppy, type UppyFile } from '@uppy/core';
import { isAbortError } from '../shared/abort';
import { createEncoder, JobFailedError, type Encoder, type EncoderJob, type PresetChoice, type SourceInfo } from '../index';

/**
 * The H.264/AAC MP4 presets and the size they make: a video that is already such an MP4
 * within that size gains nothing from a transcode (the default filter lets it through as it is).
 */
const H264_MP4_BOUNDS: Readonly<Record<string, { height: number; bytes?: number }>> = {
  'mp4-h264-480p': { height: 480 },
  'mp4-h264-720p': { height: 720 },
  'mp4-h264-1080p': { height: 1080 },
  'mp4-fit-10mb': { height: 720, bytes: 10_000_000 },
};

/** Extensions of video files whose type the browser may not know (Uppy reads `type` from the name). */
const VIDEO_EXTENSIONS = new Set(['avi', 'flv', 'mkv', 'mov', 'mp4', 'm4v', 'mpg', 'mpeg', 'ogv', 'ts', 'm2ts', 'mts', 'webm', 'wmv', '3gp', 'vob']);

/**
 * Options of {@link FfbatchTranscode}.
 *
 * @example
 * ```ts
 * uppy.use(FfbatchTranscode, { preset: 'mp4-h264-720p', keepOriginalOnFailure: true, limit: 1 });
 * ```
 */
export interface FfbatchTranscodeOptions<M extends Meta = Meta, B extends Body = Body> extends PluginOpts {
  /** What each selected file becomes: a preset id of `PRESETS` or a preset of your own. */
  preset: PresetChoice;
  /**
   * Which files to transcode. Default: videos, except an MP4 that is already H.264 with AAC
   * sound (or none) and within the preset's size (read with `encoder.probe`). Other files pass
   * untouched.
   */
  filter?: (file: UppyFile<M, B>) => boolean | Promise<boolean>;
  /** The encoder to run the jobs on; default one made with `createEncoder()` on first use. */
  encoder?: Encoder;
  /** When a file cannot be converted: upload the original (true) or fail that file (false, default). */
  keepOriginalOnFailure?: boolean;
  /** Files examined or transcoded at once; default 2 (the encoder spreads each job over its workers). */
  limit?: number;
}

/**
 * What the plugin adds to a transcoded file's `meta`: the name and size it had before.
 *
 * @example
 * ```ts
 * uppy.on('upload-success', (file) => console.log(file?.meta.originalName, file?.meta.originalSize, '→', file?.size));
 * ```
 */
export interface FfbatchTranscodeMeta {
  originalName: string;
  originalSize: number | null;
}

/** A semaphore: at most `limit` tasks run at once, the others wait their turn. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resume) => waiting.push(resume));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

function isVideo(file: UppyFile<Meta, Body>): boolean {
  return file.type.startsWith('video/') || VIDEO_EXTENSIONS.has(file.extension.toLowerCase());
}


/** True unless `info` already is an H.264/AAC MP4 within `bound`. */
function differsFrom(info: SourceInfo, bound: { height: number; bytes?: number }, bytes: number): boolean {
  const { video, audio } = info;
  if (!video) return false; // sound only: not a video, nothing to make of it here
  const fits = info.container.includes('mp4') && video.codec === 'h264' && (!audio || audio.codec === 'aac') && video.displayHeight <= bound.height && (bound.bytes === undefined || bytes <= bound.bytes);
  return !fits;
}

/**
 * An Uppy plugin that transcodes videos in the visitor's browser before they are uploaded:
 * each selected file becomes the preset's output (name, type, size and data), with determinate
 * progress in the Dashboard (`preprocess-progress`); its original name and size stay in `meta`
 * (`originalName`, `originalSize`). Removing a file (or Cancel all) cancels its job. A file that
 * cannot be converted shows the job's sentence (`uppy.info`) and fails alone, or goes up as it
 * is with `keepOriginalOnFailure`. Uppy 6 (`@uppy/core` ^6) is a peer dependency.
 *
 * @example
 * ```ts
 * import Uppy from '@uppy/core';
 * import Dashboard from '@uppy/dashboard';
 * import AwsS3 from '@uppy/aws-s3';
 * import { FfbatchTranscode } from 'ffbatch/uppy';
 *
 * new Uppy()
 *   .use(Dashboard, { inline: true, target: '#uploader' })
 *   .use(FfbatchTranscode, { preset: 'mp4-h264-720p' })
 *   .use(AwsS3, { endpoint: 'https://sign.example.com' });
 * ```
 */
export class FfbatchTranscode<M extends Meta = Meta, B extends Body = Body> extends BasePlugin<FfbatchTranscodeOptions<M, B>, M, B> {
  /** The running job of each file being transcoded, by Uppy file id. */
  private readonly jobs = new Map<string, EncoderJob>();
  /** The stored output of each transcoded file (removed from IndexedDB once uploaded or removed). */
  private readonly outputs = new Map<string, string>();
  private encoder: Encoder | null = null;
  private readonly ownsEncoder: boolean;
  private readonly queue: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(uppy: Uppy<M, B>, opts?: FfbatchTranscodeOptions<M, B>) {
    super(uppy, opts);
    if (!opts || opts.preset === undefined) throw new TypeError("FfbatchTranscode needs options.preset, e.g. { preset: 'mp4-h264-720p' }.");
    if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) throw new TypeError(`options.limit, when provided, must be a whole number of at least 1 (got ${String(opts.limit)}).`);
    if (opts.filter !== undefined && typeof opts.filter !== 'function') throw new TypeError('options.filter, when provided, must be a function of the Uppy file.');
    this.id = opts.id ?? 'FfbatchTranscode';
    this.type = 'modifier';
    this.defaultLocale = {
      strings: {
        checkingVideo: 'Checking the video…',
        convertingVideo: 'Converting the video on this device…',
        conversionFailed: '%{name} could not be converted: %{sentence}',
      },
    };
    this.opts = { limit: 2, keepOriginalOnFailure: false, ...opts };
    this.ownsEncoder = opts.encoder === undefined;
    this.encoder = opts.encoder ?? null;
    this.queue = limiter(this.opts.limit ?? 2);
    this.i18nInit();
  }

  override install(): void {
    this.uppy.addPreProcessor(this.prepareUpload);
    this.uppy.on('file-removed', this.onFileRemoved);
    this.uppy.on('cancel-all', this.onCancelAll);
    this.uppy.on('upload-success', this.onUploaded);
  }

  override uninstall(): void {
    this.uppy.removePreProcessor(this.prepareUpload);
    this.uppy.off('file-removed', this.onFileRemoved);
    this.uppy.off('cancel-all', this.onCancelAll);
    this.uppy.off('upload-success', this.onUploaded);
    this.onCancelAll();
    if (this.ownsEncoder && this.encoder) void this.encoder.close();
    this.encoder = null;
  }

  private getEncoder(): Encoder {
    this.encoder ??= createEncoder();
    return this.encoder;
  }

  private readonly prepareUpload = async (fileIDs: string[]): Promise<void> => {
    await Promise.all(fileIDs.map((id) => this.queue(() => this.prepareFile(id))));
  };

  private readonly onFileRemoved = (file: UppyFile<M, B>): void => {
    this.jobs.get(file.id)?.cancel();
    this.forgetOutput(file.id);
  };

  private readonly onCancelAll = (): void => {
    for (const job of this.jobs.values()) job.cancel();
  };

  /** The upload holds its own copy now: the output need not stay in the visitor's storage. */
  private readonly onUploaded = (file: UppyFile<M, B> | undefined): void => {
    if (file) this.forgetOutput(file.id);
  };

  private forgetOutput(fileId: string): void {
    const outputId = this.outputs.get(fileId);
    if (outputId === undefined || !this.encoder) return;
    this.outputs.delete(fileId);
    this.encoder.files.delete(outputId).catch((error: unknown) => this.uppy.log(`[FfbatchTranscode] could not delete a stored output: ${String(error)}`, 'warning'));
  }

  /** The file as it is now, or null when it was removed (or failed) meanwhile. */
  private current(id: string): UppyFile<M, B> | null {
    const file = this.uppy.getFile(id) as UppyFile<M, B> | undefined;
    return file && !file.error ? file : null;
  }

  private async selected(file: UppyFile<M, B>, data: Blob): Promise<boolean> {
    if (this.opts.filter) return this.opts.filter(file);
    if (!isVideo(file)) return false;
    const bound = typeof this.opts.preset === 'string' ? H264_MP4_BOUNDS[this.opts.preset] : undefined;
    if (!bound) return true;
    if (file.type !== 'video/mp4' && !['mp4', 'm4v'].includes(file.extension.toLowerCase())) return true; // not an MP4: nothing to probe
    try {
      return differsFrom(await this.getEncoder().probe(data), bound, data.size);
    } catch (error) {
      if (isAbortError(error)) throw error;
      return true; // unreadable here: the job says why, in its own sentence
    }
  }

  private async prepareFile(id: string): Promise<void> {
    const file = this.current(id);
    if (!file || file.isRemote || !(file.data instanceof Blob)) return; // Companion's remote files are fetched by the server
    const data = file.data;
    if (isVideo(file)) this.uppy.emit('preprocess-progress', file, { mode: 'indeterminate', message: this.i18n('checkingVideo') });
    try {
      if (!(await this.selected(file, data))) return;
      if (!this.current(id)) return;
      await this.transcode(file, data);
    } finally {
      const after = this.uppy.getFile(id) as UppyFile<M, B> | undefined;
      if (after) this.uppy.emit('preprocess-complete', after);
    }
  }

  private async transcode(file: UppyFile<M, B>, data: Blob): Promise<void> {
    const source = data instanceof File ? data : new File([data], file.name, { type: file.type });
    const job = this.getEncoder().call(source, this.opts.preset);
    this.jobs.set(file.id, job);
    const onProgress = (): void => {
      const now = this.uppy.getFile(file.id) as UppyFile<M, B> | undefined;
      if (now) this.uppy.emit('preprocess-progress', now, { mode: 'determinate', message: this.i18n('convertingVideo'), value: job.progress });
    };
    job.addEventListener('progress', onProgress);
    onProgress();
    try {
      const { blob, name, type } = await job.result();
      if (!this.current(file.id)) return;
      this.outputs.set(file.id, job.id);
      const output = new File([blob], name, { type });
      const dot = name.lastIndexOf('.');
      this.uppy.setFileState(file.id, { data: output, name, type, size: output.size, extension: dot >= 0 ? name.slice(dot + 1) : '', progress: { ...file.progress, bytesTotal: output.size } });
      const meta: FfbatchTranscodeMeta & { name: string; type: string } = { name, type, originalName: file.name, originalSize: file.size };
      this.uppy.setFileMeta(file.id, meta as unknown as M);
    } catch (error) {
      if (isAbortError(error) || !this.current(file.id)) return; // removed or canceled: Uppy drops the file itself
      const sentence = error instanceof JobFailedError ? error.message : error instanceof Error ? error.message : String(error);
      this.uppy.log(`[FfbatchTranscode] ${file.name}: ${sentence}`, 'warning');
      this.uppy.info({ message: this.i18n('conversionFailed', { name: file.name, sentence }) }, 'error', 10_000);
      // Failed: the uploaders skip a file with an error, the others go on.
      if (!this.opts.keepOriginalOnFailure) this.uppy.setFileState(file.id, { error: sentence });
    } finally {
      job.removeEventListener('progress', onProgress);
      this.jobs.delete(file.id);
    }
  }
}
