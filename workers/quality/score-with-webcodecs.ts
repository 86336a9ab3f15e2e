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
import { ALL_FORMATS, BlobSource, EncodedPacketSink, Input, VideoSampleSink, type InputVideoTrack, type VideoSample } from 'mediabunny';
import type { QualityReport, QualityRequest } from '../protocol';
import { sampleFrameIndices, SCORED_FRAMES } from './frame-grab';
import { i420Layout, i420Size, QualityTally, type I420Frame } from './frame-quality';
import { rotateI420, scaleI420Lanczos } from './lanczos-scale';

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
}

async function openTrack(file: Blob, what: string, startSec: number): Promise<OpenTrack> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    if (!(await input.canRead())) throw new BrowserDecodeUnusable(`the browser can't read the ${what}`);
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new BrowserDecodeUnusable(`no video track the browser reads in the ${what}`);
    if (!(await track.canDecode())) throw new BrowserDecodeUnusable(`the browser can't decode the ${what}'s video`);
    // Where the presentation starts (an edit list hides packets before 0), then a trim's in point.
    const start = Math.max(0, await input.getFirstTimestamp([track])) + startSec - SLACK_SEC;
    const times: number[] = [];
    for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
      if (packet.timestamp >= start) times.push(packet.timestamp);
    }
    times.sort((a, b) => a - b);
    return { input, track, times };
  } catch (error) {
    input.dispose();
    throw error;
  }
}

/** A decoded sample as packed 8-bit I420 (visible rectangle), turned as it is shown; throws where the format is not 8-bit 4:2:0. */
async function i420Of(sample: VideoSample): Promise<I420Frame> {
  const format = sample.format;
  if (format !== 'I420' && format !== 'I420A' && format !== 'NV12') throw new BrowserDecodeUnusable(`the browser decodes to ${format ?? 'an opaque format'}, not 8-bit 4:2:0`);
  if (sample.colorSpace.fullRange) throw new BrowserDecodeUnusable('full-range video is scored by ffmpeg.wasm (its range conversion)');
  const { width, height } = sample.visibleRect;
  const buffer = new Uint8Array(sample.allocationSize());
  const planes = await sample.copyTo(buffer);
  const data = new Uint8Array(i420Size(width, height));
  const [y, u, v] = i420Layout(width, height);
  const copyPlane = (from: { offset: number; stride: number }, to: { offset: number; width: number; height: number }): void => {
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
  return rotateI420({ width, height, data }, sample.rotation);
}

/** Frames at `indices` (into `times`), decoded in one pass; null where one could not be. */
async function decodeAt(open: OpenTrack, indices: readonly number[], into: (frame: I420Frame | null, i: number) => void | Promise<void>): Promise<void> {
  const stamps = indices.map((k) => open.times[k] ?? open.times.at(-1) ?? 0);
  let i = 0;
  for await (const sample of new VideoSampleSink(open.track).samplesAtTimestamps(stamps)) {
    try {
      const inRange = (indices[i] as number) < open.times.length;
      await into(sample && inRange ? await i420Of(sample) : null, i);
    } finally {
      sample?.close();
    }
    i++;
  }
}

export interface FramePairs {
  /** Output frame indices scored. */
  indices: number[];
  /** Per index: the output's frame and the source's (scaled), or null where one is missing. */
  pairs: ({ output: I420Frame; source: I420Frame } | null)[];
}

/** The output's frames at `outputIndices` and the source's frames shown with them, scaled to the output's size. */
export async function browserFramePairs(request: QualityRequest, outputIndices: (frameCount: number) => number[]): Promise<FramePairs> {
  const output = await openTrack(request.output.data, 'output', 0);
  let source: OpenTrack | null = null;
  try {
    source = await openTrack(request.source.data, 'source', request.sourceStartSec ?? 0);
    const indices = outputIndices(output.times.length);
    const ratio = request.sourceFps && Math.abs(request.sourceFps - request.fps) > 1e-3 ? request.sourceFps / request.fps : 1;
    const outputs: (I420Frame | null)[] = [];
    await decodeAt(output, indices, (frame) => {
      if (frame && (frame.width !== request.width || frame.height !== request.height)) {
        throw new BrowserDecodeUnusable(`the browser shows the output at ${frame.width}×${frame.height}, the probe at ${request.width}×${request.height}`);
      }
      outputs.push(frame);
    });
    const pairs: FramePairs['pairs'] = [];
    await decodeAt(
      source,
      indices.map((k) => Math.floor(k * ratio + 1e-6)),
      (frame, i) => {
        const out = outputs[i];
        pairs.push(frame && out ? { output: out, source: scaleI420Lanczos(frame, request.width, request.height) } : null);
      },
    );
    return { indices, pairs };
  } finally {
    output.input.dispose();
    source?.input.dispose();
  }
}

export async function scoreWithWebCodecs(request: QualityRequest): Promise<QualityReport> {
  const { indices, pairs } = await browserFramePairs(request, (count) => sampleFrameIndices(Math.min(count, request.frameCount), request.frames ?? SCORED_FRAMES));
  const tally = new QualityTally();
  const perFrame: QualityReport['perFrame'] = [];
  const log: string[] = [];
  pairs.forEach((pair, i) => {
    if (pair) perFrame.push({ at: (indices[i] ?? 0) / request.fps, ...tally.add(pair.output, pair.source) });
  });
  if (perFrame.length < indices.length) log.push(`${indices.length - perFrame.length} of ${indices.length} sampled frames could not be decoded.`);
  const score = tally.result();
  return { score: score && { psnr: score.psnr, psnrY: score.psnrY, ssim: score.ssim, frames: score.frames }, perFrame, log };
}
