import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  checkCustomArgs,
  CONTAINERS,
  customPresetArgs,
  customPresetId,
  CustomPresetError,
  customPresetShape,
  dryRunArgs,
  dryRunClipArgs,
  dryRunFailureLine,
  dryRunSteps,
  exportCustomPresets,
  filterNames,
  importCustomPresets,
  legacyHints,
  makeCustomPreset,
  parseCodecNames,
  parseEncoderList,
  parseFilterList,
  slugOf,
} from '../../src/presets/custom-preset';
import { quoteWords, shellWords, ShellSyntaxError } from '../../src/presets/shell-words';
import { CustomPresetStore } from '../../src/storage/custom-preset-store';
import { coreChecks, CustomPresetLibrary } from '../../src/jobs/custom-preset-library';
import { isPresetId, presetById } from '../../src/presets/presets';
import { loadCoreInNode } from '../support/node-core';

describe('shellWords', () => {
  it('splits on blanks', () => {
    expect(shellWords('  -c:v libx264\t-crf 28\n-vf scale=-2:360 ')).toEqual(['-c:v', 'libx264', '-crf', '28', '-vf', 'scale=-2:360']);
  });

  it('reads single quotes literally', () => {
    expect(shellWords(`-metadata 'title=My "big" day' -vf 'drawbox=x=1:y=2, fps=25'`)).toEqual(['-metadata', 'title=My "big" day', '-vf', 'drawbox=x=1:y=2, fps=25']);
    expect(shellWords(`'a\\b'`)).toEqual(['a\\b']);
  });

  it('reads double quotes with their four escapes only', () => {
    expect(shellWords(`-metadata "title=It's \\"here\\" \\\\ now" "a\\b"`)).toEqual(['-metadata', 'title=It\'s "here" \\ now', 'a\\b']);
  });

  it('joins quoted and plain parts of one word, and keeps empty quoted words', () => {
    expect(shellWords(`-vf scale='-2':"360" -metadata ''`)).toEqual(['-vf', 'scale=-2:360', '-metadata', '']);
  });

  it('reads backslash escapes and line continuations outside quotes', () => {
    expect(shellWords('-metadata title=a\\ b \\\n-crf 20')).toEqual(['-metadata', 'title=a b', '-crf', '20']);
    expect(shellWords('-vf scale=1\\;2')).toEqual(['-vf', 'scale=1;2']);
  });

  it('skips comments', () => {
    expect(shellWords('-crf 20 # smaller\n-an')).toEqual(['-crf', '20', '-an']);
    expect(shellWords('-metadata a#b')).toEqual(['-metadata', 'a#b']);
  });

  it('refuses what only a shell would do, saying where', () => {
    expect(() => shellWords('-crf 20 | tee log')).toThrow(/pipe.*character 9/);
    expect(() => shellWords('-crf 20 > out.mp4')).toThrow(/redirection/);
    expect(() => shellWords('-crf $CRF')).toThrow(ShellSyntaxError);
    expect(() => shellWords('-metadata "title=$USER"')).toThrow(/inside double quotes/);
    expect(() => shellWords('-crf 20; rm -rf /')).toThrow(/second command/);
    expect(shellWords("-metadata 'a|b;c$d'")).toEqual(['-metadata', 'a|b;c$d']);
  });

  it('refuses unclosed quotes and a trailing backslash', () => {
    expect(() => shellWords(`-metadata 'title=x`)).toThrow(/single quote.*character 11.*never closed/);
    expect(() => shellWords(`-metadata "title=x`)).toThrow(/double quote.*never closed/);
    expect(() => shellWords('-an \\')).toThrow(/lone backslash/);
  });

  it('quotes words back so that they split the same', () => {
    const words = ['-metadata', "title=It's a \"day\"", '-vf', 'scale=-2:360', '', 'a b'];
    expect(shellWords(quoteWords(words))).toEqual(words);
  });
});

