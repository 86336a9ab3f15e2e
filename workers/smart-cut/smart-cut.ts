/// <reference lib="webworker" />
/**
 * "Streams copied" (`mp4-remux`) in JavaScript: Mediabunny reads the source's packets and
 * writes them into an MP4 whose moov is reserved at the front (fast start in one pass, no
 * second rewrite of the whole file as ffmpeg's +faststart does). With a trim it is a smart
 * cut: the frames from In to the next keyframe (and, at a mid-GOP Out, the few frames a
 * copied prefix cannot reach) are encoded again by the core's libx264 with the source's
 * profile and level, and every other packet is copied byte for byte.
 *
 * The re-encoded pieces' SPS/PPS get ids the source does not use (x264's `sps-id`) and all
 * parameter sets go into the one avcC sample entry, so the file is a plain avc1 MP4 whose
 * packets each find their own parameter sets: no in-band sets, no mid-stream redefinition of
 * SPS 0 (the trap of concatenating an x264 head in front of a camera's stream).
 */
import {
  ALL_FORMATS,
  BlobSource,
  BufferSource,
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  MP4,
  Mp4OutputFormat,
  Output,
  QTFF,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { planSmartCut } from '../../src/shared/smart-cut-plan';
import {
  freeParameterSetId,
  isIdrSample,
  mergeAvcConfigs,
  parseAvcConfig,
  rewriteSample,
  writeAvcConfig,
  x264Level,
  x264Profile,
  type AvcConfig,
} from './avc-config';
import type { SmartCutMode, SmartCutResult } from '../protocol';
import { pieceArgs, type PieceMatch } from './piece-args';
import { syncHandleTarget, type SyncWriter } from '../sync-target';

/** Runs the core once (ffmpeg's arguments) and returns the bytes it wrote to `outputPath` in wasm memory, or null. */
export type CoreRunner = (args: string[], outputPath: string) => Promise<Uint8Array | null>;

export interface SmartCutOptions {
  /** The source as the core sees it (mounted with WORKERFS). */
  inputPath: string;
  /** The core, for the re-encoded pieces; absent: cut at the keyframe at or before In. */
  runCore?: CoreRunner;
  log(line: string): void;
  onProgress?(seconds: number): void;
}

/** Times closer than this are the same instant (half a frame at 120 fps). */
const EPS = 1 / 240;
const WRITE_CHUNK_BYTES = 16 * 1024 * 1024;
const READ_CACHE_BYTES = 64 * 1024 * 1024;
const META = { metadataOnly: true } as const;

/** A range of frames encoded again: their source times (presentation order) and durations. */
interface Piece {
  from: number;
  times: number[];
  durations: number[];
}

interface EncodedPiece {
  packets: EncodedPacket[];
  config: AvcConfig;
  /** Decoding from the keyframe before and encoding again, in the core. */
  ms: number;
}

/** Why the head cannot be encoded to match; null when it can. */
async function matchProblem(video: InputVideoTrack, source: AvcConfig | null, canEncode: boolean): Promise<string | null> {
  if (!canEncode) return 'no encoder is at hand here';
  if (video.codec !== 'avc') return `the video is ${video.codec === 'hevc' ? 'HEVC' : (video.codec ?? 'an unknown codec')}, and only H.264 heads are re-encoded to match so far`;
  if (!source) return 'the H.264 stream has no configuration record';
  if (!x264Profile(source.profile)) return `its H.264 profile (${source.profile}) is not one the encoder here makes (baseline, main, high)`;
  if (freeParameterSetId(source) === null) return 'it uses every parameter-set id';
  if ((await video.getCodedWidth()) % 2 || (await video.getCodedHeight()) % 2) return 'its picture has an odd size';
  return null;
}

async function packetCountBound(track: InputVideoTrack | InputAudioTrack, isobmff: boolean, seconds: number): Promise<number> {
  if (isobmff) return (await track.computePacketStats()).packetCount + 64; // the sample tables: exact, no data read
  const { averagePacketRate } = await track.computePacketStats(200);
  return Math.ceil(seconds * averagePacketRate * 2) + 256;
}

/**
 * The source frames of a GOP-long stretch: from the key packet `key` (decode order) to the next
 * key packet, those whose presentation time lies in [from, to).
 */
async function framesBetween(sink: EncodedPacketSink, key: EncodedPacket, stop: EncodedPacket | null, from: number, to: number): Promise<Piece> {
  const frames: { t: number; d: number }[] = [];
  for await (const packet of sink.packets(key, stop ?? undefined, META)) {
    if (packet.timestamp >= from - EPS && packet.timestamp < to - EPS) frames.push({ t: packet.timestamp, d: packet.duration });
  }
  frames.sort((a, b) => a.t - b.t);
  return { from, times: frames.map((f) => f.t), durations: frames.map((f) => f.d) };
}

/**
 * The end of a cut at `end` inside the GOP that starts at `key`: how many of its packets (in
 * decode order) can be copied so that the frames shown are exactly those before some time
 * (none of them waits for a later reference), and the frames from there to `end` that must be
 * encoded again.
 */
async function planEnd(sink: EncodedPacketSink, key: EncodedPacket, end: number): Promise<{ copied: number; tail: Piece | null }> {
  const next = await sink.getNextKeyPacket(key, META);
  const times: { t: number; d: number }[] = [];
  for await (const packet of sink.packets(key, next ?? undefined, META)) times.push({ t: packet.timestamp, d: packet.duration });
  let copied = 0;
  let prefixMax = -Infinity;
  for (let n = 1; n <= times.length; n++) {
    prefixMax = Math.max(prefixMax, times[n - 1]?.t ?? -Infinity);
    if (prefixMax >= end - EPS) break;
    const restMin = Math.min(...times.slice(n).map((x) => x.t));
    if (prefixMax < restMin) copied = n;
  }
  const copiedMax = Math.max(-Infinity, ...times.slice(0, copied).map((x) => x.t));
  const rest = times.filter((x) => x.t > copiedMax && x.t < end - EPS).sort((a, b) => a.t - b.t);
  const tail = rest.length > 0 ? { from: rest[0]?.t ?? end, times: rest.map((x) => x.t), durations: rest.map((x) => x.d) } : null;
  return { copied, tail };
}

async function encodePiece(runCore: CoreRunner, inputPath: string, piece: Piece, match: PieceMatch): Promise<EncodedPiece> {
  const outputPath = `/work/piece-${match.parameterSetId}.mp4`;
  const started = performance.now();
  const bytes = await runCore(pieceArgs(inputPath, outputPath, { from: piece.from, frames: piece.times.length }, match), outputPath);
  if (!bytes) throw new Error('the encoder wrote no picture for the re-encoded stretch');
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4] });
  try {
    const track = await input.getPrimaryVideoTrack();
    const description = (await track?.getDecoderConfig())?.description;
    if (!track || !description) throw new Error('the re-encoded stretch has no H.264 track');
    const config = parseAvcConfig(toBytes(description));
    const packets: EncodedPacket[] = [];
    for await (const packet of new EncodedPacketSink(track).packets()) packets.push(packet);
    if (packets.length !== piece.times.length) throw new Error(`the encoder made ${packets.length} frames where ${piece.times.length} were asked`);
    return { packets, config, ms: performance.now() - started };
  } finally {
    input.dispose();
  }
}

