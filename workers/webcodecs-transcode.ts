/**
 * The WebCodecs route: Mediabunny reads and writes the containers, the browser's own
 * VideoDecoder → VideoEncoder make the picture. Decoded frames go straight to an encoder
 * configured at the output size (Chromium scales them, keeping the source's colour range
 * and matrix), never through a canvas. Output streams to a FileSystemSyncAccessHandle at
 * positions; every queue is bounded so memory stays flat whatever the length.
 *
 * Runs in a dedicated worker (sync access handles exist only there).
 */
import {
  ALL_FORMATS,
  AudioSampleSink,
  AudioSampleSource,
  BlobSource,
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  IsobmffInputFormat,
  Mp4OutputFormat,
  Output,
  Quality,
  StreamTarget,
  WebMOutputFormat,
  canEncodeAudio,
  type AudioSample,
  type InputAudioTrack,
  type Rotation,
  type StreamTargetChunk,
} from 'mediabunny';
import { registerAacEncoder } from '@mediabunny/aac-encoder';

import type { WebCodecsPresetId, WebCodecsSupport, WebCodecsTarget } from './protocol';
import { BitrateSteer, BudgetSteer, H264_STEERING } from './bitrate-steer';
import { AvcQpMeter } from './h264-slice-qp';
import { storedRect } from './stored-rect';
import { abortError, throwIfAborted } from '../src/shared/abort';

const CANCELED = 'The WebCodecs encode was canceled.';

export type { WebCodecsPresetId, WebCodecsSupport, WebCodecsTarget };

/** The slice of FileSystemSyncAccessHandle the route writes through. */
export interface SyncWriter {
  write(buffer: AllowSharedBufferSource, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  getSize(): number;
}

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
}

/** Why the route cannot make this output; the caller falls back to ffmpeg.wasm with `message`. */
export class WebCodecsUnsupportedError extends Error {
  override name = 'WebCodecsUnsupportedError';
}

interface PresetSpec {
  container: 'mp4' | 'webm';
  video: 'avc' | 'vp9' | 'av1';
  /** Null: the source's sound is left out. */
  audio: 'aac' | 'opus' | null;
  audioBitrate: number;
  channels: 1 | 2;
  sampleRate: number | null;
}

const VIDEO_NAMES = { avc: 'H.264', vp9: 'VP9', av1: 'AV1' } as const;

/** Frames waiting in the decoder, the encoder and the muxer: a few each, so memory stays flat. */
const MAX_DECODE_QUEUE = 4;
const MAX_ENCODE_QUEUE = 4;
const MAX_MUX_PENDING = 16;
const PROGRESS_INTERVAL_MS = 200;
/** A decoded frame this far (µs) before the presentation start still counts as its first frame (rounding). */
const HIDDEN_FRAME_SLACK_US = 1000;
/** x264's and libvpx's default longest key frame interval in ffmpeg. */
const KEY_FRAME_INTERVAL = 250;
/** Output written to the handle in pieces of this size (Mediabunny gathers smaller writes). */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
/** AAC sample rates the ffmpeg route keeps as they are (ffmpeg's native AAC encoder's list). */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000];

/** H.264 level for the pixel rate: level_idc in hex, as the avc1 string spells it. */
function avcCodecString(width: number, height: number, fps: number): string {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const perSecond = macroblocks * Math.max(fps, 1);
  const levels: [number, number, number][] = [
    // [level_idc, max frame size in MBs, max MBs per second]
    [0x1f, 3600, 108000],
    [0x20, 5120, 216000],
    [0x28, 8192, 245760],
    [0x2a, 8704, 522240],
    [0x32, 22080, 589824],
    [0x33, 36864, 983040],
    [0x34, 36864, 2073600],
  ];
  const level = levels.find(([, frame, rate]) => macroblocks <= frame && perSecond <= rate)?.[0] ?? 0x34;
  // High profile: OpenH264 writes what it can (Constrained Baseline); the string only sets the level.
  return `avc1.6400${level.toString(16).padStart(2, '0')}`;
}

