/**
 * H.264 decoder configuration (the MP4 `avcC` record) and the few NAL unit facts a smart cut
 * needs: which parameter-set ids a stream uses, whether a packet is an IDR picture, and one
 * `avcC` that carries the source's parameter sets and those of the re-encoded pieces side by
 * side, so one MP4 sample entry describes every packet (no in-band parameter sets, no sample
 * entry switch). Pure: bytes in, bytes out.
 */
import { BitReader, rbsp } from '../h264-bits';

export interface AvcConfig {
  profile: number;
  compatibility: number;
  level: number;
  /** Bytes of each NAL unit's length prefix in the samples (1, 2 or 4). */
  lengthSize: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** High profiles' extension (chroma format, bit depths, SPS extensions), kept as it is. */
  extension: Uint8Array;
}

/** Reads an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1). */
export function parseAvcConfig(bytes: Uint8Array): AvcConfig {
  if (bytes.byteLength < 7 || bytes[0] !== 1) throw new Error('not an avcC record');
  let at = 5;
  const take = (): Uint8Array => {
    const size = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
    const unit = bytes.subarray(at + 2, at + 2 + size);
    if (unit.byteLength !== size) throw new Error('avcC record cut short');
    at += 2 + size;
    return unit;
  };
  const sps: Uint8Array[] = [];
  const spsCount = (bytes[at++] ?? 0) & 0x1f;
  for (let i = 0; i < spsCount; i++) sps.push(take());
  const pps: Uint8Array[] = [];
  const ppsCount = bytes[at++] ?? 0;
  for (let i = 0; i < ppsCount; i++) pps.push(take());
  return {
    profile: bytes[1] ?? 0,
    compatibility: bytes[2] ?? 0,
    level: bytes[3] ?? 0,
    lengthSize: ((bytes[4] ?? 0) & 3) + 1,
    sps,
    pps,
    extension: bytes.slice(at),
  };
}

export function writeAvcConfig(config: AvcConfig): Uint8Array {
  const units = [...config.sps, ...config.pps];
  const size = 7 + units.reduce((sum, unit) => sum + 2 + unit.byteLength, 0) + config.extension.byteLength;
  const out = new Uint8Array(size);
  out.set([1, config.profile, config.compatibility, config.level, 0xfc | (config.lengthSize - 1)]);
  let at = 5;
  const put = (unit: Uint8Array): void => {
    out[at++] = unit.byteLength >> 8;
    out[at++] = unit.byteLength & 0xff;
    out.set(unit, at);
    at += unit.byteLength;
  };
  out[at++] = 0xe0 | config.sps.length;
  config.sps.forEach(put);
  out[at++] = config.pps.length;
  config.pps.forEach(put);
  out.set(config.extension, at);
  return out;
}

/** seq_parameter_set_id of an SPS NAL unit (after profile, constraint flags and level). */
export function spsId(sps: Uint8Array): number {
  return new BitReader(rbsp(sps, 4)).ue();
}

/** pic_parameter_set_id and the SPS it refers to, of a PPS NAL unit. */
export function ppsIds(pps: Uint8Array): { pps: number; sps: number } {
  const reader = new BitReader(rbsp(pps, 1));
  const id = reader.ue();
  return { pps: id, sps: reader.ue() };
}

/** The NAL units of one length-prefixed sample. */
export function nalUnits(sample: Uint8Array, lengthSize: number): Uint8Array[] {
  const units: Uint8Array[] = [];
  for (let at = 0; at + lengthSize <= sample.byteLength; ) {
    let size = 0;
    for (let i = 0; i < lengthSize; i++) size = size * 256 + (sample[at + i] ?? 0);
    at += lengthSize;
    units.push(sample.subarray(at, at + size));
    at += size;
  }
  return units;
}

/** Whether the sample holds an IDR picture (NAL type 5): only there may the active SPS change. */
export function isIdrSample(sample: Uint8Array, lengthSize: number): boolean {
  return nalUnits(sample, lengthSize).some((unit) => ((unit[0] ?? 0) & 0x1f) === 5);
}

/** The same NAL units with another length-prefix size, parameter sets left out (they live in the avcC). */
export function rewriteSample(sample: Uint8Array, fromLength: number, toLength: number): Uint8Array {
  const units = nalUnits(sample, fromLength).filter((unit) => {
    const type = (unit[0] ?? 0) & 0x1f;
    return type !== 7 && type !== 8;
  });
  const out = new Uint8Array(units.reduce((sum, unit) => sum + toLength + unit.byteLength, 0));
  let at = 0;
  for (const unit of units) {
    if (toLength < 4 && unit.byteLength >= 2 ** (8 * toLength)) throw new Error('NAL unit too long for the length prefix');
    for (let i = toLength - 1; i >= 0; i--) out[at + toLength - 1 - i] = Math.floor(unit.byteLength / 2 ** (8 * i)) & 0xff;
    at += toLength;
    out.set(unit, at);
    at += unit.byteLength;
  }
  return out;
}

/** The lowest id (0–31) that none of the given SPS and PPS use, for a re-encoded piece's parameter sets. */
export function freeParameterSetId(config: AvcConfig, taken: readonly number[] = []): number | null {
  const used = new Set<number>(taken);
  for (const sps of config.sps) used.add(spsId(sps));
  for (const pps of config.pps) used.add(ppsIds(pps).pps);
  for (let id = 0; id < 32; id++) if (!used.has(id)) return id;
  return null;
}

/**
 * One avcC for the source and its re-encoded pieces: the source's header (profile, level,
 * length size) and extension, then every SPS and PPS. Throws when two sets share an id
 * with different bytes (a decoder could not tell them apart).
 */
export function mergeAvcConfigs(source: AvcConfig, pieces: readonly AvcConfig[]): AvcConfig {
  const sps = [...source.sps];
  const pps = [...source.pps];
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
  for (const piece of pieces) {
    for (const unit of piece.sps) {
      const clash = sps.find((known) => spsId(known) === spsId(unit));
      if (clash && !same(clash, unit)) throw new Error(`two different SPS with id ${spsId(unit)}`);
      if (!clash) sps.push(unit);
    }
    for (const unit of piece.pps) {
      const clash = pps.find((known) => ppsIds(known).pps === ppsIds(unit).pps);
      if (clash && !same(clash, unit)) throw new Error(`two different PPS with id ${ppsIds(unit).pps}`);
      if (!clash) pps.push(unit);
    }
  }
  return { ...source, sps, pps };
}

/** x264's name of an avcC profile, or null where the core's 8-bit 4:2:0 x264 cannot make it. */
export function x264Profile(profile: number): 'baseline' | 'main' | 'high' | null {
  if (profile === 66) return 'baseline';
  if (profile === 77) return 'main';
  if (profile === 100) return 'high';
  return null;
}

/** x264's `-level` from an avcC level_idc (41 → "4.1"). */
export function x264Level(level: number): string {
  return (level / 10).toFixed(1);
}
