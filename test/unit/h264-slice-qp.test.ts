import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AvcQpMeter, AvcQpReader, parsePps, parseSps, sliceQp, type PpsFields } from '../../workers/webcodecs/h264-slice-qp';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-qp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Encoded {
  nals: Uint8Array[];
  /** x264's own report: frames and average QP of each frame type. */
  report: { type: string; frames: number; avgQp: number }[];
}

/**
 * Encodes 3 s of flower.mp4 with native x264 at a constant QP: with no adaptive quantisation,
 * every macroblock has its slice's QP, so x264's "Avg QP" per frame type is the slice QPs' mean.
 */
function encode(name: string, x264: string[]): Encoded {
  const file = path.join(dir, `${name}.h264`);
  const args = ['-v', 'info', '-nostdin', '-y', '-i', path.join(FIXTURES, 'flower.mp4'), '-t', '3', '-an', '-c:v', 'libx264', '-preset', 'veryfast', ...x264, '-f', 'h264', file];
  const run = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const report = [...run.stderr.matchAll(/frame ([IPB]):(\d+)\s+Avg QP:\s*([\d.]+)/g)].map((m) => ({ type: m[1] ?? '', frames: Number(m[2]), avgQp: Number(m[3]) }));
  return { nals: splitAnnexB(readFileSync(file)), report };
}

function splitAnnexB(bytes: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? (starts[k + 1] ?? bytes.length) - 3 : bytes.length;
    while (end > start && bytes[end - 1] === 0) end--; // the leading zero of a 4-byte start code
    return bytes.subarray(start, end);
  });
}

const nalType = (nal: Uint8Array): number => (nal[0] ?? 0) & 0x1f;

/** Every slice's QP, in stream order, parsed with the stream's own SPS and PPS. */
function sliceQps(encoded: Encoded): number[] {
  const spsNal = encoded.nals.find((nal) => nalType(nal) === 7);
  const ppsNal = encoded.nals.find((nal) => nalType(nal) === 8);
  if (!spsNal || !ppsNal) throw new Error('no SPS or PPS in the stream');
  const sps = parseSps(spsNal);
  const pps = parsePps(ppsNal);
  const byId = new Map<number, PpsFields>([[pps.ppsId, pps]]);
  return encoded.nals.map((nal) => sliceQp(nal, sps, byId)).filter((qp): qp is number => qp !== null);
}

function weightedMean(report: Encoded['report']): number {
  const frames = report.reduce((sum, r) => sum + r.frames, 0);
  return report.reduce((sum, r) => sum + r.frames * r.avgQp, 0) / frames;
}

