/**
 * HDR sources (PQ or HLG, BT.2020: what phones record by default) going to 8-bit SDR outputs
 * are tone-mapped to BT.709 and tagged so; an output that can carry HDR keeps the source's
 * picture and tags. Pure: the rule, the filter chain and the checks on an output's tags.
 */
import type { OutputSpec } from './output-spec';
import type { PresetParts } from './preset-parts';
import type { SourceInfo, VideoColour, VideoInfo } from './source-info';

/**
 * Video codecs ffbatch writes as 8-bit SDR (H.264, VP9 profile 0, the recipes' FLV1 and
 * MPEG-4, GIF): an HDR source is tone-mapped for them. HEVC and AV1 could carry HDR.
 */
const SDR_VIDEO_CODECS: ReadonlySet<string> = new Set(['h264', 'vp9', 'flv1', 'mpeg4', 'gif']);

/**
 * Whether `spec` encodes 8-bit SDR video. Asked of the spec, not of a preset id, so that a
 * form-built preset is covered like a built-in; an Advanced (ffmpeg arguments) preset has
 * no spec and runs as written.
 */
export function makesSdrVideo(spec: OutputSpec | undefined): boolean {
  return typeof spec?.video === 'object' && spec.video !== null && SDR_VIDEO_CODECS.has(spec.video.codec);
}

/** The tags every tone-mapped output carries (encoder VUI and container), as ffmpeg arguments. */
export const SDR_TAGS: readonly string[] = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];

/** Names zscale takes for the source's tags (ffprobe's names); anything else falls back to BT.2020's. */
const ZSCALE_PRIMARIES = new Set(['bt709', 'bt2020', 'smpte432', 'smpte431', 'bt470bg', 'smpte170m']);
const ZSCALE_MATRICES = new Set(['bt709', 'bt2020nc', 'bt2020c', 'bt470bg', 'smpte170m']);

/** "HLG" or "PQ" for an HDR picture, null for SDR. */
export function hdrName(video: Pick<VideoInfo, 'hdr'> | null | undefined): 'HLG' | 'PQ' | null {
  const transfer = video?.hdr?.transfer;
  if (transfer === 'arib-std-b67') return 'HLG';
  if (transfer === 'smpte2084') return 'PQ';
  return null;
}

/**
 * True when this spec makes 8-bit SDR video and the source is HDR: its job tone-maps
 * (on ffmpeg.wasm), says so, and its output must be tagged BT.709.
 *
 * @example
 * toneMapsHdr(presetById('mp4-h264-720p').spec, hlgPhoneClip); // true
 * toneMapsHdr(presetById('mp4-remux').spec, hlgPhoneClip); // false: the HEVC is copied, HDR and all
 */
export function toneMapsHdr(spec: OutputSpec | undefined, source: SourceInfo): boolean {
  return makesSdrVideo(spec) && hdrName(source.video) !== null;
}

/**
 * The filter chain from the source's HDR picture to BT.709 SDR, 8-bit 4:2:0: zscale to
 * linear light (100 nits nominal peak), BT.2020 → BT.709 primaries, Hable's curve without
 * desaturation, then the BT.709 transfer and matrix, limited range. The source's tags are
 * given to zscale as ffprobe read them (BT.2020 where a field is missing), so a stream whose
 * frames carry no tags still maps.
 */
export function toneMapChain(hdr: VideoColour): string {
  const primaries = hdr.primaries !== null && ZSCALE_PRIMARIES.has(hdr.primaries) ? hdr.primaries : 'bt2020';
  const matrix = hdr.matrix !== null && ZSCALE_MATRICES.has(hdr.matrix) ? hdr.matrix : 'bt2020nc';
  const range = hdr.range === 'pc' ? 'pc' : 'tv';
  const transfer = hdr.transfer ?? 'arib-std-b67';
  return [
    // The output primaries stay the input's here: zscale copies the frame's (maybe untagged) ones otherwise.
    `zscale=tin=${transfer}:pin=${primaries}:min=${matrix}:rin=${range}:t=linear:npl=100:p=${primaries}`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ].join(',');
}

/** `-s WxH` among a preset's video arguments, as a scale filter (the recipe presets size with -s). */
function sizeFilter(video: readonly string[]): string | null {
  const at = video.indexOf('-s');
  const size = at >= 0 ? video[at + 1] : undefined;
  const match = size ? /^(\d+)x(\d+)$/.exec(size) : null;
  return match ? `scale=${match[1]}:${match[2]}` : null;
}

/**
 * A preset's parts with the HDR rule applied: for an HDR source, the tone-map chain after the
 * preset's own filters (scaled first: mapping costs per pixel) and the BT.709 tags among the
 * video arguments; an SDR source's parts as they are. Both the whole encode (`args`) and the
 * split one (`parts`) are built from what this returns, so they cannot drift.
 */
export function sdrOutput(parts: (source: SourceInfo) => PresetParts): (source: SourceInfo) => PresetParts {
  return (source) => {
    const own = parts(source);
    const hdr = source.video?.hdr;
    if (!hdr || hdrName(source.video) === null) return own;
    // The recipe presets size with -s, applied after the filters: scale first there too.
    const first = own.filters || sizeFilter(own.video) || '';
    return {
      ...own,
      filters: [first, toneMapChain(hdr)].filter(Boolean).join(','),
      video: [...own.video, ...SDR_TAGS],
    };
  };
}

/** The job's log line for a tone-mapped encode. */
export function toneMapLogLine(source: SourceInfo): string {
  const primaries = source.video?.hdr?.primaries ?? 'bt2020';
  return `[ffbatch] HDR → SDR: the ${hdrName(source.video) ?? 'HDR'} (${primaries.toUpperCase()}) source is tone-mapped to BT.709 (zscale, tonemap=hable) for this 8-bit SDR output.`;
}

/** Colour-tag arguments among encoder arguments (`-color_primaries bt709` …), for a stream copy that must keep them. */
export function colourTagArgs(video: readonly string[]): string[] {
  const tags: string[] = [];
  for (let i = 0; i < video.length - 1; i++) {
    const option = video[i] ?? '';
    if (/^-(color_primaries|color_trc|colorspace|color_range)(:v)?$/.test(option)) tags.push(option, video[i + 1] ?? '');
  }
  return tags;
}

/**
 * Null when a tone-mapped output is tagged BT.709 (primaries, transfer, matrix), else what
 * is wrong, in words. An FLV1 stream carries no colour tags at all: none is accepted there,
 * never an HDR one.
 *
 * @example
 * toneMapTagProblem('h264', { primaries: 'bt2020', transfer: 'arib-std-b67', … }); // "its colour is tagged BT2020 / ARIB-STD-B67 / BT2020NC, not BT.709 after HDR → SDR tone mapping"
 */
export function toneMapTagProblem(outputCodec: string, colour: VideoColour | null): string | null {
  const tags = [colour?.primaries ?? null, colour?.transfer ?? null, colour?.matrix ?? null];
  const untaggable = outputCodec === 'flv1' || outputCodec === 'gif';
  if (tags.every((t) => t === 'bt709') || (untaggable && tags.every((t) => t === null))) return null;
  const shown = tags.map((t) => (t ?? 'untagged').toUpperCase()).join(' / ');
  return `its colour is tagged ${shown} (primaries / transfer / matrix), not BT.709 after HDR → SDR tone mapping`;
}
