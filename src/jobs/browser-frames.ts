/**
 * Frames of a source decoded by the browser (WebCodecs through Mediabunny's CanvasSink), for
 * the editor's filmstrip and playhead: a seek and a GOP's decode on the GPU or the platform's
 * decoder instead of a run of ffmpeg.wasm each. Used where the browser reads the container and
 * decodes the codec; frame-grab.ts falls back to ffmpeg.wasm otherwise.
 */
import { ALL_FORMATS, BlobSource, CanvasSink, Input, type InputVideoTrack } from 'mediabunny';
import { throwIfAborted } from '../shared/abort';

/** Thumbnails at instants (seconds from the file's start), `height` lines high, upright. */
export interface BrowserFrames {
  grab(instants: readonly number[], height: number, signal?: AbortSignal): Promise<{ at: number; image: Blob }[]>;
  dispose(): void;
}

/**
 * Opens `file` for thumbnails decoded by the browser; null where it cannot (no WebCodecs, a
 * container Mediabunny does not read, a codec the browser does not decode, no picture).
 */
export async function openBrowserFrames(file: Blob): Promise<BrowserFrames | null> {
  if (typeof VideoDecoder === 'undefined') return null;
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track || !(await track.canDecode())) {
      input.dispose();
      return null;
    }
    // Instants count from the file's start, as ffmpeg's -ss does (an MPEG-TS starts at 1.4 s, say).
    const start = await input.getFirstTimestamp();
    return new TrackFrames(input, track, start);
  } catch {
    input.dispose();
    return null;
  }
}

class TrackFrames implements BrowserFrames {
  /** One sink per height (the filmstrip's and the preview's); a sink keeps its decoder warm between steps. */
  private readonly sinks = new Map<number, CanvasSink>();
  /** Grabs one after another: a sink decodes one run at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly input: Input,
    private readonly track: InputVideoTrack,
    private readonly start: number,
  ) {}

  grab(instants: readonly number[], height: number, signal?: AbortSignal): Promise<{ at: number; image: Blob }[]> {
    const run = this.queue.then(() => this.grabNow(instants, height, signal));
    this.queue = run.catch(() => {});
    return run;
  }

  private async grabNow(instants: readonly number[], height: number, signal?: AbortSignal): Promise<{ at: number; image: Blob }[]> {
    if (signal) throwIfAborted(signal);
    let sink = this.sinks.get(height);
    if (!sink) {
      sink = new CanvasSink(this.track, { height: Math.max(2, Math.round(height / 2) * 2) });
      this.sinks.set(height, sink);
    }
    const frames: { at: number; image: Blob }[] = [];
    let i = 0;
    for await (const wrapped of sink.canvasesAtTimestamps(instants.map((at) => this.start + at))) {
      const at = instants[i++] ?? 0;
      if (signal?.aborted) break;
      if (wrapped) frames.push({ at, image: await jpeg(wrapped.canvas) });
    }
    if (signal) throwIfAborted(signal);
    return frames;
  }

  dispose(): void {
    this.input.dispose();
  }
}

function jpeg(canvas: HTMLCanvasElement | OffscreenCanvas): Promise<Blob> {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The frame could not be drawn.'))), 'image/jpeg', 0.85));
}
