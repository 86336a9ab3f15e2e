/**
 * The quantiser of each H.264 frame, read from its first slice header. Chromium's software
 * H.264 encoder (OpenH264) takes only a bitrate; the QP its rate control then picks says how
 * hard the content is at that bitrate, which lets the WebCodecs route steer the bitrate
 * towards a constant quality (see webcodecs-bitrate.ts). Only the fields before
 * `slice_qp_delta` are read (ITU-T H.264 §7.3.2.1, §7.3.2.2, §7.3.3).
 */
import { BitReader, rbsp } from '../h264-bits';

/** The fields of a sequence parameter set that the slice header's layout depends on. */
export interface SpsFields {
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  log2MaxPicOrderCntLsb: number;
  deltaPicOrderAlwaysZero: boolean;
  frameMbsOnly: boolean;
}

/** The fields of a picture parameter set that the slice header's layout depends on. */
export interface PpsFields {
  ppsId: number;
  entropyCodingMode: boolean;
  bottomFieldPicOrderInFramePresent: boolean;
  numRefIdxL0DefaultActive: number;
  numRefIdxL1DefaultActive: number;
  weightedPred: boolean;
  weightedBipredIdc: number;
  picInitQp: number;
  redundantPicCntPresent: boolean;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(reader: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + reader.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

export function parseSps(nal: Uint8Array): SpsFields {
  const reader = new BitReader(rbsp(nal, 1, 512));
  const profileIdc = reader.u(8);
  reader.u(16); // constraint flags, level
  reader.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = reader.ue();
    if (chromaFormatIdc === 3) separateColourPlane = reader.flag();
    reader.ue(); // bit_depth_luma_minus8
    reader.ue(); // bit_depth_chroma_minus8
    reader.u(1); // qpprime_y_zero_transform_bypass_flag
    if (reader.flag()) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (reader.flag()) skipScalingList(reader, i < 6 ? 16 : 64);
    }
  }
  const log2MaxFrameNum = reader.ue() + 4;
  const picOrderCntType = reader.ue();
  let log2MaxPicOrderCntLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  if (picOrderCntType === 0) log2MaxPicOrderCntLsb = reader.ue() + 4;
  else if (picOrderCntType === 1) {
    deltaPicOrderAlwaysZero = reader.flag();
    reader.se(); // offset_for_non_ref_pic
    reader.se(); // offset_for_top_to_bottom_field
    const cycle = reader.ue();
    for (let i = 0; i < cycle; i++) reader.se();
  }
  reader.ue(); // max_num_ref_frames
  reader.u(1); // gaps_in_frame_num_value_allowed_flag
  reader.ue(); // pic_width_in_mbs_minus1
  reader.ue(); // pic_height_in_map_units_minus1
  const frameMbsOnly = reader.flag();
  return { chromaFormatIdc, separateColourPlane, log2MaxFrameNum, picOrderCntType, log2MaxPicOrderCntLsb, deltaPicOrderAlwaysZero, frameMbsOnly };
}

export function parsePps(nal: Uint8Array): PpsFields {
  const reader = new BitReader(rbsp(nal, 1, 512));
  const ppsId = reader.ue();
  reader.ue(); // seq_parameter_set_id (ffbatch's streams carry one SPS)
  const entropyCodingMode = reader.flag();
  const bottomFieldPicOrderInFramePresent = reader.flag();
  if (reader.ue() !== 0) throw new RangeError('H.264 slice groups (FMO) are not read');
  const numRefIdxL0DefaultActive = reader.ue() + 1;
  const numRefIdxL1DefaultActive = reader.ue() + 1;
  const weightedPred = reader.flag();
  const weightedBipredIdc = reader.u(2);
  const picInitQp = 26 + reader.se();
  reader.se(); // pic_init_qs_minus26
  reader.se(); // chroma_qp_index_offset
  reader.u(1); // deblocking_filter_control_present_flag
  reader.u(1); // constrained_intra_pred_flag
  const redundantPicCntPresent = reader.flag();
  return { ppsId, entropyCodingMode, bottomFieldPicOrderInFramePresent, numRefIdxL0DefaultActive, numRefIdxL1DefaultActive, weightedPred, weightedBipredIdc, picInitQp, redundantPicCntPresent };
}

