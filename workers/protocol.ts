/**
 * The API between the page and an ffmpeg worker. Types only: the page and the
 * worker both import this file, and nothing here may need the DOM or a worker scope.
 */

/** A file handed to the worker; it is mounted read-only (WORKERFS), never copied whole. */
export interface MountedInput {
  /** Name inside the worker's `/in` folder: plain ASCII, chosen by the page. */
  name: string;
  data: Blob;
}

/** A small text file written into the worker's working folder (e.g. a concat list). */
export interface TextFile {
  name: string;
  text: string;
}

export interface RunRequest {
  /** Mounted at `/in/<name>`. */
  inputs: MountedInput[];
  /** Written to `/work/<name>`, the folder ffmpeg runs in. */
  textFiles?: TextFile[];
  /** ffmpeg's arguments, without the program name. Outputs go to `/out/<name>`. */
  args: string[];
  /** Names under `/out` to read back after the run, in this order. */
  outputs: string[];
  /**
   * The OPFS folder (path from the origin's root) where the outputs are written in place.
   * Absent, or where the browser has no OPFS sync access handles: in wasm memory (MEMFS).
   */
  scratchFolder?: string[];
}

/** Why writing an output failed, when it did (ffmpeg itself only sees an errno). */
export interface WriteFailureReport {
  kind: 'quota' | 'io';
  /** The browser's own message. */
  message: string;
}

export interface RunResult {
  /** ffmpeg's exit code: 0 on success. */
  exitCode: number;
  /**
   * One entry per requested output; null where ffmpeg wrote nothing. A disk-backed File of
   * the OPFS scratch file, or (MEMFS) a Blob of the bytes: never bytes in the message.
   */
  outputs: (Blob | null)[];
  /** Set when an output could not be written; ffmpeg 5.1 may still exit 0. */
  writeFailure: WriteFailureReport | null;
}

/** The parts of `ffprobe -show_format -show_streams -of json` that ffbatch reads. */
export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  nb_frames?: string;
  pix_fmt?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: Record<string, number>;
}

export interface ProbeReport {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; size?: string; bit_rate?: string };
}

export interface TailProbeResult {
  /** The largest packet end (pts + duration) in seconds, or null when no packet was read. */
  endSec: number | null;
  /** Packets read per stream index: every packet of the file when read from 0. */
  packets?: number[];
  log: string[];
}

export interface ProbeResult {
  /** Parsed ffprobe JSON; null when ffprobe could not read the file. */
  report: ProbeReport | null;
  /** ffprobe's log, for the error message when report is null. */
  log: string[];
}

export interface LoadResult {
  /** Milliseconds spent fetching and compiling the core (zero when already loaded). */
  loadMs: number;
  /** Whether outputs can go to OPFS scratch files (else wasm memory, under 2 GB). */
  outputsOnDisk: boolean;
  /** The core's compiled module, when this worker compiled it: the page hands it to the next workers. */
  compiled?: WebAssembly.Module;
}

/**
 * Receives ffmpeg's log lines in batches while a run goes on. Across Comlink it returns a
 * promise: the worker awaits the last batch before answering, so no line arrives after the result.
 */
export type LogSink = (lines: string[]) => void | Promise<void>;

/** A preset the WebCodecs route makes: any whose spec compiles to a plan (src/presets/webcodecs-compile.ts). */
export type WebCodecsPresetId = string;

/**
 * What the WebCodecs route makes, planned on the page from the preset's spec and the probed
 * source (`planWebCodecsTarget`, src/jobs/webcodecs-plan.ts): the worker does no sizing or
 * rate policy and keeps no preset table.
 */
export interface WebCodecsTarget {
  presetId: WebCodecsPresetId;
  container: 'mp4' | 'webm';
  video: 'avc' | 'vp9' | 'av1';
  /** Output size as shown (after rotation): `fitBox` of the source's shown size. */
  width: number;
  height: number;
  /** Video bits per second to start at (`webCodecsVideoBitrate`), or the size budget's rate. */
  videoBitrate: number;
  /** H.264 only: the mean QP the bitrate is steered to (`H264_TARGET_QPS`); absent: the bitrate stays. */
  targetQp?: number;
  /**
   * H.264 at a fixed rate (Auto's quality promise): a drift guard. When a window's mean QP rises
   * above `qpCeiling` (harder footage than the samples held), the bitrate is raised, never below
   * `videoBitrate` nor above `maxBitrate` (the promise's size cap); absent: the bitrate stays.
   */
  qualityGuard?: { qpCeiling: number; maxBitrate: number };
  /** VP9/AV1: quantizer mode (0–63) where the browser takes it; else `videoBitrate` holds. */
  quantizer?: number;
  /** Frames thinned to at most this rate; absent: every frame kept. */
  maxFps?: number;
  /** A size target: the bitrate is steered so the picture's bytes come to `videoBytes` (the file stays under `maxBytes`). */
  sizeBudget?: { maxBytes: number; videoBytes: number };
  /** The sound, when the source has one and the preset keeps it. */
  audio: { codec: 'aac' | 'opus'; bitrate: number; channels: 1 | 2; sampleRate?: number } | null;
  /** Edits the fast route honours (src/presets/edits.ts); `width`/`height` are already the edited shown size. */
  edits?: WebCodecsEdits;
  /** Picture only, no sound (a quality sample: its bytes are the video's). */
  videoOnly?: boolean;
}

