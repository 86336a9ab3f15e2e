import { toneMapsHdr, toneMapTagProblem } from '../presets/hdr';
import { outputFps, videoSize } from '../presets/ffmpeg-compile';
import type { OutputSpec } from '../presets/output-spec';
import { fitHeight, presetById } from '../presets/presets';
import { referenceDurationSec, type SourceInfo, type VideoColour } from '../presets/source-info';
import { codecName } from './engine-router';

/** What a built-in preset promises of its output, given the source. */
interface Promise_ {
  /** ffprobe's codec name of the video, or null for an audio-only preset. */
  video: string | null;
  /** ffprobe's codec name of the audio (when the source has audio); null: the preset leaves the sound out. */
  audio: string | null;
  /** Size as shown, or null when the preset keeps the source's picture as it is. */
  size: { width: number; height: number } | null;
  /** Fixed-size presets (the recipe's `-s`) set the coded size; the others the shown size. */
  coded: boolean;
  /** Frames a second the output holds: the preset's fixed rate, the source's, or null where frames are not counted. */
  rate: number | 'source' | null;
  /** A size target: never more bytes than this. */
  maxBytes?: number;
}

const PROBED_VIDEO = { h264: 'h264', hevc: 'hevc', vp9: 'vp9', av1: 'av1', gif: 'gif', flv1: 'flv1', mpeg4: 'mpeg4' } as const;
const PROBED_AUDIO = { aac: 'aac', opus: 'opus', mp3: 'mp3', flac: 'flac', pcm: 'pcm_s16le' } as const;

/** What a spec promises of its output for this source (a copy promises what the remux does: nothing more here). */
function promiseOfSpec(spec: OutputSpec, source: SourceInfo): Promise_ | null {
  const video = spec.video;
  if (video === 'copy') return null;
  const audio = spec.audio === null ? null : spec.audio === 'copy' ? (source.audio?.codec ?? null) : PROBED_AUDIO[spec.audio.codec];
  // A frame-rate cap changes the count; GIF's frame timing is its own: not counted there.
  const capped = video && source.video ? outputFps(video, source.video) : null;
  return {
    video: video ? PROBED_VIDEO[video.codec] : null,
    audio,
    size: video && source.video ? videoSize(video, source.video) : null,
    coded: false,
    rate: !video || video.codec === 'gif' ? null : (capped ?? 'source'),
    ...(video?.rate?.kind === 'size' ? { maxBytes: video.rate.bytes } : {}),
  };
}

function promiseOf(presetId: string, source: SourceInfo): Promise_ | null {
  const video = source.video;
  switch (presetId) {
    case 'flv-320x240':
      return { video: 'flv1', audio: 'mp3', size: { width: 320, height: 240 }, coded: true, rate: 25 };
    case 'mp4-mpeg4-320x180':
      return { video: 'mpeg4', audio: 'aac', size: { width: 320, height: 180 }, coded: true, rate: 25 };
    case 'mp4-h264-720p':
    case 'mp4-h264-480p':
      return { video: 'h264', audio: 'aac', size: video ? fitHeight(video, presetId === 'mp4-h264-720p' ? 720 : 480) : null, coded: false, rate: 'source' };
    case 'webm-vp9-720p':
      return { video: 'vp9', audio: 'opus', size: video ? fitHeight(video, 720) : null, coded: false, rate: 'source' };
    case 'mp3-audio':
      return { video: null, audio: 'mp3', size: null, coded: false, rate: null };
    case 'mp4-remux':
      return {
        video: video?.codec ?? null,
        audio: source.audio?.codec ?? 'aac',
        size: video ? { width: video.displayWidth, height: video.displayHeight } : null,
        coded: false,
        // A stream copy keeps the packets an edit list hides: its sample count is not what it shows.
        rate: null,
      };
    default: {
      const spec = presetById(presetId).spec;
      return spec ? promiseOfSpec(spec, source) : null;
    }
  }
}

