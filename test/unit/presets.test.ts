import { describe, expect, it } from 'vitest';
import { PRESETS, PresetMismatchError, fitHeight, isPresetId, presetById, type PresetId } from '../../src/presets/presets';
import { describeSource, type AudioInfo, type SourceInfo, type VideoInfo } from '../../src/presets/source-info';

const IN = '/in/input.mp4';
const OUT = '/out/output.ext';
const paths = { input: IN, output: OUT };

const STEREO: AudioInfo = { codec: 'aac', channels: 2, sampleRate: 48000 };
const SIX_CHANNELS: AudioInfo = { codec: 'ac3', channels: 6, sampleRate: 48000 };

function video(width: number, height: number, extra: Partial<VideoInfo> = {}): VideoInfo {
  return { codec: 'h264', width, height, displayWidth: width, displayHeight: height, rotation: 0, fps: 30, ...extra };
}

function source(v: VideoInfo | null, audio: AudioInfo | null = STEREO): SourceInfo {
  return { durationSec: 10, container: 'mov,mp4,m4a,3gp,3g2,mj2', video: v, audio };
}

/** The seven of the recipe's day; issue 17's built-ins have their goldens in output-spec.test.ts. */
const SEVEN_IDS = ['flv-320x240', 'mp4-mpeg4-320x180', 'mp4-h264-720p', 'mp4-h264-480p', 'webm-vp9-720p', 'mp3-audio', 'mp4-remux'] as const;
type SevenId = (typeof SEVEN_IDS)[number];
const SEVEN = PRESETS.filter((p) => (SEVEN_IDS as readonly string[]).includes(p.id));

function args(id: PresetId, info: SourceInfo): string[] {
  return presetById(id).args(info, paths);
}

