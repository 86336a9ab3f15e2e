import type { ProbeReport, ProbeStream } from '../../workers/protocol';

/**
 * What ffbatch knows of a source after probing it: what the presets and the page need.
 *
 * @example
 * ```ts
 * const { video, audio, durationSec } = source.info ?? {};
 * ```
 */
export interface SourceInfo {
  /** Seconds; null when the container does not say. */
  durationSec: number | null;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  video: VideoInfo | null;
  audio: AudioInfo | null;
}

export interface VideoInfo {
  codec: string;
  /** Coded size, as stored. */
  width: number;
  height: number;
  /** Size as shown: after the rotation and the sample aspect ratio are applied. */
  displayWidth: number;
  displayHeight: number;
  /** Degrees clockwise the player turns the picture (0, 90, 180, 270). */
  rotation: number;
  fps: number | null;
  /** Set only for an HDR picture (PQ or HLG transfer): its colour, which 8-bit SDR outputs tone-map from (src/presets/hdr.ts). */
  hdr?: VideoColour;
}

/** ffprobe's colour fields of a video stream, null where it gives none. */
export interface VideoColour {
  /** `color_primaries`, e.g. "bt709", "bt2020". */
  primaries: string | null;
  /** `color_transfer`, e.g. "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG). */
  transfer: string | null;
  /** `color_space` (the matrix), e.g. "bt709", "bt2020nc". */
  matrix: string | null;
  /** `color_range`: "tv" (limited) or "pc" (full). */
  range: string | null;
  /** `pix_fmt`, e.g. "yuv420p10le". */
  pixelFormat: string | null;
}

/** The transfers of HDR video: PQ (HDR10, Dolby Vision) and HLG (phones, broadcast). */
export const HDR_TRANSFERS: ReadonlySet<string> = new Set(['smpte2084', 'arib-std-b67']);

export interface AudioInfo {
  codec: string;
  channels: number;
  sampleRate: number;
}

function parseRatio(text: string | undefined): number | null {
  if (!text) return null;
  const [num, den] = text.split(/[/:]/).map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return null;
  if (den === undefined) return num;
  return Number.isFinite(den) && den > 0 ? num / den : null;
}

function positive(value: string | number | undefined): number | null {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function rotationOf(stream: ProbeStream): number {
  const fromMatrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const raw = fromMatrix ?? Number(stream.tags?.['rotate'] ?? 0);
  // ffprobe's display matrix says −90 for a picture the player turns 90° clockwise.
  const clockwise = fromMatrix === undefined ? raw : -raw;
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

/** Attached pictures (cover art) are video streams that are not the video. */
function isRealVideo(stream: ProbeStream): boolean {
  return stream.codec_type === 'video' && stream.disposition?.['attached_pic'] !== 1;
}

/** ffprobe says "unknown" (or nothing) where a stream does not tag a colour field. */
function colourField(value: string | undefined): string | null {
  return value && value !== 'unknown' && value !== 'unspecified' ? value : null;
}

function colourOf(stream: ProbeStream): VideoColour {
  return {
    primaries: colourField(stream.color_primaries),
    transfer: colourField(stream.color_transfer),
    matrix: colourField(stream.color_space),
    range: colourField(stream.color_range),
    pixelFormat: colourField(stream.pix_fmt),
  };
}

/** The colour of the first real video stream, or null when there is none (outputs' checks read the tags). */
export function describeColour(report: ProbeReport): VideoColour | null {
  const stream = (report.streams ?? []).find(isRealVideo);
  return stream ? colourOf(stream) : null;
}

function describeVideo(stream: ProbeStream): VideoInfo | null {
  const width = positive(stream.width);
  const height = positive(stream.height);
  if (width === null || height === null) return null;
  const rotation = rotationOf(stream);
  const sar = parseRatio(stream.sample_aspect_ratio) ?? 1;
  const shownWidth = Math.round(width * sar);
  const turned = rotation === 90 || rotation === 270;
  const colour = colourOf(stream);
  return {
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    rotation,
    fps: parseRatio(stream.avg_frame_rate) ?? parseRatio(stream.r_frame_rate),
    ...(colour.transfer !== null && HDR_TRANSFERS.has(colour.transfer) ? { hdr: colour } : {}),
  };
}

/** Turns ffprobe's JSON into SourceInfo. The first real video and first audio stream count. */
export function describeSource(report: ProbeReport): SourceInfo {
  const streams = report.streams ?? [];
  const videoStream = streams.find(isRealVideo);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const streamDurations = streams.map((s) => positive(s.duration)).filter((d): d is number => d !== null);
  return {
    durationSec: positive(report.format?.duration) ?? (streamDurations.length ? Math.max(...streamDurations) : null),
    container: report.format?.format_name ?? 'unknown',
    video: videoStream ? describeVideo(videoStream) : null,
    audio: audioStream
      ? {
          codec: audioStream.codec_name ?? 'unknown',
          channels: positive(audioStream.channels) ?? 2,
          sampleRate: positive(audioStream.sample_rate) ?? 0,
        }
      : null,
  };
}
