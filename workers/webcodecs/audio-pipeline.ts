/**
 * The fast route's sound: the source's AAC copied packet for packet where it already meets the
 * target, else decoded and encoded again (AAC through Mediabunny's wasm encoder where the browser
 * has none, Opus by the browser), always within the trimmed range.
 */
import {
  AudioSampleSink,
  AudioSampleSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  Quality,
  canEncodeAudio,
  type InputAudioTrack,
  type Output,
} from 'mediabunny';
import { registerAacEncoder } from '@mediabunny/aac-encoder';

import type { RunState } from './run-state';
import { outputRate, WebCodecsUnsupportedError, type TargetCodecs } from './target';

let aacRegistered: Promise<void> | null = null;
/** Chromium on Linux (and Firefox) has no AAC encoder: Mediabunny's wasm one stands in. */
export function ensureAacEncoder(): Promise<void> {
  aacRegistered ??= canEncodeAudio('aac', { numberOfChannels: 2, sampleRate: 48000, bitrate: 128_000 }).then((native) => {
    if (!native) registerAacEncoder();
  });
  return aacRegistered;
}

export interface AudioPlan {
  mode: 'encoded' | 'copied';
  codec: 'aac' | 'opus';
  track: InputAudioTrack;
  channels: number;
  sampleRate: number;
  bitrate: number;
}

/** Copy or encode, and at what; throws WebCodecsUnsupportedError where the browser can do neither. */
export async function planAudio(track: InputAudioTrack, codecs: TargetCodecs & { audio: 'aac' | 'opus' }, log: (line: string) => void): Promise<AudioPlan> {
  const [codec, channels, sampleRate] = await Promise.all([track.getCodec(), track.getNumberOfChannels(), track.getSampleRate()]);
  const outChannels = Math.min(channels, codecs.channels);
  const bitrate = codecs.audioBitrate;
  if (codecs.audio === 'aac' && codec === 'aac' && channels <= codecs.channels && (codecs.sampleRate === null || codecs.sampleRate === sampleRate)) {
    // The source's AAC already meets the target when it is at most its bitrate: copy it (no loss, no work).
    const stats = await track.computePacketStats(200);
    if (stats.averageBitrate > 0 && stats.averageBitrate <= bitrate * 1.05) {
      log(`audio: copying the source's AAC (${Math.round(stats.averageBitrate / 1000)} kb/s, ${channels} ch)`);
      return { mode: 'copied', codec: 'aac', track, channels, sampleRate, bitrate };
    }
  }
  if (!(await track.canDecode())) throw new WebCodecsUnsupportedError(`${codec ?? 'This'} audio can't be decoded by this browser`);
  const outRate = outputRate(codecs, sampleRate);
  if (codecs.audio === 'aac') await ensureAacEncoder();
  if (!(await canEncodeAudio(codecs.audio, { numberOfChannels: outChannels, sampleRate: outRate, bitrate }))) {
    throw new WebCodecsUnsupportedError(`${codecs.audio === 'aac' ? 'AAC' : 'Opus'} can't be encoded by this browser`);
  }
  log(`audio: ${codec ?? '?'} ${channels} ch ${sampleRate} Hz → ${codecs.audio} ${outChannels} ch ${outRate} Hz ${bitrate / 1000} kb/s`);
  return { mode: 'encoded', codec: codecs.audio, track, channels: outChannels, sampleRate: outRate, bitrate };
}

export type AudioOut = EncodedAudioPacketSource | AudioSampleSource;

/** Adds the sound's track to `muxer`, sized for `durationSec` (the muxer reserves the index up front). */
export async function addAudioTrack(muxer: Output, plan: AudioPlan, durationSec: number): Promise<AudioOut> {
  const packets =
    plan.mode === 'copied'
      ? (await plan.track.computePacketStats()).packetCount
      : Math.ceil((durationSec * plan.sampleRate) / 480) + 64; // Opus 10 ms frames at worst; AAC 1024 samples
  const out =
    plan.mode === 'copied'
      ? new EncodedAudioPacketSource('aac')
      : new AudioSampleSource({
          codec: plan.codec,
          quality: new Quality({ bitrate: plan.bitrate }),
          transform: { numberOfChannels: plan.channels, sampleRate: plan.sampleRate },
        });
  muxer.addAudioTrack(out, { maximumPacketCount: Math.ceil(packets * 1.1) + 16 });
  return out;
}

/** The presentation range kept, in the source's seconds. */
export interface KeptRange {
  startTime: number;
  /** Infinity: to the end. */
  endTime: number;
  /** A person set a trim. */
  trimmed: boolean;
  /** The trim's In is past the presentation start: reading starts near it, not at the first packet. */
  seeks: boolean;
}

/** Feeds the kept range's sound into `out`, shifted to start at 0; returns where it ends (seconds). */
export async function pumpAudio(plan: AudioPlan, out: AudioOut, range: KeptRange, run: RunState): Promise<number> {
  const { startTime, endTime } = range;
  let audioEnd = 0;
  if (out instanceof EncodedAudioPacketSource) {
    const config = await plan.track.getDecoderConfig();
    let first = true;
    const packets = new EncodedPacketSink(plan.track);
    const firstPacket = range.seeks ? ((await packets.getPacket(startTime)) ?? undefined) : undefined;
    for await (const packet of packets.packets(firstPacket)) {
      run.check();
      if (packet.timestamp >= endTime) break;
      // Wholly before the start: hidden. One that straddles it keeps its negative time (the muxer's edit list trims it).
      if (packet.timestamp + packet.duration <= startTime) continue;
      const shifted = packet.clone({ timestamp: packet.timestamp - startTime });
      audioEnd = Math.max(audioEnd, shifted.timestamp + shifted.duration);
      await out.add(shifted, first && config ? { decoderConfig: config } : undefined);
      first = false;
    }
  } else {
    for await (const sample of new AudioSampleSink(plan.track).samples(range.trimmed ? startTime : undefined, Number.isFinite(endTime) ? endTime : undefined)) {
      run.check();
      if (sample.timestamp + sample.duration <= startTime) {
        sample.close();
        continue;
      }
      sample.setTimestamp(sample.timestamp - startTime);
      audioEnd = Math.max(audioEnd, sample.timestamp + sample.duration);
      try {
        await out.add(sample);
      } finally {
        sample.close();
      }
    }
  }
  out.close();
  return audioEnd;
}
