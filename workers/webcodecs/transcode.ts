/**
 * The WebCodecs route: Mediabunny reads and writes the containers, the browser's own
 * VideoDecoder → VideoEncoder make the picture. Output streams to a FileSystemSyncAccessHandle at
 * positions. Read top to bottom: the input and what it asks (`openInput`, `planVideo`), the
 * muxer, the two pipelines (video-pipeline.ts, audio-pipeline.ts), the finish.
 *
 * Runs in a dedicated worker (sync access handles exist only there).
 */
import {
  ALL_FORMATS,
  BlobSource,
  EncodedVideoPacketSource,
  Input,
  IsobmffInputFormat,
  Mp4OutputFormat,
  Output,
  WebMOutputFormat,
  type InputAudioTrack,
  type InputVideoTrack,
  type Rotation,
} from 'mediabunny';

import type { PictureRect, WebCodecsPresetId, WebCodecsSupport, WebCodecsTarget } from '../protocol';
import { abortError, throwIfAborted } from '../../src/shared/abort';
import { syncHandleTarget, type SyncWriter } from '../sync-target';
import { addAudioTrack, planAudio, pumpAudio, type AudioPlan, type KeptRange } from './audio-pipeline';
import { CANCELED, RunState } from './run-state';
import { storedRect } from './stored-rect';
import { checkTarget, VIDEO_NAMES, videoEncoderConfig, WebCodecsUnsupportedError, withoutOrientation, type TargetCodecs } from './target';
import { pumpVideo } from './video-pipeline';

export { WebCodecsUnsupportedError };
export type { SyncWriter, WebCodecsPresetId, WebCodecsSupport, WebCodecsTarget };

export interface WebCodecsOptions {
  /** Seconds of output made so far (video timestamps; audio for audio-only work). */
  onProgress(seconds: number): void;
  signal: AbortSignal;
  log(line: string): void;
}

export interface WebCodecsResult {
  /** Encoded (coded) size; the shown size is this turned by `rotation`. */
  width: number;
  height: number;
  /** Clockwise degrees written in the output's metadata (the source's, kept as a tag). */
  rotation: Rotation;
  videoFrames: number;
  videoBitrate: number;
  /** 'encoded', 'copied' (the source's AAC kept as it is), or null when the source has none. */
  audio: 'encoded' | 'copied' | null;
  /** End of the last video frame or audio packet, seconds. */
  durationSec: number;
  bytes: number;
  /** The colour space the encoder tagged, as WebCodecs reports it. */
  colorSpace: VideoColorSpaceInit | null;
  /** H.264: the mean QP of the encoded frames; null when not read. */
  meanQp: number | null;
}

const PROGRESS_INTERVAL_MS = 200;
/** Output written to the handle in pieces of this size (Mediabunny gathers smaller writes). */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;

/** The tracks a job reads and the presentation range it keeps. */
interface OpenedInput {
  video: InputVideoTrack;
  audio: InputAudioTrack | null;
  isobmff: boolean;
  durationSec: number;
  range: KeptRange;
}

async function openInput(source: Input, input: File, target: WebCodecsTarget): Promise<OpenedInput> {
  if (!(await source.canRead())) throw new WebCodecsUnsupportedError(`${input.name.split('.').pop()?.toUpperCase() ?? 'This file'} isn't readable by the fast route`);
  const video = await source.getPrimaryVideoTrack();
  if (!video) throw new WebCodecsUnsupportedError('no video track the fast route can read');
  const edits = target.edits ?? {};
  const audio = target.videoOnly ? null : edits.audioTrack !== undefined ? ((await source.getAudioTracks())[edits.audioTrack] ?? null) : await source.getPrimaryAudioTrack();
  if (edits.audioTrack !== undefined && !audio && !target.videoOnly) throw new WebCodecsUnsupportedError(`sound track ${edits.audioTrack + 1} isn't readable by the fast route`);
  const isobmff = (await source.getFormat()) instanceof IsobmffInputFormat;
  // Where the presentation starts: 0 when an edit list hides packets before it (Mediabunny gives
  // them negative times), else the first packet's time. Hidden packets are decoded, never shown.
  const presentationStart = Math.max(0, await source.getFirstTimestamp([video, ...(audio ? [audio] : [])]));
  // A trim moves the start and sets an end; what lies outside is decoded where later frames need it, never encoded.
  const range: KeptRange = {
    startTime: presentationStart + (edits.trim?.start ?? 0),
    endTime: edits.trim?.end != null ? presentationStart + edits.trim.end : Infinity,
    trimmed: edits.trim !== undefined,
    seeks: edits.trim !== undefined && edits.trim.start > 0,
  };
  const durationSec = (await source.getDurationFromMetadata()) ?? (await source.computeDuration());
  return { video, audio, isobmff, durationSec, range };
}

