/**
 * Native ffprobe (Debian's /usr/bin/ffprobe) for checking what the browser produced,
 * plus a reader of an MP4's top-level boxes (for "fast start": moov before mdat).
 */
import { execFileSync, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';

export interface ProbedStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_rate?: string;
  /** Bits per second, as ffprobe reads it from the stream (MP4 keeps it per track). */
  bit_rate?: string;
  channels?: number;
  duration?: string;
  nb_read_frames?: string;
  nb_read_packets?: string;
  disposition?: Record<string, number>;
  side_data_list?: { rotation?: number }[];
  tags?: Record<string, string>;
}

export interface ProbedFormat {
  format_name?: string;
  duration?: string;
  size?: string;
  nb_streams?: number;
  tags?: Record<string, string>;
}

export interface Probe {
  streams: ProbedStream[];
  format: ProbedFormat;
}

/** Runs `ffprobe -v error -show_format -show_streams -of json` (plus `extra` options) on a file. */
export function ffprobe(file: string, extra: readonly string[] = []): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', ...extra, '-show_format', '-show_streams', '-of', 'json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`ffprobe ${file} exited with ${code}: ${err.trim()}`));
        return;
      }
      try {
        const parsed = JSON.parse(out) as Partial<Probe>;
        resolve({ streams: parsed.streams ?? [], format: parsed.format ?? {} });
      } catch (error) {
        reject(new Error(`ffprobe ${file} printed no JSON (${String(error)}): ${out.slice(0, 200)}`));
      }
    });
  });
}

/** "30000/1001" → 29.97; "25" → 25; null for "0/0", "N/A" or nothing. */
export function ratio(text: string | undefined): number | null {
  if (!text) return null;
  const [num, den = '1'] = text.split(/[/:]/);
  const n = Number(num);
  const d = Number(den);
  return Number.isFinite(n) && Number.isFinite(d) && n > 0 && d > 0 ? n / d : null;
}

export function streamsOf(probe: Probe, type: 'video' | 'audio' | 'data' | 'subtitle'): ProbedStream[] {
  return probe.streams.filter((s) => s.codec_type === type && !(type === 'video' && s.disposition?.['attached_pic'] === 1));
}

export function durationOf(probe: Probe): number {
  const fromFormat = Number(probe.format.duration);
  if (Number.isFinite(fromFormat) && fromFormat > 0) return fromFormat;
  const fromStreams = probe.streams.map((s) => Number(s.duration)).filter((d) => Number.isFinite(d) && d > 0);
  return fromStreams.length > 0 ? Math.max(...fromStreams) : NaN;
}

/** The picture's size as a player shows it: sample aspect ratio and rotation applied. */
export function displaySize(stream: ProbedStream): { width: number; height: number } {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const sar = ratio(stream.sample_aspect_ratio) ?? 1;
  const shownWidth = Math.round(width * sar);
  const rotation = Math.abs(stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? Number(stream.tags?.['rotate'] ?? 0));
  const turned = rotation % 180 === 90;
  return turned ? { width: height, height: shownWidth } : { width: shownWidth, height };
}

export interface Box {
  type: string;
  offset: number;
  size: number;
}

/**
 * Top-level ISO-BMFF boxes of a file, read header by header (size: 32-bit, 1 = 64-bit
 * largesize follows, 0 = to the end of the file). Stops at the first impossible header.
 */
export async function topLevelBoxes(file: string): Promise<Box[]> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const boxes: Box[] = [];
    const header = Buffer.alloc(16);
    let offset = 0;
    while (offset + 8 <= fileSize) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) break;
      let size = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (size === 1) {
        if (bytesRead < 16) break;
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) {
        size = fileSize - offset;
      }
      if (size < 8 || offset + size > fileSize || !/^[\x20-\x7e]{4}$/.test(type)) break;
      boxes.push({ type, offset, size });
      offset += size;
    }
    return boxes;
  } finally {
    await handle.close();
  }
}

/** Presentation times of every video packet of `file`, in order (native ffprobe). */
export function frameTimes(file: string): number[] {
  return execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file])
    .toString()
    .split('\n')
    .map((line) => line.trim().replace(/,+$/, ''))
    .filter((line) => /^\d+(\.\d+)?$/.test(line))
    .map(Number)
    .sort((a, b) => a - b);
}