describe('checkCustomArgs', () => {
  it('accepts a modern command line', () => {
    expect(checkCustomArgs('-c:v libx264 -preset veryfast -crf 28 -vf scale=-2:360 -c:a aac -b:a 96k')).toEqual(['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-vf', 'scale=-2:360', '-c:a', 'aac', '-b:a', '96k']);
    expect(checkCustomArgs('-an -c:v libvpx-vp9 -b:v 0 -crf 40 -map 0:v:0')).toHaveLength(9);
  });

  it('refuses an input, an output path and a pasted ffmpeg', () => {
    expect(() => checkCustomArgs('-i other.mp4 -c:v libx264')).toThrow(/Leave out -i/);
    expect(() => checkCustomArgs('-c:v libx264 out.mp4')).toThrow(/"out.mp4" is not an option.*leave out input and output files/);
    expect(() => checkCustomArgs('-an out.mp3')).toThrow(/"out.mp3"/);
    expect(() => checkCustomArgs('ffmpeg -i in.avi -c:v libx264 out.mp4')).toThrow(/Leave out "ffmpeg"/);
    expect(() => checkCustomArgs('  ')).toThrow(CustomPresetError);
    expect(() => checkCustomArgs('-crf')).toThrow(/-crf needs a value/);
  });

  it('takes a value of an option even when it starts with a minus', () => {
    expect(checkCustomArgs('-strict -2 -vf scale=-2:360')).toEqual(['-strict', '-2', '-vf', 'scale=-2:360']);
  });

  it('accepts -f only when it names the picked container, and drops it', () => {
    expect(checkCustomArgs('-f flv -b:v 200k', { container: 'flv' })).toEqual(['-b:v', '200k']);
    expect(checkCustomArgs('-f matroska -c copy', { container: 'mkv' })).toEqual(['-c', 'copy']);
    expect(() => checkCustomArgs('-f avi -b:v 200k', { container: 'mp4' })).toThrow(/Leave out -f avi.*MP4 is mp4/);
  });

  it('refuses protocols and filters that open files by name', () => {
    expect(() => checkCustomArgs("-vf 'movie=logo.png[l];[in][l]overlay'")).toThrow(/movie filter opens files/);
    expect(() => checkCustomArgs('-af amovie=x.wav')).toThrow(/amovie/);
    expect(() => checkCustomArgs('-filter_complex "[0:v]subtitles=subs.srt"')).toThrow(/subtitles filter/);
    expect(() => checkCustomArgs("-metadata 'title=concat:a.mp4|b.mp4'")).toThrow(/protocol.*concat:/);
    expect(() => checkCustomArgs('-vf "drawtext=textfile=/etc/passwd"')).toThrow(/reads a file by name/);
    expect(() => checkCustomArgs('-c:v libx264 -x264opts stats=subfile:,,start,0,end,0,,:/x')).toThrow(/subfile/);
    expect(() => checkCustomArgs('-metadata comment=https://example.com')).toThrow(/https:/);
    expect(() => checkCustomArgs('-filter_complex_script graph.txt')).toThrow(/filter scripts/);
    expect(() => checkCustomArgs('-/vf graph.txt')).toThrow(/read their value from a file/);
    expect(() => checkCustomArgs('-pass 1 -c:v libx264')).toThrow(/two-pass/);
    expect(() => checkCustomArgs('-vpre slow')).toThrow(/preset files/);
    expect(() => checkCustomArgs('-loglevel quiet')).toThrow(/log/);
    expect(() => checkCustomArgs('-map 1:a')).toThrow(/one input/);
    // A colon inside a filter's options is no protocol.
    expect(checkCustomArgs("-vf 'scale=w=640:h=-2,pad=640:480:(ow-iw)/2:(oh-ih)/2'")).toHaveLength(2);
  });

  it('checks encoders and filters against the lists the core gives', () => {
    const encoders = new Set(['libx264', 'aac', 'libmp3lame']);
    const filters = new Set(['scale', 'fps', 'anull']);
    expect(checkCustomArgs('-c:v libx264 -vf scale=-2:360,fps=25 -c:a aac', { encoders, filters })).toHaveLength(6);
    expect(() => checkCustomArgs('-c:v libx265', { encoders, filters })).toThrow(/no encoder named "libx265"/);
    expect(() => checkCustomArgs('-vcodec libxvid', { encoders })).toThrow(/libxvid/);
    expect(() => checkCustomArgs('-vf scale=-2:360,sclae=1:1', { encoders, filters })).toThrow(/no filter named "sclae"/);
    expect(checkCustomArgs('-c copy', { encoders })).toEqual(['-c', 'copy']);
  });
});