/** Allowed gap between the output's and the source's duration: 1 % or 0.2 s, whichever is larger. */
export function durationTolerance(sourceSec: number): number {
  return Math.max(0.01 * sourceSec, 0.2);
}

/** One thing an output's check looked at. */
export type OutputCheck = 'readable' | 'streams' | 'codecs' | 'size' | 'tags' | 'bytes' | 'duration' | 'end' | 'frames';

/** What a check of an output looked at (in that order), and the sentence of what failed (null: all held). */
export interface Verification {
  checked: OutputCheck[];
  problem: string | null;
}

/** Nothing looked at (no probe pool): the output goes unchecked. */
export const UNCHECKED: Verification = { checked: [], problem: null };

/** Two checks as one: everything either looked at, the first's problem first. */
export function bothChecks(first: Verification, second: Verification): Verification {
  return { checked: [...first.checked, ...second.checked.filter((c) => !first.checked.includes(c))], problem: first.problem ?? second.problem };
}

/** True when the output was looked at and held: what the job's "verified" says. */
export function passed(verification: Verification): boolean {
  return verification.problem === null && verification.checked.length > 0;
}

const CHECK_WORDS: Readonly<Record<OutputCheck, string>> = {
  readable: 'readable',
  streams: 'streams',
  codecs: 'codecs',
  size: 'size',
  tags: 'colour tags',
  bytes: 'bytes',
  duration: 'duration',
  end: 'packets to the end',
  frames: 'frames',
};

/**
 * The log line of a passed check, naming what was looked at.
 *
 * @example
 * verifiedLine(['readable', 'streams', 'codecs']); // "[ffbatch] Output verified: streams and codecs as the preset and the source promise."
 */
export function verifiedLine(checked: readonly OutputCheck[]): string {
  const words = checked.filter((c) => c !== 'readable').map((c) => CHECK_WORDS[c]);
  if (words.length === 0) return '[ffbatch] Output verified: readable (ffprobe finds picture or sound in it); its preset promises nothing more to check.';
  const list = words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
  return `[ffbatch] Output verified: ${list} as the preset and the source promise.`;
}

/**
 * Checks a probed output against what its preset promises for this source (`verifyOutput`),
 * saying what it looked at.
 */
export function checkPromise(presetId: string, source: SourceInfo, output: SourceInfo | null, outputColour?: VideoColour | null, outputBytes?: number): Verification {
  const checked: OutputCheck[] = ['readable'];
  const look = (check: OutputCheck): void => {
    if (!checked.includes(check)) checked.push(check);
  };
  const fail = (what: string): Verification => ({ checked, problem: `The output failed its check: ${what}.` });
  if (!output || (!output.video && !output.audio)) return fail('ffprobe found no picture or sound in it');
  const promise = promiseOf(presetId, source);
  if (!promise) return { checked, problem: null };

  look('streams');
  if (promise.video === null) {
    if (output.video) return fail('it has a video track though the preset is audio only');
  } else {
    if (!output.video) return fail('it has no video track');
    look('codecs');
    if (output.video.codec !== promise.video) return fail(`its video is ${codecName(output.video.codec)}, not ${codecName(promise.video)}`);
    if (promise.size) {
      look('size');
      const width = promise.coded ? output.video.width : output.video.displayWidth;
      const height = promise.coded ? output.video.height : output.video.displayHeight;
      if (width !== promise.size.width || height !== promise.size.height) {
        return fail(`its picture is ${width}×${height}, not the planned ${promise.size.width}×${promise.size.height}`);
      }
    }
    if (outputColour !== undefined && toneMapsHdr(presetById(presetId).spec, source)) {
      look('tags');
      const tags = toneMapTagProblem(output.video.codec, outputColour);
      if (tags) return fail(tags);
    }
  }

  if (promise.maxBytes !== undefined && outputBytes !== undefined) {
    look('bytes');
    if (outputBytes > promise.maxBytes) return fail(`it is ${outputBytes.toLocaleString('en-US')} bytes, over the ${promise.maxBytes.toLocaleString('en-US')} it must fit in`);
  }
  if (promise.audio === null) {
    if (output.audio) return fail('it has an audio track though the preset leaves the sound out');
  } else {
    if (source.audio && !output.audio) return fail('it has no audio track though the source has one');
    if (!source.audio && output.audio) return fail('it has an audio track though the source has none');
  }
  if (output.audio && promise.audio !== null) {
    look('codecs');
    if (output.audio.codec !== promise.audio) return fail(`its audio is ${codecName(output.audio.codec)}, not ${codecName(promise.audio)}`);
  }

  // An estimated duration (ADTS AAC, MP3 without a header…) is no reference; a measured one is.
  const expected = referenceDurationSec(source);
  if (expected !== null && expected > 0) {
    look('duration');
    const got = output.durationSec;
    if (got === null) return fail('it does not say how long it lasts');
    if (Math.abs(got - expected) > durationTolerance(expected)) return fail(`it lasts ${got.toFixed(2)} s where the source lasts ${expected.toFixed(2)} s`);
  }
  return { checked, problem: null };
}

