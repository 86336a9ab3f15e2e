/**
 * The native ffmpeg command that makes the same output as a job: the spec's arguments (or an
 * Advanced preset's words), input and output named by their file names.
 */
import { applyEditsToArgs, editedSourceInfo, type Edits } from '../presets/edits';
import { specArgs } from '../presets/ffmpeg-compile';
import { checkOutputSpec, type OutputSpec } from '../presets/output-spec';
import { presetById, type PresetId } from '../presets/presets';
import { quoteWords } from '../presets/shell-words';
import type { SourceInfo } from '../presets/source-info';

/**
 * ffmpeg's arguments (without the program name) for a preset id or an output spec on a
 * probed source. Throws `PresetMismatchError` when the source cannot make this output, and a
 * `TypeError` naming the field for a bad spec. AV1 compiles (libaom) though ffmpeg.wasm cannot run it.
 *
 * @example
 * ```ts
 * toFfmpegArgs('mp4-h264-720p', info, { input: 'clip.mov', output: 'clip-720p.mp4' });
 * // ['-i', 'clip.mov', '-map', '0:v:0', '-map', '0:a:0', '-vf', 'scale=1280:720,setsar=1', '-c:v', 'libx264', …, 'clip-720p.mp4']
 * ```
 */
export function toFfmpegArgs(preset: PresetId | OutputSpec, source: SourceInfo, names: { input: string; output: string }, edits: Edits = {}): string[] {
  // The job's edits, as the worker applies them (a burned subtitle's font is looked for beside the input).
  const info = editedSourceInfo(source, edits);
  const container = typeof preset === 'string' ? presetById(preset).container : preset.container;
  const finish = (args: string[]): string[] => applyEditsToArgs(args, edits, { inputPath: names.input, container, fontsDir: '.' });
  if (typeof preset === 'string') {
    const known = presetById(preset);
    return finish(known.spec ? specArgs(known.spec, info, names) : known.args(info, names));
  }
  return finish(specArgs(checkOutputSpec(preset), info, names));
}

/**
 * The same as one line for a shell: `ffmpeg -i 'my clip.mov' … out.mp4`, quoted where needed.
 *
 * @example
 * ```ts
 * await navigator.clipboard.writeText(toFfmpegCommand('mp3-audio', info, { input: 'talk.mkv', output: 'talk.mp3' }));
 * ```
 */
export function toFfmpegCommand(preset: PresetId | OutputSpec, source: SourceInfo, names: { input: string; output: string }, edits: Edits = {}): string {
  return quoteWords(['ffmpeg', ...toFfmpegArgs(preset, source, names, edits)]);
}
