/**
 * Bitrates for the WebCodecs route. Chromium's software H.264 encoder (OpenH264: no
 * B-frames, CAVLC) and VP9 encoder take a bitrate, not a CRF, so the route gives them the
 * bitrate at which they match the ffmpeg route's quality (x264 veryfast CRF 23; libvpx-vp9
 * CRF 33 realtime) on phone-like footage. The figures behind the constants are in
 * `REFERENCE_BITRATE`.
 */

/** The codecs the WebCodecs route encodes video with. */
export type WebCodecsVideoCodec = 'avc' | 'vp9';

/**
 * Bits per second at the reference size and rate (1280×720, 30 fps). Larger frames need
 * fewer bits per pixel for the same quality, smaller ones more: the rate grows with the
 * pixel rate to the power `PIXEL_RATE_EXPONENT`, as encoders' rate tables do.
 *
 * Measured 2026-11-25 (Debian Chromium, OpenH264 / libvpx through WebCodecs) on 20 s of
 * flower.mp4 looped and lanczos-upscaled to 1920×1080 (x264 medium, 12 Mb/s), → 1280×720,
 * PSNR against the lanczos-scaled source, video bytes only:
 * - x264 veryfast CRF 23 (the ffmpeg route): 828 kb/s, 44.75 dB. OpenH264 at 0.8 / 1.0 /
 *   1.2 / 1.25 Mb/s: 42.86 / 43.73 / 44.23 / 44.39 dB. 1.25 Mb/s = −0.4 dB at 1.49× the size.
 *   (friday.mp4 upscaled to 1440×1080 → 960×720 is harder for OpenH264: x264 935 kb/s
 *   44.52 dB; the rule's 1.0 Mb/s gives 42.62 dB, −1.9 dB; it needs ~1.3 Mb/s, 1.38×.)
 * - libvpx-vp9 CRF 33 realtime cpu-used 8 (the ffmpeg route): 968 kb/s, 42.37 dB.
 *   WebCodecs VP9 at 0.7 Mb/s: 44.44 dB (friday: 38.93 dB route, 42.72 dB here at 0.55× the size).
 */
export const REFERENCE_BITRATE: Readonly<Record<WebCodecsVideoCodec, number>> = {
  avc: 1_250_000,
  vp9: 700_000,
};

const REFERENCE_PIXEL_RATE = 1280 * 720 * 30;
export const PIXEL_RATE_EXPONENT = 0.75;
/** Frame rates outside this range are treated as its ends (a 2 fps slideshow still needs key frames; 240 fps slow motion is shown slowed down). */
const MIN_FPS = 10;
const MAX_FPS = 60;
const MIN_BITRATE = 200_000;

/**
 * Target video bitrate in bits per second for an output of `width`×`height` at `fps`
 * (the source's average frame rate; null when unknown, taken as 30).
 *
 * @example
 * webCodecsVideoBitrate('avc', 1280, 720, 30); // 1 250 000 (1.25 Mb/s)
 */
export function webCodecsVideoBitrate(codec: WebCodecsVideoCodec, width: number, height: number, fps: number | null): number {
  if (!(width > 0 && height > 0)) throw new TypeError(`width and height must be positive; got ${width}×${height}.`);
  const rate = Math.min(MAX_FPS, Math.max(MIN_FPS, fps !== null && Number.isFinite(fps) && fps > 0 ? fps : 30));
  const pixelRate = width * height * rate;
  const bits = REFERENCE_BITRATE[codec] * (pixelRate / REFERENCE_PIXEL_RATE) ** PIXEL_RATE_EXPONENT;
  return Math.max(MIN_BITRATE, Math.round(bits / 1000) * 1000);
}
