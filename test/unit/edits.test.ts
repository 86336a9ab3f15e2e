import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectBars, type LumaFrame } from '../../src/presets/crop-detect';
import {
  applyEditsToArgs,
  checkEdits,
  EditMismatchError,
  editedFilters,
  fastRouteEditsReason,
  splitsWithEdits,
  editableFacts,
  editedDuration,
  editedSourceInfo,
  editedPicture,
  editProblems,
  ffmpegEdits,
  formatTime,
  isEmptyEdits,
  parseCrop,
  parseTime,
  SUBTITLE_FONT,
  summarizeEdits,
  uprightPicture,
} from '../../src/presets/edits';
import type { SourceInfo } from '../../src/presets/source-info';
import { FIXTURES_DIR } from '../support/media';
import { keyframeAtOrBefore, planSmartCut } from '../../src/shared/smart-cut-plan';

describe('checkEdits', () => {
  it('accepts a full set and fills a missing trim end with null', () => {
    expect(checkEdits({ trim: { start: 5 }, crop: { width: 100, height: 50, x: 2, y: 4 }, rotate: 90, flip: true, audioTrack: 1, subtitles: { mode: 'burn', track: 0 } })).toEqual({
      trim: { start: 5, end: null },
      crop: { width: 100, height: 50, x: 2, y: 4 },
      rotate: 90,
      flip: true,
      audioTrack: 1,
      subtitles: { mode: 'burn', track: 0 },
    });
    expect(checkEdits(undefined)).toEqual({});
  });

  it.each([
    [{ trim: { start: -1, end: 3 } }, 'edits.trim.start'],
    [{ trim: { start: 4, end: 3 } }, 'edits.trim.end must come after'],
    [{ trim: 'x' }, 'edits.trim must be'],
    [{ crop: { width: 1.5, height: 10, x: 0, y: 0 } }, 'edits.crop.width'],
    [{ crop: { width: 10, height: 10, x: -2, y: 0 } }, 'edits.crop.x'],
    [{ rotate: 45 }, 'edits.rotate must be 0, 90, 180 or 270'],
    [{ flip: 'yes' }, 'edits.flip'],
    [{ audioTrack: -1 }, 'edits.audioTrack'],
    [{ subtitles: { mode: 'keep' } }, 'edits.subtitles.track'],
    [{ subtitles: { mode: 'show', track: 0 } }, 'edits.subtitles.mode'],
    [[], 'edits must be an object'],
  ])('refuses %j naming the field', (value, words) => {
    expect(() => checkEdits(value)).toThrow(TypeError);
    expect(() => checkEdits(value)).toThrow(words);
  });

  it('names the field it was given', () => {
    expect(() => checkEdits({ rotate: 1 }, 'options')).toThrow('options.rotate');
  });

  it('tells empty edits apart', () => {
    expect(isEmptyEdits({})).toBe(true);
    expect(isEmptyEdits({ rotate: 0, flip: false, subtitles: { mode: 'none' } })).toBe(true);
    expect(isEmptyEdits({ audioTrack: 0 })).toBe(false);
  });
});