describe('the recipe as written in 2010', () => {
  // The recipe's flv command between input and output, as written then.
  const FLV_2010 = '-ar 44100 -ab 56 -f flv -s 320x240 -b 200k -r 25';
  // Its mp4 command, in the spelling of the day (-b and -s twice: the later wins).
  const MP4_2010 = '-acodec libfaac -ab 128kb -vcodec mpeg4 -b 1200kb -mbd 2 -flags +4mv -cmp 2 -subcmp 2 -s 320x180 -b 1200kb -s 320x180 -r 25';

  it('says exactly what to change in the flv command', () => {
    expect(() => checkCustomArgs(FLV_2010, { container: 'flv' })).toThrow('Written for the ffmpeg of 2010: write -b:a 56k for -ab 56');
  });

  it('works once changed as told, with the matching -f dropped', () => {
    expect(checkCustomArgs(FLV_2010.replace('-ab 56', '-b:a 56k'), { container: 'flv' })).toEqual(['-ar', '44100', '-b:a', '56k', '-s', '320x240', '-b', '200k', '-r', '25']);
  });

  it('says exactly what to change in the mp4 command, all at once', () => {
    const hints = legacyHints(shellWords(MP4_2010));
    expect(hints.map((h) => `${h.found} → ${h.write}`)).toEqual(['-acodec libfaac → -acodec aac', '-ab 128kb → -ab 128k', '-b 1200kb → -b 1200k', '-flags +4mv → -flags:v +mv4', '-b 1200kb → -b 1200k']);
    let fixed = MP4_2010;
    for (const h of hints) fixed = fixed.replace(h.found, h.write);
    expect(legacyHints(shellWords(fixed))).toEqual([]);
    expect(checkCustomArgs(fixed, { container: 'mp4' })).toContain('+mv4');
  });

  it('turns +trell into -trellis', () => {
    expect(legacyHints(['-flags', '+trell'])).toEqual([expect.objectContaining({ write: '-trellis 1' })]);
    expect(legacyHints(['-flags', '+4mv+trell'])).toEqual([expect.objectContaining({ write: '-flags:v +mv4' })]);
  });
});

describe('filterNames', () => {
  it('names every filter of a graph, labels and options left out', () => {
    expect(filterNames('[0:v]scale=-2:360,fps=25[v];[0:a]anull[a]')).toEqual(['scale', 'fps', 'anull']);
    expect(filterNames("drawtext=text='a,b;c':x=1,null")).toEqual(['drawtext', 'null']);
    expect(filterNames('scale@my=1:1')).toEqual(['scale']);
  });
});

describe('lists from the core', () => {
  it('reads encoder and filter names', () => {
    const encoders = parseEncoderList(['Encoders:', ' V..... = Video', ' ------', ' V....D libx264              libx264 H.264 / AVC (codec h264)', ' A....D aac                  AAC (Advanced Audio Coding)', ' VFS..D mpeg4                MPEG-4 part 2'].join('\n'));
    expect([...encoders]).toEqual(['libx264', 'aac', 'mpeg4']);
    const filters = parseFilterList(['Filters:', '  T.. = Timeline support', ' ..C scale             V->V       Scale the input video size and/or convert the image format.', ' TSC anull             A->A       Pass the source unchanged to the output.', ' ... amovie            |->N       Read audio from a movie source.'].join('\n'));
    expect([...filters]).toEqual(['scale', 'anull', 'amovie']);
  });
});

