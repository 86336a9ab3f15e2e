import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freeParameterSetId,
  isIdrSample,
  mergeAvcConfigs,
  nalUnits,
  parseAvcConfig,
  ppsIds,
  rewriteSample,
  spsId,
  writeAvcConfig,
  x264Level,
  x264Profile,
} from '../../workers/smart-cut/avc-config';
import { pieceArgs } from '../../workers/smart-cut/piece-args';

const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-avc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The avcC record native x264 writes for a tiny clip (extradata, read back from ffprobe's hex dump). */
function x264AvcC(x264Params: string, profile = 'high'): Uint8Array {
  const file = path.join(dir, `${x264Params.replace(/\W/g, '_')}-${profile}.mp4`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=10', '-t', '1', '-c:v', 'libx264', '-profile:v', profile, '-x264-params', x264Params, file]);
  const dump = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=extradata', '-show_data', '-of', 'default', file]).toString();
  const hex = [...dump.matchAll(/^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} ?)+)/gm)].map((m) => (m[1] ?? '').replace(/ /g, '')).join('');
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

describe('avcC records', () => {
  it('reads x264\'s record: profile, level, 4-byte lengths, one SPS and one PPS with the ids asked for', () => {
    const config = parseAvcConfig(x264AvcC('sps-id=3'));
    expect(config.profile).toBe(100);
    expect(config.lengthSize).toBe(4);
    expect(config.sps).toHaveLength(1);
    expect(config.pps).toHaveLength(1);
    expect(spsId(config.sps[0] as Uint8Array)).toBe(3);
    expect(ppsIds(config.pps[0] as Uint8Array)).toEqual({ pps: 3, sps: 3 });
    expect(spsId(parseAvcConfig(x264AvcC('sps-id=0')).sps[0] as Uint8Array)).toBe(0);
  });

  it('writes back the same bytes it read', () => {
    const bytes = x264AvcC('sps-id=0');
    expect(writeAvcConfig(parseAvcConfig(bytes))).toEqual(bytes);
  });

  it('merges a piece\'s parameter sets beside the source\'s under the source\'s header, and picks free ids', () => {
    const source = parseAvcConfig(x264AvcC('sps-id=0'));
    const piece = parseAvcConfig(x264AvcC('sps-id=1:keyint=5', 'main'));
    expect(freeParameterSetId(source)).toBe(1);
    expect(freeParameterSetId(source, [1])).toBe(2);
    const merged = parseAvcConfig(writeAvcConfig(mergeAvcConfigs(source, [piece])));
    expect(merged.profile).toBe(100);
    expect(merged.sps.map(spsId)).toEqual([0, 1]);
    expect(merged.pps.map((pps) => ppsIds(pps).pps)).toEqual([0, 1]);
    expect(merged.extension).toEqual(source.extension);
  });

  it('refuses two different parameter sets under one id', () => {
    const source = parseAvcConfig(x264AvcC('sps-id=0'));
    const clash = parseAvcConfig(x264AvcC('sps-id=0:ref=1', 'main'));
    expect(() => mergeAvcConfigs(source, [clash])).toThrow(/two different SPS with id 0/);
    expect(mergeAvcConfigs(source, [source]).sps).toHaveLength(1);
  });
});

describe('samples', () => {
  const nal = (type: number, ...payload: number[]): number[] => [0x60 | type, ...payload];
  const sample = (lengthSize: number, ...units: number[][]): Uint8Array =>
    Uint8Array.from(units.flatMap((unit) => [...Array.from({ length: lengthSize }, (_, i) => (unit.length >> (8 * (lengthSize - 1 - i))) & 0xff), ...unit]));

  it('finds an IDR slice among the NAL units of a sample', () => {
    expect(isIdrSample(sample(4, nal(6, 1, 2), nal(5, 9, 9, 9)), 4)).toBe(true);
    expect(isIdrSample(sample(4, nal(6, 1, 2), nal(1, 9, 9, 9)), 4)).toBe(false);
  });

  it('changes the length prefix and leaves in-band parameter sets out', () => {
    const rewritten = rewriteSample(sample(4, nal(7, 1), nal(8, 2), nal(5, 3, 4)), 4, 2);
    expect(Array.from(rewritten)).toEqual(Array.from(sample(2, nal(5, 3, 4))));
    expect(nalUnits(rewritten, 2).map((unit) => Array.from(unit))).toEqual([nal(5, 3, 4)]);
  });
});

describe('matching the source with x264', () => {
  it('names the profiles the core\'s 8-bit x264 makes and none else', () => {
    expect([66, 77, 100, 110, 122, 244].map(x264Profile)).toEqual(['baseline', 'main', 'high', null, null, null]);
    expect(x264Level(41)).toBe('4.1');
    expect(x264Level(30)).toBe('3.0');
  });

  it('encodes the asked frames from a millisecond before From, with the source\'s profile, level, colours and a free parameter-set id', () => {
    const args = pieceArgs('/in/a.mp4', '/work/p.mp4', { from: 2.7, frames: 39 }, { profile: 'high', level: '4.0', parameterSetId: 1, color: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false } });
    const after = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect(after('-ss')).toBe('2.699000');
    expect(after('-frames:v')).toBe('39');
    expect(after('-profile:v')).toBe('high');
    expect(after('-level:v')).toBe('4.0');
    expect(after('-x264-params')).toBe('sps-id=1');
    expect(after('-color_primaries')).toBe('bt709');
    expect(after('-color_range')).toBe('tv');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
  });
});