const SLICE_P = 0;
const SLICE_B = 1;
const SLICE_I = 2;
const SLICE_SP = 3;
const SLICE_SI = 4;

function skipRefPicListModification(reader: BitReader): void {
  if (!reader.flag()) return;
  for (let idc = reader.ue(); idc !== 3; idc = reader.ue()) {
    if (idc > 5) throw new RangeError('bad modification_of_pic_nums_idc');
    reader.ue(); // abs_diff_pic_num_minus1, long_term_pic_num or abs_diff_view_idx
  }
}

function skipPredWeightTable(reader: BitReader, sps: SpsFields, sliceType: number, l0: number, l1: number): void {
  const chroma = sps.separateColourPlane ? 0 : sps.chromaFormatIdc;
  reader.ue(); // luma_log2_weight_denom
  if (chroma !== 0) reader.ue(); // chroma_log2_weight_denom
  for (const count of sliceType === SLICE_B ? [l0, l1] : [l0]) {
    for (let i = 0; i < count; i++) {
      if (reader.flag()) {
        reader.se();
        reader.se();
      }
      if (chroma !== 0 && reader.flag()) for (let j = 0; j < 4; j++) reader.se();
    }
  }
}

function skipDecRefPicMarking(reader: BitReader, idr: boolean): void {
  if (idr) {
    reader.u(2); // no_output_of_prior_pics_flag, long_term_reference_flag
    return;
  }
  if (!reader.flag()) return;
  for (let op = reader.ue(); op !== 0; op = reader.ue()) {
    if (op > 6) throw new RangeError('bad memory_management_control_operation');
    if (op === 1 || op === 3) reader.ue();
    if (op === 2) reader.ue();
    if (op === 3 || op === 6) reader.ue();
    if (op === 4) reader.ue();
  }
}

/** The QP of one coded slice NAL unit (types 1 and 5), or null for any other NAL unit. */
export function sliceQp(nal: Uint8Array, sps: SpsFields, ppsById: ReadonlyMap<number, PpsFields>): number | null {
  const header = nal[0] ?? 0;
  const nalType = header & 0x1f;
  if (nalType !== 1 && nalType !== 5) return null;
  const idr = nalType === 5;
  const reader = new BitReader(rbsp(nal, 1, 512));
  reader.ue(); // first_mb_in_slice
  const sliceType = reader.ue() % 5;
  const pps = ppsById.get(reader.ue());
  if (!pps) throw new RangeError('slice names a PPS that was not given');
  if (sps.separateColourPlane) reader.u(2);
  reader.u(sps.log2MaxFrameNum); // frame_num
  let fieldPic = false;
  if (!sps.frameMbsOnly) {
    fieldPic = reader.flag();
    if (fieldPic) reader.u(1);
  }
  if (idr) reader.ue(); // idr_pic_id
  if (sps.picOrderCntType === 0) {
    reader.u(sps.log2MaxPicOrderCntLsb);
    if (pps.bottomFieldPicOrderInFramePresent && !fieldPic) reader.se();
  } else if (sps.picOrderCntType === 1 && !sps.deltaPicOrderAlwaysZero) {
    reader.se();
    if (pps.bottomFieldPicOrderInFramePresent && !fieldPic) reader.se();
  }
  if (pps.redundantPicCntPresent) reader.ue();
  if (sliceType === SLICE_B) reader.u(1); // direct_spatial_mv_pred_flag
  let l0 = pps.numRefIdxL0DefaultActive;
  let l1 = pps.numRefIdxL1DefaultActive;
  if (sliceType === SLICE_P || sliceType === SLICE_SP || sliceType === SLICE_B) {
    if (reader.flag()) {
      l0 = reader.ue() + 1;
      if (sliceType === SLICE_B) l1 = reader.ue() + 1;
    }
  }
  if (sliceType !== SLICE_I && sliceType !== SLICE_SI) {
    skipRefPicListModification(reader);
    if (sliceType === SLICE_B) skipRefPicListModification(reader);
  }
  if ((pps.weightedPred && (sliceType === SLICE_P || sliceType === SLICE_SP)) || (pps.weightedBipredIdc === 1 && sliceType === SLICE_B)) {
    skipPredWeightTable(reader, sps, sliceType, l0, l1);
  }
  if (((header >> 5) & 3) !== 0) skipDecRefPicMarking(reader, idr);
  if (pps.entropyCodingMode && sliceType !== SLICE_I && sliceType !== SLICE_SI) reader.ue(); // cabac_init_idc
  return pps.picInitQp + reader.se();
}

