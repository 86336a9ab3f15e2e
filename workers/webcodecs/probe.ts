/**
 * What the browser can do with a file for each planned target, asked before a job is routed:
 * the container read by Mediabunny, the source's codecs through
 * `VideoDecoder`/`AudioDecoder.isConfigSupported`, the target's through
 * `VideoEncoder.isConfigSupported` at the planned size and Mediabunny's `canEncodeAudio`.
 */
import { ALL_FORMATS, BlobSource, Input, canEncodeAudio, type Rotation } from 'mediabunny';

import type { WebCodecsSupport, WebCodecsTarget } from '../protocol';
import { ensureAacEncoder } from './audio-pipeline';
import { checkTarget, outputRate, videoEncoderConfig, withoutOrientation } from './target';

/** Reads only the file's headers and first packets. */
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
      const codecs = checkTarget(target);
      const turned = rotation === 90 || rotation === 270;
      const config = videoEncoderConfig(codecs, turned ? target.height : target.width, turned ? target.width : target.height, 30, target.videoBitrate);
      const video = await VideoEncoder.isConfigSupported(config).then((r) => r.supported === true, () => false);
      if (codecs.audio === 'aac') await ensureAacEncoder();
      const audio =
        codecs.audio === null ||
        (await canEncodeAudio(codecs.audio, { numberOfChannels: Math.min(channels, codecs.channels), sampleRate: outputRate(codecs, sampleRate), bitrate: codecs.audioBitrate }));
      support.encode[target.presetId] = { video, audio };
    }
    return support;
  } finally {
    source.dispose();
  }
}