describe('ids, args, dry run, export and import', () => {
  it('makes ids from names, unique among the taken ones', () => {
    expect(slugOf('  Récipe (2010) FLV!  ')).toBe('recipe-2010-flv');
    expect(customPresetId('Small mail', new Set())).toBe('custom-small-mail');
    expect(customPresetId('Small mail', new Set(['custom-small-mail']))).toBe('custom-small-mail-2');
    expect(customPresetId('Small mail', new Set(['custom-small-mail']), 'custom-small-mail')).toBe('custom-small-mail');
    expect(() => customPresetId('!!!', new Set())).toThrow(/letter or digit/);
  });

  it('builds the whole argument list: input, words, muxer, output', () => {
    const preset = makeCustomPreset({ name: 'Small', container: 'mkv', argsText: '-c:v libx264 -crf 30' }, new Set(), 5);
    expect(preset).toMatchObject({ id: 'custom-small', args: ['-c:v', 'libx264', '-crf', '30'], createdAt: 5, updatedAt: 5 });
    expect(customPresetArgs(preset, { input: '/in/input.avi', output: '/out/o.mkv' })).toEqual(['-i', '/in/input.avi', '-c:v', 'libx264', '-crf', '30', '-f', 'matroska', '/out/o.mkv']);
    expect(dryRunArgs(preset, '/tmp/clip.mp4', '/out/dry.mkv')).toEqual(['-i', '/tmp/clip.mp4', '-c:v', 'libx264', '-crf', '30', '-t', '1', '-f', 'matroska', '/out/dry.mkv']);
    const clip = dryRunClipArgs('/tmp/clip.mp4');
    expect(clip).not.toContain('-i');
    expect(clip[1]).toMatch(/testsrc2=.*duration=1.*sine=.*duration=1/);
    expect(clip.at(-1)).toBe('/tmp/clip.mp4');
  });

  it('refuses a missing name or container', () => {
    expect(() => makeCustomPreset({ name: ' ', container: 'mp4', argsText: '-an' }, new Set(), 0)).toThrow(/name/);
    expect(() => makeCustomPreset({ name: 'x', container: 'divx', argsText: '-an' }, new Set(), 0)).toThrow(/container/);
  });

  it('offers the containers the issue lists', () => {
    expect(CONTAINERS.map((c) => c.label)).toEqual(['MP4', 'MOV', 'MKV', 'WebM', 'FLV', 'AVI', 'MP3', 'M4A', 'Ogg', 'Opus', 'WAV', 'FLAC']);
  });

  it('round-trips through an export file, with fresh ids and the checks again', () => {
    const a = makeCustomPreset({ name: 'Small', container: 'mp4', argsText: "-c:v libx264 -metadata 'title=a b'" }, new Set(), 1);
    const b = makeCustomPreset({ name: 'Voice', container: 'mp3', argsText: '-vn -b:a 64k' }, new Set([a.id]), 1);
    const json = exportCustomPresets([a, b]);
    const back = importCustomPresets(json, new Set(), 2);
    expect(back.map((p) => [p.id, p.name, p.container, p.args])).toEqual([
      [a.id, a.name, a.container, a.args],
      [b.id, b.name, b.container, b.args],
    ]);
    // Imported beside the same presets: new ids, nothing overwritten.
    expect(importCustomPresets(json, new Set([a.id, b.id]), 2).map((p) => p.id)).toEqual(['custom-small-2', 'custom-voice-2']);
  });

  it('names the field that is wrong in an import, and re-checks the arguments', () => {
    expect(() => importCustomPresets('nope', new Set(), 0)).toThrow('The file is not JSON.');
    expect(() => importCustomPresets('{"ffbatch":"outputs"}', new Set(), 0)).toThrow(/"ffbatch" field/);
    expect(() => importCustomPresets('{"ffbatch":"presets","presets":[{"name":"x","container":"mp4"}]}', new Set(), 0)).toThrow('presets[0].argsText must be a string.');
    expect(() => importCustomPresets('{"ffbatch":"presets","presets":[{"name":"Evil","container":"mp4","argsText":"-vf movie=/etc/passwd"}]}', new Set(), 0)).toThrow(/^Evil: The movie filter/);
  });
});

describe('CustomPresetStore', () => {
  it('keeps presets across instances, renames and deletes', async () => {
    const a = new CustomPresetStore('custom-test');
    const small = makeCustomPreset({ name: 'Small', container: 'mp4', argsText: '-crf 30' }, new Set(), 1);
    const voice = makeCustomPreset({ name: 'Voice', container: 'mp3', argsText: '-vn' }, new Set(), 2);
    await a.put(small);
    await a.put(voice);
    const renamed = makeCustomPreset({ name: 'Tiny', container: 'mp4', argsText: '-crf 35' }, new Set([small.id, voice.id]), 3, small);
    await a.put(renamed, small.id);
    const b = new CustomPresetStore('custom-test');
    expect((await b.list()).map((p) => [p.id, p.args.join(' ')])).toEqual([
      ['custom-tiny', '-crf 35'],
      ['custom-voice', '-vn'],
    ]);
    await b.delete('custom-voice');
    expect((await a.list()).map((p) => p.id)).toEqual(['custom-tiny']);
  });
});