/** What the picture becomes: sizes, rotation, crop, rates and the encoder's configuration, each checked with the browser. */
interface VideoPlan {
  width: number;
  height: number;
  rotation: Rotation;
  crop: PictureRect | null;
  decoderConfig: VideoDecoderConfig;
  encoderConfig: VideoEncoderConfig;
  quantizer: boolean;
  fps: number;
  outFps: number;
  frameStepUs: number;
  /** An upper bound of the output's video packets (the muxer reserves its index up front). */
  maxPackets: number;
}

async function planVideo(opened: OpenedInput, target: WebCodecsTarget, codecs: TargetCodecs, log: (line: string) => void): Promise<VideoPlan> {
  const { video } = opened;
  const edits = target.edits ?? {};
  // Picture: the planned shown size, turned back to the stored orientation; the rotation
  // is kept as the output's display matrix, so players show it upright at the shown size.
  const sourceRotation = await video.getRotation();
  // The person's turn goes into the display matrix with the file's own: no pixel is moved for it.
  const rotation = ((sourceRotation + (edits.rotate ?? 0)) % 360) as Rotation;
  const turned = rotation === 90 || rotation === 270;
  const width = turned ? target.height : target.width;
  const height = turned ? target.width : target.height;
  const codedWidth = await video.getCodedWidth();
  const codedHeight = await video.getCodedHeight();
  const crop = edits.crop ? storedRect(edits.crop, sourceRotation, codedWidth, codedHeight) : null;

  const sourceConfig = await video.getDecoderConfig();
  const codec = await video.getCodec();
  if (codec === null) throw new WebCodecsUnsupportedError("this video codec isn't readable by the fast route");
  if (!sourceConfig) throw new WebCodecsUnsupportedError(`${codec} video can't be decoded by this browser`);
  const decoderConfig = withoutOrientation(sourceConfig);
  if (!(await VideoDecoder.isConfigSupported(decoderConfig)).supported) {
    throw new WebCodecsUnsupportedError(`${codec.toUpperCase()} video can't be decoded by this browser`);
  }

  // ISOBMFF inputs know their packet count from the index; others from a sample of the first packets.
  const stats = await video.computePacketStats(opened.isobmff ? undefined : 300);
  const fps = stats.averagePacketRate > 0 ? stats.averagePacketRate : 30;
  // A frame-rate cap: frames closer than a step to the last kept one are dropped.
  const frameStepUs = target.maxFps !== undefined && fps > target.maxFps + 0.01 ? 1e6 / target.maxFps : 0;
  const outFps = frameStepUs > 0 ? (target.maxFps ?? fps) : fps;
  // VP9/AV1 quantizer mode where the browser takes it (a constant quality, as CRF); else the bitrate.
  const quantizer =
    target.quantizer !== undefined && codecs.video !== 'avc'
      ? await VideoEncoder.isConfigSupported(videoEncoderConfig(codecs, width, height, outFps, target.videoBitrate, true)).then((r) => r.supported === true, () => false)
      : false;
  const encoderConfig = videoEncoderConfig(codecs, width, height, outFps, target.videoBitrate, quantizer);
  if (!(await VideoEncoder.isConfigSupported(encoderConfig)).supported) {
    throw new WebCodecsUnsupportedError(`${VIDEO_NAMES[codecs.video]} ${width}×${height} can't be encoded by this browser`);
  }
  const rateText = quantizer ? `quantizer ${target.quantizer}` : `${Math.round(target.videoBitrate / 1000)} kb/s`;
  log(`video: ${codec} ${codedWidth}×${codedHeight} rot ${sourceRotation} → ${encoderConfig.codec} ${width}×${height} rot ${rotation} ${rateText}, ${outFps.toFixed(2)} fps`);
  if (edits.trim) log(`trim: ${edits.trim.start.toFixed(3)}–${edits.trim.end === null ? 'end' : edits.trim.end.toFixed(3)} s of the presentation`);
  if (crop) log(`crop: ${crop.width}×${crop.height} at ${crop.x},${crop.y} of the stored picture`);
  const maxPackets = opened.isobmff ? stats.packetCount : Math.ceil(opened.durationSec * fps * 1.5) + 120;
  return { width, height, rotation, crop, decoderConfig, encoderConfig, quantizer, fps, outFps, frameStepUs, maxPackets };
}

