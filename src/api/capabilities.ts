/** What this browser can encode beyond what ffmpeg.wasm does, asked once per page. */

let av1: Promise<boolean> | undefined;

/**
 * Whether this browser's WebCodecs encodes AV1 at 720p (ffmpeg.wasm's core has no AV1
 * encoder, so `webm-av1-720p` runs only where this is true).
 *
 * @example
 * ```ts
 * if (!(await canEncodeAv1())) av1Box.hidden = true;
 * ```
 */
export function canEncodeAv1(): Promise<boolean> {
  av1 ??=
    typeof VideoEncoder === 'undefined'
      ? Promise.resolve(false)
      : VideoEncoder.isConfigSupported({ codec: 'av01.0.04M.08', width: 1280, height: 720, bitrate: 1_000_000, framerate: 30 }).then(
          (r) => r.supported === true,
          () => false,
        );
  return av1;
}
