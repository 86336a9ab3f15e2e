/**
 * Scores an output with frames the browser decodes (WebCodecs through Mediabunny), where it
 * can decode both files: the sampled frames of each are decoded at their own timestamps, the
 * source's turned upright and lanczos-scaled to the output's size here (lanczos-scale.ts),
 * then summed as native ffmpeg sums them. Far cheaper than two ffmpeg.wasm decodes; null when
 * the browser cannot read a file or gives frames this cannot use (the caller uses ffmpeg.wasm).
 *
 * Frames are paired by order, as native's reference pairs them: the n-th shown frame of the
 * output with the n-th (scaled by the rates where they differ) of the source from its start
 * or a trim's in point. Timestamps are not compared: a WebCodecs MP4's rounding puts a frame a
 * hair before the source's.
 */
import { ALL_FORMATS, BlobSource, EncodedPacketSink, Input, type EncodedPacket, type InputVideoTrack } from 'mediabunny';
import type { QualityReport, QualityRequest } from '../protocol';
import { sampleFrameIndices, SCORED_FRAMES } from './frame-grab';
import { i420Layout, i420Size, QualityTally, type I420Frame } from './frame-quality';
import { cropI420, rotateI420, scaleI420Lanczos } from './lanczos-scale';

/** A frame this far (s) before the start still counts as the first (timestamp rounding). */
const SLACK_SEC = 0.001;

/** Why the browser's decode cannot serve; the caller falls back to ffmpeg.wasm. */
export class BrowserDecodeUnusable extends Error {
  override name = 'BrowserDecodeUnusable';
}

interface OpenTrack {
  input: Input;
  track: InputVideoTrack;
  /** Presentation times of the shown frames, in order, from `start`. */
  times: number[];
  /** Bytes of those frames' packets. */
  bytes: number;
}

/** `startSec` from the presentation start; `absolute`: from time 0 of the file (a sample's pre-roll, in the output's own times). */
async function openTrack(file: Blob, what: string, startSec: number, absolute = false): Promise<OpenTrack> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    if (!(await input.canRead())) throw new BrowserDecodeUnusable(`the browser can't read the ${what}`);
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new BrowserDecodeUnusable(`no video track the browser reads in the ${what}`);
    if (!(await track.canDecode())) throw new BrowserDecodeUnusable(`the browser can't decode the ${what}'s video`);
    // Where the presentation starts (an edit list hides packets before 0), then a trim's in point.
    const start = (absolute ? 0 : Math.max(0, await input.getFirstTimestamp([track]))) + startSec - SLACK_SEC;
    const times: number[] = [];
    let bytes = 0;
    for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
      if (packet.timestamp < start) continue;
      times.push(packet.timestamp);
      bytes += packet.byteLength;
    }
    times.sort((a, b) => a - b);
    return { input, track, times, bytes };
  } catch (error) {
    input.dispose();
    throw error;
  }
}

/** A decoded frame as packed 8-bit I420 (visible rectangle); throws where the format is not 8-bit 4:2:0. */
async function i420Of(frame: VideoFrame): Promise<I420Frame> {
  const format = frame.format;
  if (format !== 'I420' && format !== 'I420A' && format !== 'NV12') throw new BrowserDecodeUnusable(`the browser decodes to ${format ?? 'an opaque format'}, not 8-bit 4:2:0`);
  if (frame.colorSpace.fullRange) throw new BrowserDecodeUnusable('full-range video is scored by ffmpeg.wasm (its range conversion)');
  const { width, height } = frame.visibleRect ?? { width: frame.codedWidth, height: frame.codedHeight };
  const buffer = new Uint8Array(frame.allocationSize());
  const planes = await frame.copyTo(buffer);
  const data = new Uint8Array(i420Size(width, height));
  const [y, u, v] = i420Layout(width, height);
  const copyPlane = (from: PlaneLayout, to: { offset: number; width: number; height: number }): void => {
    for (let row = 0; row < to.height; row++) data.set(buffer.subarray(from.offset + row * from.stride, from.offset + row * from.stride + to.width), to.offset + row * to.width);
  };
  const [p0, p1, p2] = planes;
  if (!p0 || !p1) throw new BrowserDecodeUnusable('the decoded frame has no chroma planes');
  copyPlane(p0, y);
  if (format === 'NV12') {
    for (let row = 0; row < u.height; row++) {
      const line = p1.offset + row * p1.stride;
      for (let col = 0; col < u.width; col++) {
        data[u.offset + row * u.width + col] = buffer[line + 2 * col] as number;
        data[v.offset + row * v.width + col] = buffer[line + 2 * col + 1] as number;
      }
    }
  } else {
    if (!p2) throw new BrowserDecodeUnusable('the decoded frame has no V plane');
    copyPlane(p1, u);
    copyPlane(p2, v);
  }
  return { width, height, data };
}