/**
 * A person's edits as the worker applies them. Times are seconds from the presentation start
 * (what a player shows as 0); the crop is in stored pixels of the upright picture; `rotate`
 * is added to the file's own rotation in the output's display matrix.
 */
/** A rectangle of a picture in pixels (a crop), in the upright picture unless said otherwise. */
export interface PictureRect {
  width: number;
  height: number;
  x: number;
  y: number;
}

export interface WebCodecsEdits {
  trim?: { start: number; end: number | null };
  crop?: PictureRect;
  rotate?: 0 | 90 | 180 | 270;
  /** Index among the source's audio tracks. */
  audioTrack?: number;
}

/** What the browser can do with one source, for the engine router (src/jobs/engine-router.ts). */
export interface WebCodecsSupport {
  /** Mediabunny can read the container. */
  readable: boolean;
  /** Mediabunny's name of the container ('MP4', 'WebM', 'Ogg'…), null when unreadable. */
  format: string | null;
  /** The primary video track as Mediabunny sees it; null when it finds none it can read. */
  video: { codec: string | null; decodable: boolean } | null;
  audio: { codec: string | null; decodable: boolean } | null;
  /** Per planned target: can the browser encode its video at the planned size, and its audio. */
  encode: Partial<Record<WebCodecsPresetId, { video: boolean; audio: boolean }>>;
}

/** How the test knob breaks a WebCodecs encode: an error, or a hang (no progress, no end). */
export type WebCodecsFault = 'throw' | 'stall';

export interface WebCodecsRequest {
  /** The source, read through Mediabunny (a File or Blob; never copied whole). */
  input: Blob;
  target: WebCodecsTarget;
  /** Name of the output file inside `scratchFolder` (OPFS). */
  output: string;
  scratchFolder: string[];
  /** Test knob (`?webcodecsFail=throw|stall`): after the first progress report, throw or go silent for good. */
  fault?: WebCodecsFault;
}

export interface WebCodecsEncodeResult {
  /** A disk-backed File of the OPFS scratch file. */
  output: Blob;
  durationSec: number;
  videoFrames: number;
  audio: 'encoded' | 'copied' | null;
  /** H.264: the mean QP of the encoded frames, read from their slice headers; absent when not read. */
  meanQp?: number;
}

/** The core's own lists, for checking custom presets (`parseEncoderList`, `parseFilterList`). */
export interface CoreLists {
  /** The text of `ffmpeg -hide_banner -encoders`. */
  encoders: string;
  /** The text of `ffmpeg -hide_banner -filters`. */
  filters: string;
}

export interface DryRunResult {
  /** The exit code of the last step run: 0 when every step succeeded. */
  exitCode: number;
  /** That step's log. */
  log: string[];
}

/** Seconds of output made so far. */
export type ProgressSink = (seconds: number) => void | Promise<void>;

/** What a smart cut did: everything copied, the head (and a mid-GOP tail) encoded again, cut at the keyframe before In, or all encoded. */
export type SmartCutMode = 'copy' | 'smart' | 'keyframe' | 'encode';

/** "Streams copied" through Mediabunny into an MP4 (fast start in one pass); with a trim, a smart cut (workers/smart-cut/smart-cut.ts). */
export interface SmartCutRequest {
  /** The source: read by Mediabunny and, for the re-encoded frames, mounted for the core. */
  input: MountedInput;
  /** Source presentation times in seconds; null: the whole file. `end: null` is the end of the file. */
  trim: { start: number; end: number | null } | null;
  /** Name of the output file inside `scratchFolder` (OPFS). */
  output: string;
  scratchFolder: string[];
}

export interface SmartCutResult {
  mode: SmartCutMode;
  /** Source time of the output's first frame (In, or the keyframe before it in 'keyframe' mode). */
  startSec: number;
  /** How long the output lasts. */
  durationSec: number;
  /** Frames encoded again (the head, and frames before a mid-GOP Out). */
  encodedFrames: number;
  /** Video packets copied byte for byte. */
  copiedVideoPackets: number;
  /** A sentence for the person when the cut could not be frame-exact; null otherwise. */
  note: string | null;
}

