/**
 * A person's own presets: ffmpeg arguments written as on a command line, between the input
 * and the output, checked before they are saved. Pure: parsing, refusals, the recipe's old
 * spellings, the argument list, the dry run's arguments, export and import.
 */
import { checkPresetChoices, describeChoices, PresetChoicesError, specFromChoices, type PresetChoices } from './form-preset';
import { PresetMismatchError, presetFromSpec, SPEC_EXTENSIONS, type CustomPresetId, type Preset } from './presets';
import { shellWords, ShellSyntaxError } from './shell-words';
import type { SourceInfo } from './source-info';

/**
 * A container a preset of one's own can write.
 *
 * @example
 * ```ts
 * const audioOnly: Container[] = CONTAINERS.filter((c) => c.audioOnly);
 * ```
 */
export interface Container {
  id: string;
  label: string;
  extension: string;
  /** ffmpeg's muxer (`-f`). */
  muxer: string;
  mimeType: string;
  audioOnly: boolean;
}

/**
 * The muxers the core has that a person is likely to want: the containers a preset of
 * one's own may name.
 *
 * @example
 * ```ts
 * const options = CONTAINERS.map((c) => new Option(c.label, c.id));
 * ```
 */
export const CONTAINERS: readonly Container[] = [
  { id: 'mp4', label: 'MP4', extension: 'mp4', muxer: 'mp4', mimeType: 'video/mp4', audioOnly: false },
  { id: 'mov', label: 'MOV', extension: 'mov', muxer: 'mov', mimeType: 'video/quicktime', audioOnly: false },
  { id: 'mkv', label: 'MKV', extension: 'mkv', muxer: 'matroska', mimeType: 'video/x-matroska', audioOnly: false },
  { id: 'webm', label: 'WebM', extension: 'webm', muxer: 'webm', mimeType: 'video/webm', audioOnly: false },
  { id: 'flv', label: 'FLV', extension: 'flv', muxer: 'flv', mimeType: 'video/x-flv', audioOnly: false },
  { id: 'avi', label: 'AVI', extension: 'avi', muxer: 'avi', mimeType: 'video/x-msvideo', audioOnly: false },
  { id: 'mp3', label: 'MP3', extension: 'mp3', muxer: 'mp3', mimeType: 'audio/mpeg', audioOnly: true },
  { id: 'm4a', label: 'M4A', extension: 'm4a', muxer: 'ipod', mimeType: 'audio/mp4', audioOnly: true },
  { id: 'ogg', label: 'Ogg', extension: 'ogg', muxer: 'ogg', mimeType: 'audio/ogg', audioOnly: true },
  { id: 'opus', label: 'Opus', extension: 'opus', muxer: 'opus', mimeType: 'audio/ogg', audioOnly: true },
  { id: 'wav', label: 'WAV', extension: 'wav', muxer: 'wav', mimeType: 'audio/wav', audioOnly: true },
  { id: 'flac', label: 'FLAC', extension: 'flac', muxer: 'flac', mimeType: 'audio/flac', audioOnly: true },
];

/**
 * One of {@link CONTAINERS} by id, or undefined.
 *
 * @example
 * ```ts
 * containerById('mkv')?.extension; // "mkv"
 * ```
 */
export function containerById(id: string): Container | undefined {
  return CONTAINERS.find((c) => c.id === id);
}

/**
 * A preset of one's own as kept: the arguments as the person wrote them, and as words.
 *
 * @example
 * ```ts
 * for (const preset of session.customPresets.list()) console.log(preset.id, preset.argsText);
 * ```
 */
export interface CustomPreset {
  /** `custom-<slug>` */
  id: CustomPresetId;
  name: string;
  container: string;
  /** As written (quotes and all), for editing. */
  argsText: string;
  /** As ffmpeg receives them. */
  args: string[];
  /**
   * A preset built from choices (the form): its spec is compiled from these, and it runs
   * like a built-in (the fast route where it can); `argsText` is then '' and `args` empty.
   */
  choices?: PresetChoices;
  createdAt: number;
  updatedAt: number;
}

/**
 * A check refused the arguments; `message` is the sentence the form shows.
 *
 * @example
 * ```ts
 * try { encoder.call(file, { name: 'x', container: 'mp4', args: '-ab 56' }); }
 * catch (error) { if (error instanceof CustomPresetError) alert(error.message); } // "… write -b:a 56k …"
 * ```
 */
