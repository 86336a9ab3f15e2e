/** Reading ffmpeg's framecrc listing (one line per packet): where the packets end, and how many each stream has. */

/**
 * The largest packet end (`pts + duration`, in seconds) of a framecrc listing: `#tb N: a/b`
 * lines give each stream's time base, then `stream, dts, pts, duration, size, crc` per packet.
 * Null when it lists no packet.
 */
export function lastPacketEnd(framecrc: string): number | null {
  const timeBases = new Map<number, number>();
  let end: number | null = null;
  for (const line of framecrc.split('\n')) {
    const timeBase = /^#tb (\d+): (\d+)\/(\d+)/.exec(line);
    if (timeBase) {
      timeBases.set(Number(timeBase[1]), Number(timeBase[2]) / Number(timeBase[3]));
      continue;
    }
    if (line.startsWith('#')) continue;
    const [stream, , pts, duration] = line.split(',').map((field) => Number(field.trim()));
    const unit = stream === undefined ? undefined : timeBases.get(stream);
    if (unit === undefined || pts === undefined || !Number.isFinite(pts) || pts < 0) continue;
    const packetEnd = (pts + (duration !== undefined && Number.isFinite(duration) && duration > 0 ? duration : 0)) * unit;
    end = end === null ? packetEnd : Math.max(end, packetEnd);
  }
  return end;
}

/** Packets per stream index in a framecrc listing (index → count; a stream with none reads 0). */
export function packetCounts(framecrc: string): number[] {
  const counts: number[] = [];
  for (const line of framecrc.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const stream = Number(line.slice(0, line.indexOf(',')));
    if (!Number.isInteger(stream) || stream < 0) continue;
    while (counts.length <= stream) counts.push(0);
    counts[stream] = (counts[stream] ?? 0) + 1;
  }
  return counts;
}
