/**
 * The core's arguments for a smart cut's re-encoded stretch (workers/smart-cut/smart-cut.ts): x264 with
 * the source's profile, level and colour tags, and parameter-set ids the source does not use.
 */

/** What the re-encoded frames must match. */
export interface PieceMatch {
  profile: string;
  level: string;
  /** x264's `sps-id` (also its PPS id): one the source's own parameter sets do not use. */
  parameterSetId: number;
  color?: VideoColorSpaceInit;
}

/** The arguments that encode `frames` frames from `fromSec` like the source (profile, level, colour tags). */
export function pieceArgs(inputPath: string, outputPath: string, piece: { from: number; frames: number }, match: PieceMatch): string[] {
  const color = match.color ?? {};
  const tag = (flag: string, value: string | undefined): string[] => (value ? [flag, value] : []);
  return [
    '-v', 'info',
    // An accurate seek (decode from the keyframe before, drop up to From); a millisecond early so
    // the frame exactly at From is not lost to rounding.
    '-ss', Math.max(0, piece.from - 0.001).toFixed(6),
    '-i', inputPath,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-frames:v', String(piece.frames),
    '-fps_mode', 'passthrough',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '15',
    '-profile:v', match.profile, '-level:v', match.level,
    '-x264-params', `sps-id=${match.parameterSetId}`,
    ...tag('-color_primaries', ffmpegColor(color.primaries ?? undefined)),
    ...tag('-color_trc', ffmpegColor(color.transfer ?? undefined)),
    ...tag('-colorspace', ffmpegColor(color.matrix ?? undefined)),
    ...(color.fullRange === true ? ['-color_range', 'pc'] : color.fullRange === false ? ['-color_range', 'tv'] : []),
    '-f', 'mp4', outputPath,
  ];
}

/** WebCodecs colour names as ffmpeg spells them (only those that differ or that ffmpeg knows). */
function ffmpegColor(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const renamed: Record<string, string> = { 'iec61966-2-1': 'iec61966-2-1', pq: 'smpte2084', hlg: 'arib-std-b67', rgb: 'gbr', 'bt2020-ncl': 'bt2020nc' };
  return renamed[name] ?? (/^(bt709|bt470bg|smpte170m|smpte240m|bt2020|linear|film)$/.test(name) ? name : undefined);
}

