/** Reading ffmpeg's log: progress lines and the reasons a run failed. */

const CLOCK = /(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;

function clockToSeconds(match: RegExpExecArray | null): number | null {
  if (!match) return null;
  const [, sign, h, m, s] = match;
  const seconds = Number(h) * 3600 + Number(m) * 60 + Number(s);
  if (!Number.isFinite(seconds)) return null;
  return sign === '-' ? -seconds : seconds;
}

/** `time=00:01:02.50` in a stats line → 62.5; null when the line has none (or `time=N/A`). */
export function parseOutTime(line: string): number | null {
  const at = line.lastIndexOf('time=');
  if (at < 0) return null;
  const seconds = clockToSeconds(CLOCK.exec(line.slice(at + 5, at + 5 + 20)));
  return seconds === null ? null : Math.max(0, seconds);
}

/** `speed=1.23x` → 1.23; null when absent or N/A. */
export function parseSpeed(line: string): number | null {
  const match = /speed=\s*([\d.]+)x/.exec(line);
  const speed = match ? Number(match[1]) : NaN;
  return Number.isFinite(speed) && speed > 0 ? speed : null;
}

/** `  Duration: 00:00:05.05, start: …` → 5.05. */
export function parseDuration(line: string): number | null {
  const match = /Duration:\s*(\d+:\d{2}:\d{2}(?:\.\d+)?)/.exec(line);
  return match ? clockToSeconds(CLOCK.exec(match[1] ?? '')) : null;
}

/** Progress of a run that has written `outTime` of `duration` seconds, clamped to 0..1. */
export function progressOf(outTime: number, durationSec: number | null): number {
  if (!durationSec || durationSec <= 0) return 0;
  return Math.min(1, Math.max(0, outTime / durationSec));
}

interface KnownFailure {
  pattern: RegExp;
  sentence: string;
}

/** Log lines that name a cause a person can act on, most specific first. */
const KNOWN_FAILURES: KnownFailure[] = [
  {
    // ffmpeg guessed the format from the name alone: the contents are not that format at all.
    pattern: /misdetection possible/i,
    sentence: 'This is not a video or audio file that ffmpeg can read: its contents are damaged or of an unknown kind.',
  },
  {
    pattern: /moov atom not found/i,
    sentence:
      'This MP4/MOV file is incomplete: its index (the "moov atom") is missing, which usually means the recording or download was cut off.',
  },
  {
    pattern: /Aborted\(OOM\)|Cannot enlarge memory|out of memory|Array buffer allocation failed/i,
    sentence: 'The encoder ran out of memory on this file. Try a smaller preset, or fewer workers at once.',
  },
  { pattern: /Invalid data found when processing input/i, sentence: 'This is not a video or audio file that ffmpeg can read: its contents are damaged or of an unknown kind.' },
  { pattern: /could not find codec parameters|unspecified (size|pixel format)/i, sentence: 'ffmpeg found no picture or sound it can decode in this file.' },
  { pattern: /Decoder \(codec .*\) not found|Unknown decoder|no decoder/i, sentence: 'This file uses a codec that ffmpeg.wasm cannot decode.' },
  { pattern: /Output file #0 does not contain any stream|does not contain any stream/i, sentence: 'This file has no stream this preset can use.' },
  { pattern: /Error while decoding|corrupt|Truncat|partial file|End of file/i, sentence: 'This file is damaged or cut short; ffmpeg could not read it to the end.' },
];

/** The last lines that look like errors, so a person (or a bug report) sees ffmpeg's own words. */
function lastErrorLine(log: readonly string[]): string | undefined {
  for (let i = log.length - 1; i >= 0; i--) {
    const line = log[i]?.trim();
    if (line && /error|invalid|failed|not found|cannot|unable|abort/i.test(line) && !/^Conversion failed!?$/.test(line)) return line;
  }
  return undefined;
}

/**
 * A sentence saying why a run failed, from its log; ffmpeg's own line follows where there is one.
 * `fileName` replaces the worker's inner paths (`/in/input.mp4`) in that line.
 */
export function explainFailure(log: readonly string[], exitCode: number, fileName?: string): string {
  const text = log.join('\n');
  const known = KNOWN_FAILURES.find(({ pattern }) => pattern.test(text));
  const line = lastErrorLine(log);
  const detail = line && fileName ? line.replace(/\/in\/[^\s:'"]+/g, fileName) : line;
  const sentence = known?.sentence ?? `ffmpeg stopped with exit code ${exitCode}.`;
  return detail && !sentence.includes(detail) ? `${sentence} (ffmpeg: ${detail})` : sentence;
}
