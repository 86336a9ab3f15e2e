/**
 * The per-worker timeline as a small standalone SVG document (a string: the page inserts
 * it, and "Save SVG" writes the same text). One lane per worker, one bar per job.
 */
import type { BatchReport } from './batch-report';

/** Calm colours that stay apart for the common colour-vision deficiencies (Okabe–Ito). */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

/**
 * A colour for each preset id, in order of first appearance (the timeline's and the legend's).
 *
 * @example
 * ```ts
 * const colours = presetColours(report.bars.map((bar) => bar.presetId));
 * ```
 */
export function presetColours(presetIds: readonly string[]): Map<string, string> {
  const colours = new Map<string, string>();
  for (const id of presetIds) if (!colours.has(id)) colours.set(id, PALETTE[colours.size % PALETTE.length] ?? '#888');
  return colours;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** A round step for axis ticks: about five ticks over `span` seconds. */
export function tickStep(span: number): number {
  const raw = Math.max(span, 1) / 5;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
  return steps.find((s) => s >= raw) ?? Math.ceil(raw / 3600) * 3600;
}

function tickLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s === 0 ? `${m} min` : `${m}:${String(s).padStart(2, '0')}`;
}

export interface TimelineOptions {
  width?: number;
  laneHeight?: number;
  /** Label of each preset id in the legend and the tooltips. */
  presetLabel?: (presetId: string) => string;
}

/**
 * The report's per-worker timeline as a standalone SVG document.
 * The chart's accessible name avoids the word "workers": pages are driven by the label
 * **Workers**, and a loose label match would find the chart too.
 *
 * @example
 * ```ts
 * chart.innerHTML = timelineSvg(report, { presetLabel: (id) => presetById(id).label });
 * ```
 */
export function timelineSvg(report: BatchReport, options: TimelineOptions = {}): string {
  const width = options.width ?? 720;
  const laneHeight = options.laneHeight ?? 24;
  const label = options.presetLabel ?? ((id: string) => id);
  const left = 72;
  const right = 12;
  const top = 8;
  const plotWidth = width - left - right;
  const span = Math.max(report.wallSeconds, 0.001);
  const x = (seconds: number): number => left + (seconds / span) * plotWidth;
  const colours = presetColours(report.bars.map((b) => b.presetId));
  const lanesHeight = report.lanes * laneHeight;
  const axisY = top + lanesHeight + 4;
  const legendY = axisY + 30;
  const height = legendY + 12;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Timeline: ${report.jobs} job${report.jobs === 1 ? '' : 's'} in ${report.lanes} lane${report.lanes === 1 ? '' : 's'} over ${report.wallSeconds.toFixed(1)} s" font-family="system-ui, sans-serif" font-size="12">`,
  );
  for (let lane = 0; lane < report.lanes; lane++) {
    const y = top + lane * laneHeight;
    out.push(`<rect x="${left}" y="${y}" width="${plotWidth}" height="${laneHeight - 4}" fill="#f4f6f8"/>`);
    out.push(`<text x="${left - 8}" y="${y + laneHeight / 2 + 2}" text-anchor="end" fill="#5b6472">Worker ${lane + 1}</text>`);
  }
  const step = tickStep(span);
  for (let t = 0; t <= span + 1e-9; t += step) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${top}" y2="${axisY}" stroke="#d9dde3"/>`);
    out.push(`<text x="${tx}" y="${axisY + 14}" text-anchor="middle" fill="#5b6472">${tickLabel(t)}</text>`);
  }
  for (const bar of report.bars) {
    const bx = x(bar.start);
    const bw = Math.max(1, x(bar.start + bar.seconds) - bx);
    const y = top + bar.lane * laneHeight;
    const failed = bar.state === 'failed' || bar.state === 'canceled';
    const title = `${bar.sourceName} → ${label(bar.presetId)}: ${bar.seconds.toFixed(1)} s${failed ? ` (${bar.state})` : ''}`;
    out.push(
      `<rect data-job-id="${escapeXml(bar.jobId)}" data-lane="${bar.lane}" data-start="${bar.start.toFixed(3)}" data-seconds="${bar.seconds.toFixed(3)}" x="${bx.toFixed(1)}" y="${y + 2}" width="${bw.toFixed(1)}" height="${laneHeight - 8}" rx="3" fill="${colours.get(bar.presetId) ?? '#888'}"${failed ? ' fill-opacity="0.35"' : ''} stroke="#ffffff"><title>${escapeXml(title)}</title></rect>`,
    );
  }
  let lx = left;
  for (const [presetId, colour] of colours) {
    const text = label(presetId);
    out.push(`<rect x="${lx}" y="${legendY - 9}" width="10" height="10" rx="2" fill="${colour}"/>`);
    out.push(`<text x="${lx + 14}" y="${legendY}" fill="#1d2330">${escapeXml(text)}</text>`);
    lx += 14 + text.length * 6.5 + 16;
  }
  out.push('</svg>');
  return out.join('\n');
}
