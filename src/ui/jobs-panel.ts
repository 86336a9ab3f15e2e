import { toFfmpegCommand, type BatchJob as Job, type SessionBatch } from '../index';
import { h, saveBlob, setText } from './dom';
import { BatchedRows } from './batched-rows';
import { JobItem } from './job-item';
import { StorageLine } from './storage-line';
import type { UploadActions } from './upload-panel';

/** "3. Jobs and outputs": the summary bar, Download all / Delete all, storage, one item per job. */
export class JobsPanel {
  readonly element: HTMLElement;
  private readonly list = h('ol', { class: 'jobs', 'aria-label': 'Jobs' });
  private readonly empty = h('p', { class: 'empty' }, 'Nothing encoded yet. Add files, tick presets, then press Encode.');
  private readonly summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  private readonly overall = h('progress', { class: 'overall', max: 1, value: 0, 'aria-label': 'Batch progress' });
  private readonly downloadAllButton = h('button', { type: 'button' }, 'Download all');
  private readonly deleteAllButton = h('button', { type: 'button', class: 'danger' }, 'Delete all outputs');
  /** Every job as one native ffmpeg command line: a file GNU parallel or a cluster's job array runs (docs/presets.md). */
  private readonly exportScriptButton = h('button', { type: 'button', class: 'quiet' }, 'Export as script');
  /** Shown while any job is interrupted (issue 11): reads the kept files again and requeues their jobs. */
  private readonly resumeButton = h('button', { type: 'button', hidden: true }, 'Resume');
  private readonly resumeNote = h('p', { class: 'resume-note', role: 'status', 'data-resume-note': true, hidden: true });
  /** The page's own title, put back when no batch runs. */
  private readonly baseTitle = document.title;
  private batchActive = false;
  private readonly storage: StorageLine;
  private readonly rows: BatchedRows<Job, JobItem>;
  /** Jobs changed since the last render. */
  private readonly dirty = new Set<string>();
  private endpointShown = '';
  /** Sources probed at the last render: a probe that ends fills every row again (their command and Edit need it). */
  private probedShown = 0;
  /** Told when a queued job's Edit is pressed (the page opens the editor for that job). */
  onEdit: ((job: Job) => void) | null = null;

