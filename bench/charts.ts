/** The benchmark's two charts, drawn as plain SVG text (no dependencies). */

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

export interface SpeedupSeries {
  label: string;
  color: string;
  /** [workers, speed-up] */
  points: [number, number][];
  dashed?: boolean;
}

/** Throughput speed-up against worker count, with the ideal (linear) line. */
export function speedupChart(options: { title: string; subtitle: string; maxWorkers: number; series: SpeedupSeries[] }): string {
  const width = 640;
  const height = 420;
  const m = { left: 60, right: 190, top: 58, bottom: 52 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const maxX = Math.max(2, options.maxWorkers);
  const maxY = Math.max(maxX, ...options.series.flatMap((s) => s.points.map(([, y]) => y))) * 1.05;
  const x = (v: number): number => m.left + ((v - 1) / (maxX - 1)) * plotW;
  const y = (v: number): number => m.top + plotH - (v / maxY) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${m.left}" y="22" font-size="15" font-weight="600">${esc(options.title)}</text>`);
  out.push(`<text x="${m.left}" y="40" fill="#555">${esc(options.subtitle)}</text>`);
  const step = niceStep(maxY, 6);
  for (let v = 0; v <= maxY + 1e-9; v += step) {
    out.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#333">${Number(v.toFixed(2))}×</text>`);
  }
  for (let w = 1; w <= maxX; w++) {
    out.push(`<line x1="${x(w).toFixed(1)}" x2="${x(w).toFixed(1)}" y1="${m.top + plotH}" y2="${m.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${x(w).toFixed(1)}" y="${m.top + plotH + 19}" text-anchor="middle" fill="#333">${w}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}" stroke="#333"/>`);
  out.push(`<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">workers (ffbatch) or processes (native ffmpeg)</text>`);
  out.push(`<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">speed-up over 1 worker</text>`);
  const all: SpeedupSeries[] = [{ label: 'ideal (linear)', color: '#999', dashed: true, points: [[1, 1], [maxX, maxX]] }, ...options.series];
  // Value labels sit left of their point, nudged apart so close values stay readable.
  const labels: { px: number; py: number; y: number; color: string }[] = [];
  all.forEach((s, i) => {
    const path = s.points.map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (!s.dashed) {
      for (const [px, py] of s.points) {
        out.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="4" fill="${s.color}"/>`);
        if (px > 1) labels.push({ px, py, y: y(py) - 4, color: s.color });
      }
    }
    const ly = m.top + 10 + i * 20;
    const lx = m.left + plotW + 16;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 28}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  labels.sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) {
    const prev = labels[i - 1];
    const label = labels[i];
    if (prev && label && label.y - prev.y < 14) label.y = prev.y + 14;
  }
  for (const label of labels) {
    out.push(`<text x="${(x(label.px) - 9).toFixed(1)}" y="${label.y.toFixed(1)}" text-anchor="end" fill="${label.color}" font-weight="600">${label.py.toFixed(2)}×</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export interface TimelineBar {
  lane: number;
  start: number;
  end: number;
  label: string;
  color: string;
  /** Stretches of the bar spent in ffmpeg itself (drawn solid; the rest is paler). */
  solid?: { start: number; end: number }[];
}

export interface TimelineGroup {
  title: string;
  lanes: number;
  bars: TimelineBar[];
}

/** Per-worker lanes of one or more runs, on a shared time axis (seconds from the Encode click). */
export function timelineChart(options: { title: string; subtitle: string; note: string; groups: TimelineGroup[]; legend: { label: string; color: string }[] }): string {
  const laneH = 26;
  const m = { left: 150, right: 20, top: 64, bottom: 58 };
  const width = 900;
  const plotW = width - m.left - m.right;
  const maxT = Math.max(1, ...options.groups.flatMap((g) => g.bars.map((b) => b.end)));
  const step = niceStep(maxT, 10);
  const axisMax = Math.ceil(maxT / step) * step;
  const x = (t: number): number => m.left + (t / axisMax) * plotW;
  const groupGap = 30;
  const totalLanes = options.groups.reduce((n, g) => n + g.lanes, 0);
  const height = m.top + totalLanes * laneH + (options.groups.length - 1) * groupGap + m.bottom + 18;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="12" y="22" font-size="15" font-weight="600">${esc(options.title)}</text>`);
  out.push(`<text x="12" y="40" fill="#555">${esc(options.subtitle)}</text>`);
  const plotBottom = height - m.bottom - 18;
  for (let t = 0; t <= axisMax + 1e-9; t += step) {
    out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${m.top - 6}" y2="${plotBottom}" stroke="#eee"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${plotBottom + 16}" text-anchor="middle" fill="#333">${Number(t.toFixed(1))}</text>`);
  }
  out.push(`<text x="${m.left + plotW / 2}" y="${plotBottom + 34}" text-anchor="middle">seconds from the Encode click</text>`);
  let top = m.top;
  for (const group of options.groups) {
    out.push(`<text x="12" y="${top - 8}" font-weight="600">${esc(group.title)}</text>`);
    for (let lane = 0; lane < group.lanes; lane++) {
      const ly = top + lane * laneH;
      out.push(`<text x="12" y="${ly + laneH / 2 + 4}" fill="#333">worker ${lane + 1}</text>`);
      out.push(`<rect x="${m.left}" y="${ly + 2}" width="${plotW}" height="${laneH - 4}" fill="#f7f7f7"/>`);
    }
    for (const bar of group.bars) {
      const ly = top + bar.lane * laneH + 3;
      const bx = x(bar.start);
      const bw = Math.max(1, x(bar.end) - bx);
      out.push(`<rect x="${bx.toFixed(1)}" y="${ly}" width="${bw.toFixed(1)}" height="${laneH - 6}" fill="${bar.color}" fill-opacity="0.35" stroke="#fff" stroke-width="1"><title>${esc(bar.label)}: ${bar.start.toFixed(1)}–${bar.end.toFixed(1)} s</title></rect>`);
      for (const piece of bar.solid ?? []) {
        const sx = x(Math.max(bar.start, piece.start));
        const sw = Math.max(1, x(Math.min(bar.end, piece.end)) - sx);
        out.push(`<rect x="${sx.toFixed(1)}" y="${ly}" width="${sw.toFixed(1)}" height="${laneH - 6}" fill="${bar.color}"/>`);
      }
      if (bw > 46) out.push(`<text x="${(bx + 4).toFixed(1)}" y="${ly + laneH / 2 + 1}" fill="#111" font-size="10">${esc(shortLabel(bar.label, bw))}</text>`);
    }
    top += group.lanes * laneH + groupGap;
  }
  let lx = m.left;
  for (const item of options.legend) {
    out.push(`<rect x="${lx}" y="${height - 34}" width="12" height="10" fill="${item.color}"/>`);
    out.push(`<text x="${lx + 16}" y="${height - 25}">${esc(item.label)}</text>`);
    lx += 28 + item.label.length * 6.5;
  }
  out.push(`<text x="${m.left}" y="${height - 8}" fill="#555">${esc(options.note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function shortLabel(label: string, widthPx: number): string {
  const max = Math.floor(widthPx / 5.8);
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}

/** Greedy lanes: each job (by start time) goes to the first lane free at its start. */
export function assignLanes<T extends { start: number; end: number }>(items: readonly T[], toleranceSec = 0.05): { lane: number; item: T }[] {
  const laneEnds: number[] = [];
  const placed: { lane: number; item: T }[] = [];
  for (const item of [...items].sort((a, b) => a.start - b.start || a.end - b.end)) {
    let lane = laneEnds.findIndex((end) => end <= item.start + toleranceSec);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(item.end);
    } else {
      laneEnds[lane] = item.end;
    }
    placed.push({ lane, item });
  }
  return placed;
}
