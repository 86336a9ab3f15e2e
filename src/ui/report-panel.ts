import { batchReport, CLOUD_PRICE, latestBatch, presetById, presetColours, qualityGrade, reportJson, timelineSvg, type BatchReport, type ReportJob, type SessionBatch } from '../index';
import { h, saveBlob, setAttr, setText } from './dom';
import { formatBytes, formatClock } from '../shared/format';

function presetLabel(id: string): string {
  try {
    return presetById(id).label;
  } catch {
    return id;
  }
}

function seconds(value: number): string {
  return value < 60 ? `${value.toFixed(1)} s` : formatClock(value);
}

function dollars(value: number): string {
  return value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/**
 * "Report": the latest batch's wall time, summed encode time, speed-up, cost and
 * per-worker timeline. Hidden until a batch has run in this page; then unfolded once.
 */
export class ReportPanel {
  readonly element: HTMLDetailsElement;
  private readonly status = h('span', { class: 'report-status' });
  private readonly body = h('div', { class: 'report', 'data-report': true });
  private readonly figures = h('dl', { class: 'report-figures' });
  private readonly chart = h('div', { class: 'timeline' });
  private readonly table = h('tbody');
  private readonly tableDetails = h('details', { class: 'timeline-table' });
  private readonly priceInput = h('input', { type: 'number', id: 'cloud-price', min: 0, step: 0.001, value: CLOUD_PRICE.pricePerHour });
  private readonly sessionStart = Date.now();
  private report: BatchReport | null = null;
  private shownOnce = false;
  private lastRender = 0;
  private chartInView = true;
  private lastRunning = false;
  private later: ReturnType<typeof setTimeout> | undefined;
  private batchStart = 0;
  private workersSeen = 0;
  private lastChart = 0;
  private chartKey = '';

  constructor(private readonly batch: SessionBatch) {
    const saveJson = h('button', { type: 'button' }, 'Save JSON');
    saveJson.addEventListener('click', () => {
      if (this.report) saveBlob(new Blob([reportJson(this.report)], { type: 'application/json' }), `ffbatch-report-${stamp(this.report)}.json`);
    });
    const saveSvg = h('button', { type: 'button' }, 'Save SVG');
    saveSvg.addEventListener('click', () => {
      if (this.report) saveBlob(new Blob([timelineSvg(this.report, { presetLabel })], { type: 'image/svg+xml' }), `ffbatch-timeline-${stamp(this.report)}.svg`);
    });
    this.priceInput.addEventListener('input', () => this.render(true));
    this.body.append(this.figures, this.chart, this.tableDetails);
    if (typeof IntersectionObserver !== 'undefined') {
      new IntersectionObserver((entries) => {
        const inView = entries.some((entry) => entry.isIntersecting);
        if (inView && !this.chartInView) this.lastChart = 0;
        this.chartInView = inView;
        if (inView) this.render();
      }).observe(this.chart);
    }
    // The table of every bar is built only while it is open (1,000 rows, issue 15).
    this.tableDetails.addEventListener('toggle', () => {
      if (this.tableDetails.open && this.report) this.renderTable(this.report);
    });
    this.tableDetails.append(
      h('summary', {}, 'Timeline as a table'),
      h('table', {}, h('thead', {}, h('tr', {}, ...['Worker', 'File', 'Preset', 'Start', 'Took', 'State'].map((t) => h('th', { scope: 'col' }, t)))), this.table),
    );
    this.body.append(
      h(
        'p',
        { class: 'price' },
        h('label', { for: 'cloud-price' }, 'Cloud price per hour (USD)'),
        ' ',
        this.priceInput,
        ' ',
        h('span', { class: 'hint' }, 'for a ', h('a', { href: CLOUD_PRICE.source, rel: 'noreferrer', target: '_blank' }, CLOUD_PRICE.machine), `, $${CLOUD_PRICE.pricePerHour}/h on demand by default.`),
      ),
      h('div', { class: 'report-actions' }, saveJson, saveSvg),
    );
    this.element = h('details', { class: 'panel report-panel', hidden: true }, h('summary', {}, h('h2', {}, 'Report'), ' ', this.status), this.body);
  }

  /** `force` redraws the chart now (otherwise at most once a second while jobs run). */
  render(force = false): void {
    const now = Date.now();
    // While jobs run, figures four times a second are plenty; a list of 1,000 jobs is costly to redo every frame (issue 15).
    if (!force && this.lastRunning && now - this.lastRender < 250) {
      this.renderLater();
      return;
    }
    this.lastRender = now;
    const sources = new Map(this.batch.listSources().map((s) => [s.id, s]));
    const jobs: ReportJob[] = this.batch
      .listJobs()
      .filter((job) => job.startedAt !== null && job.startedAt >= this.sessionStart)
      .map((job) => {
        const source = sources.get(job.sourceId);
        return { ...job, mediaSeconds: source?.info?.durationSec ?? null, sourceBytes: source?.file.size ?? null };
      });
    const group = latestBatch(jobs, now);
    const first = group.reduce((min, j) => Math.min(min, j.startedAt ?? Infinity), Infinity);
    if (first !== this.batchStart) {
      this.batchStart = first;
      this.workersSeen = 0;
    }
    if (group.some((j) => j.state === 'running') || this.workersSeen === 0) this.workersSeen = Math.max(this.workersSeen, this.batch.workers);
    const price = Number(this.priceInput.value);
    const report = batchReport(group, { workers: this.workersSeen, now, price: { ...CLOUD_PRICE, pricePerHour: Number.isFinite(price) && price >= 0 ? price : CLOUD_PRICE.pricePerHour } });
    this.report = report;
    this.element.hidden = report === null;
    if (!report) return;
    if (!this.shownOnce) {
      this.shownOnce = true;
      this.element.open = true;
    }

    setAttr(this.body, 'data-wall-seconds', report.wallSeconds.toFixed(3));
    setAttr(this.body, 'data-encode-seconds', report.encodeSeconds.toFixed(3));
    setAttr(this.body, 'data-speedup', report.speedup.toFixed(3));
    setAttr(this.body, 'data-workers', report.workers);
    setAttr(this.body, 'data-running', report.running);
    setAttr(this.body, 'data-lowest-psnr', report.lowestQuality ? String(Number(report.lowestQuality.psnr.toFixed(2))) : null);
    setText(this.status, `· ${report.jobs} job${report.jobs === 1 ? '' : 's'}, ${report.speedup.toFixed(2)}× one worker${report.running ? ', running' : ''}`);
    this.renderFigures(report);

    const key = `${report.jobs}|${report.doneJobs}|${report.running}|${report.lanes}`;
    this.lastRunning = report.running;
    // A chart and table of every job: redrawn once a second at most while the batch runs, and when it ends.
    // Off screen (below a long list of jobs) it waits until it is scrolled to: 1,000 bars are costly to redraw each second.
    if (force || (key !== this.chartKey && !report.running) || (report.running && this.chartInView && now - this.lastChart > 1000)) {
      this.chartKey = key;
      this.lastChart = now;
      this.chart.innerHTML = timelineSvg(report, { presetLabel });
      if (this.tableDetails.open) this.renderTable(report);
    }
  }

  /** A render skipped while jobs run still happens, a moment later. */
  private renderLater(): void {
    if (this.later !== undefined) return;
    this.later = setTimeout(() => {
      this.later = undefined;
      this.render();
    }, 250);
  }

  private renderFigures(report: BatchReport): void {
    const rows: [string, string][] = [
      ['Wall time', seconds(report.wallSeconds)],
      ['Encode time', `${seconds(report.encodeSeconds)} (what one worker would have needed)`],
      ['Speed-up', `${report.speedup.toFixed(2)}× on ${report.workers} worker${report.workers === 1 ? '' : 's'}`],
      ['Media converted', report.mediaSeconds > 0 ? `${seconds(report.mediaSeconds)} · ${report.timesRealTime.toFixed(1)}× real time` : '–'],
      ['CPU time', `${report.cpuHours < 0.01 ? report.cpuHours.toFixed(4) : report.cpuHours.toFixed(2)} CPU-hours`],
      ['Cost', `$0 here · about ${dollars(report.cloud.cost)} on a rented ${report.cloud.vcpus}-vCPU machine`],
      ['Not uploaded', `${formatBytes(report.bytesNotUploaded)} of sources stayed on this machine`],
    ];
    const low = report.lowestQuality;
    if (low) {
      const figure = Number.isFinite(low.psnr) ? `${low.psnr.toFixed(1)} dB PSNR, SSIM ${low.ssim.toFixed(3)}` : 'identical to the source';
      rows.push(['Lowest quality', `${qualityGrade(low)}: ${figure} (${low.sourceName} → ${presetLabel(low.presetId)}), of ${report.quality.length} measured`]);
    }
    const text = rows.map((r) => r.join(':')).join('|');
    if (this.figures.dataset['text'] === text) return;
    this.figures.dataset['text'] = text;
    this.figures.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
  }

  private renderTable(report: BatchReport): void {
    const colours = presetColours(report.bars.map((b) => b.presetId));
    this.table.replaceChildren(
      ...[...report.bars]
        .sort((a, b) => a.lane - b.lane || a.start - b.start)
        .map((bar) =>
          h(
            'tr',
            {},
            h('td', {}, String(bar.lane + 1)),
            h('td', {}, bar.sourceName),
            h('td', {}, h('span', { class: 'swatch', style: `background:${colours.get(bar.presetId) ?? '#888'}` }), presetLabel(bar.presetId)),
            h('td', {}, seconds(bar.start)),
            h('td', {}, seconds(bar.seconds)),
            h('td', {}, bar.state),
          ),
        ),
    );
  }
}

function stamp(report: BatchReport): string {
  return new Date(report.startedAt).toISOString().slice(0, 19).replace(/[:T]/g, '-');
}