export interface SmartCutOutput extends SmartCutResult {
  /** A disk-backed File of the OPFS scratch file. */
  output: Blob;
}

/** Scores an output against its source (workers/quality/): frames grabbed by ffmpeg, sums in the worker. */
export interface QualityRequest {
  /** Both are mounted read-only under `/in` (distinct names). */
  output: MountedInput;
  source: MountedInput;
  /** The output's picture size: the source is scaled to it (lanczos) for the reference. */
  width: number;
  height: number;
  /** The output's frame rate and frame count, for where the sampled frames are. */
  fps: number;
  frameCount: number;
  /** Where the output's first frame is in the source (a trim's in point), seconds. */
  sourceStartSec?: number;
  /** Score the output from here on (seconds; a quality sample's pre-roll is left out); the source from `sourceStartSec`. */
  outputStartSec?: number;
  /** The source's frame rate, where it differs from the output's: output frame k is scored against the last source frame at or before its time. */
  sourceFps?: number;
  /** The job's crop, in the source's upright pixels: the source's frames are cropped so before they are scaled, as the job made them. */
  sourceCrop?: PictureRect;
  /** Frames to score (default SCORED_FRAMES). */
  frames?: number;
}

export interface QualityFrame {
  /** Seconds into the output. */
  at: number;
  psnr: number;
  ssim: number;
}

export interface QualityReport {
  /** Null when no frame pair could be grabbed (the log says why). */
  score: { psnr: number; psnrY: number; ssim: number; frames: number } | null;
  /** Bytes of the output's video packets from `outputStartSec` on, where the browser read them. */
  scoredBytes?: number;
  perFrame: QualityFrame[];
  log: string[];
}

/** One instant of an output beside the same instant of its source, ready to show (Compare). */
export interface CompareFrames {
  /** Seconds into the output of the frame shown. */
  at: number;
  width: number;
  height: number;
  output: ImageBitmap;
  source: ImageBitmap;
  /** That frame pair's own PSNR (dB) and SSIM. */
  psnr: number;
  ssim: number;
}

/** What a worker exposes through Comlink. */
export interface FfmpegWorkerApi {
  /** Loads the core (served from the app's own origin) once; later calls return at once. */
  load(compiled?: WebAssembly.Module): Promise<LoadResult>;
  /** Runs ffprobe on one input and returns its JSON report. */
  probe(input: MountedInput): Promise<ProbeResult>;
  /**
   * Reads the packets from `fromSec` to the end and returns where the last one ends (null
   * when none could be read): a file cut short still claims its whole duration in its header.
   * From 0 it reads the whole file: its packets counted per stream, its real length measured.
   */
  probeTail(input: MountedInput, fromSec: number): Promise<TailProbeResult>;
  /** Runs ffmpeg once. Log lines reach `onLog` while it runs. */
  run(request: RunRequest, onLog: LogSink): Promise<RunResult>;
  /** The text of `-hide_banner -encoders` and `-filters`, read from the core itself. */
  coreLists(): Promise<CoreLists>;
  /**
   * Runs each argument list in turn in wasm memory (MEMFS: write under `/work`, removed
   * afterwards), stopping at the first that fails: a custom preset's dry run on a generated clip.
   */
  dryRun(steps: string[][]): Promise<DryRunResult>;
  /** What the browser's WebCodecs can do with `input` for each planned target. */
  webcodecsProbe(input: Blob, targets: WebCodecsTarget[]): Promise<WebCodecsSupport>;
  /**
   * Encodes through WebCodecs into an OPFS scratch file. Throws an Error named
   * 'WebCodecsUnsupportedError' when the route cannot make this output.
   */
  webcodecsEncode(request: WebCodecsRequest, onProgress: ProgressSink, onLog: LogSink): Promise<WebCodecsEncodeResult>;
  /**
   * Remuxes (streams copied) into an OPFS scratch MP4 through Mediabunny; with a trim, a smart cut.
   * Throws an Error named 'SmartCutUnsupportedError' when Mediabunny cannot read the source: run ffmpeg's remux then.
   */
  smartCut(request: SmartCutRequest, onProgress: ProgressSink, onLog: LogSink): Promise<SmartCutOutput>;
  /** PSNR and SSIM of an output against the same instants of its source (see QualityRequest). */
  scoreQuality(request: QualityRequest): Promise<QualityReport>;
  /** The output's frame at `atSec` and the source's at the same instant, scaled alike; null when either could not be read. */
  compareFrames(request: QualityRequest, atSec: number): Promise<CompareFrames | null>;
}