describe('times and crops typed by a person', () => {
  it.each([
    ['12', 12],
    ['12.5', 12.5],
    ['1:02.5', 62.5],
    ['0:01:02.500', 62.5],
    ['1:00:00', 3600],
  ])('reads %s', (text, seconds) => {
    expect(parseTime(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', 'abc', '1:75', '-3', '1::2'])('refuses %j', (text) => {
    expect(parseTime(text)).toBeNull();
  });

  it('formats times back', () => {
    expect(formatTime(62.5)).toBe('1:02.500');
    expect(formatTime(12)).toBe('0:12');
    expect(formatTime(3723.04)).toBe('1:02:03.040');
    expect(parseTime(formatTime(3723.04))).toBeCloseTo(3723.04, 6);
  });

  it('reads W:H:X:Y crops', () => {
    expect(parseCrop('1920:800:0:140')).toEqual({ width: 1920, height: 800, x: 0, y: 140 });
    expect(parseCrop('  ')).toBeNull();
    expect(parseCrop('1920x800')).toMatch(/W:H:X:Y/);
    expect(parseCrop('1:800:0:0')).toMatch(/2×2/);
  });
});

describe('what the edits make', () => {
  it('gives the picture after crop and rotation', () => {
    expect(editedPicture({ crop: { width: 1920, height: 800, x: 0, y: 140 } }, { width: 1920, height: 1080 })).toEqual({ width: 1920, height: 800 });
    expect(editedPicture({ crop: { width: 1920, height: 800, x: 0, y: 140 }, rotate: 270 }, { width: 1920, height: 1080 })).toEqual({ width: 800, height: 1920 });
    expect(editedPicture({ rotate: 180, flip: true }, { width: 640, height: 360 })).toEqual({ width: 640, height: 360 });
  });

  it('gives the duration of the trimmed range, clamped to the file', () => {
    expect(editedDuration({ trim: { start: 12, end: 100 } }, 300)).toBe(88);
    expect(editedDuration({ trim: { start: 12, end: null } }, 300)).toBe(288);
    expect(editedDuration({ trim: { start: 12, end: 400 } }, 300)).toBe(288);
    expect(editedDuration({}, 300)).toBe(300);
    expect(editedDuration({ trim: { start: 1, end: null } }, null)).toBeNull();
  });

  it('says which edits do not fit a file', () => {
    const source = { durationSec: 60, picture: { width: 640, height: 360 }, audioTracks: 1, subtitleTracks: 0 };
    expect(editProblems({ trim: { start: 10, end: 60 } }, source)).toEqual([]);
    expect(editProblems({ trim: { start: 90, end: null } }, source)).toEqual(['The trim starts at 1:30, after the end of this file (1:00).']);
    expect(editProblems({ trim: { start: 10, end: 70 } }, source)[0]).toMatch(/ends at 1:10, after the end/);
    expect(editProblems({ crop: { width: 640, height: 300, x: 2, y: 0 } }, source)[0]).toMatch(/outside the 640×360 picture/);
    expect(editProblems({ audioTrack: 1 }, source)).toEqual(['This file has 1 sound track; track 2 is not there.']);
    expect(editProblems({ subtitles: { mode: 'keep', track: 0 } }, source)).toEqual(['This file has no subtitles.']);
    expect(editProblems({ rotate: 90 }, { ...source, picture: null })).toEqual(['This file has no picture to crop, rotate or flip.']);
  });

  it('summarizes for the row, tracks counted from 1', () => {
    expect(summarizeEdits({ trim: { start: 12, end: 100 }, crop: { width: 1920, height: 800, x: 0, y: 140 }, audioTrack: 1 })).toBe('0:12–1:40 · cropped to 1920×800 · sound track 2');
    expect(summarizeEdits({ rotate: 90, flip: true, subtitles: { mode: 'burn', track: 0 } })).toBe('rotated 90° · flipped · subtitles 1 burned in');
    expect(summarizeEdits({})).toBe('');
  });
});

describe('edits as ffmpeg arguments', () => {
  it('seeks accurately before the input and gives the length as -t', () => {
    expect(ffmpegEdits({ trim: { start: 12.3, end: 100 }, rotate: 90 })).toEqual({ input: ['-ss', '12.3'], output: ['-t', '87.7'], filters: ['transpose=clock'], audioMap: '0:a:0', subtitles: [] });
    expect(ffmpegEdits({ trim: { start: 0, end: null } })).toEqual({ input: [], output: [], filters: [], audioMap: '0:a:0', subtitles: [] });
    expect(ffmpegEdits({ audioTrack: 2 }).audioMap).toBe('0:a:2');
  });

  it('crops, then turns, then flips', () => {
    expect(ffmpegEdits({ crop: { width: 100, height: 50, x: 2, y: 4 }, rotate: 270, flip: true }).filters).toEqual(['crop=100:50:2:4:exact=1', 'transpose=cclock', 'hflip']);
  });

  const context = { inputPath: '/in/input.mkv', container: 'mp4', fontsDir: '/fonts' };

  it('keeps a subtitle track as the container\'s text codec', () => {
    expect(ffmpegEdits({ subtitles: { mode: 'keep', track: 1 } }, context).subtitles).toEqual(['-map', '0:s:1', '-c:s', 'mov_text']);
    expect(ffmpegEdits({ subtitles: { mode: 'keep', track: 0 } }, { ...context, container: 'webm' }).subtitles).toEqual(['-map', '0:s:0', '-c:s', 'webvtt']);
    expect(ffmpegEdits({ subtitles: { mode: 'keep', track: 0 } }, { ...context, container: 'flv' }).subtitles).toEqual([]);
    expect(() => ffmpegEdits({ subtitles: { mode: 'keep', track: 0 } })).toThrow(TypeError);
  });

  it('burns subtitles after crop and turn, on the source clock when trimmed', () => {
    expect(ffmpegEdits({ crop: { width: 100, height: 50, x: 0, y: 0 }, subtitles: { mode: 'burn', track: 0 }, trim: { start: 5, end: null } }, context).filters).toEqual([
      'crop=100:50:0:0:exact=1',
      'setpts=PTS+5/TB',
      "subtitles=/in/input.mkv:si=0:fontsdir=/fonts:force_style='FontName=DejaVu Sans'",
      'setpts=PTS-STARTPTS',
    ]);
    expect(ffmpegEdits({ subtitles: { mode: 'burn', track: 2 } }, { ...context, inputPath: "/in/a:b'c.mkv" }).filters[0]).toBe("subtitles=/in/a\\:b\\'c.mkv:si=2:fontsdir=/fonts:force_style='FontName=DejaVu Sans'");
  });

  // Native ffmpeg burns a subtitle with the shipped font: the frame differs where the text is, only there.
  it('burns text with the shipped font (native ffmpeg)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-burn-'));
    try {
      const fonts = path.join(dir, 'fonts');
      mkdirSync(fonts);
      copyFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf', SUBTITLE_FONT.file), path.join(fonts, SUBTITLE_FONT.file));
      writeFileSync(path.join(dir, 's.srt'), '1\n00:00:00,000 --> 00:00:05,000\nHELLO WORLD\n');
      const mkv = path.join(dir, 'in.mkv');
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=320x180:d=3', '-i', path.join(dir, 's.srt'), '-map', '0', '-map', '1', '-c:v', 'ffv1', '-c:s', 'srt', mkv]);
      const edits = ffmpegEdits({ subtitles: { mode: 'burn', track: 0 }, trim: { start: 1, end: 2 } }, { inputPath: mkv, container: 'mp4', fontsDir: fonts });
      const grab = (filters: string[]): Uint8Array =>
        execFileSync('ffmpeg', ['-v', 'error', ...edits.input, '-i', mkv, '-frames:v', '1', ...(filters.length ? ['-vf', filters.join(',')] : []), '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
      const plain = grab([]);
      const burned = grab(edits.filters);
      expect(burned.length).toBe(320 * 180);
      let changedTop = 0;
      let changedBottom = 0;
      for (let i = 0; i < burned.length; i++) {
        if (Math.abs((burned[i] ?? 0) - (plain[i] ?? 0)) > 40) {
          if (i < 320 * 90) changedTop++;
          else changedBottom++;
        }
      }
      // libass puts the line at the bottom; nothing changes above the middle.
      expect(changedBottom).toBeGreaterThan(200);
      expect(changedTop).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Native ffmpeg runs the compiled filters on a frame with one bright corner: the corner must
  // land where a clockwise quarter turn and a mirror put it.
  it('turns a corner-marked frame the way the person asked (native ffmpeg)', () => {
    const width = 64;
    const height = 32;
    // Black frame, bright 8×8 block in the top-left corner.
    const gray = new Uint8Array(width * height);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) gray[y * width + x] = 255;
    const run = (filters: string[]): Uint8Array =>
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${width}x${height}`, '-i', '-', '-vf', filters.join(','), '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { input: gray });
    const brightAt = (frame: Uint8Array, w: number, x: number, y: number): boolean => (frame[y * w + x] ?? 0) > 128;
    // 90° clockwise: top-left goes to top-right (output is 32 wide).
    const turned = run(ffmpegEdits({ rotate: 90 }).filters);
    expect(turned.length).toBe(width * height);
    expect(brightAt(turned, height, height - 2, 1)).toBe(true);
    expect(brightAt(turned, height, 1, 1)).toBe(false);
    // 90° + flip: the mirror brings it back to the top-left.
    const turnedFlipped = run(ffmpegEdits({ rotate: 90, flip: true }).filters);
    expect(brightAt(turnedFlipped, height, 1, 1)).toBe(true);
    // 180°: bottom-right.
    const half = run(ffmpegEdits({ rotate: 180 }).filters);
    expect(brightAt(half, width, width - 2, height - 2)).toBe(true);
    // 270°: bottom-left.
    const threeQuarters = run(ffmpegEdits({ rotate: 270 }).filters);
    expect(brightAt(threeQuarters, height, 1, width - 2)).toBe(true);
  });
});

const FLOWER_WEBM = `${FIXTURES_DIR}/flower.webm`;

function frameWithBars(width: number, height: number, picture: { x: number; y: number; w: number; h: number }, fill: (x: number, y: number) => number): LumaFrame {
  const data = new Uint8Array(width * height).fill(16);
  for (let y = picture.y; y < picture.y + picture.h; y++) for (let x = picture.x; x < picture.x + picture.w; x++) data[y * width + x] = fill(x, y);
  return { width, height, stride: width, data };
}

describe('detectBars', () => {
  it('finds a letterbox', () => {
    const frame = frameWithBars(320, 240, { x: 0, y: 30, w: 320, h: 180 }, (x, y) => 60 + ((x * 7 + y * 3) % 150));
    expect(detectBars([frame])).toEqual({ width: 320, height: 180, x: 0, y: 30 });
  });

  it('finds a pillarbox with odd edges, never cutting into the picture', () => {
    const frame = frameWithBars(320, 240, { x: 41, y: 0, w: 237, h: 240 }, () => 120);
    const crop = detectBars([frame]);
    expect(crop).not.toBeNull();
    expect(crop!.x).toBe(40);
    expect(crop!.x + crop!.width).toBeGreaterThanOrEqual(41 + 237);
    expect(crop!.width % 2).toBe(0);
    expect(crop!.height).toBe(240);
  });

  it('keeps what any sample shows: a dark scene is not a bar', () => {
    const dark = frameWithBars(320, 240, { x: 0, y: 30, w: 320, h: 180 }, (x, y) => (y < 120 ? 16 : 90 + (x % 40)));
    const bright = frameWithBars(320, 240, { x: 0, y: 30, w: 320, h: 180 }, () => 140);
    expect(detectBars([dark, bright])).toEqual({ width: 320, height: 180, x: 0, y: 30 });
    const black = frameWithBars(320, 240, { x: 0, y: 0, w: 0, h: 0 }, () => 0);
    expect(detectBars([black])).toBeNull();
    expect(detectBars([bright, black])).toEqual({ width: 320, height: 180, x: 0, y: 30 });
  });

  it('says no bars for a full picture', () => {
    expect(detectBars([frameWithBars(320, 240, { x: 0, y: 0, w: 320, h: 240 }, () => 100)])).toBeNull();
  });

  // A real frame: a fixture letterboxed by native ffmpeg's pad filter.
  it('finds the bars native ffmpeg padded onto a real frame', () => {
    const luma = execFileSync('ffmpeg', ['-v', 'error', '-ss', '1', '-i', FLOWER_WEBM, '-frames:v', '1', '-vf', 'scale=320:180,pad=320:240:0:30', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
    const crop = detectBars([{ width: 320, height: 240, stride: 320, data: new Uint8Array(luma) }]);
    expect(crop).toEqual({ width: 320, height: 180, x: 0, y: 30 });
  });
});

describe('planSmartCut', () => {
  const keys = [0, 2, 4, 6, 8];

  it('encodes only from In to the next keyframe', () => {
    expect(planSmartCut(keys, 3, 7.5)).toEqual({ kind: 'smart', encodeFrom: 3, encodeTo: 4, copyFrom: 4, end: 7.5 });
  });

  it('copies everything when In is a keyframe, within rounding', () => {
    expect(planSmartCut(keys, 4.001, 9)).toEqual({ kind: 'copy', copyFrom: 4.001, end: 9 });
    expect(planSmartCut(keys, 0, 9)).toEqual({ kind: 'copy', copyFrom: 0, end: 9 });
  });

  it('starts at the first keyframe when In is before it (a file starting mid-GOP)', () => {
    expect(planSmartCut([0.5, 2.5], 0.2, 3)).toEqual({ kind: 'copy', copyFrom: 0.5, end: 3 });
  });

  it('encodes all when no keyframe comes before Out', () => {
    expect(planSmartCut(keys, 4.5, 5.9)).toEqual({ kind: 'encode', encodeFrom: 4.5, end: 5.9 });
    expect(planSmartCut([], 1, 2)).toEqual({ kind: 'encode', encodeFrom: 1, end: 2 });
  });

  it('takes keyframes in any order and refuses an empty range', () => {
    expect(planSmartCut([8, 0, 4, 2, 6], 5, 9)).toEqual({ kind: 'smart', encodeFrom: 5, encodeTo: 6, copyFrom: 6, end: 9 });
    expect(() => planSmartCut(keys, 5, 5)).toThrow(RangeError);
  });

  it('falls back to the keyframe at or before In', () => {
    expect(keyframeAtOrBefore(keys, 5.5)).toBe(4);
    expect(keyframeAtOrBefore(keys, 6)).toBe(6);
    expect(keyframeAtOrBefore(keys, 0.1)).toBe(0);
  });
});

describe('editedSourceInfo', () => {
  const base: SourceInfo = {
    durationSec: 60,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    video: { codec: 'h264', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30 },
    audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
    videoTiming: { index: 0, durationSec: 60, frames: 1800, nominalFps: 30 },
  };

  it('is the source itself without edits', () => {
    expect(editedSourceInfo(base, {})).toBe(base);
  });

  it('trims the duration and forgets the whole stream frame count', () => {
    const edited = editedSourceInfo(base, { trim: { start: 10, end: 30 } });
    expect(edited.durationSec).toBe(20);
    expect(edited.videoTiming).toBeUndefined();
    expect(edited.video).toBe(base.video);
  });

  it('shows a crop and a quarter turn as a preset would size them', () => {
    const edited = editedSourceInfo(base, { crop: { width: 1920, height: 800, x: 0, y: 140 }, rotate: 90 });
    expect(edited.video).toMatchObject({ width: 800, height: 1920, displayWidth: 800, displayHeight: 1920, rotation: 0 });
  });

  it('crops a phone clip in its upright picture and keeps a pixel aspect', () => {
    // Stored 1920×1080 turned 90° by the player: upright it is 1080×1920.
    const phone: SourceInfo = { ...base, video: { ...base.video!, rotation: 90, displayWidth: 1080, displayHeight: 1920 } };
    expect(uprightPicture(phone.video!)).toEqual({ width: 1080, height: 1920 });
    expect(editedSourceInfo(phone, { crop: { width: 1080, height: 1080, x: 0, y: 420 } }).video).toMatchObject({ displayWidth: 1080, displayHeight: 1080, rotation: 0 });
    // 720×576 stored, shown 1024×576 (SAR 64:45): a half-width crop is shown 512 wide.
    const dvd: SourceInfo = { ...base, video: { ...base.video!, width: 720, height: 576, displayWidth: 1024, displayHeight: 576 } };
    expect(editedSourceInfo(dvd, { crop: { width: 360, height: 576, x: 0, y: 0 } }).video).toMatchObject({ displayWidth: 512, displayHeight: 576 });
  });

  it('describes the chosen sound track', () => {
    const twoTracks: SourceInfo = {
      ...base,
      tracks: {
        audio: [
          { index: 0, label: 'AAC stereo', codec: 'aac', language: null, channels: 2, sampleRate: 48000 },
          { index: 1, label: 'AC3 5.1', codec: 'ac3', language: null, channels: 6, sampleRate: 48000 },
        ],
        subtitles: [],
      },
    };
    expect(editedSourceInfo(twoTracks, { audioTrack: 1 }).audio).toEqual({ codec: 'ac3', channels: 6, sampleRate: 48000 });
    expect(editableFacts(twoTracks)).toEqual({ durationSec: 60, picture: { width: 1920, height: 1080 }, audioTracks: 2, subtitleTracks: 0 });
    expect(editableFacts({ ...base, audio: null })).toMatchObject({ audioTracks: 0 });
  });
});

describe('applyEditsToArgs', () => {
  const context = { inputPath: '/in/input.mp4', container: 'mp4', fontsDir: '/in' };
  const h264 = ['-i', '/in/input.mp4', '-map', '0:v:0', '-map', '0:a:0', '-vf', 'scale=1280:720,setsar=1', '-c:v', 'libx264', '-crf', '23', '-c:a', 'aac', '-movflags', '+faststart', '/out/output.mp4'];

  it('leaves arguments alone without edits', () => {
    expect(applyEditsToArgs(h264, {}, context)).toEqual(h264);
  });

  it('seeks, picks the track, crops before the preset chain and limits the length', () => {
    expect(applyEditsToArgs(h264, { trim: { start: 5, end: 12.5 }, crop: { width: 640, height: 360, x: 0, y: 60 }, audioTrack: 1 }, context)).toEqual([
      '-ss', '5', '-i', '/in/input.mp4', '-map', '0:v:0', '-map', '0:a:1', '-vf', 'crop=640:360:0:60:exact=1,scale=1280:720,setsar=1',
      '-c:v', 'libx264', '-crf', '23', '-c:a', 'aac', '-movflags', '+faststart', '-t', '7.5', '/out/output.mp4',
    ]);
  });

  it('adds a chain after the maps where the preset has none, and kept subtitles before the output', () => {
    const mpeg4 = ['-i', '/in/input.mp4', '-map', '0:v:0', '-map', '0:a:0', '-c:v', 'mpeg4', '-s', '320x180', '/out/output.mp4'];
    expect(applyEditsToArgs(mpeg4, { rotate: 270, subtitles: { mode: 'keep', track: 0 } }, context)).toEqual([
      '-i', '/in/input.mp4', '-map', '0:v:0', '-map', '0:a:0', '-vf', 'transpose=cclock', '-c:v', 'mpeg4', '-s', '320x180', '-map', '0:s:0', '-c:s', 'mov_text', '/out/output.mp4',
    ]);
  });

  it('refuses picture edits on a -filter_complex of its own', () => {
    expect(() => applyEditsToArgs(['-i', 'x', '-filter_complex', '[0:v]null', 'o.mp4'], { flip: true }, context)).toThrow(EditMismatchError);
    expect(applyEditsToArgs(['-i', 'x', '-filter_complex', '[0:v]null', 'o.mp4'], { trim: { start: 1, end: null } }, context)).toEqual(['-ss', '1', '-i', 'x', '-filter_complex', '[0:v]null', 'o.mp4']);
  });

  it('says which edits keep a job off the fast route and off split encodes', () => {
    expect(fastRouteEditsReason({ trim: { start: 1, end: 2 }, crop: { width: 2, height: 2, x: 0, y: 0 }, rotate: 90, audioTrack: 1 })).toBeNull();
    expect(fastRouteEditsReason({ flip: true })).toBe('flip runs on ffmpeg.wasm');
    expect(fastRouteEditsReason({ subtitles: { mode: 'keep', track: 0 } })).toBe('subtitles run on ffmpeg.wasm');
    expect(splitsWithEdits({ trim: { start: 1, end: 2 } })).toBe(true);
    expect(splitsWithEdits({ subtitles: { mode: 'burn', track: 0 } })).toBe(false);
    expect(editedFilters('scale=2:2', { rotate: 90 })).toBe('transpose=clock,scale=2:2');
  });
});
