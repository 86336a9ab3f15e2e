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
}

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

function describeVideo(stream: ProbeStream): VideoInfo | null {
  const width = positive(stream.width);
  const height = positive(stream.height);
  if (width === null || height === null) return null;
  const rotation = rotationOf(stream);
  const sar = parseRatio(stream.sample_aspect_ratio) ?? 1;
  const shownWidth = Math.round(width * sar);
  const turned = rotation === 90 || rotation === 270;
  return {
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    rotation,
    fps: parseRatio(stream.avg_frame_rate) ?? parseRatio(stream.r_frame_rate),
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
