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

/**
 * The mean H.264 QP the WebCodecs route steers OpenH264's bitrate to (workers/webcodecs/bitrate-steer.ts),
 * starting from `webCodecsVideoBitrate`. No fixed bitrate meets the quality target on both
 * kinds of footage; a fixed QP nearly does, as x264's CRF does.
 *
 * Measured 2026-11-25 on the bench's phone sources (45 s, 1080p30, 12 Mb/s; phone-1 from
 * flower.mp4, phone-2 from friday.mp4) → 1280×720, PSNR against the lanczos-scaled source,
 * video bitrate; reference native x264 veryfast CRF 23: phone-1 833 kb/s 44.75 dB, phone-2
 * 1224 kb/s 45.31 dB.
 * - OpenH264 at a fixed 1.0 / 1.25 / 1.6 Mb/s: phone-1 QP 26.8 / 25.2 / 23.2, 43.63 / 44.30 /
 *   45.13 dB; phone-2 QP 31.5 / 29.6 / 27.3, 41.78 / 42.89 / 44.09 dB (−2.4 dB at 1.25 Mb/s).
 * - Steered to QP 26.3: phone-1 QP 26.31, 1123 kb/s (1.35×), 43.85 dB (−0.90); phone-2 QP 26.56,
 *   1771 kb/s (1.45×), 44.47 dB (−0.84). Every frame kept, parameter sets unchanged.
 * Lower targets buy PSNR with size: phone-2 would pass 1.5× below about QP 26.2.
 * Sources upscaled from 240p miss the target at any QP within 1.5× the size (bench
 * `--part phone-qp`, bench/README.md): at QP 23 an animated trailer is still −3.9 dB at 1.64×.
 */
export const H264_TARGET_QP = 26.3;

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