const MAX_DECODE_QUEUE = 8;

function asError(failure: unknown): Error {
  return failure instanceof Error ? failure : new Error(failure instanceof DOMException ? failure.message : JSON.stringify(failure));
}

/**
 * Frames at `indices` (into `times`), upright; null where one could not be decoded. A decoder
 * of its own, not Mediabunny's sample sinks: those give decoded frames the input's times in
 * sorted order, and a frame Chromium hands out early (x264's B-frames, some streams) then
 * carries its neighbour's time. Here a frame is known by its own chunk's timestamp. Each run of
 * wanted frames is decoded from its key packet, then the decoder is flushed.
 */
async function decodeAt(open: OpenTrack, indices: readonly number[]): Promise<(I420Frame | null)[]> {
  const config = await open.track.getDecoderConfig();
  if (!config) throw new BrowserDecodeUnusable('the browser has no decoder setup for this video');
  const plain: VideoDecoderConfig & { rotation?: number; flip?: boolean } = { ...config };
  delete plain.rotation;
  delete plain.flip;
  const rotation = await open.track.getRotation();
  const stamps = indices.map((k) => open.times[k] ?? null);
  const wanted = new Map<number, number[]>(); // packet time (s) → positions asked
  stamps.forEach((t, i) => t !== null && wanted.set(t, [...(wanted.get(t) ?? []), i]));
  const frames: (I420Frame | null)[] = indices.map(() => null);
  /** Chunk timestamp (µs) → positions, for the packets fed so far that are wanted. */
  const fed = new Map<number, number[]>();
  const pending: Promise<void>[] = [];
  let failure: unknown = null;
  const decoder = new VideoDecoder({
    output(frame) {
      const positions = fed.get(frame.timestamp);
      if (!positions) {
        frame.close();
        return;
      }
      fed.delete(frame.timestamp);
      pending.push(
        i420Of(frame)
          .then((picture) => {
            const upright = rotateI420(picture, rotation);
            for (const i of positions) frames[i] = upright;
          })
          .catch((error: unknown) => void (failure ??= error))
          .finally(() => frame.close()),
      );
    },
    error: (error) => void (failure ??= error),
  });
  try {
    decoder.configure(plain);
    const sink = new EncodedPacketSink(open.track);
    const left = new Set(wanted.keys());
    const sorted = [...left].sort((a, b) => a - b);
    for (const t of sorted) {
      if (!left.has(t)) continue;
      const key = await sink.getKeyPacket(t, { verifyKeyPackets: true });
      if (!key) continue;
      let packet: EncodedPacket | null = key;
      // Decode order from the key packet; the next key packet ends the run unless a wanted frame shows before it.
      while (packet) {
        const at: number = packet.timestamp;
        if (packet !== key && packet.type === 'key' && ![...left].some((w) => w < at)) break;
        if (failure) throw asError(failure);
        const chunk = packet.toEncodedVideoChunk();
        const positions = wanted.get(at);
        if (positions && left.delete(at)) fed.set(chunk.timestamp, positions);
        // A dequeue, or a moment (a decoder that failed fires none).
        while (decoder.decodeQueueSize >= MAX_DECODE_QUEUE && !failure) {
          await new Promise<void>((resolve) => {
            decoder.addEventListener('dequeue', () => resolve(), { once: true });
            setTimeout(resolve, 50);
          });
        }
        decoder.decode(chunk);
        if (left.size === 0) break;
        packet = await sink.getNextPacket(packet);
      }
      await decoder.flush();
      fed.clear();
    }
    await Promise.all(pending);
    if (failure) throw asError(failure);
    return frames;
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
}

/** Scaled source frames by file, time and size: a few spans' worth (a 720p frame is 1.4 MB). */
const referenceCache = new Map<string, I420Frame | null>();
const REFERENCE_CACHE_FRAMES = 48;

function remember(key: string, frame: I420Frame | null): void {
  referenceCache.delete(key);
  referenceCache.set(key, frame);
  while (referenceCache.size > REFERENCE_CACHE_FRAMES) referenceCache.delete(referenceCache.keys().next().value as string);
}

/** A file's identity across messages (a File is cloned into the worker each time). */
function fileKey(file: Blob): string {
  return file instanceof File ? `${file.name}|${file.size}|${file.lastModified}` : `blob|${file.size}|${file.type}`;
}

export interface FramePairs {
  /** Output frame indices scored (from `outputStartSec`). */
  indices: number[];
  /** Bytes of the output's video packets from `outputStartSec` on. */
  outputBytes: number;
  /** Per index: the output's frame and the source's (scaled), or null where one is missing. */
  pairs: ({ output: I420Frame; source: I420Frame } | null)[];
}

/** The output's frames at `outputIndices` and the source's frames shown with them, scaled to the output's size. */
export async function browserFramePairs(request: QualityRequest, outputIndices: (frameCount: number) => number[]): Promise<FramePairs> {
  const output = await openTrack(request.output.data, 'output', request.outputStartSec ?? 0, request.outputStartSec !== undefined);
  let source: OpenTrack | null = null;
  try {
    source = await openTrack(request.source.data, 'source', request.sourceStartSec ?? 0);
    const indices = outputIndices(output.times.length);
    const ratio = request.sourceFps && Math.abs(request.sourceFps - request.fps) > 1e-3 ? request.sourceFps / request.fps : 1;
    const outputs = await decodeAt(output, indices);
    for (const frame of outputs) {
      if (frame && (frame.width !== request.width || frame.height !== request.height)) {
        throw new BrowserDecodeUnusable(`the browser shows the output at ${frame.width}×${frame.height}, the probe at ${request.width}×${request.height}`);
      }
    }
    // The source's frames, scaled: kept a while, as quality samples score several encodes of the same spans.
    const sourceIndices = indices.map((k) => Math.floor(k * ratio + 1e-6));
    const crop = request.sourceCrop;
    const cropKey = crop ? ` crop ${crop.width}:${crop.height}:${crop.x}:${crop.y}` : '';
    const keyOf = (k: number): string => `${fileKey(request.source.data)} ${(source as OpenTrack).times[k] ?? 'end'} ${request.width}×${request.height}${cropKey}`;
    const missing = sourceIndices.filter((k) => !referenceCache.has(keyOf(k)));
    const decoded = missing.length > 0 ? await decodeAt(source, missing) : [];
    missing.forEach((k, i) => {
      const frame = decoded[i] ?? null;
      // The source as the job made its picture: cropped (upright pixels), then scaled.
      remember(keyOf(k), frame && scaleI420Lanczos(crop ? cropI420(frame, crop) : frame, request.width, request.height));
    });
    const pairs: FramePairs['pairs'] = sourceIndices.map((k, i) => {
      const reference = referenceCache.get(keyOf(k)) ?? null;
      const out = outputs[i];
      return reference && out ? { output: out, source: reference } : null;
    });
    return { indices, pairs, outputBytes: output.bytes };
  } finally {
    output.input.dispose();
    source?.input.dispose();
  }
}

export async function scoreWithWebCodecs(request: QualityRequest): Promise<QualityReport> {
  const { indices, pairs, outputBytes } = await browserFramePairs(request, (count) => sampleFrameIndices(Math.min(count, request.frameCount), request.frames ?? SCORED_FRAMES));
  const tally = new QualityTally();
  const perFrame: QualityReport['perFrame'] = [];
  const log: string[] = [];
  pairs.forEach((pair, i) => {
    if (pair) perFrame.push({ at: (indices[i] ?? 0) / request.fps, ...tally.add(pair.output, pair.source) });
  });
  log.push(`per frame: ${perFrame.map((f) => f.psnr.toFixed(1)).join(' ')}`);
  if (perFrame.length < indices.length) log.push(`${indices.length - perFrame.length} of ${indices.length} sampled frames could not be decoded.`);
  const score = tally.result();
  return { score: score && { psnr: score.psnr, psnrY: score.psnrY, ssim: score.ssim, frames: score.frames }, scoredBytes: outputBytes, perFrame, log };
}