/**
 * Checks a probed output against what its preset promises for this source: a video stream
 * iff it is a video preset, an audio stream iff the source has audio, the codecs, the size
 * (as `fitHeight` plans it, or the recipe's fixed size), and the duration within 1 % or
 * 0.2 s of the source's. Null when all hold, else a sentence saying what is wrong.
 * Custom presets promise nothing checkable beyond being readable. An HDR source's output
 * tone-mapped to SDR must be tagged BT.709 (`outputColour`: its probed tags; unchecked when not given).
 * A size target's output must be at most its bytes (`outputBytes`; unchecked when not given).
 *
 * @example
 * verifyOutput('mp4-h264-720p', source, describeSource(report)); // null, or "The output … has no audio track …"
 */
export function verifyOutput(presetId: string, source: SourceInfo, output: SourceInfo | null, outputColour?: VideoColour | null, outputBytes?: number): string | null {
  return checkPromise(presetId, source, output, outputColour, outputBytes).problem;
}

/** A CFR source's r_frame_rate and average agree this closely; beyond it the source is VFR. */
const CFR_AGREEMENT = 0.001;
/** Above this ffprobe's r_frame_rate says nothing of the frames (ffmpeg's av_guess_frame_rate ignores it too). */
const MAX_TRUSTED_NOMINAL_FPS = 210;
/** A CFR muxer holds a VFR source's last frame for its whole duration: up to this long is allowed for it. */
const VFR_LAST_FRAME_SEC = 0.5;

/** The frames an output may hold, from what its source shows. */
export interface FrameBounds {
  /** Null where fewer frames are not checked (a VFR source, or no length of the video's own). */
  least: number | null;
  most: number;
  /** Frames the source shows: its duration × rate. */
  shown: number;
  shownSec: number;
  fps: number;
}

/**
 * How many frames an output of `presetId` holds when it has exactly the frames its source
 * shows. A CFR source: its duration × the rate (the preset's, or the source's), within one
 * (two more where the preset sets its own rate: ffmpeg's CFR conversion adds a frame at either
 * end, +2 at 25 fps on every fixture); a few fewer pass (a copy cut's end may lack the B-frames
 * of its last group), checked only where the video stream's own length is known (a container's
 * may be the audio's, longer). A VFR source gets an upper bound only, at its highest rate and
 * a little over: a CFR muxer fills its timeline, the fast route keeps its frames. Null where
 * nothing is counted: audio presets, stream copies, custom presets, an unknown length or rate.
 */