function toBytes(data: AllowSharedBufferSource): Uint8Array {
  return data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** A piece's packets with the source's times (by presentation rank) and the source's NAL length size. */
function retimed(piece: EncodedPiece, source: Piece, lengthSize: number, origin: number): EncodedPacket[] {
  const ranks = piece.packets.map((p, i) => ({ i, t: p.timestamp })).sort((a, b) => a.t - b.t);
  const timeOf = new Map<number, number>();
  ranks.forEach(({ i }, rank) => timeOf.set(i, rank));
  return piece.packets.map((packet, i) => {
    const rank = timeOf.get(i) ?? 0;
    return new EncodedPacket(rewriteSample(packet.data, piece.config.lengthSize, lengthSize), packet.type, (source.times[rank] ?? 0) - origin, source.durations[rank] ?? packet.duration);
  });
}

/**
 * Remuxes `file` into an MP4 written through `output`; with `trim`, a smart cut of [start, end).
 * Throws an Error named 'SmartCutUnsupportedError' when Mediabunny cannot read the source (the
 * caller then runs ffmpeg's own remux).
 */
export async function smartCut(file: Blob, trim: { start: number; end: number | null } | null, output: SyncWriter, options: SmartCutOptions): Promise<SmartCutResult> {
  // Large cached reads: the blob stream is read in bigger runs, fewer round trips to the browser process.
  const input = new Input({ source: new BlobSource(file, { maxCacheSize: READ_CACHE_BYTES }), formats: ALL_FORMATS });
  let muxer: Output | null = null;
  try {
    const format = await input.getFormat().catch(() => null);
    if (!format) throw unsupported('Mediabunny cannot read this container');
    const isobmff = format === MP4 || format === QTFF;
    const video = await input.getPrimaryVideoTrack();
    const audio = await input.getPrimaryAudioTrack();
    if (!video && !audio) throw unsupported('no video or audio track Mediabunny can read');
    if (video && !video.codec) throw unsupported('the video codec is not one Mediabunny knows');
    if (audio && !audio.codec) throw unsupported('the audio codec is not one Mediabunny knows');
    const duration = await input.computeDuration();
    const start = Math.max(0, trim?.start ?? 0);
    const end = Math.min(trim?.end ?? Infinity, duration);
    if (!(end > start)) throw new RangeError(`The trim (${start}–${end}) is outside the file (${duration.toFixed(3)} s).`);

    let mode: SmartCutMode = 'copy';
    let note: string | null = null;
    let origin = start;
    let copyFrom: EncodedPacket | null = null;
    let copyStop: EncodedPacket | null = null; // the first packet (decode order) not copied
    let copyLimit = Infinity; // packets copied from copyStop's GOP start when cutting mid-GOP
    const pieces: { piece: Piece; encoded: EncodedPiece }[] = [];
    let videoConfig: VideoDecoderConfig | null = null;
    let sourceAvc: AvcConfig | null = null;
    const sink = video ? new EncodedPacketSink(video) : null;

    if (video && sink) {
      videoConfig = await video.getDecoderConfig();
      if (!videoConfig) throw unsupported('the video track has no decoder configuration');
      sourceAvc = video.codec === 'avc' && videoConfig.description ? parseAvcConfig(toBytes(videoConfig.description)) : null;
      const before = (await sink.getKeyPacket(start + EPS, META)) ?? (await sink.getFirstKeyPacket(META));
      if (!before) throw unsupported('the video track has no keyframe');
      const after = await sink.getNextKeyPacket(before, META);
      const plan = planSmartCut(after ? [before.timestamp, after.timestamp] : [before.timestamp], start, end);
      const problem = plan.kind === 'copy' ? null : await matchProblem(video, sourceAvc, options.runCore !== undefined);
      const afterData = plan.kind === 'smart' && after ? await sink.getPacket(after.timestamp) : null;
      const notIdr = afterData && sourceAvc && !isIdrSample(afterData.data, sourceAvc.lengthSize) ? 'its keyframes are not IDR pictures (open GOPs)' : null;
      const match = (id: number) => ({
        profile: x264Profile(sourceAvc?.profile ?? 0) ?? 'high',
        level: x264Level(sourceAvc?.level ?? 40),
        parameterSetId: id,
        ...(videoConfig?.colorSpace ? { color: videoConfig.colorSpace } : {}),
      });
      const usedIds: number[] = [];
      const nextId = (): number => {
        const id = freeParameterSetId(sourceAvc as AvcConfig, usedIds) ?? 31;
        usedIds.push(id);
        return id;
      };

      if (plan.kind === 'copy') {
        copyFrom = (await sink.getKeyPacket(plan.copyFrom + EPS, META)) ?? before;
        origin = copyFrom.timestamp;
      } else if (problem || notIdr) {
        mode = 'keyframe';
        copyFrom = before;
        origin = before.timestamp;
        note = `The cut starts at the keyframe at ${origin.toFixed(3)} s, ${(start - origin).toFixed(3)} s before In: the first frames could not be encoded again to match the source (${problem ?? notIdr}).`;
      } else {
        const runCore = options.runCore as CoreRunner;
        const headTo = plan.kind === 'smart' ? plan.encodeTo : end;
        const head = await framesBetween(sink, before, plan.kind === 'smart' ? after : null, start, headTo);
        if (head.times.length === 0) throw new Error('no frame lies between In and the next keyframe');
        options.log(`[smart-cut] encoding ${head.times.length} frames from ${start.toFixed(3)} s to ${headTo.toFixed(3)} s again`);
        pieces.push({ piece: head, encoded: await encodePiece(runCore, options.inputPath, head, match(nextId())) });
        origin = head.times[0] ?? start;
        mode = plan.kind === 'smart' ? 'smart' : 'encode';
        copyFrom = plan.kind === 'smart' ? after : null;
      }

      if (copyFrom && Number.isFinite(end)) {
        const endKey = (await sink.getKeyPacket(end - EPS, META)) ?? copyFrom;
        if (endKey.timestamp >= end - EPS || endKey.sequenceNumber < copyFrom.sequenceNumber) copyStop = endKey.sequenceNumber > copyFrom.sequenceNumber ? endKey : null;
        else {
          const { copied, tail } = await planEnd(sink, endKey, end);
          copyStop = endKey;
          copyLimit = copied;
          if (tail && mode !== 'keyframe' && !(await matchProblem(video, sourceAvc, options.runCore !== undefined))) {
            options.log(`[smart-cut] encoding the last ${tail.times.length} frames before Out again`);
            pieces.push({ piece: tail, encoded: await encodePiece(options.runCore as CoreRunner, options.inputPath, tail, match(nextId())) });
          }
        }
      }
    }

    // The muxer: moov reserved at the front from an upper bound of packets per track.
    const written = syncHandleTarget(output, WRITE_CHUNK_BYTES);
    muxer = new Output({ format: new Mp4OutputFormat({ fastStart: 'reserve' }), target: written.target });
    const span = Number.isFinite(end) ? end - start : duration;
    let videoOut: EncodedVideoPacketSource | null = null;
    if (video && videoConfig) {
      videoOut = new EncodedVideoPacketSource(video.codec as NonNullable<typeof video.codec>);
      muxer.addVideoTrack(videoOut, { rotation: video.rotation, languageCode: video.languageCode, maximumPacketCount: await packetCountBound(video, isobmff, span) });
    }
    let audioOut: EncodedAudioPacketSource | null = null;
    const audioConfig = audio ? await audio.getDecoderConfig() : null;
    if (audio && audioConfig) {
      audioOut = new EncodedAudioPacketSource(audio.codec as NonNullable<typeof audio.codec>);
      muxer.addAudioTrack(audioOut, { languageCode: audio.languageCode, maximumPacketCount: await packetCountBound(audio, isobmff, span) });
    }
    await muxer.start();

    const description = sourceAvc && pieces.length > 0 ? writeAvcConfig(mergeAvcConfigs(sourceAvc, pieces.map((p) => p.encoded.config))) : undefined;
    let videoMeta: EncodedVideoChunkMetadata | undefined = videoConfig ? { decoderConfig: { ...videoConfig, ...(description ? { description } : {}) } } : undefined;
    const lengthSize = sourceAvc?.lengthSize ?? 4;
    const videoEnd = Number.isFinite(end) ? end : Infinity;

    // Video packets in decode order: the head, the copied run, the tail.
    async function* videoPackets(): AsyncGenerator<EncodedPacket> {
      const [head, tail] = [pieces[0], pieces[1]];
      if (head && mode !== 'copy' && mode !== 'keyframe') yield* retimed(head.encoded, head.piece, lengthSize, origin);
      if (copyFrom && sink) {
        let inLastGop = 0;
        // The same key packet with its data: iteration from a metadata-only packet reads no data.
        const first = (await sink.getKeyPacket(copyFrom.timestamp)) ?? copyFrom;
        for await (const packet of sink.packets(first)) {
          if (copyStop && packet.sequenceNumber >= copyStop.sequenceNumber) {
            if (inLastGop >= copyLimit) break;
            inLastGop++;
          }
          if (!copyStop && packet.timestamp >= videoEnd - EPS && packet.type === 'key') break;
          yield packet.clone({ timestamp: packet.timestamp - origin });
        }
      }
      if (tail) yield* retimed(tail.encoded, tail.piece, lengthSize, origin);
    }
    async function* audioPackets(): AsyncGenerator<EncodedPacket> {
      if (!audio) return;
      const audioSink = new EncodedPacketSink(audio);
      // From the packet that holds the start (trimmed at packet precision; the edit list hides what precedes it).
      const first = (await audioSink.getPacket(origin)) ?? (await audioSink.getFirstPacket());
      if (!first) return;
      for await (const packet of audioSink.packets(first)) {
        if (packet.timestamp >= videoEnd - EPS) break;
        yield packet.clone({ timestamp: packet.timestamp - origin });
      }
    }

    // Interleaved by time: the muxer holds a track's packets until the other one catches up.
    const videoIt = videoPackets();
    const audioIt = audioPackets();
    // Where the time goes (the log's [smart-cut] line): waiting for packets read, handing them to the muxer.
    let readMs = 0;
    let muxMs = 0;
    const timedRead = async <T>(next: Promise<T>): Promise<T> => {
      const t = performance.now();
      const value = await next;
      readMs += performance.now() - t;
      return value;
    };
    const timedMux = async (add: Promise<void> | undefined): Promise<void> => {
      const t = performance.now();
      await add;
      muxMs += performance.now() - t;
    };
    const copyStarted = performance.now();
    let v = await timedRead(videoIt.next());
    let a = await timedRead(audioIt.next());
    let videoPacketsOut = 0;
    let copiedPackets = 0;
    let lastReport = 0;
    let lastEnd = 0;
    while (!v.done || !a.done) {
      if (!v.done && (a.done || v.value.timestamp <= a.value.timestamp)) {
        await timedMux(videoOut?.add(v.value, videoMeta));
        videoMeta = undefined;
        videoPacketsOut++;
        lastEnd = Math.max(lastEnd, v.value.timestamp + v.value.duration);
        v = await timedRead(videoIt.next());
      } else if (!a.done) {
        await timedMux(audioOut?.add(a.value, copiedPackets === 0 && audioConfig ? { decoderConfig: audioConfig } : undefined));
        copiedPackets++;
        if (!video) lastEnd = Math.max(lastEnd, a.value.timestamp + a.value.duration);
        a = await timedRead(audioIt.next());
      }
      if (lastEnd - lastReport >= 1) {
        lastReport = lastEnd;
        options.onProgress?.(lastEnd);
      }
    }
    const finalizing = performance.now();
    await muxer.finalize();
    options.log(`[smart-cut] copy ${((finalizing - copyStarted) / 1000).toFixed(1)} s (reading ${(readMs / 1000).toFixed(1)} s, muxing ${(muxMs / 1000).toFixed(1)} s, of which disk writes ${(written.writeMs() / 1000).toFixed(1)} s), finalizing ${((performance.now() - finalizing) / 1000).toFixed(1)} s`);
    const encodedFrames = pieces.reduce((sum, p) => sum + p.piece.times.length, 0);
    const encodeSec = pieces.reduce((sum, p) => sum + p.encoded.ms, 0) / 1000;
    options.log(`[smart-cut] ${mode}: ${encodedFrames} frames encoded in ${encodeSec.toFixed(1)} s, ${videoPacketsOut - encodedFrames} video packets and ${copiedPackets} audio packets copied`);
    return { mode, startSec: origin, durationSec: lastEnd, encodedFrames, copiedVideoPackets: videoPacketsOut - encodedFrames, note };
  } catch (error) {
    if (muxer && muxer.state !== 'finalized' && muxer.state !== 'canceled') await muxer.cancel().catch(() => {});
    throw error;
  } finally {
    input.dispose();
  }
}

function unsupported(message: string): Error {
  const error = new Error(message);
  error.name = 'SmartCutUnsupportedError';
  return error;
}