/** Waits until `ready()` holds, re-checking when `target` fires `dequeue` (or every 50 ms). */
async function waitUntil(ready: () => boolean, signal: AbortSignal, ...targets: EventTarget[]): Promise<void> {
  while (!ready()) {
    throwIfAborted(signal, CANCELED);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        for (const t of targets) t.removeEventListener('dequeue', done);
        resolve();
      };
      const timer = setTimeout(done, 50);
      for (const t of targets) t.addEventListener('dequeue', done);
    });
  }
}

/** A Mediabunny StreamTarget over a sync handle: positioned writes, nothing kept. */
function syncHandleTarget(output: SyncWriter): { target: StreamTarget; bytes: () => number } {
  let end = 0;
  output.truncate(0);
  const writable = new WritableStream<StreamTargetChunk>({
    write(chunk) {
      let done = 0;
      while (done < chunk.data.byteLength) {
        done += output.write(chunk.data.subarray(done), { at: chunk.position + done });
      }
      end = Math.max(end, chunk.position + chunk.data.byteLength);
    },
    close() {
      output.flush();
    },
  });
  return { target: new StreamTarget(writable, { chunked: true, chunkSize: WRITE_CHUNK_BYTES }), bytes: () => end };
}

let aacRegistered: Promise<void> | null = null;
/** Chromium on Linux (and Firefox) has no AAC encoder: Mediabunny's wasm one stands in. */
function ensureAacEncoder(): Promise<void> {
  aacRegistered ??= canEncodeAudio('aac', { numberOfChannels: 2, sampleRate: 48000, bitrate: 128_000 }).then((native) => {
    if (!native) registerAacEncoder();
  });
  return aacRegistered;
}

interface AudioPlan {
  mode: 'encoded' | 'copied';
  codec: 'aac' | 'opus';
  track: InputAudioTrack;
  channels: number;
  sampleRate: number;
}

/** The output's sample rate as the ffmpeg route has it: the spec's; else Opus at 48 kHz, AAC at the source's rate where AAC has it. */
function outputRate(spec: PresetSpec, sourceRate: number): number {
  if (spec.sampleRate !== null) return spec.sampleRate;
  return spec.audio === 'opus' ? 48000 : AAC_RATES.includes(sourceRate) ? sourceRate : 48000;
}

async function planAudio(track: InputAudioTrack, spec: PresetSpec & { audio: 'aac' | 'opus' }, log: (line: string) => void): Promise<AudioPlan> {
  const [codec, channels, sampleRate] = await Promise.all([track.getCodec(), track.getNumberOfChannels(), track.getSampleRate()]);
  const outChannels = Math.min(channels, spec.channels);
  if (spec.audio === 'aac' && codec === 'aac' && channels <= spec.channels && (spec.sampleRate === null || spec.sampleRate === sampleRate)) {
    // The source's AAC already meets the preset when it is at most 128 kb/s: copy it (no loss, no work).
    const stats = await track.computePacketStats(200);
    if (stats.averageBitrate > 0 && stats.averageBitrate <= spec.audioBitrate * 1.05) {
      log(`audio: copying the source's AAC (${Math.round(stats.averageBitrate / 1000)} kb/s, ${channels} ch)`);
      return { mode: 'copied', codec: 'aac', track, channels, sampleRate };
    }
  }
  if (!(await track.canDecode())) throw new WebCodecsUnsupportedError(`${codec ?? 'This'} audio can't be decoded by this browser`);
  const outRate = outputRate(spec, sampleRate);
  if (spec.audio === 'aac') await ensureAacEncoder();
  if (!(await canEncodeAudio(spec.audio, { numberOfChannels: outChannels, sampleRate: outRate, bitrate: spec.audioBitrate }))) {
    throw new WebCodecsUnsupportedError(`${spec.audio === 'aac' ? 'AAC' : 'Opus'} can't be encoded by this browser`);
  }
  log(`audio: ${codec ?? '?'} ${channels} ch ${sampleRate} Hz → ${spec.audio} ${outChannels} ch ${outRate} Hz ${spec.audioBitrate / 1000} kb/s`);
  return { mode: 'encoded', codec: spec.audio, track, channels: outChannels, sampleRate: outRate };
}