describe('H.264 slice QP, checked against x264\'s own report', () => {
  it('baseline (CAVLC, P frames only, as OpenH264 writes): the IDR at QP 30, every P at 33', () => {
    const encoded = encode('baseline', ['-profile:v', 'baseline', '-x264-params', 'qp=33']);
    const qps = sliceQps(encoded);
    expect(encoded.report).toEqual([
      { type: 'I', frames: 1, avgQp: 30 },
      { type: 'P', frames: qps.length - 1, avgQp: 33 },
    ]);
    expect(qps[0]).toBe(30);
    expect(new Set(qps.slice(1))).toEqual(new Set([33]));
  });

  it('high profile (CABAC, B pyramid, weighted P): per-frame QPs average to x264\'s figures', () => {
    const encoded = encode('high', ['-profile:v', 'high', '-x264-params', 'qp=26:bframes=3:b-pyramid=normal:weightp=2']);
    const qps = sliceQps(encoded);
    const frames = encoded.report.reduce((sum, r) => sum + r.frames, 0);
    expect(qps).toHaveLength(frames);
    expect(qps[0]).toBe(encoded.report.find((r) => r.type === 'I')?.avgQp);
    const mean = qps.reduce((a, b) => a + b, 0) / qps.length;
    expect(Math.abs(mean - weightedMean(encoded.report))).toBeLessThan(0.01);
    expect(new Set(qps).size, 'I, P and two B levels differ').toBeGreaterThanOrEqual(3);
  });

  it('AvcQpReader reads length-prefixed frames with the parameter sets of an avcC record', () => {
    const encoded = encode('avcc', ['-profile:v', 'main', '-x264-params', 'qp=29:bframes=0']);
    const sps = encoded.nals.find((nal) => nalType(nal) === 7) ?? new Uint8Array();
    const pps = encoded.nals.find((nal) => nalType(nal) === 8) ?? new Uint8Array();
    const avcC = Uint8Array.from([1, sps[1] ?? 0, sps[2] ?? 0, sps[3] ?? 0, 0xff, 0xe1, sps.length >> 8, sps.length & 0xff, ...sps, 1, pps.length >> 8, pps.length & 0xff, ...pps]);
    const reader = new AvcQpReader(avcC);
    const lengthPrefixed = (nal: Uint8Array): number[] => [nal.length >>> 24, (nal.length >> 16) & 0xff, (nal.length >> 8) & 0xff, nal.length & 0xff, ...nal];
    const slices = encoded.nals.filter((nal) => nalType(nal) === 1 || nalType(nal) === 5);
    // An SEI before the first slice, as encoders write it: skipped, not read as a slice.
    const sei = encoded.nals.find((nal) => nalType(nal) === 6) ?? Uint8Array.from([6, 5, 0, 0x80]);
    expect(reader.frameQp(Uint8Array.from([...lengthPrefixed(sei), ...lengthPrefixed(slices[0] ?? new Uint8Array())]))).toBe(encoded.report[0]?.avgQp);
    expect(reader.frameQp(Uint8Array.from(lengthPrefixed(slices[1] ?? new Uint8Array())))).toBe(29);
    expect(reader.frameQp(Uint8Array.from(lengthPrefixed(sei)))).toBeNull();
  });

  it('AvcQpMeter: the mean over frames as an encoder hands them out; other parameter sets mid-stream throw', () => {
    const encoded = encode('meter', ['-profile:v', 'baseline', '-x264-params', 'qp=33']);
    const sps = encoded.nals.find((nal) => nalType(nal) === 7) ?? new Uint8Array();
    const pps = encoded.nals.find((nal) => nalType(nal) === 8) ?? new Uint8Array();
    const avcC = Uint8Array.from([1, sps[1] ?? 0, sps[2] ?? 0, sps[3] ?? 0, 0xff, 0xe1, sps.length >> 8, sps.length & 0xff, ...sps, 1, pps.length >> 8, pps.length & 0xff, ...pps]);
    const frames = encoded.nals.filter((nal) => nalType(nal) === 1 || nalType(nal) === 5).map((nal) => Uint8Array.from([nal.length >>> 24, (nal.length >> 16) & 0xff, (nal.length >> 8) & 0xff, nal.length & 0xff, ...nal]));
    const lines: string[] = [];
    const meter = new AvcQpMeter(true, (line) => lines.push(line));
    // The description comes with the first chunk (and again, the same, after a reconfigure).
    expect(meter.add(frames[0] ?? new Uint8Array(), avcC)).toBe(30);
    for (const frame of frames.slice(1, 10)) expect(meter.add(frame, undefined)).toBe(33);
    expect(meter.add(frames[10] ?? new Uint8Array(), avcC.slice())).toBe(33);
    expect(meter.meanQp).toBeCloseTo((30 + 10 * 33) / 11, 6);
    expect(meter.summary()).toBe(`, H.264 mean QP ${((30 + 10 * 33) / 11).toFixed(2)}`);
    const other = avcC.slice();
    other[other.length - 1] = (other.at(-1) ?? 0) ^ 0x01;
    expect(() => meter.add(frames[11] ?? new Uint8Array(), other)).toThrow(/changed its parameter sets mid-stream/);
    expect(lines).toEqual([]);
    expect(new AvcQpMeter(false, () => {}).add(frames[0] ?? new Uint8Array(), avcC), 'VP9 encodes are not metered').toBeNull();
  });

  it('refuses what it cannot read: a truncated header, a record that is not avcC', () => {
    const encoded = encode('short', ['-profile:v', 'baseline', '-x264-params', 'qp=33']);
    const sps = parseSps(encoded.nals.find((nal) => nalType(nal) === 7) ?? new Uint8Array());
    const pps = parsePps(encoded.nals.find((nal) => nalType(nal) === 8) ?? new Uint8Array());
    const slice = encoded.nals.find((nal) => nalType(nal) === 5) ?? new Uint8Array();
    expect(() => sliceQp(slice.subarray(0, 2), sps, new Map([[pps.ppsId, pps]]))).toThrow(RangeError);
    expect(() => new AvcQpReader(Uint8Array.from([0, 1, 2, 3, 4, 5, 6]))).toThrow(/not an avcC record/);
  });
});
