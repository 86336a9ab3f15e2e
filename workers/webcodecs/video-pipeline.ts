/**
 * The fast route's picture: packets → VideoDecoder → VideoEncoder → muxer, each queue bounded so
 * memory stays flat whatever the length. Decoded frames go straight to an encoder configured at
 * the output size (Chromium scales them, keeping the source's colour range and matrix), never
 * through a canvas; a crop is the frame's visible rectangle, a frame-rate cap drops frames, and
 * the bitrate is steered toward a size budget or (H.264) a mean QP while encoding.
 */
import { EncodedPacket, EncodedPacketSink, type EncodedVideoPacketSource, type InputVideoTrack } from 'mediabunny';

import type { PictureRect, WebCodecsTarget } from '../protocol';
import type { KeptRange } from './audio-pipeline';
import { BitrateSteer, BudgetSteer, DRIFT_GUARD, H264_STEERING } from './bitrate-steer';
import { AvcQpMeter } from './h264-slice-qp';
import type { RunState } from './run-state';
import type { TargetCodecs } from './target';

/** Frames waiting in the decoder, the encoder and the muxer: a few each, so memory stays flat. */
const MAX_DECODE_QUEUE = 4;
const MAX_ENCODE_QUEUE = 4;
const MAX_MUX_PENDING = 16;
/** A decoded frame this far (µs) before the presentation start still counts as its first frame (rounding). */
const HIDDEN_FRAME_SLACK_US = 1000;
/** x264's and libvpx's default longest key frame interval in ffmpeg. */
const KEY_FRAME_INTERVAL = 250;
/** Packets past Out still decoded, in seconds: B-frames shown before Out may come after it in decode order. */
const REORDER_MARGIN_SEC = 1;

export interface VideoPipeline {
  track: InputVideoTrack;
  /** The source's decoder configuration, without its orientation. */
  decoderConfig: VideoDecoderConfig;
  encoderConfig: VideoEncoderConfig;
  codecs: TargetCodecs;
  /** The rate, the QP steering, the size budget and the quantizer the target asks. */
  target: WebCodecsTarget;
  /** VP9/AV1 quantizer mode, where the browser took it. */
  quantizer: boolean;
  range: KeptRange;
  /** The crop in the stored picture's pixels, or null. */
  crop: PictureRect | null;
  /** Microseconds between kept frames under a frame-rate cap; 0: every frame kept. */
  frameStepUs: number;
  /** The source's and the output's frame rates. */
  fps: number;
  outFps: number;
  durationSec: number;
  out: EncodedVideoPacketSource;
  log: (line: string) => void;
  /** Seconds of output muxed so far. */
  onProgress: (seconds: number) => void;
}

export interface VideoResult {
  frames: number;
  /** End of the last frame, seconds of output. */
  endSec: number;
  /** The colour space the encoder tagged, as WebCodecs reports it. */
  colorSpace: VideoColorSpaceInit | null;
  /** The QP meter's summary for the log ('' when it measured nothing). */
  qpSummary: string;
  /** H.264: the mean QP of the encoded frames; null when not read. */
  meanQp: number | null;
}