export function frameBounds(presetId: string, source: SourceInfo): FrameBounds | null {
  const rate = promiseOf(presetId, source)?.rate ?? null;
  const average = source.video?.fps ?? null;
  if (rate === null || !source.video || average === null) return null;
  const timing = source.videoTiming;
  const nominal = timing?.nominalFps ?? average;
  if (nominal > MAX_TRUSTED_NOMINAL_FPS) return null;
  const ownSec = source.durationEstimated ? null : (timing?.durationSec ?? null);
  const shownSec = ownSec ?? referenceDurationSec(source);
  if (shownSec === null || !(shownSec > 0)) return null;
  const fps = rate === 'source' ? average : rate;
  const shown = Math.round(shownSec * fps);
  if (Math.abs(nominal - average) > CFR_AGREEMENT * average) {
    const highest = rate === 'source' ? Math.max(average, nominal) : rate;
    return { least: null, most: Math.ceil((shownSec + VFR_LAST_FRAME_SEC) * highest * 1.01) + 2, shown, shownSec, fps };
  }
  const most = rate === 'source' ? shown + 1 : Math.ceil(shownSec * rate - 1e-6) + 2;
  const least = ownSec === null ? null : shown - Math.max(4, Math.ceil(0.01 * shown));
  return { least, most, shown, shownSec, fps };
}

/**
 * Checks an output's frame count against what its source shows (`frameBounds`): an output
 * that also shows the frames an edit list hides has too many. Null when it holds (or nothing
 * is counted), else a sentence.
 *
 * @example
 * verifyFrames('mp4-h264-720p', source, 749); // "The output failed its check: it has 749 frames where the source shows 603 (20.10 s at 30.00 fps)."
 */
export function verifyFrames(presetId: string, source: SourceInfo, outputFrames: number | null): string | null {
  return checkFrames(presetId, source, outputFrames).problem;
}

/** `verifyFrames`, saying whether frames were counted at all. */
export function checkFrames(presetId: string, source: SourceInfo, outputFrames: number | null): Verification {
  const bounds = frameBounds(presetId, source);
  if (!bounds || outputFrames === null) return UNCHECKED;
  if (outputFrames <= bounds.most && (bounds.least === null || outputFrames >= bounds.least)) return { checked: ['frames'], problem: null };
  const { shown, shownSec, fps } = bounds;
  return { checked: ['frames'], problem: `The output failed its check: it has ${outputFrames} frames where the source shows ${shown} (${shownSec.toFixed(2)} s at ${fps.toFixed(2)} fps).` };
}

/**
 * Checks that an output's packets really reach the end its header claims: a file cut short
 * (a write lost at its end, a truncated copy) often keeps a whole-length header, as a
 * fast-start MP4 does. `endSec` is where its last packet ends, read from near the end
 * (null when no packet could be read there). Null when they agree, else a sentence.
 *
 * @example
 * verifyEnd(30, 14.9); // "The output failed its check: its packets stop at 14.90 s though it claims 30.00 s; the file is cut short."
 */
export function verifyEnd(claimedSec: number | null, endSec: number | null): string | null {
  return checkEnd(claimedSec, endSec).problem;
}

/** `verifyEnd`, saying whether there was an end to check. */
export function checkEnd(claimedSec: number | null, endSec: number | null): Verification {
  if (claimedSec === null || !(claimedSec > 0)) return UNCHECKED;
  const fail = (problem: string): Verification => ({ checked: ['end'], problem });
  if (endSec === null) return fail('The output failed its check: no packet could be read near its end; the file is cut short or damaged.');
  if (endSec < claimedSec - durationTolerance(claimedSec)) {
    return fail(`The output failed its check: its packets stop at ${endSec.toFixed(2)} s though it claims ${claimedSec.toFixed(2)} s; the file is cut short.`);
  }
  return { checked: ['end'], problem: null };
}

/** Where to start reading for `verifyEnd`: a little before the claimed end, so that a seek lands on a key frame before it. */
export function tailStartSec(claimedSec: number): number {
  return Math.max(0, claimedSec - 2);
}