const MAP_AV = ['-map', '0:v:0', '-map', '0:a:0'];
const MAP_V = ['-map', '0:v:0'];
const FLV_VIDEO = ['-c:v', 'flv', '-b:v', '200k', '-r', '25', '-fps_mode:v', 'cfr', '-s', '320x240', '-pix_fmt', 'yuv420p'];
const FLV_AUDIO = ['-c:a', 'libmp3lame', '-b:a', '56k', '-ar', '44100'];
const MPEG4_VIDEO = [
  '-c:v', 'mpeg4', '-b:v', '1200k', '-mbd', '2', '-flags:v', '+mv4', '-cmp', '2', '-subcmp', '2',
  '-s', '320x180', '-r', '25', '-fps_mode:v', 'cfr', '-pix_fmt', 'yuv420p',
];
const AAC = ['-c:a', 'aac', '-b:a', '128k'];
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'];
const VP9 = ['-c:v', 'libvpx-vp9', '-crf', '33', '-b:v', '0', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p'];
const OPUS = ['-c:a', 'libopus', '-b:a', '96k'];
const FASTSTART = ['-movflags', '+faststart'];
const scale = (w: number, h: number): string[] => ['-vf', `scale=${w}:${h},setsar=1`];

/** The exact arguments every preset gives for a source with video and stereo audio of the given shown size. */
function expectedWithStereo(size720: [number, number], size480: [number, number]): Record<SevenId, string[]> {
  return {
    'flv-320x240': ['-i', IN, ...MAP_AV, ...FLV_VIDEO, ...FLV_AUDIO, '-f', 'flv', OUT],
    'mp4-mpeg4-320x180': ['-i', IN, ...MAP_AV, ...MPEG4_VIDEO, ...AAC, ...FASTSTART, OUT],
    'mp4-h264-720p': ['-i', IN, ...MAP_AV, ...scale(...size720), ...X264, ...AAC, ...FASTSTART, OUT],
    'mp4-h264-480p': ['-i', IN, ...MAP_AV, ...scale(...size480), ...X264, ...AAC, ...FASTSTART, OUT],
    'webm-vp9-720p': ['-i', IN, ...MAP_AV, ...scale(...size720), ...VP9, ...OPUS, '-f', 'webm', OUT],
    'mp3-audio': ['-i', IN, '-map', '0:a:0', '-vn', '-c:a', 'libmp3lame', '-q:a', '2', '-f', 'mp3', OUT],
    'mp4-remux': ['-i', IN, ...MAP_AV, '-c', 'copy', ...FASTSTART, '-f', 'mp4', OUT],
  };
}

function expectAll(info: SourceInfo, expected: Record<SevenId, string[]>): void {
  for (const preset of SEVEN) {
    expect(preset.args(info, paths), preset.id).toEqual(expected[preset.id as SevenId]);
  }
}

describe('preset table', () => {
  it('has the seven ids of DESIGN.md, in order, with their containers and MIME types', () => {
    expect(SEVEN.map((p) => [p.id, p.container, p.extension, p.mimeType])).toEqual([
      ['flv-320x240', 'flv', 'flv', 'video/x-flv'],
      ['mp4-mpeg4-320x180', 'mp4', 'mp4', 'video/mp4'],
      ['mp4-h264-720p', 'mp4', 'mp4', 'video/mp4'],
      ['mp4-h264-480p', 'mp4', 'mp4', 'video/mp4'],
      ['webm-vp9-720p', 'webm', 'webm', 'video/webm'],
      ['mp3-audio', 'mp3', 'mp3', 'audio/mpeg'],
      ['mp4-remux', 'mp4', 'mp4', 'video/mp4'],
    ]);
  });

  it('gives presets that share an extension distinct name suffixes', () => {
    const suffixes = SEVEN.map((p) => `${p.extension}/${p.nameSuffix}`);
    expect(new Set(suffixes).size).toBe(SEVEN.length);
    for (const p of SEVEN) expect(p.nameSuffix).toMatch(/^[a-z0-9]+$/);
  });

  it('looks presets up by id and rejects unknown ids', () => {
    expect(presetById('mp4-h264-480p').label).toBe('MP4 H.264 480p');
    expect(isPresetId('webm-vp9-720p')).toBe(true);
    expect(isPresetId('mp4-h264-1440p')).toBe(false);
    expect(() => presetById('mp4-h264-1440p')).toThrow(TypeError);
  });

  it('orders costs: H.264/VP9 cost more than the recipe presets, MP3 least', () => {
    const cost = (id: PresetId): number => presetById(id).relativeCost;
    expect(cost('mp3-audio')).toBeLessThan(cost('flv-320x240'));
    expect(cost('flv-320x240')).toBeLessThan(cost('mp4-h264-480p'));
    expect(cost('mp4-h264-480p')).toBeLessThan(cost('mp4-h264-720p'));
    expect(cost('mp4-h264-720p')).toBeLessThan(cost('webm-vp9-720p'));
  });
});

describe('preset arguments by source shape', () => {
  it('landscape 1920x1080 with stereo audio', () => {
    expectAll(source(video(1920, 1080)), expectedWithStereo([1280, 720], [854, 480]));
  });

  it('portrait 1080x1920: the height is the bound, the width follows', () => {
    expectAll(source(video(1080, 1920)), expectedWithStereo([406, 720], [270, 480]));
  });

  it('rotated (coded 1920x1080, rotation 90): sized from the shown 1080x1920', () => {
    const rotated = source(video(1920, 1080, { displayWidth: 1080, displayHeight: 1920, rotation: 90 }));
    expectAll(rotated, expectedWithStereo([406, 720], [270, 480]));
  });

  it('rotated, as ffprobe reports it (display matrix rotation -90)', () => {
    const info = describeSource({
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '12.000000' },
      streams: [
        { index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30/1', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] },
        { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '48000' },
      ],
    });
    expect(args('mp4-h264-720p', info)).toContain('scale=406:720,setsar=1');
    expect(args('mp4-h264-480p', info)).toContain('scale=270:480,setsar=1');
  });

  it('odd size 853x479: both sides even, never above the source', () => {
    expectAll(source(video(853, 479)), expectedWithStereo([852, 478], [852, 478]));
  });

  it('small 320x180 is never upscaled', () => {
    expectAll(source(video(320, 180)), expectedWithStereo([320, 180], [320, 180]));
  });

  it('no audio: no audio map and no audio codec arguments', () => {
    const info = source(video(1920, 1080), null);
    const expected: Omit<Record<SevenId, string[]>, 'mp3-audio'> = {
      'flv-320x240': ['-i', IN, ...MAP_V, ...FLV_VIDEO, '-f', 'flv', OUT],
      'mp4-mpeg4-320x180': ['-i', IN, ...MAP_V, ...MPEG4_VIDEO, ...FASTSTART, OUT],
      'mp4-h264-720p': ['-i', IN, ...MAP_V, ...scale(1280, 720), ...X264, ...FASTSTART, OUT],
      'mp4-h264-480p': ['-i', IN, ...MAP_V, ...scale(854, 480), ...X264, ...FASTSTART, OUT],
      'webm-vp9-720p': ['-i', IN, ...MAP_V, ...scale(1280, 720), ...VP9, '-f', 'webm', OUT],
      'mp4-remux': ['-i', IN, ...MAP_V, '-c', 'copy', ...FASTSTART, '-f', 'mp4', OUT],
    };
    for (const [id, want] of Object.entries(expected)) {
      const got = args(id as PresetId, info);
      expect(got, id).toEqual(want);
      expect(got, id).not.toContain('0:a:0');
      expect(got.some((a) => a.startsWith('-c:a') || a.startsWith('-b:a') || a === '-ar' || a === '-ac'), id).toBe(false);
    }
  });

  it('no audio with mp3-audio throws PresetMismatchError with a sentence', () => {
    const info = source(video(1920, 1080), null);
    expect(() => args('mp3-audio', info)).toThrow(PresetMismatchError);
    expect(() => args('mp3-audio', info)).toThrow(/no audio track/);
  });

  it('6-channel audio is downmixed with -ac 2 where the encoder would keep 6 channels', () => {
    const info = source(video(1920, 1080), SIX_CHANNELS);
    const expected = expectedWithStereo([1280, 720], [854, 480]);
    expect(args('mp4-mpeg4-320x180', info)).toEqual(['-i', IN, ...MAP_AV, ...MPEG4_VIDEO, ...AAC, '-ac', '2', ...FASTSTART, OUT]);
    expect(args('mp4-h264-720p', info)).toEqual(['-i', IN, ...MAP_AV, ...scale(1280, 720), ...X264, ...AAC, '-ac', '2', ...FASTSTART, OUT]);
    expect(args('mp4-h264-480p', info)).toEqual(['-i', IN, ...MAP_AV, ...scale(854, 480), ...X264, ...AAC, '-ac', '2', ...FASTSTART, OUT]);
    expect(args('webm-vp9-720p', info)).toEqual(['-i', IN, ...MAP_AV, ...scale(1280, 720), ...VP9, ...OPUS, '-ac', '2', '-f', 'webm', OUT]);
    expect(args('mp3-audio', info)).toEqual(['-i', IN, '-map', '0:a:0', '-vn', '-c:a', 'libmp3lame', '-q:a', '2', '-ac', '2', '-f', 'mp3', OUT]);
    // FLV's MP3 encoder only takes mono or stereo, and ffmpeg downmixes for it (checked with native ffmpeg 5.1).
    expect(args('flv-320x240', info)).toEqual(expected['flv-320x240']);
  });

  it('stereo and mono audio get no -ac', () => {
    for (const channels of [1, 2]) {
      const info = source(video(1280, 720), { codec: 'aac', channels, sampleRate: 44100 });
      for (const preset of SEVEN) expect(preset.args(info, paths), `${preset.id} ${channels}ch`).not.toContain('-ac');
    }
  });

  it('audio-only source: every video preset throws PresetMismatchError, mp3-audio and the remux (audio alone in an MP4) work', () => {
    const info = source(null, { codec: 'mp3', channels: 2, sampleRate: 44100 });
    for (const preset of SEVEN.filter((p) => p.id !== 'mp3-audio' && p.id !== 'mp4-remux')) {
      expect(() => preset.args(info, paths), preset.id).toThrow(PresetMismatchError);
      expect(() => preset.args(info, paths), preset.id).toThrow(/no video track/);
    }
    expect(args('mp3-audio', info)).toEqual(['-i', IN, '-map', '0:a:0', '-vn', '-c:a', 'libmp3lame', '-q:a', '2', '-f', 'mp3', OUT]);
  });

  it('uses the paths it is given, input first and output last', () => {
    const info = source(video(640, 480));
    for (const preset of SEVEN) {
      const got = preset.args(info, { input: '/in/a b.avi', output: '/out/x.y' });
      expect(got.slice(0, 2), preset.id).toEqual(['-i', '/in/a b.avi']);
      expect(got.at(-1), preset.id).toBe('/out/x.y');
      expect(got.filter((a) => a === '-i'), preset.id).toHaveLength(1);
    }
  });
});

describe('the recipe presets in today\'s ffmpeg syntax', () => {
  const info = source(video(1920, 1080));
  const flv = args('flv-320x240', info);
  const mpeg4 = args('mp4-mpeg4-320x180', info);

  function valueOf(list: string[], option: string): string | undefined {
    const at = list.indexOf(option);
    return at < 0 ? undefined : list[at + 1];
  }

  it('spells the recipe\'s -flags +4mv as -flags:v +mv4', () => {
    expect(valueOf(mpeg4, '-flags:v')).toBe('+mv4');
    expect(mpeg4).not.toContain('-flags');
    expect(mpeg4).not.toContain('+4mv');
  });

  it('FLV: 56 kb/s MP3 at 44.1 kHz (not the literal -ab 56), 200 kb/s, 320x240, 25 fps', () => {
    expect(valueOf(flv, '-b:a')).toBe('56k');
    expect(valueOf(flv, '-ar')).toBe('44100');
    expect(flv).not.toContain('-ab');
    expect(valueOf(flv, '-b:v')).toBe('200k');
    expect(valueOf(flv, '-s')).toBe('320x240');
    expect(valueOf(flv, '-r')).toBe('25');
    expect(valueOf(flv, '-fps_mode:v')).toBe('cfr');
  });

  it('MP4 MPEG-4: the later -b and -s of the recipe win (1200k, 320x180), 25 fps', () => {
    expect(valueOf(mpeg4, '-b:v')).toBe('1200k');
    expect(valueOf(mpeg4, '-s')).toBe('320x180');
    expect(valueOf(mpeg4, '-r')).toBe('25');
    expect(valueOf(mpeg4, '-fps_mode:v')).toBe('cfr');
    expect(mpeg4.filter((a) => a === '-s' || a === '-b:v')).toHaveLength(2);
  });

  it('every MP4 preset writes +faststart; no other preset does', () => {
    for (const preset of SEVEN) {
      const got = preset.args(info, paths);
      expect(valueOf(got, '-movflags') === '+faststart', preset.id).toBe(preset.container === 'mp4');
    }
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure names its sizes every time. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Common sizes, odd sizes and random sizes from 2 to 4096 on each side. */
function manySizes(): [number, number][] {
  const common: [number, number][] = [
    [1920, 1080], [1080, 1920], [1280, 720], [720, 1280], [3840, 2160], [640, 480], [704, 544], [720, 576],
    [768, 576], [426, 240], [320, 180], [320, 192], [853, 479], [853, 480], [481, 853], [1, 1], [2, 2], [3, 3],
    [1919, 1079], [1921, 1081], [4096, 2], [2, 4096], [999, 721], [1000, 720], [719, 720],
  ];
  const next = random(20240611);
  const randomSizes = Array.from({ length: 3000 }, (): [number, number] => [1 + Math.floor(next() * 4096), 1 + Math.floor(next() * 4096)]);
  return [...common, ...randomSizes];
}

describe('fitHeight', () => {
  const bounds = [720, 480];

  it('keeps both sides even and at least 2, and the height within the bound and the source', () => {
    for (const maxHeight of bounds) {
      for (const [w, h] of manySizes()) {
        const out = fitHeight({ displayWidth: w, displayHeight: h }, maxHeight);
        const where = `${w}x${h} → ${out.width}x${out.height} (max ${maxHeight})`;
        expect(out.width % 2, where).toBe(0);
        expect(out.height % 2, where).toBe(0);
        expect(out.width, where).toBeGreaterThanOrEqual(2);
        expect(out.height, where).toBeGreaterThanOrEqual(2);
        expect(out.height, where).toBeLessThanOrEqual(maxHeight);
        if (h >= 2) expect(out.height, where).toBeLessThanOrEqual(h);
      }
    }
  });

  it('uses the whole bound (or the whole even source height) rather than less', () => {
    for (const maxHeight of bounds) {
      for (const [w, h] of manySizes()) {
        const out = fitHeight({ displayWidth: w, displayHeight: h }, maxHeight);
        expect(out.height, `${w}x${h}`).toBe(Math.max(2, Math.floor(Math.min(h, maxHeight) / 2) * 2));
      }
    }
  });

  it('keeps the shown aspect ratio within 1% (output sides of 100 px and more)', () => {
    for (const maxHeight of bounds) {
      for (const [w, h] of manySizes()) {
        const out = fitHeight({ displayWidth: w, displayHeight: h }, maxHeight);
        if (out.width < 100 || out.height < 100) continue;
        const error = Math.abs(out.width / out.height / (w / h) - 1);
        expect(error, `${w}x${h} → ${out.width}x${out.height}`).toBeLessThanOrEqual(0.01);
      }
    }
  });

  // Fails today: see the report. fitHeight rounds the width to the nearest even number,
  // which for an odd source width that needs no vertical scaling goes one pixel above it.
  it('never upscales: neither side exceeds the source (even-floored)', () => {
    const upscaled: string[] = [];
    for (const maxHeight of bounds) {
      for (const [w, h] of manySizes()) {
        if (w < 2 || h < 2) continue;
        const out = fitHeight({ displayWidth: w, displayHeight: h }, maxHeight);
        if (out.width > w || out.height > h) upscaled.push(`${w}x${h} → ${out.width}x${out.height} (max ${maxHeight})`);
      }
    }
    expect(upscaled.slice(0, 5)).toEqual([]);
  });

  it('853x480 (odd width, under the bound) is not widened to 854', () => {
    expect(fitHeight({ displayWidth: 853, displayHeight: 480 }, 720)).toEqual({ width: 852, height: 480 });
    expect(args('mp4-h264-480p', source(video(853, 480)))).toContain('scale=852:480,setsar=1');
  });
});

describe('preset parts (for split encodes)', () => {
  const shapes: [string, SourceInfo][] = [
    ['landscape', source(video(1920, 1080))],
    ['portrait', source(video(1080, 1920))],
    ['no audio', source(video(853, 479), null)],
    ['6 channels', source(video(320, 180), SIX_CHANNELS)],
  ];

  it('every encoding video preset has parts; mp3-audio and the remux (a stream copy: fast whole) have none', () => {
    expect(SEVEN.filter((p) => p.parts === null).map((p) => p.id)).toEqual(['mp3-audio', 'mp4-remux']);
  });

  it('the parts put back together are exactly the whole encode\'s arguments', () => {
    for (const preset of SEVEN) {
      if (!preset.parts) continue;
      for (const [shape, info] of shapes) {
        const { filters, video: v, audio, mux } = preset.parts(info);
        const maps = ['-map', '0:v:0', ...(info.audio ? ['-map', '0:a:0'] : [])];
        const rebuilt = ['-i', IN, ...maps, ...(filters ? ['-vf', filters] : []), ...v, ...audio, ...mux, OUT];
        expect(preset.args(info, paths), `${preset.id} ${shape}`).toEqual(rebuilt);
        expect(audio.length === 0, `${preset.id} ${shape}`).toBe(info.audio === null);
      }
    }
  });

  it('the recipe presets fix 25 fps; the others keep the source\'s timing', () => {
    const info = source(video(1920, 1080));
    expect(SEVEN.map((p) => [p.id, p.parts?.(info).fps])).toEqual([
      ['flv-320x240', 25],
      ['mp4-mpeg4-320x180', 25],
      ['mp4-h264-720p', null],
      ['mp4-h264-480p', null],
      ['webm-vp9-720p', null],
      ['mp3-audio', undefined],
      ['mp4-remux', undefined],
    ]);
  });

  it('parts of an audio-only source throw PresetMismatchError', () => {
    const info = source(null);
    for (const preset of SEVEN) {
      if (preset.parts) expect(() => preset.parts?.(info), preset.id).toThrow(PresetMismatchError);
    }
  });
});

describe('mp4-remux: streams copied into an MP4', () => {
  it('copies the first video and audio stream with fast start, and tags HEVC hvc1', () => {
    const hevc = source(video(3840, 2160, { codec: 'hevc' }), { codec: 'aac', channels: 2, sampleRate: 48000 });
    expect(args('mp4-remux', hevc)).toEqual(['-i', IN, ...MAP_AV, '-c', 'copy', '-tag:v', 'hvc1', ...FASTSTART, '-f', 'mp4', OUT]);
    const audioOnly = source(null, { codec: 'mp3', channels: 2, sampleRate: 44100 });
    expect(args('mp4-remux', audioOnly)).toEqual(['-i', IN, '-map', '0:a:0', '-c', 'copy', ...FASTSTART, '-f', 'mp4', OUT]);
  });

  it.each([
    ['vp8', null, /video is VP8, which cannot go into an MP4 without re-encoding\. Pick "MP4 H\.264 720p"/],
    ['flv1', null, /video is Sorenson FLV1 \(Flash\)/],
    ['wmv2', null, /video is WMV/],
    ['vp6f', null, /video is VP6 \(Flash\)/],
    ['h264', 'vorbis', /audio is Vorbis, which cannot go into an MP4 without re-encoding\. Pick "MP4 H\.264 720p"/],
    ['h264', 'pcm_s16le', /audio is PCM \(uncompressed\)/],
  ])('video %s with audio %s fails at once, naming the codec and a preset to pick', (videoCodec, audioCodec, sentence) => {
    const info = source(video(640, 480, { codec: videoCodec }), { codec: audioCodec ?? 'aac', channels: 2, sampleRate: 44100 });
    expect(() => args('mp4-remux', info)).toThrow(PresetMismatchError);
    expect(() => args('mp4-remux', info)).toThrow(sentence);
  });

  it('audio-only Vorbis points at the MP3 preset', () => {
    expect(() => args('mp4-remux', source(null, { codec: 'vorbis', channels: 2, sampleRate: 44100 }))).toThrow(/Pick "MP3 audio only"/);
  });
});

describe('output size estimates (for the storage check)', () => {
  const tenSeconds1080p = source(video(1920, 1080));
  it('fixed-rate presets: the preset bitrates times the duration, with a margin', () => {
    // (200 + 56) kb/s × 10 s = 320 000 bytes, × 1.15.
    expect(presetById('flv-320x240').estimateBytes(tenSeconds1080p, 0)).toBe(368_000);
    expect(presetById('flv-320x240').estimateBytes(source(video(1920, 1080), null), 0)).toBe(Math.ceil(250_000 * 1.15));
  });

  it('quality presets grow with the output size; mp3 needs audio; remux is the source size', () => {
    const h720 = presetById('mp4-h264-720p').estimateBytes(tenSeconds1080p, 0);
    const h480 = presetById('mp4-h264-480p').estimateBytes(tenSeconds1080p, 0);
    expect(h720).toBeGreaterThan(2 * h480);
    // 1280×720×30×0.1 bit ≈ 2.76 Mb/s + 128 kb/s for 10 s ≈ 3.6 MB × 1.15.
    expect(h720).toBeGreaterThan(3_500_000);
    expect(h720).toBeLessThan(5_000_000);
    expect(presetById('mp3-audio').estimateBytes(source(video(320, 180), null), 0)).toBe(0);
    expect(presetById('mp4-remux').estimateBytes(tenSeconds1080p, 1_000_000)).toBe(1_020_000);
  });
});
