/**
 * Bits of H.264 NAL units, as ITU-T H.264 §7.2 reads them: the payload without its emulation
 * prevention bytes, and a reader of fixed-width fields and Exp-Golomb codes. Shared by the fast
 * route's QP reader and the smart cut's parameter-set matching.
 */

/** The NAL payload from byte `from` (1: after the one-byte header), without emulation prevention bytes (00 00 03 → 00 00), at most `limit` bytes. */
export function rbsp(nal: Uint8Array, from = 1, limit = Infinity): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (let i = from; i < nal.length && out.length < limit; i++) {
    const byte = nal[i] ?? 0;
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Uint8Array.from(out);
}

/** Reads bits MSB first from a NAL unit's payload (emulation prevention bytes removed: `rbsp`). */
export class BitReader {
  private bit = 0;
  constructor(private readonly bytes: Uint8Array) {}

  u(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[this.bit >> 3];
      if (byte === undefined) throw new RangeError('H.264 header ends early');
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return value;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  /** Unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      zeros++;
      if (zeros > 31) throw new RangeError('H.264 Exp-Golomb code too long');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb. */
  se(): number {
    const code = this.ue();
    return code % 2 === 1 ? (code + 1) / 2 : -code / 2;
  }
}