describe('customPresetShape', () => {
  it('looks like a built-in preset: whole-file args, never split, refuses an audio container without audio', () => {
    const voice = makeCustomPreset({ name: 'Voice', container: 'm4a', argsText: '-vn -c:a aac -b:a 64k' }, new Set(), 1);
    const shape = customPresetShape(voice);
    expect(shape).toMatchObject({ label: 'Voice', extension: 'm4a', mimeType: 'audio/mp4', parts: null, nameSuffix: 'voice' });
    const withAudio = { durationSec: 10, video: null, audio: { codec: 'mp3', channels: 2 } } as never;
    expect(shape.args(withAudio, { input: 'in.mp3', output: 'out.m4a' })).toEqual(['-i', 'in.mp3', '-vn', '-c:a', 'aac', '-b:a', '64k', '-f', 'ipod', 'out.m4a']);
    const silent = { durationSec: 10, video: { codec: 'h264' }, audio: null } as never;
    expect(() => shape.args(silent, { input: 'a', output: 'b' })).toThrow(/no audio track/);
  });
});

describe('running custom presets', () => {
  it('estimates a generous output size from the source, and is never split', () => {
    const shape = customPresetShape(makeCustomPreset({ name: 'Small', container: 'mp4', argsText: '-c:v libx264 -crf 28' }, new Set(), 1));
    expect(shape.id).toBe('custom-small');
    expect(shape.estimateBytes({ durationSec: 10, video: null, audio: null } as never, 1000)).toBe(1500);
    expect(shape.parts).toBeNull();
  });

  it('are known to presetById once the library lists them, and stand in when deleted', async () => {
    const library = new CustomPresetLibrary(new CustomPresetStore(), { now: () => 5 });
    await library.load();
    for (const p of library.list()) await library.delete(p.id);
    expect(isPresetId('custom-run-me')).toBe(false);
    await library.save({ name: 'Run me', container: 'webm', argsText: '-c:v libvpx-vp9 -crf 40 -b:v 0' });
    expect(isPresetId('custom-run-me')).toBe(true);
    expect(presetById('custom-run-me')).toMatchObject({ label: 'Run me', extension: 'webm', parts: null });
    await library.delete('custom-run-me');
    expect(isPresetId('custom-run-me')).toBe(false);
    const gone = presetById('custom-run-me');
    expect(gone.label).toBe('run-me');
    expect(() => gone.args({ durationSec: 1, video: { codec: 'h264' }, audio: null } as never, { input: 'a', output: 'b' })).toThrow(/no longer saved/);
    expect(() => presetById('nope')).toThrow(TypeError);
  });
});

describe('editing a saved custom preset', () => {
  it('replaces it (no copy left behind), with the new arguments, and survives a reload', async () => {
    const library = new CustomPresetLibrary(new CustomPresetStore(), { now: () => 11 });
    await library.load();
    for (const p of library.list()) await library.delete(p.id);
    const first = await library.save({ name: 'Small', container: 'mp4', argsText: '-c:v libx264 -crf 30' });
    const edited = await library.save({ name: 'Small', container: 'mp4', argsText: '-c:v libx264 -crf 28' }, first.id);
    expect(library.list().map((p) => [p.id, p.argsText])).toEqual([[edited.id, '-c:v libx264 -crf 28']]);
    const reloaded = new CustomPresetLibrary(new CustomPresetStore(), { now: () => 12 });
    await reloaded.load();
    expect(reloaded.list().map((p) => p.argsText)).toEqual(['-c:v libx264 -crf 28']);
  });
});

describe('the queue cost of a custom preset', () => {
  it('is 1 until its runs here teach a speed, then relative to the default speed at cost 1', async () => {
    let learnt: number | null = null;
    const library = new CustomPresetLibrary(new CustomPresetStore(), { now: () => 9, learntSpeed: (id) => (id === 'custom-costly' ? learnt : null) });
    await library.load();
    await library.save({ name: 'Costly', container: 'mkv', argsText: '-c:v libx264 -preset slow' });
    expect(presetById('custom-costly').relativeCost).toBe(1);
    learnt = 2.7; // media seconds per worker second; the default at cost 1 is 5.4
    expect(presetById('custom-costly').relativeCost).toBeCloseTo(2);
    await library.delete('custom-costly');
  });
});

