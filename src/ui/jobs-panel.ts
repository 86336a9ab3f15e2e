import type { Batch } from '../jobs/batch';
import { h, saveBlob, setText } from './dom';
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
  private readonly storage: StorageLine;
  private readonly items = new Map<string, JobItem>();

  constructor(
    private readonly batch: Batch,
    private readonly uploads: UploadActions,
  ) {
    this.storage = new StorageLine(batch);
    this.downloadAllButton.addEventListener('click', () => void this.downloadAll());
    this.deleteAllButton.addEventListener('click', () => {
      if (confirm('Delete every stored output from this browser?')) void batch.deleteAllOutputs();
    });
    this.element = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'jobs-title' },
      h('h2', { id: 'jobs-title' }, '3. Jobs and outputs'),
      h('div', { class: 'jobs-bar' }, this.summary, this.overall, this.downloadAllButton, this.deleteAllButton),
      this.storage.element,
      this.empty,
      this.list,
    );
  }

  render(): void {
    const jobs = this.batch.listJobs();
    this.empty.hidden = jobs.length > 0;
    const seen = new Set<string>();
    for (const job of jobs) {
      seen.add(job.id);
      let item = this.items.get(job.id);
      if (!item) {
        item = new JobItem(job, this.batch, this.uploads);
        this.items.set(job.id, item);
        this.list.append(item.root);
      }
      item.fill(job);
    }
    for (const [id, item] of this.items) {
      if (!seen.has(id)) {
        item.root.remove();
        this.items.delete(id);
      }
    }
    const counts = { queued: 0, running: 0, done: 0, failed: 0, canceled: 0 };
    let progressSum = 0;
    for (const job of jobs) {
      counts[job.state]++;
      progressSum += job.state === 'done' ? 1 : job.state === 'running' ? job.progress : 0;
    }
    const active = jobs.filter((j) => j.state !== 'canceled' && j.state !== 'failed').length;
    const phrases = [
      counts.running && `${counts.running} encoding`,
      counts.queued && `${counts.queued} queued`,
      counts.done && `${counts.done} done`,
      counts.failed && `${counts.failed} failed`,
      counts.canceled && `${counts.canceled} canceled`,
    ].filter(Boolean);
    setText(this.summary, jobs.length === 0 ? '' : phrases.join(' · '));
    this.overall.hidden = counts.running + counts.queued === 0;
    this.overall.value = active > 0 ? progressSum / active : 0;
    this.downloadAllButton.disabled = counts.done === 0;
    this.deleteAllButton.disabled = counts.done === 0;
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