export class CustomPresetError extends Error {
  override name = 'CustomPresetError';
}

/** "Recipe (2010) FLV!" → "recipe-2010-flv". */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
}

/** `custom-<slug>`, with -2, -3 … when another preset has it (`own` keeps its id when edited). */
export function customPresetId(name: string, taken: ReadonlySet<string>, own?: string): CustomPresetId {
  const slug = slugOf(name);
  if (!slug) throw new CustomPresetError('Give the preset a name with at least one letter or digit.');
  const base: CustomPresetId = `custom-${slug}`;
  if (base === own || !taken.has(base)) return base;
  for (let n = 2; ; n++) if (`${base}-${n}` === own || !taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Options that take no value (so the word after them is another option, not theirs). */
const NO_VALUE = new Set(
  'an vn sn dn y n shortest copyts start_at_zero hide_banner nostdin stats benchmark benchmark_all accurate_seek noaccurate_seek autorotate noautorotate autoscale noautoscale ignore_unknown copy_unknown re xerror bitexact dump hex qphist debug_ts fix_sub_duration sameq same_quant deinterlace psnr intra'
    .split(' ')
    .map((o) => `-${o}`),
);

/** Options that would read or write files by name, or take over what ffbatch decides. */
const REFUSED_OPTIONS: [RegExp, string][] = [
  [/^-i$/, 'Leave out -i: the input is each file you add.'],
  [/^-(filter_script|filter_complex_script)(:.*)?$/, 'filter scripts are read from a file: write the filters inline with -vf, -af or -filter_complex.'],
  [/^-\//, 'options that read their value from a file (-/option) are not allowed: write the value inline.'],
  [/^-(attach|dump_attachment)(:.*)?$/, 'attachments are read from or written to files by name.'],
  [/^-(pass|passlogfile)(:.*)?$/, 'two-pass encoding writes a log file between passes, which ffbatch does not keep; use one pass (-crf, or -b:v alone).'],
  [/^-(vstats|vstats_file|vstats_version|progress|report|sdp_file|stats_enc_pre|stats_enc_post|stats_mux_pre)(:.*)?$/, 'writes statistics to a file by name.'],
  [/^-(fpre|vpre|apre|spre|pre)(:.*)?$/, 'preset files are read by name and the core has none: write the options themselves.'],
  [/^-(v|loglevel|nostats|stats_period)$/, "ffbatch reads ffmpeg's log for progress and errors: leave the log level as it is."],
  [/^-(init_hw_device|filter_hw_device|hwaccel.*)$/, 'there is no hardware acceleration inside the page.'],
];

/** Protocols that open something by name (a file, the network, a pipe). */
const PROTOCOL = /(?:^|[^a-z0-9_])(concat|subfile|file|https?|ftp|sftp|tcp|udp|rtp|rtsp|srtp|rtmp[a-z]*|pipe|fd|data|crypto|cache|async|tee|srt|tls|unix|gopher|icecast|mmsh|mmst|smb|ipfs|ipns|hls|zmq|android_content):/i;

/** Filters that open files (or devices) by name. */
const FILE_FILTERS = new Set(['movie', 'amovie', 'subtitles', 'ass', 'lut3d', 'lut1d', 'sendcmd', 'asendcmd', 'ladspa', 'lv2', 'frei0r', 'frei0r_src', 'zmq', 'azmq', 'coreimage', 'coreimagesrc', 'openclsrc']);
const FILE_OPTIONS = /(?:^|[=:,])(filename|textfile|fontfile|file|stats_file|log_fn)=/i;

const FILTER_OPTION = /^-(vf|af|filter(:.*)?|filter_complex|lavfi)$/;
const CODEC_OPTION = /^-((c|codec)(:.*)?|vcodec|acodec|scodec|dcodec)$/;

/** The filters named in a filtergraph ("[0:v]scale=-2:360,fps=25[v];[0:a]anull" → scale, fps, anull). */
export function filterNames(graph: string): string[] {
  const names: string[] = [];
  // Quoted or escaped parts of option values may hold , and ; too: drop them first.
  const plain = graph.replace(/\\./g, '').replace(/'[^']*'/g, "''");
  for (const chain of plain.split(';')) {
    for (const step of chain.split(',')) {
      const name = step.trim().replace(/^(\[[^\]]*\]\s*)+/, '').split(/[=@[\s]/)[0] ?? '';
      // A step of a filter's own option list ("scale=w=1:h=2" has none, "x=1,y=2" never reaches here) is skipped when empty.
      if (name) names.push(name);
    }
  }
  return names;
}

/** One old spelling found in the arguments and exactly what to write instead. */
export interface LegacyHint {
  found: string;
  write: string;
  why: string;
}

const OLD_AAC = new Set(['libfaac', 'libvo_aacenc', 'libaacplus']);

/** Spellings of the ffmpeg of 2010 that today's ffmpeg (5.1 in the core) reads differently or refuses. */
export function legacyHints(words: readonly string[]): LegacyHint[] {
  const hints: LegacyHint[] = [];
  for (let i = 0; i < words.length; i++) {
    const opt = words[i] ?? '';
    const value = words[i + 1];
    if (opt === '-ab' && value !== undefined && /^\d+(\.\d+)?$/.test(value) && Number(value) < 1000) {
      hints.push({ found: `-ab ${value}`, write: `-b:a ${value}k`, why: `in 2010 ffmpeg read -ab ${value} as ${value} kb/s; today it means ${value} bits per second` });
    }
    if (/^-flags(:\w+)?$/.test(opt) && value !== undefined && /(^|[+-])4mv\b/.test(value)) {
      const fixed = value.replace(/4mv/g, 'mv4').replace(/[+-]trell\b/g, '');
      hints.push({ found: `${opt} ${value}`, write: `-flags:v ${fixed}`, why: 'the flag is spelled mv4 today, and it belongs to the video encoder only (on its own it also reaches the audio encoder, which fails)' });
    } else if (/^-flags(:\w+)?$/.test(opt) && value !== undefined && /[+-]trell\b/.test(value)) {
      hints.push({ found: `${opt} ${value}`, write: '-trellis 1', why: 'the trell flag became the -trellis option' });
    }
    if (value !== undefined && opt.startsWith('-') && /^\d+(\.\d+)?kb$/i.test(value)) {
      hints.push({ found: `${opt} ${value}`, write: `${opt} ${value.slice(0, -1)}`, why: 'today "kb" is not a unit ffmpeg reads: k alone means thousand bits per second' });
    }
    if (CODEC_OPTION.test(opt) && value !== undefined && OLD_AAC.has(value)) {
      hints.push({ found: `${opt} ${value}`, write: `${opt} aac`, why: `${value} is gone from ffmpeg; its own AAC encoder is aac` });
    }
    if (opt === '-title' && value !== undefined) hints.push({ found: `-title ${value}`, write: `-metadata title=${value}`, why: '-title was removed; titles are metadata' });
    if (opt === '-sameq' || opt === '-same_quant') hints.push({ found: opt, write: '-q:v 1', why: `${opt} was removed (it never meant "same quality")` });
    if (opt === '-deinterlace') hints.push({ found: opt, write: '-vf yadif', why: '-deinterlace was removed; the yadif filter does it' });
  }
  return hints;
}

export interface CheckOptions {
  /** Encoder names the core has (`ffmpeg -encoders`); unchecked when absent. */
  encoders?: ReadonlySet<string>;
  /**
   * Codec names the core encodes (`parseCodecNames`): `-c:v h264` selects the codec's default
   * encoder in ffmpeg, so a codec name passes as an encoder name does.
   */
  codecs?: ReadonlySet<string>;
  /** Filter names the core has (`ffmpeg -filters`); unchecked when absent. */
  filters?: ReadonlySet<string>;
  /** The container picked: a `-f` naming its muxer is accepted (and dropped), any other refused. */
  container?: string;
}

/**
 * Parses `text` and checks it before anything is saved. Returns the words, or throws a
 * CustomPresetError with one sentence saying what to change.
 */
export function checkCustomArgs(text: string, options: CheckOptions = {}): string[] {
  let words: string[];
  try {
    words = shellWords(text);
  } catch (error) {
    if (error instanceof ShellSyntaxError) throw new CustomPresetError(error.message);
    throw error;
  }
  // Pasted whole: "ffmpeg -i in.avi … out.flv" is read as a person meant it, then refused with what to remove.
  if (words[0] === 'ffmpeg') throw new CustomPresetError('Leave out "ffmpeg": write only the arguments between the input and the output.');
  if (words.length === 0) throw new CustomPresetError('Write at least one ffmpeg argument, for example -c:v libx264 -crf 28.');

  const hints = legacyHints(words);
  if (hints.length > 0) {
    throw new CustomPresetError(`Written for the ffmpeg of 2010: ${hints.map((h) => `write ${h.write} for ${h.found} (${h.why})`).join('; ')}.`);
  }

  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-f') {
      const value = words[i + 1] ?? '';
      const container = options.container ? containerById(options.container) : undefined;
      if (container && (value === container.muxer || value === container.id)) {
        i++;
        continue;
      }
      throw new CustomPresetError(`Leave out -f${value ? ` ${value}` : ''}: the Container you pick sets the output format${container ? ` (${container.label} is ${container.muxer})` : ''}.`);
    }
    if (PROTOCOL.test(word)) throw new CustomPresetError(`"${word}" names a protocol that opens files or the network (${PROTOCOL.exec(word)?.[1] ?? ''}:), which a preset may not do.`);
    if (!word.startsWith('-') || /^-\d/.test(word)) {
      throw new CustomPresetError(`"${word}" is not an option nor an option's value: leave out input and output files (ffbatch names the output after its source).`);
    }
    for (const [pattern, why] of REFUSED_OPTIONS) {
      if (pattern.test(word)) throw new CustomPresetError(why.startsWith('Leave') ? why : `${word}: ${why}`);
    }
    kept.push(word);
    if (NO_VALUE.has(word)) continue;
    const value = words[i + 1];
    if (value === undefined) throw new CustomPresetError(`${word} needs a value after it.`);
    kept.push(value);
    i++;
    if (PROTOCOL.test(value)) throw new CustomPresetError(`"${value}" names a protocol that opens files or the network (${PROTOCOL.exec(value)?.[1] ?? ''}:), which a preset may not do.`);
    if (/^-map(:.*)?$/.test(word) && /^\[?-?\d/.test(value) && !/^-?0(:|$)/.test(value)) {
      throw new CustomPresetError(`-map ${value}: a preset has one input (0), the file being converted.`);
    }
    if (FILTER_OPTION.test(word)) {
      if (FILE_OPTIONS.test(value)) throw new CustomPresetError(`${word} ${value}: a filter option here reads a file by name, which a preset may not do.`);
      for (const name of filterNames(value)) {
        if (FILE_FILTERS.has(name)) throw new CustomPresetError(`The ${name} filter opens files by name, which a preset may not do.`);
        if (options.filters && !options.filters.has(name)) throw new CustomPresetError(`This ffmpeg has no filter named "${name}".`);
      }
    }
    if (CODEC_OPTION.test(word) && value !== 'copy' && options.encoders && !options.encoders.has(value) && !options.codecs?.has(value)) {
      throw new CustomPresetError(`This ffmpeg has no encoder named "${value}" (${word} ${value}).`);
    }
  }
  return kept;
}

/** Reads the names out of `ffmpeg -hide_banner -encoders` (" V....D libx264   libx264 H.264 …"). */
export function parseEncoderList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*[VASD][.FSXBD]{5}\s+(\S+)\s/.exec(line);
    if (m?.[1] && m[1] !== '=') names.add(m[1]);
  }
  return names;
}