describe('the library with a dry run', () => {
  it('refuses to save or import what the dry run refuses, saving nothing', async () => {
    const dryRun = (p: { args: string[] }) => Promise.resolve(p.args.includes('-crff') ? "Unrecognized option 'crff'." : null);
    const library = new CustomPresetLibrary(new CustomPresetStore(), { dryRun, now: () => 7 });
    await library.load();
    for (const p of library.list()) await library.delete(p.id);
    await expect(library.save({ name: 'Typo', container: 'mp4', argsText: '-c:v libx264 -crff 23' })).rejects.toThrow("ffmpeg refused these arguments on a test clip: Unrecognized option 'crff'.");
    const file = JSON.stringify({ ffbatch: 'presets', version: 1, presets: [{ name: 'Good', container: 'mp4', argsText: '-crf 23' }, { name: 'Bad', container: 'mp4', argsText: '-crff 23' }] });
    await expect(library.importJson(file)).rejects.toThrow("Bad: ffmpeg refused these arguments on a test clip: Unrecognized option 'crff'.");
    expect(library.list()).toEqual([]);
    await library.load();
    expect(library.list()).toEqual([]);
  });
});

describe('the dry run', () => {
  it("picks ffmpeg's own error line, without addresses or the worker's paths", () => {
    expect(dryRunFailureLine(["Unrecognized option 'crff'.", 'Error splitting the argument list: Option not found', 'Aborted()'], 1)).toBe("Unrecognized option 'crff'.");
    expect(dryRunFailureLine(['Input #0, mov,mp4 from /work/dry-run-clip.mp4:', '[libx264 @ 0xdefba0] Error setting preset/tune fastt/(null).', 'Conversion failed!'], 1)).toBe('[libx264] Error setting preset/tune fastt/(null).');
    expect(dryRunFailureLine(['Aborted()'], 234)).toBe('ffmpeg stopped with exit code 234.');
  });

  it('makes the clip, then runs the preset on it for one second into memory', () => {
    const [clip, run] = dryRunSteps({ args: ['-c:v', 'flv'], container: 'flv' });
    expect(clip?.at(-1)).toBe('/work/dry-run-clip.mp4');
    expect(run).toEqual(['-i', '/work/dry-run-clip.mp4', '-c:v', 'flv', '-t', '1', '-f', 'flv', '/work/dry-run-output.flv']);
  });

  it("through a pool: lists asked once, null when ffmpeg accepts, else its line; a crash says so", async () => {
    let listed = 0;
    const pool = {
      coreLists: () => {
        listed++;
        return Promise.resolve({ encoders: ' V....D libx264              libx264 H.264\n', filters: ' ..C scale             V->V       Scale the input video size.\n' });
      },
      dryRun: (steps: string[][]) =>
        steps[1]?.includes('-crff')
          ? Promise.resolve({ exitCode: 1, log: ["Unrecognized option 'crff'.", 'Aborted()'] })
          : steps[1]?.includes('boom=1')
            ? Promise.reject(new Error('memory access out of bounds'))
            : Promise.resolve({ exitCode: 0, log: [] }),
    };
    const { core, dryRun } = coreChecks(pool);
    expect((await core()).encoders?.has('libx264')).toBe(true);
    await core();
    expect(listed).toBe(1);
    const preset = (argsText: string) => makeCustomPreset({ name: 'x', container: 'mp4', argsText }, new Set(), 1);
    expect(await dryRun(preset('-c:v libx264 -crf 23'))).toBeNull();
    expect(await dryRun(preset('-c:v libx264 -crff 23'))).toBe("Unrecognized option 'crff'.");
    expect(await dryRun(preset('-metadata boom=1'))).toMatch(/crashed.*out of bounds/);
  });

  it('on the real core: the recipe commands as fixed pass, a typo fails with its line', async () => {
    const core = await loadCoreInNode();
    let log: string[] = [];
    core.setLogger(({ message }) => log.push(message));
    core.FS.mkdir('/work');
    const exec = (args: string[]): { exitCode: number; log: string[] } => {
      log = [];
      core.reset();
      return { exitCode: core.exec('-nostdin', '-y', ...args), log };
    };
    const encoders = parseEncoderList(exec(['-hide_banner', '-encoders']).log.join('\n'));
    const filters = parseFilterList(exec(['-hide_banner', '-filters']).log.join('\n'));
    for (const name of ['libx264', 'flv', 'mpeg4', 'aac', 'libmp3lame', 'libvpx-vp9', 'libopus']) expect(encoders.has(name), name).toBe(true);
    expect(encoders.has('libfdk_aac')).toBe(false);
    for (const name of ['scale', 'fps', 'testsrc2', 'sine', 'yadif']) expect(filters.has(name), name).toBe(true);
    const dry = (container: string, argsText: string): { exitCode: number; log: string[] } => {
      const preset = makeCustomPreset({ name: 'x', container, argsText }, new Set(), 1, undefined, { encoders, filters });
      let result = { exitCode: 0, log: [] as string[] };
      for (const step of dryRunSteps(preset)) {
        result = exec(step);
        if (result.exitCode !== 0) break;
      }
      return result;
    };
    expect(dry('flv', '-ar 44100 -b:a 56k -f flv -s 320x240 -b 200k -r 25').exitCode).toBe(0);
    expect(dry('mp4', '-acodec aac -ab 128k -vcodec mpeg4 -b 1200k -mbd 2 -flags:v +mv4 -cmp 2 -subcmp 2 -s 320x180 -b 1200k -s 320x180 -r 25').exitCode).toBe(0);
    const typo = dry('mp4', '-c:v libx264 -crff 23');
    expect(typo.exitCode).not.toBe(0);
    expect(dryRunFailureLine(typo.log, typo.exitCode)).toBe("Unrecognized option 'crff'.");
  }, 60_000);
});