/** Runs the picture from the first packet it needs to the last frame before Out; closes `out`. */
export async function pumpVideo(pipeline: VideoPipeline, run: RunState): Promise<VideoResult> {
  const { codecs, target, range, crop, frameStepUs, encoderConfig, log } = pipeline;
  const { startTime, endTime } = range;
  let muxPending = 0;
  let muxChain: Promise<void> = Promise.resolve();
  let framesIn = 0;
  let framesOut = 0;
  let framesHidden = 0;
  let framesAfterEnd = 0;
  const startMicros = Math.round(startTime * 1e6);
  const endMicros = Number.isFinite(endTime) ? Math.round(endTime * 1e6) : Infinity;
  let colorSpace: VideoColorSpaceInit | null = null;
  let videoEnd = 0;
  const qpMeter = new AvcQpMeter(codecs.video === 'avc', log);
  // A size target steers toward its bytes; else H.264 steers toward its QP, or guards a ceiling.
  const budget = target.sizeBudget
    ? new BudgetSteer({ startBitrate: target.videoBitrate, videoBytes: target.sizeBudget.videoBytes, durationSec: pipeline.durationSec, windowFrames: Math.max(30, Math.round(pipeline.outFps * 2)) })
    : null;
  const windowFrames = Math.max(30, Math.round(pipeline.fps * 2));
  const steer =
    budget || codecs.video !== 'avc'
      ? null
      : target.targetQp !== undefined
        ? new BitrateSteer({ ...H264_STEERING, startBitrate: target.videoBitrate, targetQp: target.targetQp, windowFrames })
        : target.qualityGuard !== undefined
          ? new BitrateSteer({ ...DRIFT_GUARD, maxFactor: target.qualityGuard.maxBitrate / target.videoBitrate, startBitrate: target.videoBitrate, targetQp: target.qualityGuard.qpCeiling, windowFrames })
          : null;

  const encoder = new VideoEncoder({
    output(chunk, meta) {
      const packet = EncodedPacket.fromEncodedChunk(chunk);
      let qp: number | null;
      try {
        qp = qpMeter.add(packet.data, meta?.decoderConfig?.description);
      } catch (error) {
        run.fail(error);
        return;
      }
      muxPending++;
      if (meta?.decoderConfig?.colorSpace && !colorSpace) colorSpace = meta.decoderConfig.colorSpace;
      const shiftedEnd = (chunk.timestamp + (chunk.duration ?? 0) - startTime * 1e6) / 1e6;
      const steered = budget ? budget.add(chunk.byteLength, shiftedEnd) : qp !== null && steer ? steer.add(qp) : null;
      if (steered !== null && encoder.state === 'configured') {
        // A bitrate-only change: Chromium keeps the stream going (same parameter sets, checked above).
        encoder.configure({ ...encoderConfig, bitrate: steered });
      }
      const shifted = packet.clone({ timestamp: Math.max(0, packet.timestamp - startTime) });
      videoEnd = Math.max(videoEnd, shifted.timestamp + shifted.duration);
      framesOut++;
      muxChain = muxChain
        .then(() => pipeline.out.add(shifted, meta))
        .then(() => {
          muxPending--;
          pipeline.onProgress(shifted.timestamp);
        }, run.fail);
    },
    error: run.fail,
  });
  encoder.configure(encoderConfig);
  let nextFrameUs = -Infinity;
  const encodeOptions = (keyFrame: boolean): VideoEncoderEncodeOptions => {
    if (!pipeline.quantizer || target.quantizer === undefined) return { keyFrame };
    // Per-frame quantizer options for VP9/AV1 (Chromium reads them; lib.dom knows only avc's).
    return { keyFrame, [codecs.video]: { quantizer: target.quantizer } };
  };
  const decoder = new VideoDecoder({
    output(frame) {
      let kept: VideoFrame | null = null;
      try {
        // A frame before the presentation start is a reference for the ones after it, not picture.
        if (frame.timestamp < startMicros - HIDDEN_FRAME_SLACK_US) framesHidden++;
        else if (frame.timestamp >= endMicros - HIDDEN_FRAME_SLACK_US) framesAfterEnd++;
        else {
          if (frameStepUs > 0) {
            if (frame.timestamp < nextFrameUs - frameStepUs / 4) return;
            nextFrameUs = (nextFrameUs === -Infinity ? frame.timestamp : nextFrameUs) + frameStepUs;
          }
          if (encoder.state === 'configured') {
            // The encoder scales the visible rectangle to its size: cropping is choosing that rectangle.
            const visible = frame.visibleRect;
            const rect = crop ? { x: (visible?.x ?? 0) + crop.x, y: (visible?.y ?? 0) + crop.y, width: crop.width, height: crop.height } : null;
            kept = rect || frameStepUs > 0 ? new VideoFrame(frame, { ...(rect ? { visibleRect: rect } : {}), ...(frameStepUs > 0 ? { duration: frameStepUs } : {}) }) : null;
            encoder.encode(kept ?? frame, encodeOptions(framesIn % KEY_FRAME_INTERVAL === 0));
            framesIn++;
          }
        }
      } catch (error) {
        run.fail(error);
      } finally {
        kept?.close();
        frame.close();
      }
    },
    error: run.fail,
  });
  decoder.configure(pipeline.decoderConfig);
  // Closing the codecs on abort ends the loop below at its next await.
  const close = (): void => {
    if (decoder.state === 'configured') decoder.close();
    if (encoder.state === 'configured') encoder.close();
  };
  run.signal.addEventListener('abort', close, { once: true });

  try {
    const packets = new EncodedPacketSink(pipeline.track);
    // A trim starts decoding at the key packet at or before In: the frames between are references only.
    const firstPacket = range.seeks ? ((await packets.getKeyPacket(startTime)) ?? undefined) : undefined;
    for await (const packet of packets.packets(firstPacket)) {
      run.check();
      // Past Out by more than any reordering reaches: nothing later is shown.
      if (packet.timestamp >= endTime + REORDER_MARGIN_SEC) break;
      await run.waitUntil(
        () => run.failed || (decoder.decodeQueueSize < MAX_DECODE_QUEUE && encoder.encodeQueueSize < MAX_ENCODE_QUEUE && muxPending < MAX_MUX_PENDING),
        decoder,
        encoder,
      );
      run.check();
      decoder.decode(packet.toEncodedVideoChunk());
    }
    await decoder.flush();
    run.check();
    if (framesHidden > 0) log(`video: ${framesHidden} frames before ${range.trimmed ? 'In' : 'the presentation start (hidden by an edit list)'} decoded, not encoded`);
    if (framesAfterEnd > 0) log(`video: ${framesAfterEnd} frames after Out decoded, not encoded`);
    await encoder.flush();
    run.check();
    await muxChain;
    run.check();
    pipeline.out.close();
  } finally {
    run.signal.removeEventListener('abort', close);
    close();
  }

  if (budget && budget.changes.length > 0) {
    const kbps = budget.changes.map((c) => Math.round(c.bitrate / 1000));
    log(`bitrate steered to ${target.sizeBudget?.videoBytes ?? 0} video bytes: ${budget.changes.length} changes, ${Math.min(...kbps)}–${Math.max(...kbps)} kb/s, ${budget.bytesSoFar} made`);
  }
  if (steer && target.targetQp === undefined) {
    // The drift guard says what it did either way: the promise is kept by watching, not only by the samples.
    const kbps = steer.changes.map((c) => Math.round(c.bitrate / 1000));
    log(
      steer.changes.length > 0
        ? `quality guard: the mean QP rose above ${steer.targetQp.toFixed(2)} (the samples' QP + 1); the bitrate was moved ${steer.changes.length} times, up to ${Math.max(...kbps)} kb/s (the size cap allows ${Math.round((target.qualityGuard?.maxBitrate ?? 0) / 1000)}), last ${kbps.at(-1)} kb/s`
        : `quality guard: no window's mean QP called for more than ${steer.targetQp.toFixed(2)} (the samples' QP + 1) allowed; the bitrate stayed at ${Math.round(target.videoBitrate / 1000)} kb/s`,
    );
  } else if (steer && steer.changes.length > 0) {
    const kbps = steer.changes.map((c) => Math.round(c.bitrate / 1000));
    log(`bitrate steered to QP ${steer.targetQp}: ${steer.changes.length} changes, ${Math.min(...kbps)}–${Math.max(...kbps)} kb/s, last ${kbps.at(-1)} kb/s`);
  }
  return { frames: framesOut, endSec: videoEnd, colorSpace, qpSummary: qpMeter.summary(), meanQp: qpMeter.meanQp };
}
