/**
 * Picture quality of an output against its source, by native ffmpeg: PSNR (Y, U, V averaged
 * as ffmpeg's psnr filter reports it) and SSIM ("All") of the output against the source scaled
 * to the output's size with lanczos: the reference the WebCodecs issue sets.
 *
 * Frames are paired by order (the n-th with the n-th), as test/support/native-quality.ts pairs
 * them: the phone outputs keep every source frame. Pairing by time (`setpts=PTS-STARTPTS`)
 * scored a WebCodecs MP4 (time base 1/57600) against the frame before wherever its rounded
 * timestamp fell a hair before the source's: 41.20 dB where the true pairs give 43.87 dB.
 */
import { run } from './proc';

export interface Quality {
  psnrDb: number;
  ssim: number;
  width: number;
  height: number;
}

async function videoSize(file: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]);
  const [width, height] = stdout.trim().split(',').map(Number);
  if (!width || !height) throw new Error(`${file} has no video size`);
  return { width, height };
}

/** The output's PSNR and SSIM against the lanczos-scaled source, frame by frame in order. */
export async function qualityAgainstSource(output: string, source: string): Promise<Quality> {
  const { width, height } = await videoSize(output);
  const byOrder = 'settb=1/30,setpts=N';
  const graph = `[0:v]${byOrder},format=yuv420p,split[o1][o2];[1:v]scale=${width}:${height}:flags=lanczos,${byOrder},format=yuv420p,split[r1][r2];[o1][r1]psnr;[o2][r2]ssim`;
  const { stderr } = await run('ffmpeg', ['-nostdin', '-hide_banner', '-i', output, '-i', source, '-filter_complex', graph, '-f', 'null', '-']);
  const psnr = /PSNR y:\S+ u:\S+ v:\S+ average:([\d.]+|inf)/.exec(stderr)?.[1];
  const ssim = /SSIM Y:.* All:([\d.]+)/.exec(stderr)?.[1];
  if (!psnr || !ssim) throw new Error(`ffmpeg's psnr/ssim filters printed no figure for ${output}`);
  return { psnrDb: psnr === 'inf' ? Infinity : Number(psnr), ssim: Number(ssim), width, height };
}

/** The PSNR alone (bench/fit.ts), paired as above. */
export async function psnrAgainstSource(output: string, source: string): Promise<Quality> {
  return qualityAgainstSource(output, source);
}
