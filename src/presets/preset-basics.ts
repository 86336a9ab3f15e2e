/** What every preset part shares: the mismatch error, output sizes, codec names. Pure. */
import type { VideoInfo } from './source-info';

/**
 * The source lacks what the preset needs (e.g. no audio for an MP3). The library reports it
 * as a failed job (`JobFailedError` with this sentence).
 *
 * @example
 * ```ts
 * if (error instanceof PresetMismatchError) console.warn(error.message);
 * ```
 */
export class PresetMismatchError extends Error {
  override name = 'PresetMismatchError';
}

/** Largest even number not above n (at least 2): most encoders need even sizes. */
export function evenFloor(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

/**
 * Output size for "at most `maxHeight` lines high": keeps the shown aspect ratio,
 * never upscales, and keeps both sides even.
 */
export function fitHeight(video: Pick<VideoInfo, 'displayWidth' | 'displayHeight'>, maxHeight: number): { width: number; height: number } {
  const height = evenFloor(Math.min(maxHeight, video.displayHeight));
  const scaled = Math.max(2, Math.round((video.displayWidth * height) / video.displayHeight / 2) * 2);
  // Rounding to even must not make an odd-width source wider than it is.
  const width = Math.min(evenFloor(video.displayWidth), scaled);
  return { width, height };
}

/**
 * Output size within `maxWidth` × `maxHeight` (either may be absent): the aspect ratio kept,
 * never upscaled, both sides even. With a height bound alone it is exactly `fitHeight`.
 */
export function fitBox(video: Pick<VideoInfo, 'displayWidth' | 'displayHeight'>, maxWidth?: number, maxHeight?: number): { width: number; height: number } {
  const byWidth = maxWidth === undefined ? Infinity : (video.displayHeight * maxWidth) / video.displayWidth;
  const bound = Math.min(maxHeight ?? Infinity, byWidth, video.displayHeight);
  const size = fitHeight(video, Math.floor(bound));
  return maxWidth === undefined ? size : { width: Math.min(size.width, evenFloor(maxWidth)), height: size.height };
}

/** Codecs the MP4 muxer takes as they are; ffmpeg's names. */
export const MP4_VIDEO_COPY = new Set(['h264', 'hevc', 'av1', 'vp9', 'mpeg4', 'mpeg2video', 'mpeg1video']);
export const MP4_AUDIO_COPY = new Set(['aac', 'mp3', 'opus', 'alac', 'ac3', 'eac3']);

/** How a person knows a codec; ffmpeg's name otherwise. */
export function codecLabel(codec: string): string {
  const known: Record<string, string> = {
    vp8: 'VP8',
    vp6f: 'VP6 (Flash)',
    vp6: 'VP6 (Flash)',
    flv1: 'Sorenson FLV1 (Flash)',
    theora: 'Theora',
    vorbis: 'Vorbis',
    wmv1: 'WMV',
    wmv2: 'WMV',
    wmv3: 'WMV',
    vc1: 'VC-1',
    wmav1: 'WMA',
    wmav2: 'WMA',
    flac: 'FLAC',
    msmpeg4v3: 'DivX 3 (MS MPEG-4)',
    mjpeg: 'Motion JPEG',
    prores: 'ProRes',
  };
  if (codec.startsWith('pcm_')) return 'PCM (uncompressed)';
  return known[codec] ?? codec.toUpperCase();
}
