/**
 * Native ffmpeg's score of an output against its source, over every frame: the output against
 * the source scaled to the output's size with lanczos (bench/quality.ts's reference), PSNR
 * "average" and SSIM "All" as the psnr and ssim filters print them.
 *
 * Frames are paired by their order, the n-th with the n-th (for outputs that keep every source
 * frame). Not by time: the filters pair each output frame with the last source frame at or
 * before it, and a WebCodecs MP4 (time base 1/57600) puts frame n a hair before the source's
 * frame n (1/30000): `setpts=PTS-STARTPTS` then scores half of flower.mp4's frames against the
 * frame before (41.20 dB where the true pairs score 43.87 dB).
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface NativeScore {
  psnr: number;
  ssim: number;
  width: number;
  height: number;
  frames: number;
}

function videoStream(file: string): { width: number; height: number; frames: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const [width, height, frames] = out.trim().split(',').map(Number);
  if (!width || !height) throw new Error(`${file} has no video size`);
  return { width, height, frames: frames ?? 0 };
}

/** `pairBy: 'time'` for an output at another frame rate than its source (each output frame against the source frame shown then). */
export function nativeScore(output: string, source: string, options: { sourceStartSec?: number; pairBy?: 'order' | 'time' } = {}): NativeScore {
  const sourceStartSec = options.sourceStartSec ?? 0;
  const { width, height, frames } = videoStream(output);
  const byOrder = options.pairBy === 'time' ? 'setpts=PTS-STARTPTS' : 'settb=1/30,setpts=N';
  const ref = `scale=${width}:${height}:flags=lanczos,${byOrder},format=yuv420p`;
  const graph = `[0:v]${byOrder},format=yuv420p,split[o1][o2];[1:v]${ref},split[r1][r2];[o1][r1]psnr;[o2][r2]ssim`;
  const seek = sourceStartSec > 0 ? ['-ss', String(sourceStartSec)] : [];
  const { stderr } = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-i', output, ...seek, '-i', source, '-filter_complex', graph, '-f', 'null', '-'], { encoding: 'utf8' });
  const psnr = /PSNR y:\S+ u:\S+ v:\S+ average:(\S+)/.exec(stderr)?.[1];
  const ssim = /SSIM Y:.* All:(\S+)/.exec(stderr)?.[1];
  if (!psnr || !ssim) throw new Error(`native ffmpeg printed no score for ${output}: ${stderr.slice(-500)}`);
  return { psnr: psnr === 'inf' ? Infinity : Number(psnr), ssim: Number(ssim), width, height, frames };
}

/** Native ffmpeg's PSNR (dB) of the output's frame `index` against the source's, the source lanczos-scaled (frames by order). */
export function nativeFramePsnr(output: string, source: string, index: number, width: number, height: number): number {
  const pick = `settb=1/30,setpts=N,select='eq(n,${index})',format=yuv420p`;
  const graph = `[0:v]${pick}[o];[1:v]scale=${width}:${height}:flags=lanczos,${pick}[r];[o][r]psnr`;
  const { stderr } = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-i', output, '-i', source, '-filter_complex', graph, '-f', 'null', '-'], { encoding: 'utf8' });
  const psnr = /PSNR y:\S+ u:\S+ v:\S+ average:(\S+)/.exec(stderr)?.[1];
  if (!psnr) throw new Error(`native ffmpeg printed no PSNR for frame ${index} of ${output}: ${stderr.slice(-400)}`);
  return psnr === 'inf' ? Infinity : Number(psnr);
}