/**
 * Transcodes `input` to one of the WebCodecs presets, writing the output to `output` at
 * positions. Throws WebCodecsUnsupportedError (with a short reason) when this route cannot
 * make the output, an AbortError DOMException when `signal` aborts, and any codec or muxer
 * error as it is; the caller falls back to ffmpeg.wasm on all but the abort.
 *
 * @example
 * const handle = await scratch.createSyncAccessHandle();
 * const result = await transcodeWithWebCodecs(file, { presetId: 'mp4-h264-720p' }, handle, {
 *   onProgress: (s) => report(s), signal, log: (line) => logs.push(line),
 * });
 */
export async function transcodeWithWebCodecs(input: File, target: WebCodecsTarget, output: SyncWriter, options: WebCodecsOptions): Promise<WebCodecsResult> {
  const { signal } = options;
  const log = (line: string): void => options.log(line);
  // At most every 200 ms: the callback is usually a Comlink proxy, one message a call.
  let lastProgressAt = 0;
  const onProgress = (seconds: number): void => {
    const now = performance.now();
    if (now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
    lastProgressAt = now;
    options.onProgress(seconds);
  };
  const codecs = checkTarget(target);
  throwIfAborted(signal, CANCELED);

  const source = new Input({ source: new BlobSource(input), formats: ALL_FORMATS });
  let muxer: Output | null = null;
  try {
    const opened = await openInput(source, input, target);
    const plan = await planVideo(opened, target, codecs, log);
    const audioPlan: AudioPlan | null = opened.audio && codecs.audio ? await planAudio(opened.audio, { ...codecs, audio: codecs.audio }, log) : null;

    // Muxer. MP4: 'reserve' puts the moov first (fast start, as ffmpeg's +faststart) while streaming,
    // given an upper bound of packets per track; 'in-memory' would hold the whole file.
    const sink = syncHandleTarget(output, WRITE_CHUNK_BYTES);
    muxer = new Output({ format: codecs.container === 'mp4' ? new Mp4OutputFormat({ fastStart: 'reserve' }) : new WebMOutputFormat(), target: sink.target });
    const videoOut = new EncodedVideoPacketSource(codecs.video);
    muxer.addVideoTrack(videoOut, { rotation: plan.rotation, maximumPacketCount: Math.ceil(plan.maxPackets * 1.05) + 16 });
    const audioOut = audioPlan ? await addAudioTrack(muxer, audioPlan, opened.durationSec) : null;
    await muxer.start();

    // Both pipelines at once; a failure on either side stops the other at its next step.
    const run = new RunState(signal);
    const [video, audioEnd] = await Promise.all([
      pumpVideo({ ...plan, track: opened.video, codecs, target, range: opened.range, durationSec: opened.durationSec, out: videoOut, log, onProgress }, run).catch((error: unknown) => {
        run.fail(error);
        return null;
      }),
      (audioPlan && audioOut ? pumpAudio(audioPlan, audioOut, opened.range, run) : Promise.resolve(0)).catch((error: unknown) => {
        run.fail(error);
        return 0;
      }),
    ]);
    run.check();
    if (!video || video.frames === 0) throw new Error('The WebCodecs encoder produced no video frames.');

    // Finish: the index written, the file cut to its size.
    await muxer.finalize();
    const bytes = sink.bytes();
    output.truncate(bytes);
    output.flush();
    const durationSec = Math.max(video.endSec, audioEnd);
    options.onProgress(durationSec);
    log(`done: ${video.frames} frames, ${durationSec.toFixed(3)} s, ${bytes} bytes${video.qpSummary}`);
    return { width: plan.width, height: plan.height, rotation: plan.rotation, videoFrames: video.frames, videoBitrate: target.videoBitrate, audio: audioPlan?.mode ?? null, durationSec, bytes, colorSpace: video.colorSpace, meanQp: video.meanQp };
  } catch (error) {
    if (muxer && muxer.state !== 'finalized' && muxer.state !== 'canceled') await muxer.cancel().catch(() => undefined);
    throw signal.aborted ? abortError(CANCELED) : error;
  } finally {
    source.dispose();
  }
}