/**
 * Reads the codec names out of `ffmpeg -hide_banner -encoders`: the "(codec h264)" of an
 * encoder named otherwise (libx264), and the encoder's own name where it is the codec's
 * (aac, mpeg4). ffmpeg 5.1 takes either after -c:v / -c:a.
 */
export function parseCodecNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*[VASD][.FSXBD]{5}\s+(\S+)\s.*?(?:\(codec (\S+)\))?\s*$/.exec(line);
    if (!m?.[1] || m[1] === '=') continue;
    names.add(m[2] ?? m[1]);
  }
  return names;
}

/** Reads the names out of `ffmpeg -hide_banner -filters` (" TSC scale   V->V   Scale the input …"). */
export function parseFilterList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*[T.][S.][C.]\s+(\S+)\s+\S*->\S*\s/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

/** ffmpeg's whole argument list for a custom preset: input, the person's words, the container's muxer, output. */
export function customPresetArgs(preset: Pick<CustomPreset, 'args' | 'container'>, paths: { input: string; output: string }): string[] {
  const container = containerById(preset.container);
  if (!container) throw new CustomPresetError(`Unknown container "${preset.container}".`);
  return ['-i', paths.input, ...preset.args, '-f', container.muxer, paths.output];
}

/**
 * The dry run, step 1: one second of generated picture and sound (source filters, so no
 * input device is needed), H.264 + AAC in MP4 like a common source.
 */