/** Reads the QP of each frame of an AVC-format stream (length-prefixed NAL units, parameter sets in avcC). */
export class AvcQpReader {
  private readonly sps: SpsFields;
  private readonly ppsById = new Map<number, PpsFields>();
  private readonly lengthSize: number;

  /** `description`: the avcC record of the encoder's decoderConfig. */
  constructor(description: Uint8Array) {
    if (description[0] !== 1 || description.length < 7) throw new RangeError('not an avcC record');
    this.lengthSize = ((description[4] ?? 3) & 3) + 1;
    let at = 5;
    const spsCount = (description[at++] ?? 0) & 0x1f;
    let sps: SpsFields | undefined;
    for (let i = 0; i < spsCount; i++) {
      const size = ((description[at] ?? 0) << 8) | (description[at + 1] ?? 0);
      sps ??= parseSps(description.subarray(at + 2, at + 2 + size));
      at += 2 + size;
    }
    if (!sps) throw new RangeError('avcC holds no SPS');
    this.sps = sps;
    const ppsCount = description[at++] ?? 0;
    for (let i = 0; i < ppsCount; i++) {
      const size = ((description[at] ?? 0) << 8) | (description[at + 1] ?? 0);
      const pps = parsePps(description.subarray(at + 2, at + 2 + size));
      this.ppsById.set(pps.ppsId, pps);
      at += 2 + size;
    }
  }

  /** The QP of the frame's first slice; null when the frame holds no slice. */
  frameQp(frame: Uint8Array): number | null {
    for (let at = 0; at + this.lengthSize <= frame.length; ) {
      let size = 0;
      for (let i = 0; i < this.lengthSize; i++) size = size * 256 + (frame[at + i] ?? 0);
      at += this.lengthSize;
      const qp = sliceQp(frame.subarray(at, at + size), this.sps, this.ppsById);
      if (qp !== null) return qp;
      at += size;
    }
    return null;
  }
}

/**
 * Reads the QP of each frame an H.264 VideoEncoder hands out (avc format) and keeps their
 * mean: what its rate control picked for the content.
 */
export class AvcQpMeter {
  private reader: AvcQpReader | null = null;
  private sum = 0;
  private frames = 0;
  private broken = false;
  private firstDescription: Uint8Array | null = null;

  constructor(
    private readonly enabled: boolean,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Reads one frame's QP (null when it can't be read). Throws when a reconfigured encoder
   * hands out parameter sets other than the first: the MP4 holds only the first ones.
   */
  add(frame: Uint8Array, description: AllowSharedBufferSource | undefined): number | null {
    if (!this.enabled) return null;
    const bytes = description ? new Uint8Array(bytesOf(description)) : null;
    if (bytes) {
      if (this.firstDescription === null) this.firstDescription = bytes;
      else if (!sameBytes(this.firstDescription, bytes)) throw new Error('the H.264 encoder changed its parameter sets mid-stream');
    }
    if (this.broken) return null;
    try {
      if (bytes) this.reader = new AvcQpReader(bytes);
      const qp = this.reader?.frameQp(frame) ?? null;
      if (qp === null) return null;
      this.sum += qp;
      this.frames++;
      return qp;
    } catch (error) {
      // The QP is a measure, never a reason to fail the encode.
      this.broken = true;
      this.log(`H.264 QP not read: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  get meanQp(): number | null {
    return this.frames > 0 ? this.sum / this.frames : null;
  }

  summary(): string {
    const mean = this.meanQp;
    return mean === null ? '' : `, H.264 mean QP ${mean.toFixed(2)}`;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function bytesOf(source: AllowSharedBufferSource): Uint8Array {
  return source instanceof ArrayBuffer || source instanceof SharedArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}
