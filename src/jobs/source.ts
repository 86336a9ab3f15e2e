import type { Edits } from '../presets/edits';
import type { SourceInfo } from '../presets/source-info';

/**
 * A file the person added, and what a probe found in it.
 *
 * @example
 * ```ts
 * await source.probed;
 * console.log(source.problem ?? `${source.info?.durationSec} s`);
 * ```
 */
export interface Source {
  id: string;
  file: File;
  /** Path inside a dropped folder, or the file's name. */
  displayName: string;
  /** Chromium: the file's handle from the picker or a drop, kept with its jobs so Resume can read it again. */
  handle?: FileSystemFileHandle;
  info: SourceInfo | null;
  /** Why the file cannot be encoded, in a sentence; null while fine or not yet probed. */
  problem: string | null;
  probing: boolean;
  /** Settles when the probe has ended, well or badly. */
  probed: Promise<void>;
  /** What the person asked of this file (the editor); new jobs take a copy. Absent: the whole file as it is. */
  edits?: Edits;
}

/**
 * The name the input gets inside the worker: plain ASCII keeps ffmpeg from reading
 * a protocol, a pattern or an option into a person's file name ("12:30 #2 %d.mp4").
 * The extension is kept because a few formats are only known by it.
 */
export function workerInputName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) : '';
  return extension ? `input.${extension}` : 'input';
}

const MEDIA_EXTENSIONS = new Set(
  'avi flv mp4 m4v m4a mov mkv webm ogv ogg oga opus mp3 wav flac aac wmv wma asf mpg mpeg ts mts m2ts 3gp 3g2 vob f4v dv mxf'.split(' '),
);

/**
 * For files found inside a dropped folder: keep what looks like media (by type or one of
 * the usual extensions), skip the rest (dot files, documents).
 *
 * @example
 * ```ts
 * const media = [...folderInput.files].filter(looksLikeMedia);
 * ```
 */
export function looksLikeMedia(file: Pick<File, 'name' | 'type'>): boolean {
  if (file.name.startsWith('.')) return false;
  if (file.type.startsWith('video/') || file.type.startsWith('audio/')) return true;
  const dot = file.name.lastIndexOf('.');
  return dot > 0 && MEDIA_EXTENSIONS.has(file.name.slice(dot + 1).toLowerCase());
}