export function dryRunClipArgs(clip: string): string[] {
  return [
    '-filter_complex',
    'testsrc2=size=320x240:rate=25:duration=1[v];sine=frequency=440:sample_rate=48000:duration=1[a]',
    '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-f', 'mp4', clip,
  ];
}

/**
 * The dry run, step 2: the preset's arguments on that clip, so a mistyped option fails with
 * ffmpeg's own line before anything is queued.
 */
export function dryRunArgs(preset: Pick<CustomPreset, 'args' | 'container'>, clip: string, output: string): string[] {
  const args = customPresetArgs(preset, { input: clip, output });
  return [...args.slice(0, -3), '-t', '1', ...args.slice(-3)];
}

/** Where the dry run writes, in the worker's memory (removed after it). */
export const DRY_RUN_CLIP = '/work/dry-run-clip.mp4';

/** The dry run's two ffmpeg runs: make the clip, then the preset on it (output in memory, one second). */
export function dryRunSteps(preset: Pick<CustomPreset, 'args' | 'container'>): string[][] {
  const container = containerById(preset.container);
  if (!container) throw new CustomPresetError(`Unknown container "${preset.container}".`);
  return [dryRunClipArgs(DRY_RUN_CLIP), dryRunArgs(preset, DRY_RUN_CLIP, `/work/dry-run-output.${container.extension}`)];
}

