/**
 * Every shape ffbatch persists in IndexedDB, and the checks they pass when read back. A
 * record may have been written by an older deployment of the page (or be damaged): a store
 * reads each one through `read…` here, and one it cannot read is skipped with a log line,
 * never a crash. The logic over these shapes (matching files, reusing segments) is the jobs'.
 */
import { checkEdits, type Edits } from '../presets/edits';
import type { PresetId } from '../presets/presets';

/** The file a job was made from, as far as it can be told apart from another. */
export interface SourceKey {
  name: string;
  size: number;
  lastModified: number;
}

/** A job not yet finished, kept across reloads (JobStore). */
export interface JobRecord {
  /** The job's id (the id its output will be stored under). */
  id: string;
  source: SourceKey & {
    /** Path inside a dropped folder, or the file's name. */
    displayName: string;
  };
  presetId: PresetId;
  outputName: string;
  queuedAt: number;
  state: 'queued' | 'running';
  /** Chromium: the file's handle, where the picker or the drop gave one (structured-cloned by IndexedDB). */
  handle?: FileSystemFileHandle;
  /** The tab that runs the job (its TabPresence id): while that tab is open, other tabs leave the job to it. */
  tab?: string;
  /** The person's edits for this job (resume keeps them). */
  edits?: Edits;
}

/** One finished segment on disk (OPFS): where it is and how many bytes it had when it finished. */
export interface KeptSegment {
  index: number;
  /** Folder path from the origin's OPFS root. */
  folder: string[];
  name: string;
  bytes: number;
}

/** What a split job's kept segments were made from, and which of them finished. */
export interface KeptSegments {
  source: SourceKey;
  presetId: string;
  /** How many segments the plan has. */
  count: number;
  /** The plan's fingerprint (see segmentPlanKey): boundaries, format and video arguments. */
  plan: string;
  finished: KeptSegment[];
}

/** Where a multipart upload got to, so a reload resumes instead of starting over. */
export interface StoredUpload {
  state: 'uploading' | 'uploaded' | 'upload-failed';
  location?: string;
  error?: string;
  /** Opaque resume state of the uploader (key, uploadId, parts sent). */
  resume?: unknown;
}

/**
 * A stored output's record (its bytes are kept apart): what `encoder.files.list()` gives.
 *
 * @example
 * ```ts
 * const [first]: OutputRecord[] = await encoder.files.list();
 * console.log(first?.outputName, first?.outputSize, first?.mimeType);
 * ```
 */
export interface OutputRecord {
  /** The job's id. */
  id: string;
  sourceName: string;
  sourceSize: number;
  sourceLastModified: number;
  presetId: PresetId;
  outputName: string;
  outputSize: number;
  mimeType: string;
  startedAt: number;
  endedAt: number;
  exitCode: number;
  /** The last lines of ffmpeg's log. */
  logTail: string[];
  upload?: StoredUpload;
  /** The engine that made the output (absent in records from before the WebCodecs route). */
  engine?: 'webcodecs' | 'ffmpeg';
  /** The output was probed and holds what the preset promises. */
  verified?: boolean;
  /** Measured PSNR (dB) and SSIM against the source, over `frames` sampled frames (absent: not measured). */
  quality?: { psnr: number; ssim: number; frames: number };
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isOptional = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || check(value);

/** The first field of `fields` that fails its check, or null when all pass. */
function badField(record: Fields, fields: Record<string, (value: unknown) => boolean>): string | null {
  for (const [name, check] of Object.entries(fields)) if (!check(record[name])) return name;
  return null;
}

function isSourceKey(value: unknown): value is SourceKey {
  return isObject(value) && badField(value, { name: isString, size: isNumber, lastModified: isNumber }) === null;
}

function isKeptSegment(value: unknown): value is KeptSegment {
  return isObject(value) && badField(value, { index: isNumber, folder: (f) => Array.isArray(f) && f.every(isString), name: isString, bytes: isNumber }) === null;
}

function isStoredUpload(value: unknown): value is StoredUpload {
  return isObject(value) && (value['state'] === 'uploading' || value['state'] === 'uploaded' || value['state'] === 'upload-failed');
}

/** A record a store could not read: why, for the log line. */
export class UnreadableRecordError extends Error {
  override name = 'UnreadableRecordError';
}

/** Checks one record read back; throws UnreadableRecordError naming the first bad field. */
function check<T>(kind: string, value: unknown, fields: Record<string, (value: unknown) => boolean>): T {
  if (!isObject(value)) throw new UnreadableRecordError(`${kind} is not an object.`);
  const bad = badField(value, fields);
  if (bad !== null) throw new UnreadableRecordError(`${kind} has no valid "${bad}".`);
  return value as T;
}

export function readJobRecord(value: unknown): JobRecord {
  return check<JobRecord>('A kept job record', value, {
    id: isString,
    source: (s) => isObject(s) && isSourceKey(s) && isString(s['displayName']),
    presetId: isString,
    outputName: isString,
    queuedAt: isNumber,
    state: (s) => s === 'queued' || s === 'running',
    tab: (t) => isOptional(t, isString),
    edits: (e) => isOptional(e, isEdits),
  });
}

/** Edits as checkEdits takes them (a record from another deployment may hold anything). */
function isEdits(value: unknown): boolean {
  return passes(checkEdits, value);
}

/** True when `check` (one that throws on a value it refuses) takes `value`: how a record's checked parts are read back. */
export function passes(check: (value: unknown) => unknown, value: unknown): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

export function readKeptSegments(value: unknown): KeptSegments {
  return check<KeptSegments>('A kept-segments record', value, {
    source: isSourceKey,
    presetId: isString,
    count: isNumber,
    plan: isString,
    finished: (f) => Array.isArray(f) && f.every(isKeptSegment),
  });
}

export function readOutputRecord(value: unknown): OutputRecord {
  return check<OutputRecord>('An output record', value, {
    id: isString,
    sourceName: isString,
    sourceSize: isNumber,
    sourceLastModified: isNumber,
    presetId: isString,
    outputName: isString,
    outputSize: isNumber,
    mimeType: isString,
    startedAt: isNumber,
    endedAt: isNumber,
    exitCode: isNumber,
    logTail: (l) => Array.isArray(l) && l.every(isString),
    upload: (u) => isOptional(u, isStoredUpload),
    engine: (e) => e === undefined || e === 'webcodecs' || e === 'ffmpeg',
    verified: (v) => isOptional(v, (b) => typeof b === 'boolean'),
    quality: (q) => isOptional(q, (m) => isObject(m) && badField(m, { psnr: isNumber, ssim: isNumber, frames: isNumber }) === null),
  });
}

/**
 * The records of `entries` that `read` accepts; each one it refuses is logged (with its key)
 * and left out, so one bad record never costs the others.
 */
export function readAll<T>(entries: readonly (readonly [string, unknown])[], read: (value: unknown) => T, log: (line: string) => void = console.warn): T[] {
  const records: T[] = [];
  for (const [key, value] of entries) {
    const record = readOne(key, value, read, log);
    if (record !== undefined) records.push(record);
  }
  return records;
}

/** One record through `read`, or undefined (logged) when it cannot be read. */
export function readOne<T>(key: string, value: unknown, read: (value: unknown) => T, log: (line: string) => void = console.warn): T | undefined {
  if (value === undefined) return undefined;
  try {
    return read(value);
  } catch (error) {
    if (!(error instanceof UnreadableRecordError)) throw error;
    log(`[ffbatch] Skipped the stored record ${key}: ${error.message}`);
    return undefined;
  }
}