function checkTarget(target: WebCodecsTarget): PresetSpec {
  if (target.container !== 'mp4' && target.container !== 'webm') throw new TypeError(`target.container must be mp4 or webm; got "${String(target.container)}".`);
  if (!['avc', 'vp9', 'av1'].includes(target.video)) throw new TypeError(`target.video must be avc, vp9 or av1; got "${String(target.video)}".`);
  for (const field of ['width', 'height'] as const) {
    const n = target[field];
    if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) throw new TypeError(`target.${field} must be a positive even integer; got ${n}.`);
  }
  if (!(target.videoBitrate > 0)) throw new TypeError(`target.videoBitrate must be positive; got ${target.videoBitrate}.`);
  const audio = target.audio;
  return {
    container: target.container,
    video: target.video,
    audio: audio?.codec ?? null,
    audioBitrate: audio?.bitrate ?? 0,
    channels: audio?.channels ?? 2,
    sampleRate: audio?.sampleRate ?? null,
  };
}

/**
 * Asks the browser what it can do with `input` for each planned target: container read by
 * Mediabunny, source codecs through `VideoDecoder`/`AudioDecoder.isConfigSupported`, target
 * codecs through `VideoEncoder.isConfigSupported` at the planned size and Mediabunny's
 * `canEncodeAudio`. Reads only the file's headers and first packets.
 */
export async function probeWebCodecsSupport(input: File, targets: readonly WebCodecsTarget[]): Promise<WebCodecsSupport> {
  const source = new Input({ source: new BlobSource(input), formats: ALL_FORMATS });
  try {
    const support: WebCodecsSupport = { readable: false, format: null, video: null, audio: null, encode: {} };
    try {
      if (!(await source.canRead())) return support;
      support.format = (await source.getFormat()).name;
    } catch {
      return support;
    }
    support.readable = true;
    const videoTrack = await source.getPrimaryVideoTrack();
    let rotation: Rotation = 0;
    if (videoTrack) {
      rotation = await videoTrack.getRotation();
      const config = await videoTrack.getDecoderConfig().catch(() => null);
      const plain = config ? withoutOrientation(config) : null;
      const decodable = plain !== null && (await VideoDecoder.isConfigSupported(plain).then((r) => r.supported === true, () => false));
      const codec = await videoTrack.getCodec();
      // A track Mediabunny has no codec for (MPEG-4 Part 2 in MP4) is one the fast route can't read.
      support.video = codec === null ? null : { codec, decodable };
    }
    const audioTrack = await source.getPrimaryAudioTrack();
    let channels = 2;
    let sampleRate = 48000;
    if (audioTrack) {
      channels = Math.min(2, await audioTrack.getNumberOfChannels());
      sampleRate = await audioTrack.getSampleRate();
      const config = await audioTrack.getDecoderConfig().catch(() => null);
      const decodable = config !== null && (await AudioDecoder.isConfigSupported(config).then((r) => r.supported === true, () => false));
      const codec = await audioTrack.getCodec();
      support.audio = codec === null ? null : { codec, decodable };
    }
    for (const target of targets) {
      const spec = checkTarget(target);
      const turned = rotation === 90 || rotation === 270;
      const config = videoEncoderConfig(spec, turned ? target.height : target.width, turned ? target.width : target.height, 30, target.videoBitrate);
      const video = await VideoEncoder.isConfigSupported(config).then((r) => r.supported === true, () => false);
      if (spec.audio === 'aac') await ensureAacEncoder();
      const audio =
        spec.audio === null ||
        (await canEncodeAudio(spec.audio, { numberOfChannels: Math.min(channels, spec.channels), sampleRate: outputRate(spec, sampleRate), bitrate: spec.audioBitrate }));
      support.encode[target.presetId] = { video, audio };
    }
    return support;
  } finally {
    source.dispose();
  }
}

/** The frames are encoded as stored; the rotation goes into the output's metadata instead. */
/** Packets past Out still decoded, in seconds: B-frames shown before Out may come after it in decode order. */
const REORDER_MARGIN_SEC = 1;

function withoutOrientation(config: VideoDecoderConfig): VideoDecoderConfig {
  const plain: VideoDecoderConfig & { rotation?: number; flip?: boolean } = { ...config };
  delete plain.rotation;
  delete plain.flip;
  return plain;
}

/** AV1 Main, 8-bit, the level for the frame size (seq_level_idx: 3.0 up to 720p-ish, 4.0 to 1080p, 5.0 above). */
function av1CodecString(width: number, height: number): string {
  const pixels = width * height;
  const level = pixels <= 665_856 ? '04' : pixels <= 2_359_296 ? '08' : '12';
  return `av01.0.${level}M.08`;
}

