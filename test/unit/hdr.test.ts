/**
 * Issue 15 item 5: HDR sources (PQ / HLG, BT.2020) going to 8-bit SDR presets are
 * tone-mapped to BT.709 on ffmpeg.wasm, whole and split alike; outputs that can carry HDR
 * keep it; verification checks a mapped output's tags.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncodeRunner, type EncodeRunnerDeps } from '../../src/jobs/encode-job';
import { chooseEngine, HDR_REASON, type WebCodecsSupport } from '../../src/jobs/engine-router';
import { newJob } from '../../src/jobs/job';
import type { RunContext } from '../../src/jobs/scheduler';
import type { Source } from '../../src/jobs/source';
import { verifyOutput } from '../../src/jobs/verify-output';
import { colourTagArgs, SDR_TAGS, toneMapChain, toneMapsHdr, toneMapTagProblem } from '../../src/presets/hdr';
import { customPresetShape, makeFormPreset } from '../../src/presets/custom-preset';
import { PRESETS, presetById, setCustomPresets } from '../../src/presets/presets';
import { describeColour, describeSource, type SourceInfo, type VideoColour, type VideoInfo } from '../../src/presets/source-info';
import type { ProbeReport, RunRequest } from '../../workers/protocol';

const paths = { input: '/in/input.mp4', output: '/out/output.ext' };

const HLG: VideoColour = { primaries: 'bt2020', transfer: 'arib-std-b67', matrix: 'bt2020nc', range: 'tv', pixelFormat: 'yuv420p10le' };
const PQ: VideoColour = { ...HLG, transfer: 'smpte2084' };
const BT709: VideoColour = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', range: 'tv', pixelFormat: 'yuv420p' };

function video(over: Partial<VideoInfo> = {}): VideoInfo {
  return { codec: 'hevc', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30, ...over };
}

function source(v: VideoInfo, durationSec = 10): SourceInfo {
  return { durationSec, container: 'mov,mp4,m4a,3gp,3g2,mj2', video: v, audio: { codec: 'aac', channels: 2, sampleRate: 48000 } };
}

const SDR = source(video({ codec: 'h264' }));
const HLG_SOURCE = source(video({ hdr: HLG }));
const PQ_SOURCE = source(video({ hdr: PQ }));

const HLG_CHAIN =
  'zscale=tin=arib-std-b67:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100:p=bt2020,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

function vfOf(args: readonly string[]): string | undefined {
  const at = args.indexOf('-vf');
  return at >= 0 ? args[at + 1] : undefined;
}

describe('the tone-map rule in the presets’ arguments', () => {
  it('leaves an SDR source’s arguments without any tone mapping or colour tags', () => {
    for (const preset of PRESETS) {
      const args = preset.args(SDR, paths).join(' ');
      expect(args, preset.id).not.toMatch(/zscale|tonemap|-color_primaries|-color_trc|-colorspace/);
      expect(toneMapsHdr(preset.spec, SDR)).toBe(false);
    }
  });

  it('maps an HLG source to BT.709 for mp4-h264-720p: scaled first, then the chain, tagged BT.709', () => {
    const args = presetById('mp4-h264-720p').args(HLG_SOURCE, paths);
    expect(vfOf(args)).toBe(`scale=1280:720,setsar=1,${HLG_CHAIN}`);
    expect(args.join(' ')).toContain(['-pix_fmt', 'yuv420p', ...SDR_TAGS].join(' '));
    expect(toneMapsHdr(presetById('mp4-h264-720p').spec, HLG_SOURCE)).toBe(true);
  });

  it('maps PQ with its own transfer, and scales the recipe presets to their -s size before mapping', () => {
    expect(vfOf(presetById('mp4-h264-480p').args(PQ_SOURCE, paths))).toBe(`scale=854:480,setsar=1,${HLG_CHAIN.replace('arib-std-b67', 'smpte2084')}`);
    expect(vfOf(presetById('flv-320x240').args(PQ_SOURCE, paths))?.startsWith('scale=320:240,zscale=tin=smpte2084:')).toBe(true);
    expect(vfOf(presetById('mp4-mpeg4-320x180').args(HLG_SOURCE, paths))).toBe(`scale=320:180,${HLG_CHAIN}`);
  });

  it('tone-maps webm-vp9-720p too: it makes 8-bit VP9 (profile 0), which cannot carry HDR', () => {
    const args = presetById('webm-vp9-720p').args(HLG_SOURCE, paths);
    expect(args.join(' ')).toContain('-pix_fmt yuv420p');
    expect(vfOf(args)).toBe(`scale=1280:720,setsar=1,${HLG_CHAIN}`);
    expect(args.join(' ')).toContain(SDR_TAGS.join(' '));
  });

  it('builds the whole and the split encode from the same parts: every preset maps iff the rule says so', () => {
    for (const preset of PRESETS) {
      const whole = preset.args(HLG_SOURCE, paths);
      expect(whole.join(' ').includes('tonemap='), preset.id).toBe(toneMapsHdr(preset.spec, HLG_SOURCE));
      const parts = preset.parts?.(HLG_SOURCE);
      if (!parts) continue;
      expect(vfOf(whole) ?? '', preset.id).toBe(parts.filters);
      expect(whole.join(' '), preset.id).toContain(parts.video.join(' '));
    }
  });

  it('keeps HDR where the output can carry it: the remux copies the HEVC with its tags, a custom preset is run as written', () => {
    const remux = presetById('mp4-remux').args(HLG_SOURCE, paths);
    expect(remux).toEqual(['-i', paths.input, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-tag:v', 'hvc1', '-movflags', '+faststart', '-f', 'mp4', paths.output]);
    expect(toneMapsHdr(presetById('mp4-remux').spec, HLG_SOURCE)).toBe(false);
    const hevc10 = customPresetShape({ id: 'custom-hevc-10', name: 'HEVC 10', container: 'mp4', argsText: '-c:v libx265 -pix_fmt yuv420p10le', args: ['-c:v', 'libx265', '-pix_fmt', 'yuv420p10le'], createdAt: 0, updatedAt: 0 });
    expect(hevc10.args(HLG_SOURCE, paths)).toEqual(['-i', paths.input, '-c:v', 'libx265', '-pix_fmt', 'yuv420p10le', '-f', 'mp4', paths.output]);
    expect(toneMapsHdr(hevc10.spec, HLG_SOURCE)).toBe(false);
  });

  it('falls back to BT.2020 for untagged primaries and matrix, and keeps a full-range source’s range', () => {
    expect(toneMapChain({ ...PQ, primaries: null, matrix: null, range: 'pc' })).toMatch(/^zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:rin=pc:t=linear:npl=100:p=bt2020,/);
  });

  it('picks the colour tags out of encoder arguments for the split job’s stream-copy join', () => {
    expect(colourTagArgs(['-c:v', 'mpeg4', '-b:v', '1200k', ...SDR_TAGS])).toEqual(SDR_TAGS);
    expect(colourTagArgs(['-c:v', 'libx264', '-crf', '23'])).toEqual([]);
  });
});

describe('describeSource on HDR files made with native ffmpeg', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-hdr-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const probe = (file: string): ProbeReport => JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as ProbeReport;

  it.each([
    ['arib-std-b67', 'HLG'],
    ['smpte2084', 'PQ'],
  ])('a 10-bit %s HEVC clip is HDR; an SDR H.264 one is not', (transfer) => {
    const hdr = path.join(dir, `${transfer}.mp4`);
    execFileSync('ffmpeg', [
      '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=10:duration=0.3', '-pix_fmt', 'yuv420p10le',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `log-level=error:colorprim=bt2020:transfer=${transfer}:colormatrix=bt2020nc`,
      '-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc', hdr,
    ]);
    expect(describeSource(probe(hdr)).video?.hdr).toEqual({ primaries: 'bt2020', transfer, matrix: 'bt2020nc', range: 'tv', pixelFormat: 'yuv420p10le' });
    const sdr = path.join(dir, 'sdr.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=10:duration=0.3', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', sdr]);
    const report = probe(sdr);
    expect(describeSource(report).video?.hdr).toBeUndefined();
    expect(describeColour(report)).toMatchObject({ primaries: 'bt709', transfer: 'bt709', matrix: 'bt709' });
  });
});

describe('the fast route and HDR', () => {
  const allYes: WebCodecsSupport = {
    readable: true,
    format: 'MP4',
    video: { codec: 'hevc', decodable: true },
    audio: { codec: 'aac', decodable: true },
    encode: { 'mp4-h264-720p': { video: true, audio: true }, 'mp4-h264-480p': { video: true, audio: true }, 'webm-vp9-720p': { video: true, audio: true } },
  };

  it.each(['mp4-h264-720p', 'mp4-h264-480p', 'webm-vp9-720p'])('sends an HDR source going to %s to ffmpeg.wasm, saying why, even where the browser decodes it', (id) => {
    expect(chooseEngine(id, HLG_SOURCE, allYes)).toEqual({ engine: 'ffmpeg', reason: HDR_REASON });
    expect(chooseEngine(id, PQ_SOURCE, allYes)).toEqual({ engine: 'ffmpeg', reason: HDR_REASON });
    expect(chooseEngine(id, source(video({ codec: 'hevc' })), allYes)).toEqual({ engine: 'webcodecs' });
  });
});

describe('a preset built in the form, asked by its spec', () => {
  const ownPreset = (format: 'mp4-h264' | 'mp4-hevc' | 'gif') =>
    customPresetShape(makeFormPreset({ name: `HDR test ${format}`, choices: { format, maxHeight: 1080, maxFps: null, sound: 'auto', quality: 3, fitMB: null, soundKbps: 96 } }, new Set(), 0));
  afterAll(() => setCustomPresets([]));

  it('tone-maps an HLG source for its MP4 H.264 on ffmpeg.wasm, never on the fast route, and checks the tags', () => {
    const h264 = ownPreset('mp4-h264');
    setCustomPresets([h264]);
    expect(toneMapsHdr(h264.spec, HLG_SOURCE)).toBe(true);
    expect(h264.args(HLG_SOURCE, paths).join(' ')).toContain('tonemap=tonemap=hable');
    const support: WebCodecsSupport = { readable: true, format: 'MP4', video: { codec: 'hevc', decodable: true }, audio: { codec: 'aac', decodable: true }, encode: { [h264.id]: { video: true, audio: true } } };
    expect(chooseEngine(h264.id, HLG_SOURCE, support)).toEqual({ engine: 'ffmpeg', reason: HDR_REASON });
    const out = source(video({ codec: 'h264' }));
    expect(verifyOutput(h264.id, HLG_SOURCE, out, HLG)).toMatch(/not BT\.709 after HDR → SDR tone mapping/);
  });

  it('maps for its GIF inside the palette chain, and keeps HDR for its HEVC', () => {
    const gif = ownPreset('gif');
    expect(toneMapsHdr(gif.spec, HLG_SOURCE)).toBe(true);
    expect(gif.args(HLG_SOURCE, paths).join(' ')).toMatch(/setsar=1,zscale=.*tonemap=hable.*palettegen/);
    const hevc = ownPreset('mp4-hevc');
    expect(toneMapsHdr(hevc.spec, HLG_SOURCE)).toBe(false);
    expect(hevc.args(HLG_SOURCE, paths).join(' ')).not.toContain('tonemap');
  });
});

describe('verification of a tone-mapped output', () => {
  const out = (colourless: Partial<VideoInfo> = {}): SourceInfo => source(video({ codec: 'h264', width: 1280, height: 720, displayWidth: 1280, displayHeight: 720, ...colourless }));

  it('passes BT.709 tags and fails HDR or missing ones, naming them', () => {
    expect(verifyOutput('mp4-h264-720p', HLG_SOURCE, out(), BT709)).toBeNull();
    expect(verifyOutput('mp4-h264-720p', HLG_SOURCE, out(), HLG)).toBe(
      'The output failed its check: its colour is tagged BT2020 / ARIB-STD-B67 / BT2020NC (primaries / transfer / matrix), not BT.709 after HDR → SDR tone mapping.',
    );
    expect(verifyOutput('mp4-h264-720p', HLG_SOURCE, out(), { ...BT709, transfer: null })).toMatch(/BT709 \/ UNTAGGED \/ BT709/);
    // An SDR source's output keeps whatever tags the source had.
    expect(verifyOutput('mp4-h264-720p', SDR, out(), HLG)).toBeNull();
    // The stream copy keeps HDR: no BT.709 is asked of it.
    expect(verifyOutput('mp4-remux', HLG_SOURCE, source(video()), HLG)).toBeNull();
  });

  it('accepts an untagged FLV1 (the codec has no colour fields) but never an HDR-tagged one', () => {
    const none: VideoColour = { primaries: null, transfer: null, matrix: null, range: null, pixelFormat: 'yuv420p' };
    expect(toneMapTagProblem('flv1', none)).toBeNull();
    expect(toneMapTagProblem('flv1', HLG)).not.toBeNull();
    expect(toneMapTagProblem('h264', none)).not.toBeNull();
  });
});

describe('a split HDR job (fake pool)', () => {
  it('maps every segment with the same chain, tags the join, and logs the mapping', async () => {
    const file = new File([new Uint8Array(4000)], 'phone.mov', { lastModified: 1 });
    const phone: Source = { id: 's', file, displayName: file.name, info: source(video({ hdr: HLG }), 33), problem: null, probing: false, probed: Promise.resolve() };
    const requests: RunRequest[] = [];
    const deps: EncodeRunnerDeps = {
      pool: {
        run: (request: RunRequest) => {
          requests.push(request);
          const name = request.outputs[0] ?? 'out';
          return Promise.resolve({ exitCode: 0, outputs: [new File([new Uint8Array(1000)], name)], writeFailure: null });
        },
      },
      store: { put: (_record, blob) => Promise.resolve(blob) },
      scratch: null,
      budget: null,
      sourceOf: () => phone,
      onStored: () => {},
      splitPolicy: { splitAboveSec: 20, minSegmentSec: 10 },
    };
    const job = newJob({ id: 'job-1', sourceId: phone.id, sourceName: file.name, presetId: 'mp4-mpeg4-320x180', outputName: 'phone.mp4', state: 'running', queuedAt: 1 });
    const notes: (string | null | undefined)[] = [];
    const context: RunContext = { signal: new AbortController().signal, slots: 2, onLog: (lines) => job.log.push(...lines), onProgress: () => {}, update: (u) => notes.push(u.engineNote), whileWaiting: (w) => w };
    await createEncodeRunner(deps)(job, context);
    const segments = requests.filter((r) => r.outputs[0]?.startsWith('segment-'));
    expect(segments).toHaveLength(2);
    for (const r of segments) expect(vfOf(r.args)).toBe(`setpts=PTS-STARTPTS,scale=320:180,${HLG_CHAIN}`);
    const join = requests.at(-1)?.args.join(' ') ?? '';
    expect(join).toContain(`-c:v copy ${SDR_TAGS.join(' ')}`);
    expect(job.log).toContain('[ffbatch] HDR → SDR: the HLG (BT2020) source is tone-mapped to BT.709 (zscale, tonemap=hable) for this 8-bit SDR output.');
    // Sent to ffmpeg.wasm for another reason (no engine mode: ffmpeg only), the note still names the mapping.
    expect(notes).toContain('ffmpeg.wasm only was chosen; HDR → SDR tone-mapped');
  });
});
