/**
 * A long source encoded in time segments on several workers at once and joined; finished
 * segments are kept on disk for a resume after a reload where a SegmentKeeper is given.
 */
import { FfmpegExitError, OutputWriteError } from '../pool/worker-pool';
import { colourTagArgs } from '../presets/hdr';
import { abortError, isAbortError, throwIfAborted, untilAborted } from '../shared/abort';
import { JobFailedError } from './errors';
import { explainFailure, progressOf } from './ffmpeg-log';
import type { RunContext } from './scheduler';
import type { Segment } from './segment-plan';
import type { KeptSegment } from '../storage/records';
import { reuseAfterReading, reuseSentence } from './segment-reuse';
import type { SegmentKeeperDep, SplitPlan } from './run-plan';
import { lastOutTime, withScratch, writeFailureSentence, type EncodePlan, type EncodeRunnerDeps } from './encode-plan';

/** Share of a split job's progress taken by the video segments; the rest is audio + join. */
const SEGMENTS_SHARE = 0.9;

/** Records a finished segment for a resume; a failure to record costs the resume only, never the job. */
async function keepFinished(keeper: SegmentKeeperDep, jobId: string, segment: KeptSegment, count: number, context: RunContext): Promise<void> {
  const where = `Segment ${segment.index + 1} of ${count} finished`;
  try {
    const kept = await keeper.finished(jobId, segment);
    context.onLog([kept ? `[ffbatch] ${where}; kept on disk for a resume (${segment.bytes} bytes).` : `[ffbatch] ${where}; not on disk, so it cannot be kept for a resume.`]);
  } catch (error) {
    context.onLog([`[ffbatch] ${where}; it could not be kept for a resume: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** The last `frame=` count of ffmpeg's stats lines, or null when there is none. */
function lastFrameCount(log: readonly string[]): number | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const match = /frame=\s*(\d+)/.exec(log[i] ?? '');
    if (match) return Number(match[1]);
  }
  return null;
}

/**
 * A long source cut in time segments, each encoded (video only) by its own worker at
 * once; then one worker joins them by stream copy (concat demuxer) and encodes the
 * audio whole, so the sound has no seams. The plan (run-plan.ts) says how many segments, how
 * they are cut and which kept ones are reused.
 */
export async function encodeSplit(deps: EncodeRunnerDeps, plan: EncodePlan, split: SplitPlan<SegmentKeeperDep>): Promise<Blob> {
  const { pool } = deps;
  const { job, preset, info, input, context } = plan;
  const { parts, count, segments, frameRate, fpsMode, format: segmentFormat, trimStart, keeper } = split;
  const duration = info.durationSec ?? 0;
  const segmentName = (index: number): string => `segment-${index}.${segmentFormat}`;
  const segmentLength = (s: Segment): number => s.duration ?? Math.max(0.001, duration - s.start);
  const done = segments.map(() => 0);
  const reportProgress = (extra: number): void => {
    const videoSeconds = done.reduce((sum, d) => sum + d, 0);
    context.onProgress({ progress: Math.min(1, SEGMENTS_SHARE * progressOf(videoSeconds, duration) + extra), speed: null });
  };
  context.onLog([`[ffbatch] ${info.durationSec?.toFixed(1)} s source split into ${count} segments encoded at once; audio is encoded whole when they are joined.`]);

  // Segments finished before a reload are reused as the plan says (issue 11), those whose files still open.
  const reused = new Map<number, Blob>();
  let outcome = split.reuse;
  if (keeper) {
    const reuse = outcome.kind === 'reuse' ? outcome.reuse : [];
    await keeper.begin(job.id, split.wanted, reuse);
    for (const segment of reuse) {
      try {
        reused.set(segment.index, await keeper.file(segment));
      } catch {
        // Gone since it was measured: it is encoded again like any missing segment.
      }
    }
    outcome = reuseAfterReading(outcome, new Set(reused.keys()), count);
  }
  for (const index of reused.keys()) {
    const segment = segments[index];
    if (segment) done[index] = segmentLength(segment);
  }
  const sentence = reuseSentence(outcome, count);
  if (sentence) context.onLog([`[ffbatch] ${sentence}`]);
  if (reused.size > 0) reportProgress(0);

  // One failing segment stops its siblings at once.
  const siblings = new AbortController();
  const stopSiblings = (): void => siblings.abort();
  context.signal.addEventListener('abort', stopSiblings);
  let blobs: Blob[];
  try {
    blobs = await Promise.all(
      segments.map(async (segment) => {
        const kept = reused.get(segment.index);
        if (kept) return kept;
        const name = segmentName(segment.index);
        const tag = `[part ${segment.index + 1}/${count}]`;
        const segmentLog: string[] = [];
        if (deps.hooks?.holdSegment === segment.index + 1) {
          context.onLog([`[ffbatch] Segment ${segment.index + 1} of ${count} is held by the ?holdSegment test knob.`]);
          await untilAborted(siblings.signal, 'The held segment was stopped.'); // the ?holdSegment test knob
        }
        // A folder of its own that outlives the tab where segments are kept; else the tab's scratch.
        const folder = keeper ? keeper.folderForSegment(job.id) : plan.scratchFolder();
        context.onLog([`[ffbatch] Encoding segment ${segment.index + 1} of ${count}.`]);
        // A trimmed job's segments split the kept range: its times start at In.
        const from = segment.start + trimStart;
        const args = [
          ...(from > 0 ? ['-ss', String(from)] : []),
          ...(segment.duration !== null ? ['-t', String(segment.duration)] : []),
          '-i', `/in/${input.name}`,
          '-map', '0:v:0', '-an',
          '-vf', ['setpts=PTS-STARTPTS', parts.filters].filter(Boolean).join(','),
          '-fps_mode:v', fpsMode,
          ...parts.video,
          '-f', segmentFormat, `/out/${name}`,
        ];
        try {
          const result = await pool.run(
            { inputs: [input], args, outputs: [name], ...(folder ? { scratchFolder: folder } : {}) },
            (lines) => {
              segmentLog.push(...lines);
              context.onLog(lines.map((line) => `${tag} ${line}`));
              lastOutTime(lines, (seconds) => {
                done[segment.index] = Math.min(seconds, segmentLength(segment));
                reportProgress(0);
              });
            },
            siblings.signal,
          );
          const segmentFile = result.outputs[0];
          if (!segmentFile || segmentFile.size === 0 || lastFrameCount(segmentLog) === 0) {
            throw new JobFailedError(
              `Segment ${segment.index + 1} of ${count} (from ${Math.round(segment.start)} s) has no frames: the file ends before the ${Math.round(duration)} s it claims to last, so it was probably cut short.`,
            );
          }
          done[segment.index] = segmentLength(segment);
          if (keeper && folder) await keepFinished(keeper, job.id, { index: segment.index, folder, name, bytes: segmentFile.size }, count, context);
          // On disk (OPFS) until the join reads it through WORKERFS.
          return segmentFile;
        } catch (error) {
          siblings.abort();
          if (isAbortError(error) || error instanceof JobFailedError) throw error;
          if (error instanceof OutputWriteError) throw new JobFailedError(writeFailureSentence(error));
          if (error instanceof FfmpegExitError) {
            throw new JobFailedError(`Segment ${segment.index + 1} of ${count} failed: ${explainFailure(segmentLog, error.exitCode, plan.source.file.name)}`);
          }
          throw error;
        }
      }),
    );
  } catch (error) {
    // Promise.all rejects with the first error; a sibling's AbortError is not the cause.
    throw context.signal.aborted ? abortError() : error;
  } finally {
    context.signal.removeEventListener('abort', stopSiblings);
  }
  throwIfAborted(context.signal);

  const outputFile = `output.${preset.extension}`;
  const list = segments
    .map((s) => `file '/in/${segmentName(s.index)}'${s.index < count - 1 ? `\nduration ${(s.frames / frameRate).toFixed(6)}` : ''}`)
    .join('\n');
  const joinArgs = [
    '-f', 'concat', '-safe', '0', '-i', '/work/segments.txt',
    // The sound comes from the source, over the same range as the picture.
    ...(trimStart > 0 ? ['-ss', String(trimStart)] : []),
    ...(plan.edits.trim?.end != null && info.durationSec !== null ? ['-t', String(info.durationSec)] : []),
    '-i', `/in/${input.name}`,
    '-map', '0:v:0', ...(parts.audio.length ? ['-map', `1:a:${plan.edits.audioTrack ?? 0}`] : []),
    // The segments' colour tags again: NUT drops them, and an MPEG-4 Part 2 stream has them in its container only.
    '-c:v', 'copy', ...colourTagArgs(parts.video), ...parts.audio,
    ...parts.mux,
    `/out/${outputFile}`,
  ];
  const joined = await pool.run(
    withScratch(
      {
        inputs: [input, ...blobs.map((data, i) => ({ name: segmentName(i), data }))],
        textFiles: [{ name: 'segments.txt', text: `${list}\n` }],
        args: joinArgs,
        outputs: [outputFile],
      },
      plan,
    ),
    (lines) => {
      context.onLog(lines.map((line) => `[join] ${line}`));
      lastOutTime(lines, (seconds) => reportProgress((1 - SEGMENTS_SHARE) * progressOf(seconds, duration)));
    },
    context.signal,
  );
  job.log.push(`[ffbatch] ${count} segments joined.`);
  return joined.outputs[0] ?? new Blob([]);
}