function videoEncoderConfig(spec: PresetSpec, width: number, height: number, fps: number, bitrate: number, quantizer = false): VideoEncoderConfig {
  return {
    codec: spec.video === 'avc' ? avcCodecString(width, height, fps) : spec.video === 'av1' ? av1CodecString(width, height) : 'vp09.00.40.08',
    width,
    height,
    ...(quantizer ? { bitrateMode: 'quantizer' as const } : { bitrate, bitrateMode: 'variable' as const }),
    framerate: fps,
    latencyMode: 'quality',
    ...(spec.video === 'avc' ? { avc: { format: 'avc' as const } } : {}),
  };
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
  const spec = checkTarget(target);
  throwIfAborted(signal, CANCELED);

  const source = new Input({ source: new BlobSource(input), formats: ALL_FORMATS });
  let decoder: VideoDecoder | null = null;
  let encoder: VideoEncoder | null = null;
  let muxer: Output | null = null;
  const onAbort = (): void => {
    // Closing the codecs ends the loops below at their next await.
    if (decoder?.state === 'configured') decoder.close();
    if (encoder?.state === 'configured') encoder.close();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (!(await source.canRead())) throw new WebCodecsUnsupportedError(`${input.name.split('.').pop()?.toUpperCase() ?? 'This file'} isn't readable by the fast route`);
    const videoTrack = await source.getPrimaryVideoTrack();
    if (!videoTrack) throw new WebCodecsUnsupportedError('no video track the fast route can read');
    const edits = target.edits ?? {};
    const audioTrack = target.videoOnly ? null : edits.audioTrack !== undefined ? ((await source.getAudioTracks())[edits.audioTrack] ?? null) : await source.getPrimaryAudioTrack();
    if (edits.audioTrack !== undefined && !audioTrack && !target.videoOnly) throw new WebCodecsUnsupportedError(`sound track ${edits.audioTrack + 1} isn't readable by the fast route`);
    const format = await source.getFormat();
    // Where the presentation starts: 0 when an edit list hides packets before it (Mediabunny gives
    // them negative times), else the first packet's time. Hidden packets are decoded, never shown.
    const presentationStart = Math.max(0, await source.getFirstTimestamp([videoTrack, ...(audioTrack ? [audioTrack] : [])]));
    // A trim moves the start and sets an end; what lies outside is decoded where later frames need it, never encoded.
    const startTime = presentationStart + (edits.trim?.start ?? 0);
    const endTime = edits.trim?.end != null ? presentationStart + edits.trim.end : Infinity;

    // Picture: the planned shown size, turned back to the stored orientation; the rotation
    // is kept as the output's display matrix, so players show it upright at the shown size.
    const sourceRotation = await videoTrack.getRotation();
    // The person's turn goes into the display matrix with the file's own: no pixel is moved for it.
    const rotation = ((sourceRotation + (edits.rotate ?? 0)) % 360) as Rotation;
    const turned = rotation === 90 || rotation === 270;
    const width = turned ? target.height : target.width;
    const height = turned ? target.width : target.height;
    const storedCrop = edits.crop ? storedRect(edits.crop, sourceRotation, await videoTrack.getCodedWidth(), await videoTrack.getCodedHeight()) : null;

    const decoderConfig = await videoTrack.getDecoderConfig();
    const codec = await videoTrack.getCodec();
    if (codec === null) throw new WebCodecsUnsupportedError("this video codec isn't readable by the fast route");
    if (!decoderConfig) throw new WebCodecsUnsupportedError(`${codec ?? 'this'} video can't be decoded by this browser`);
    const plainDecoderConfig = withoutOrientation(decoderConfig);
    if (!(await VideoDecoder.isConfigSupported(plainDecoderConfig)).supported) {
      throw new WebCodecsUnsupportedError(`${codec?.toUpperCase() ?? 'This'} video can't be decoded by this browser`);
    }

    const isobmff = format instanceof IsobmffInputFormat;
    // ISOBMFF inputs know their packet count from the index; others from a sample of the first packets.
    const videoStats = await videoTrack.computePacketStats(isobmff ? undefined : 300);
    const duration = (await source.getDurationFromMetadata()) ?? (await source.computeDuration());
    const fps = videoStats.averagePacketRate > 0 ? videoStats.averagePacketRate : 30;
    const { videoBitrate } = target;
    // A frame-rate cap: frames closer than a step to the last kept one are dropped.
    const frameStepUs = target.maxFps !== undefined && fps > target.maxFps + 0.01 ? 1e6 / target.maxFps : 0;
    const outFps = frameStepUs > 0 ? (target.maxFps ?? fps) : fps;
    // VP9/AV1 quantizer mode where the browser takes it (a constant quality, as CRF); else the bitrate.
    const quantizer =
      target.quantizer !== undefined && spec.video !== 'avc'
        ? await VideoEncoder.isConfigSupported(videoEncoderConfig(spec, width, height, outFps, videoBitrate, true)).then((r) => r.supported === true, () => false)
        : false;
    const encoderConfig = videoEncoderConfig(spec, width, height, outFps, videoBitrate, quantizer);
    if (!(await VideoEncoder.isConfigSupported(encoderConfig)).supported) {
      throw new WebCodecsUnsupportedError(`${VIDEO_NAMES[spec.video]} ${width}×${height} can't be encoded by this browser`);
    }
    const audioPlan = audioTrack && spec.audio ? await planAudio(audioTrack, { ...spec, audio: spec.audio }, log) : null;
    const rateText = quantizer ? `quantizer ${target.quantizer}` : `${Math.round(videoBitrate / 1000)} kb/s`;
    log(`video: ${codec ?? '?'} ${await videoTrack.getCodedWidth()}×${await videoTrack.getCodedHeight()} rot ${sourceRotation} → ${encoderConfig.codec} ${width}×${height} rot ${rotation} ${rateText}, ${outFps.toFixed(2)} fps`);
    if (edits.trim) log(`trim: ${edits.trim.start.toFixed(3)}–${edits.trim.end === null ? 'end' : edits.trim.end.toFixed(3)} s of the presentation`);
    if (storedCrop) log(`crop: ${storedCrop.width}×${storedCrop.height} at ${storedCrop.x},${storedCrop.y} of the stored picture`);

    // Muxer. MP4: 'reserve' puts the moov first (fast start, as ffmpeg's +faststart) while streaming,
    // given an upper bound of packets per track; 'in-memory' would hold the whole file.
    const videoPackets = isobmff ? videoStats.packetCount : Math.ceil(duration * fps * 1.5) + 120;
    const sink = syncHandleTarget(output);
    muxer = new Output({
      format: spec.container === 'mp4' ? new Mp4OutputFormat({ fastStart: 'reserve' }) : new WebMOutputFormat(),
      target: sink.target,
    });
    const videoOut = new EncodedVideoPacketSource(spec.video);
    muxer.addVideoTrack(videoOut, { rotation, maximumPacketCount: Math.ceil(videoPackets * 1.05) + 16 });
    let audioOut: EncodedAudioPacketSource | AudioSampleSource | null = null;
    if (audioPlan) {
      const audioPackets =
        audioPlan.mode === 'copied'
          ? (await audioPlan.track.computePacketStats()).packetCount
          : Math.ceil((duration * audioPlan.sampleRate) / 480) + 64; // Opus 10 ms frames at worst; AAC 1024 samples
      audioOut =
        audioPlan.mode === 'copied'
          ? new EncodedAudioPacketSource('aac')
          : new AudioSampleSource({
              codec: audioPlan.codec,
              quality: new Quality({ bitrate: spec.audioBitrate }),
              transform: { numberOfChannels: audioPlan.channels, sampleRate: audioPlan.sampleRate },
            });
      muxer.addAudioTrack(audioOut, { maximumPacketCount: Math.ceil(audioPackets * 1.1) + 16 });
    }
    await muxer.start();

    let failure: unknown = null;
    const fail = (error: unknown): void => {
      failure ??= error;
    };
    const check = (): void => {
      throwIfAborted(signal, CANCELED);
      if (failure !== null) throw failure instanceof Error ? failure : new Error(`The WebCodecs encode failed: ${JSON.stringify(failure)}`);
    };

    // Video: packets → VideoDecoder → VideoEncoder → muxer, each queue bounded.
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
    const qpMeter = new AvcQpMeter(spec.video === 'avc', log);
    // A size target steers toward its bytes; else H.264 steers toward its QP.
    const budget = target.sizeBudget ? new BudgetSteer({ startBitrate: videoBitrate, videoBytes: target.sizeBudget.videoBytes, durationSec: duration, windowFrames: Math.max(30, Math.round(outFps * 2)) }) : null;
    const steer =
      !budget && spec.video === 'avc' && target.targetQp !== undefined
        ? new BitrateSteer({ ...H264_STEERING, startBitrate: videoBitrate, targetQp: target.targetQp, windowFrames: Math.max(30, Math.round(fps * 2)) })
        : null;
    const liveEncoder = new VideoEncoder({
      output(chunk, meta) {
        const packet = EncodedPacket.fromEncodedChunk(chunk);
        let qp: number | null;
        try {
          qp = qpMeter.add(packet.data, meta?.decoderConfig?.description);
        } catch (error) {
          fail(error);
          return;
        }
        muxPending++;
        if (meta?.decoderConfig?.colorSpace && !colorSpace) colorSpace = meta.decoderConfig.colorSpace;
        const shiftedEnd = (chunk.timestamp + (chunk.duration ?? 0) - startTime * 1e6) / 1e6;
        const steered = budget ? budget.add(chunk.byteLength, shiftedEnd) : qp !== null && steer ? steer.add(qp) : null;
        if (steered !== null && liveEncoder.state === 'configured') {
          // A bitrate-only change: Chromium keeps the stream going (same parameter sets, checked above).
          liveEncoder.configure({ ...encoderConfig, bitrate: steered });
        }
        const shifted = packet.clone({ timestamp: Math.max(0, packet.timestamp - startTime) });
        videoEnd = Math.max(videoEnd, shifted.timestamp + shifted.duration);
        framesOut++;
        muxChain = muxChain
          .then(() => videoOut.add(shifted, meta))
          .then(() => {
            muxPending--;
            onProgress(shifted.timestamp);
          }, fail);
      },
      error: fail,
    });
    encoder = liveEncoder;
    liveEncoder.configure(encoderConfig);
    let nextFrameUs = -Infinity;
    const encodeOptions = (keyFrame: boolean): VideoEncoderEncodeOptions => {
      if (!quantizer || target.quantizer === undefined) return { keyFrame };
      // Per-frame quantizer options for VP9/AV1 (Chromium reads them; lib.dom knows only avc's).
      return { keyFrame, [spec.video]: { quantizer: target.quantizer } };
    };
    const liveDecoder = new VideoDecoder({
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
            if (liveEncoder.state === 'configured') {
              // The encoder scales the visible rectangle to its size: cropping is choosing that rectangle.
              const visible = frame.visibleRect;
              const rect = storedCrop ? { x: (visible?.x ?? 0) + storedCrop.x, y: (visible?.y ?? 0) + storedCrop.y, width: storedCrop.width, height: storedCrop.height } : null;
              kept = rect || frameStepUs > 0 ? new VideoFrame(frame, { ...(rect ? { visibleRect: rect } : {}), ...(frameStepUs > 0 ? { duration: frameStepUs } : {}) }) : null;
              liveEncoder.encode(kept ?? frame, encodeOptions(framesIn % KEY_FRAME_INTERVAL === 0));
              framesIn++;
            }
          }
        } catch (error) {
          fail(error);
        } finally {
          kept?.close();
          frame.close();
        }
      },
      error: fail,
    });
    decoder = liveDecoder;
    liveDecoder.configure(plainDecoderConfig);

    const videoWork = (async () => {
      const packets = new EncodedPacketSink(videoTrack);
      // A trim starts decoding at the key packet at or before In: the frames between are references only.
      const firstPacket = edits.trim && edits.trim.start > 0 ? ((await packets.getKeyPacket(startTime)) ?? undefined) : undefined;
      for await (const packet of packets.packets(firstPacket)) {
        check();
        // Past Out by more than any reordering reaches: nothing later is shown.
        if (packet.timestamp >= endTime + REORDER_MARGIN_SEC) break;
        await waitUntil(
          () =>
            failure !== null ||
            (liveDecoder.decodeQueueSize < MAX_DECODE_QUEUE && liveEncoder.encodeQueueSize < MAX_ENCODE_QUEUE && muxPending < MAX_MUX_PENDING),
          signal,
          liveDecoder,
          liveEncoder,
        );
        check();
        liveDecoder.decode(packet.toEncodedVideoChunk());
      }
      await liveDecoder.flush();
      check();
      if (framesHidden > 0) log(`video: ${framesHidden} frames before ${edits.trim ? 'In' : 'the presentation start (hidden by an edit list)'} decoded, not encoded`);
      if (framesAfterEnd > 0) log(`video: ${framesAfterEnd} frames after Out decoded, not encoded`);
      await liveEncoder.flush();
      check();
      await muxChain;
      check();
      videoOut.close();
    })();

    let audioEnd = 0;
    const audioWork = (async () => {
      if (!audioPlan || !audioOut) return;
      if (audioOut instanceof EncodedAudioPacketSource) {
        const config = await audioPlan.track.getDecoderConfig();
        let first = true;
        const audioPackets = new EncodedPacketSink(audioPlan.track);
        const firstAudio = edits.trim && edits.trim.start > 0 ? ((await audioPackets.getPacket(startTime)) ?? undefined) : undefined;
        for await (const packet of audioPackets.packets(firstAudio)) {
          check();
          if (packet.timestamp >= endTime) break;
          // Wholly before the start: hidden. One that straddles it keeps its negative time (the muxer's edit list trims it).
          if (packet.timestamp + packet.duration <= startTime) continue;
          const shifted = packet.clone({ timestamp: packet.timestamp - startTime });
          audioEnd = Math.max(audioEnd, shifted.timestamp + shifted.duration);
          await audioOut.add(shifted, first && config ? { decoderConfig: config } : undefined);
          first = false;
        }
      } else {
        for await (const sample of new AudioSampleSink(audioPlan.track).samples(edits.trim ? startTime : undefined, Number.isFinite(endTime) ? endTime : undefined)) {
          check();
          const s: AudioSample = sample;
          if (s.timestamp + s.duration <= startTime) {
            s.close();
            continue;
          }
          s.setTimestamp(s.timestamp - startTime);
          audioEnd = Math.max(audioEnd, s.timestamp + s.duration);
          try {
            await audioOut.add(s);
          } finally {
            s.close();
          }
        }
      }
      audioOut.close();
    })();

    // A failure on either side is recorded in `failure`, which stops the other at its next step.
    await Promise.all([videoWork.catch(fail), audioWork.catch(fail)]);
    check();
    if (framesOut === 0) throw new Error('The WebCodecs encoder produced no video frames.');
    await muxer.finalize();
    const bytes = sink.bytes();
    output.truncate(bytes);
    output.flush();
    const durationSec = Math.max(videoEnd, audioEnd);
    options.onProgress(durationSec);
    if (budget && budget.changes.length > 0) {
      const kbps = budget.changes.map((c) => Math.round(c.bitrate / 1000));
      log(`bitrate steered to ${target.sizeBudget?.videoBytes ?? 0} video bytes: ${budget.changes.length} changes, ${Math.min(...kbps)}–${Math.max(...kbps)} kb/s, ${budget.bytesSoFar} made`);
    }
    if (steer && steer.changes.length > 0) {
      const kbps = steer.changes.map((c) => Math.round(c.bitrate / 1000));
      log(`bitrate steered to QP ${steer.targetQp}: ${steer.changes.length} changes, ${Math.min(...kbps)}–${Math.max(...kbps)} kb/s, last ${kbps.at(-1)} kb/s`);
    }
    log(`done: ${framesOut} frames, ${durationSec.toFixed(3)} s, ${bytes} bytes${qpMeter.summary()}`);
    return { width, height, rotation, videoFrames: framesOut, videoBitrate, audio: audioPlan?.mode ?? null, durationSec, bytes, colorSpace };
  } catch (error) {
    if (muxer && muxer.state !== 'finalized' && muxer.state !== 'canceled') await muxer.cancel().catch(() => undefined);
    throw signal.aborted ? abortError(CANCELED) : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (decoder?.state === 'configured') decoder.close();
    if (encoder?.state === 'configured') encoder.close();
    source.dispose();
  }
}