const LOG_NOISE = /^(Aborted\(\)|Conversion failed!?|frame=|size=|video:|\s*$)/;
const LOG_ERROR = /error|invalid|unrecogni[sz]ed|unknown|not found|no such|cannot|can't|could not|unable|failed|incompatible|not supported|does not|must be|too (big|small|many|few)|out of range/i;

/**
 * ffmpeg's own line saying why the dry run failed: the first line that reads as an error
 * (without the `@ 0x…` addresses and the worker's paths), else the last line of the log.
 *
 * @example
 * dryRunFailureLine(["Unrecognized option 'crff'.", 'Error splitting the argument list: Option not found', 'Aborted()']); // "Unrecognized option 'crff'."
 */
export function dryRunFailureLine(log: readonly string[], exitCode: number): string {
  const lines = log.map((line) => line.trim().replace(/ @ 0x[0-9a-f]+\]/g, ']').replace(/\/work\/dry-run-(clip|output)\.\w+/g, '(test clip)')).filter((line) => !LOG_NOISE.test(line));
  return lines.find((line) => LOG_ERROR.test(line)) ?? lines.at(-1) ?? `ffmpeg stopped with exit code ${exitCode}.`;
}

/** Builds the record to save (throws CustomPresetError when a check refuses it). */
export function makeCustomPreset(
  input: { name: string; container: string; argsText: string },
  taken: ReadonlySet<string>,
  now: number,
  previous?: CustomPreset,
  options: CheckOptions = {},
): CustomPreset {
  const name = input.name.trim();
  if (!name) throw new CustomPresetError('Give the preset a name.');
  if (!containerById(input.container)) throw new CustomPresetError('Pick a container.');
  const args = checkCustomArgs(input.argsText, { ...options, container: input.container });
  return {
    id: customPresetId(name, taken, previous?.id),
    name,
    container: input.container,
    argsText: input.argsText.trim(),
    args,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
}

/** The export file: `{ "ffbatch": "presets", "version": 1, "presets": [...] }`. */
export function exportCustomPresets(presets: readonly CustomPreset[]): string {
  return JSON.stringify(
    { ffbatch: 'presets', version: 1, presets: presets.map(({ name, container, argsText, choices }) => (choices ? { name, choices } : { name, container, argsText })) },
    null,
    2,
  );
}

/**
 * Builds the record of a form-built preset (throws CustomPresetError when the choices do
 * not go together, with the form's sentence).
 */
export function makeFormPreset(input: { name: string; choices: unknown }, taken: ReadonlySet<string>, now: number, previous?: CustomPreset): CustomPreset {
  const name = input.name.trim();
  if (!name) throw new CustomPresetError('Give the preset a name.');
  let choices: PresetChoices;
  let container: string;
  try {
    choices = checkPresetChoices(input.choices);
    container = specFromChoices(choices).container;
  } catch (error) {
    if (error instanceof PresetChoicesError) throw new CustomPresetError(error.message);
    throw error;
  }
  return { id: customPresetId(name, taken, previous?.id), name, container, argsText: '', args: [], choices, createdAt: previous?.createdAt ?? now, updatedAt: now };
}

/**
 * Reads an export file back. Every preset is checked again (a file is input from outside);
 * ids are made afresh against `taken`. Throws a TypeError naming the field that is wrong.
 */
export function importCustomPresets(json: string, taken: ReadonlySet<string>, now: number, options: CheckOptions = {}): CustomPreset[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new TypeError('The file is not JSON.');
  }
  if (typeof data !== 'object' || data === null || (data as Record<string, unknown>)['ffbatch'] !== 'presets') throw new TypeError('The file is not an ffbatch presets export (its "ffbatch" field must be "presets").');
  const list = (data as Record<string, unknown>)['presets'];
  if (!Array.isArray(list)) throw new TypeError('presets must be an array.');
  const ids = new Set(taken);
  return list.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw new TypeError(`presets[${i}] must be an object.`);
    const { name, container, argsText, choices } = item as Record<string, unknown>;
    if (typeof name !== 'string') throw new TypeError(`presets[${i}].name must be a string.`);
    if (choices !== undefined) {
      let preset: CustomPreset;
      try {
        preset = makeFormPreset({ name, choices }, ids, now);
      } catch (error) {
        if (error instanceof CustomPresetError) throw new CustomPresetError(`${name}: ${error.message}`);
        throw error;
      }
      ids.add(preset.id);
      return preset;
    }
    if (typeof container !== 'string') throw new TypeError(`presets[${i}].container must be a string.`);
    if (typeof argsText !== 'string') throw new TypeError(`presets[${i}].argsText must be a string.`);
    let preset: CustomPreset;
    try {
      preset = makeCustomPreset({ name, container, argsText }, ids, now, undefined, options);
    } catch (error) {
      if (error instanceof CustomPresetError) throw new CustomPresetError(`${name}: ${error.message}`);
      throw error;
    }
    ids.add(preset.id);
    return preset;
  });
}