describe('codec names select their default encoder, as in ffmpeg', () => {
  const LIST = [
    'Encoders:',
    ' V..... = Video',
    ' ------',
    ' V..... flv                  FLV / Sorenson Spark / Sorenson H.263 (Flash Video) (codec flv1)',
    ' V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)',
    ' V.S... mpeg4                MPEG-4 part 2',
    ' A..... aac                  AAC (Advanced Audio Coding)',
    ' A....D libmp3lame           libmp3lame MP3 (MPEG audio layer 3) (codec mp3)',
  ].join('\n');

  it('reads the codec of each encoder: "(codec h264)", or the encoder\'s own name', () => {
    expect([...parseCodecNames(LIST)]).toEqual(['flv1', 'h264', 'mpeg4', 'aac', 'mp3']);
  });

  it('accepts -c:v h264, -c:v flv1 and -c:a mp3; still refuses a name that is neither', () => {
    const options = { encoders: parseEncoderList(LIST), codecs: parseCodecNames(LIST) };
    expect(checkCustomArgs('-c:v h264 -crf 28 -c:a mp3', options)).toEqual(['-c:v', 'h264', '-crf', '28', '-c:a', 'mp3']);
    expect(checkCustomArgs('-vcodec flv1 -b:v 200k', options)).toEqual(['-vcodec', 'flv1', '-b:v', '200k']);
    expect(checkCustomArgs('-c:v libx264', options)).toHaveLength(2);
    expect(() => checkCustomArgs('-c:v h265', options)).toThrow(/no encoder named "h265"/);
  });

  it('on the real core: what the check lets through, ffmpeg runs (dry run exit 0)', async () => {
    const core = await loadCoreInNode();
    let log: string[] = [];
    core.setLogger(({ message }) => log.push(message));
    core.FS.mkdir('/work');
    const exec = (args: string[]): number => {
      log = [];
      core.reset();
      return core.exec('-nostdin', '-y', ...args);
    };
    exec(['-hide_banner', '-encoders']);
    const text = log.join('\n');
    const options = { encoders: parseEncoderList(text), codecs: parseCodecNames(text), filters: new Set(['scale']) };
    const cases: [string, string][] = [['mp4', '-c:v h264 -c:a mp3'], ['flv', '-c:v flv1 -c:a mp3 -ar 44100'], ['mp3', '-vn -c:a mp3']];
    for (const [container, argsText] of cases) {
      const preset = makeCustomPreset({ name: 'x', container, argsText }, new Set(), 1, undefined, options);
      let exitCode = 0;
      for (const step of dryRunSteps(preset)) {
        exitCode = exec(step);
        if (exitCode !== 0) break;
      }
      expect(exitCode, `${container}: ${argsText}\n${log.slice(-5).join('\n')}`).toBe(0);
    }
  }, 60_000);
});