  constructor(
    private readonly batch: SessionBatch,
    private readonly uploads: UploadActions,
  ) {
    this.storage = new StorageLine(batch);
    this.rows = new BatchedRows({ list: this.list, build: (job) => new JobItem(job, batch, uploads, (edited) => this.onEdit?.(edited)), root: (item) => item.root, render: () => this.render() });
    batch.subscribeJobs((id) => this.dirty.add(id));
    this.downloadAllButton.addEventListener('click', () => void this.downloadAll());
    this.exportScriptButton.addEventListener('click', () => saveBlob(new Blob([this.script()], { type: 'text/plain' }), 'ffbatch-jobs.txt'));
    this.resumeButton.addEventListener('click', () => void batch.resume());
    this.deleteAllButton.addEventListener('click', () => {
      if (confirm('Delete every stored output from this browser?')) void batch.deleteAllOutputs();
    });
    this.element = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'jobs-title' },
      h('h2', { id: 'jobs-title' }, '3. Jobs and outputs'),
      h('div', { class: 'jobs-bar' }, this.summary, this.overall, this.resumeButton, this.downloadAllButton, this.deleteAllButton, this.exportScriptButton),
      this.resumeNote,
      this.storage.element,
      this.empty,
      this.list,
    );
  }

  render(): void {
    const jobs = this.batch.listJobs();
    this.empty.hidden = jobs.length > 0;
    // Only the rows whose job changed are filled again, unless the upload endpoint (which every row shows) changed.
    const probed = this.batch.listSources().filter((s) => s.info).length;
    const refillAll = this.uploads.endpoint !== this.endpointShown || probed !== this.probedShown;
    this.endpointShown = this.uploads.endpoint;
    this.probedShown = probed;
    // New rows are built a frame's worth at a time (1,000 jobs at once made a 250 ms task, issue 15).
    this.rows.update(jobs, (item, job, built) => {
      if (built || refillAll || this.dirty.has(job.id)) item.fill(job);
    });
    this.dirty.clear();
    const counts = { queued: 0, running: 0, done: 0, failed: 0, canceled: 0, interrupted: 0 };
    let progressSum = 0;
    for (const job of jobs) {
      counts[job.state]++;
      progressSum += job.state === 'done' ? 1 : job.state === 'running' ? job.progress : 0;
    }
    const active = jobs.filter((j) => j.state !== 'canceled' && j.state !== 'failed' && j.state !== 'interrupted').length;
    const phrases = [
      counts.running && `${counts.running} encoding`,
      counts.queued && `${counts.queued} queued`,
      counts.done && `${counts.done} done`,
      counts.failed && `${counts.failed} failed`,
      counts.canceled && `${counts.canceled} canceled`,
      counts.interrupted && `${counts.interrupted} interrupted`,
    ].filter(Boolean);
    setText(this.summary, jobs.length === 0 ? '' : phrases.join(' · '));
    this.overall.hidden = counts.running + counts.queued === 0;
    this.overall.value = active > 0 ? progressSum / active : 0;
    this.downloadAllButton.disabled = counts.done === 0;
    this.deleteAllButton.disabled = counts.done === 0;
    this.exportScriptButton.disabled = jobs.length === 0;
    this.resumeButton.hidden = counts.interrupted === 0;
    const note = [this.batch.otherTabNote, this.batch.resumeNote].filter(Boolean).join(' ');
    this.resumeNote.hidden = !note;
    setText(this.resumeNote, note);
    this.showBatchProgress(counts.running + counts.queued > 0, this.overall.value, counts);
  }

  /**
   * One line per job, `ffmpeg -i <source> … <output>`, named by their file names: run from the
   * folder of the sources. A job whose source is not probed (or that its preset refuses) has no line.
   */
  private script(): string {
    const infos = new Map(this.batch.listSources().map((source) => [source.id, source.info]));
    const lines = new Set<string>();
    for (const job of this.batch.listJobs()) {
      const info = infos.get(job.sourceId);
      if (!info) continue;
      try {
        lines.add(toFfmpegCommand(job.presetId, info, { input: job.sourceName, output: job.outputName }));
      } catch {
        // A source this preset cannot make (no sound for an M4A…): the job failed in the page too.
      }
    }
    return lines.size > 0 ? `${[...lines].join('\n')}\n` : '';
  }

  /** The title shows the running batch's progress ("42% · ffbatch"); one notification when it ends, if allowed. */
  private showBatchProgress(running: boolean, fraction: number, counts: { done: number; failed: number; canceled: number }): void {
    const title = running ? `${Math.floor(fraction * 100)}% · ffbatch` : this.baseTitle;
    if (document.title !== title) document.title = title;
    if (this.batchActive && !running) notifyBatchEnded(counts);
    this.batchActive = running;
  }

  /** Called after every render of the page (the storage figures follow the jobs). */
  refreshStorageSoon(): void {
    this.storage.refreshSoon();
  }

  private async downloadAll(): Promise<void> {
    this.downloadAllButton.disabled = true;
    setText(this.downloadAllButton, 'Zipping…');
    try {
      saveBlob(await this.batch.zipAllOutputs(), `ffbatch-outputs-${new Date().toISOString().slice(0, 10)}.zip`);
    } finally {
      setText(this.downloadAllButton, 'Download all');
      this.render();
    }
  }
}

/** Only where the person already allowed notifications: the page never asks unprompted. */
function notifyBatchEnded(counts: { done: number; failed: number; canceled: number }): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const parts = [`${counts.done} done`, counts.failed && `${counts.failed} failed`, counts.canceled && `${counts.canceled} canceled`].filter(Boolean);
  try {
    new Notification('ffbatch: the batch has ended', { body: parts.join(' · '), tag: 'ffbatch-batch' });
  } catch {
    // Some browsers allow notifications only from a service worker: the title already says it.
  }
}