/** A generous guess at a custom preset's output size: its settings are unknown, so the source's size × 1.5. */
export const CUSTOM_ESTIMATE_FACTOR = 1.5;

/**
 * A custom preset in the shape of a built-in one: run on ffmpeg.wasm whole, never split
 * (`parts: null`). Its relativeCost, which orders the queue, is `learntCost()` once its runs
 * have taught one (read afresh each time), 1 until then.
 */
export function customPresetShape(preset: CustomPreset, learntCost: () => number | null = () => null): Preset {
  if (preset.choices) return formPresetShape(preset, preset.choices, learntCost);
  const container = containerById(preset.container);
  if (!container) throw new CustomPresetError(`Unknown container "${preset.container}".`);
  return {
    id: preset.id,
    label: preset.name,
    summary: `${container.label} · ${preset.argsText}`,
    container: container.id,
    extension: container.extension,
    mimeType: container.mimeType,
    nameSuffix: preset.id.slice('custom-'.length),
    get relativeCost() {
      return learntCost() ?? 1;
    },
    estimateBytes: (_source: SourceInfo, sourceBytes: number) => Math.ceil(sourceBytes * CUSTOM_ESTIMATE_FACTOR),
    args(source, paths) {
      if (container.audioOnly && !source.audio) throw new PresetMismatchError(`This file has no audio track, so there is nothing to put in ${container.label}.`);
      if (!source.video && !source.audio) throw new PresetMismatchError('ffmpeg found no picture or sound in this file.');
      return customPresetArgs(preset, paths);
    },
    parts: null,
  };
}

/** Form-built presets start at the H.264 720p built-in's cost, then learn their own. */
const FORM_START_COST = 6;

/** A form-built preset: a preset from its spec (both engines, split where it pays), named by the person. */
function formPresetShape(preset: CustomPreset, choices: PresetChoices, learntCost: () => number | null): Preset {
  const spec = specFromChoices(choices);
  const shape = presetFromSpec({
    id: preset.id,
    group: 'own',
    label: preset.name,
    summary: describeChoices(choices),
    extension: SPEC_EXTENSIONS[spec.container],
    nameSuffix: preset.id.slice('custom-'.length),
    relativeCost: FORM_START_COST,
    spec,
  });
  return {
    ...shape,
    get relativeCost() {
      return learntCost() ?? FORM_START_COST;
    },
  };
}
