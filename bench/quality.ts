/**
 * Picture quality of an output against its source, by native ffmpeg: PSNR (Y, U, V averaged
 * as ffmpeg's psnr filter reports it) of the output against the source scaled to the
 * output's size with lanczos: the reference the WebCodecs issue sets.
 */
import { run } from './proc';

export interface Quality {
  psnrDb: number;
  width: number;
  height: number;
}

async function videoSize(file: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]);
  const [width, height] = stdout.trim().split(',').map(Number);
  if (!width || !height) throw new Error(`${file} has no video size`);
  return { width, height };
}

/** The output's PSNR against the lanczos-scaled source, frame by frame from the start of each. */
export async function psnrAgainstSource(output: string, source: string): Promise<Quality> {
  const { width, height } = await videoSize(output);
  const graph = `[0:v]setpts=PTS-STARTPTS,format=yuv420p[out];[1:v]scale=${width}:${height}:flags=lanczos,setpts=PTS-STARTPTS,format=yuv420p[ref];[out][ref]psnr`;
  const { stderr } = await run('ffmpeg', ['-nostdin', '-hide_banner', '-i', output, '-i', source, '-lavfi', graph, '-f', 'null', '-']);
  const match = /PSNR y:[\d.]+ u:[\d.]+ v:[\d.]+ average:([\d.]+|inf)/.exec(stderr);
  if (!match?.[1]) throw new Error(`ffmpeg's psnr filter printed no average for ${output}`);
  return { psnrDb: match[1] === 'inf' ? Infinity : Number(match[1]), width, height };
}
