import type { AddedFile, Batch } from '../jobs/batch';
import type { Job } from '../jobs/job';
import type { Source } from '../jobs/source';
import { PRESETS, presetById, type PresetId } from '../presets/presets';
import { h, saveBlob, setAttr, setText } from './dom';
import { filesFromDrop, filesFromFolderInput } from './file-drop';
import { formatBytes, formatClock } from './format';

/** What the page asks of the rest of the app beyond the batch itself. */
export interface UploadActions {
  /** Uploads through the endpoint, or straight to `presignedUrl` when given (a one-off). */
  upload(jobId: string, presignedUrl?: string): void;
  uploadAll(): void;
  cancelUpload(jobId: string): void;
  setEndpoint(endpoint: string): void;
  setUploadWhenDone(on: boolean): void;
  endpoint: string;
  uploadWhenDone: boolean;
}

const STATE_LABELS: Record<Job['state'], string> = {
  queued: 'Queued',
  running: 'Encoding',
  done: 'Done',
  failed: 'Failed',
  canceled: 'Canceled',
};

interface JobParts {
  root: HTMLLIElement;
  title: HTMLElement;
  badge: HTMLElement;
  progress: HTMLProgressElement;
  meta: HTMLElement;
  alert: HTMLElement;
  uploadLine: HTMLElement;
  download: HTMLAnchorElement;
  uploadButton: HTMLButtonElement;
  oneOff: HTMLDetailsElement;
  cancelButton: HTMLButtonElement;
  logButton: HTMLButtonElement;
  deleteButton: HTMLButtonElement;
  log: HTMLPreElement;
}

/** The whole page: renders the batch's state and turns clicks into commands. */
export class AppView {
  private readonly sourceList = h('ul', { class: 'sources', 'aria-label': 'Sources' });
  private readonly sourceEmpty = h('p', { class: 'empty' }, 'No files yet. Drop video or audio files, or whole folders, anywhere on this page.');
  private readonly jobList = h('ol', { class: 'jobs', 'aria-label': 'Jobs' });
  private readonly jobEmpty = h('p', { class: 'empty' }, 'Nothing encoded yet. Add files, tick presets, then press Encode.');
  private readonly summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  private readonly overall = h('progress', { class: 'overall', max: 1, value: 0, 'aria-label': 'Batch progress' });
  private readonly storageLine = h('p', { class: 'storage' });
  private readonly encodeButton = h('button', { type: 'button', class: 'primary' }, 'Encode');
  private readonly encodeHint = h('span', { class: 'hint' });
  private readonly workersInput = h('input', { type: 'number', id: 'workers', min: 1, max: 16, step: 1 });
  private readonly downloadAllButton = h('button', { type: 'button' }, 'Download all');
  private readonly deleteAllButton = h('button', { type: 'button', class: 'danger' }, 'Delete all outputs');
  private readonly jobParts = new Map<string, JobParts>();
  private readonly sourceItems = new Map<string, HTMLLIElement>();
  private renderQueued = false;
  private storageRefresh: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly batch: Batch,
    private readonly uploads: UploadActions,
  ) {
    this.build();
    batch.subscribe(() => this.scheduleRender());
    this.render();
  }

  private build(): void {
    const fileInput = h('input', { type: 'file', id: 'add-files', multiple: true, class: 'visually-hidden' });
    fileInput.addEventListener('change', () => {
      if (fileInput.files) this.add([...fileInput.files].map((file) => ({ file })));
      fileInput.value = '';
    });
    const folderInput = h('input', { type: 'file', id: 'add-folder', webkitdirectory: true, class: 'visually-hidden' });
    folderInput.addEventListener('change', () => {
      if (folderInput.files) this.add(filesFromFolderInput(folderInput.files));
      folderInput.value = '';
    });

    const dropZone = h(
      'div',
      { class: 'drop-zone' },
      h('p', {}, h('strong', {}, 'Drop files or folders here'), ' or '),
      h('label', { for: 'add-files', class: 'button' }, 'Add files'),
      ' ',
      h('label', { for: 'add-folder', class: 'button' }, 'Add a folder'),
      fileInput,
      folderInput,
    );
    this.listenForDrops(dropZone);

    const presetBoxes = PRESETS.map((preset) =>
      h(
        'label',
        { class: 'preset' },
        h('input', { type: 'checkbox', name: 'preset', value: preset.id }),
        h('span', { class: 'preset-label' }, preset.label),
        h('span', { class: 'preset-summary' }, preset.summary),
      ),
    );
    const presetFieldset = h('fieldset', { class: 'presets' }, h('legend', {}, 'Output presets'), ...presetBoxes);
    presetFieldset.addEventListener('change', () => this.scheduleRender());

    this.workersInput.value = String(this.batch.workers);
    this.workersInput.addEventListener('change', () => {
      const n = Number(this.workersInput.value);
      if (Number.isFinite(n) && n >= 1) this.batch.setWorkers(n);
      this.workersInput.value = String(this.batch.workers);
    });
    this.encodeButton.addEventListener('click', () => this.batch.encode(this.tickedPresets()));
    this.downloadAllButton.addEventListener('click', () => void this.downloadAll());
    this.deleteAllButton.addEventListener('click', () => {
      if (confirm('Delete every stored output from this browser?')) void this.batch.deleteAllOutputs();
    });

    const endpointInput = h('input', { type: 'url', id: 'upload-endpoint', placeholder: 'https://uploads.example.com/companion', value: this.uploads.endpoint });
    const uploadStatus = h('span', { class: 'upload-status' });
    const showUploadStatus = (): void => {
      setText(uploadStatus, this.uploads.endpoint ? `· to ${hostOf(this.uploads.endpoint)}${this.uploads.uploadWhenDone ? ', when done' : ''}` : '· not set up');
      this.scheduleRender();
    };
    showUploadStatus();
    endpointInput.addEventListener('input', () => {
      this.uploads.setEndpoint(endpointInput.value.trim());
      showUploadStatus();
    });
    const whenDone = h('input', { type: 'checkbox', id: 'upload-when-done', checked: this.uploads.uploadWhenDone });
    whenDone.addEventListener('change', () => {
      this.uploads.setUploadWhenDone(whenDone.checked);
      showUploadStatus();
    });
    const uploadAll = h('button', { type: 'button' }, 'Upload all');
    uploadAll.addEventListener('click', () => this.uploads.uploadAll());

    this.root.replaceChildren(
      h(
        'header',
        { class: 'masthead' },
        h('h1', {}, 'ffbatch'),
        h('p', {}, 'Convert a pile of video and audio files in your browser, on all your cores. Nothing leaves this machine unless you upload it.'),
      ),
      h('section', { class: 'panel', 'aria-labelledby': 'sources-title' }, h('h2', { id: 'sources-title' }, '1. Sources'), dropZone, this.sourceEmpty, this.sourceList),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'presets-title' },
        h('h2', { id: 'presets-title' }, '2. Presets'),
        presetFieldset,
        h(
          'div',
          { class: 'run-bar' },
          h('label', { for: 'workers', class: 'workers' }, 'Workers', this.workersInput),
          this.encodeButton,
          this.encodeHint,
        ),
      ),
      h(
        'details',
        { class: 'panel upload-panel' },
        h('summary', {}, h('h2', {}, 'Upload to a bucket (optional)'), ' ', uploadStatus),
        h('p', { class: 'hint' }, 'Send outputs to your own bucket through presigned URLs from a signing service (Companion-style S3 routes). Your files go straight to the bucket; nothing is sent until you press Upload or tick Upload when done.'),
        h('label', { for: 'upload-endpoint' }, 'Upload endpoint'),
        endpointInput,
        h('label', { class: 'inline' }, whenDone, 'Upload when done'),
        uploadAll,
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'jobs-title' },
        h('h2', { id: 'jobs-title' }, '3. Jobs and outputs'),
        h('div', { class: 'jobs-bar' }, this.summary, this.overall, this.downloadAllButton, this.deleteAllButton),
        this.storageLine,
        this.jobEmpty,
        this.jobList,
      ),
    );
  }

  private listenForDrops(zone: HTMLElement): void {
    let depth = 0;
    document.addEventListener('dragenter', (e) => {
      e.preventDefault();
      depth++;
      zone.classList.add('dragging');
    });
    document.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.classList.remove('dragging');
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      zone.classList.remove('dragging');
      if (e.dataTransfer) void filesFromDrop(e.dataTransfer).then((files) => this.add(files));
    });
  }

  private add(files: AddedFile[]): void {
    if (files.length > 0) this.batch.addFiles(files);
  }

  private tickedPresets(): PresetId[] {
    return [...this.root.querySelectorAll<HTMLInputElement>('input[name=preset]:checked')].map((box) => presetById(box.value).id);
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

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    this.renderSources();
    this.renderJobs();
    const sources = this.batch.listSources();
    const ticked = this.tickedPresets();
    const fresh = this.batch.newJobCount(ticked);
    this.encodeButton.disabled = fresh === 0;
    setText(
      this.encodeHint,
      sources.length === 0
        ? 'Add files first.'
        : ticked.length === 0
          ? 'Tick at least one preset.'
          : fresh === 0
            ? 'Every ticked preset is already done or under way for these files.'
            : `${fresh} new job${fresh === 1 ? '' : 's'}`,
    );
    this.refreshStorageSoon();
  }

  private renderSources(): void {
    const sources = this.batch.listSources();
    this.sourceEmpty.hidden = sources.length > 0;
    const seen = new Set<string>();
    for (const source of sources) {
      seen.add(source.id);
      let item = this.sourceItems.get(source.id);
      if (!item) {
        item = h('li', { class: 'source', 'data-source-id': source.id });
        this.sourceItems.set(source.id, item);
        this.sourceList.append(item);
      }
      this.fillSource(item, source);
    }
    for (const [id, item] of this.sourceItems) {
      if (!seen.has(id)) {
        item.remove();
        this.sourceItems.delete(id);
      }
    }
  }

  private fillSource(item: HTMLLIElement, source: Source): void {
    const key = `${source.probing}|${source.problem}|${source.info ? 1 : 0}`;
    if (item.dataset['key'] === key) return;
    item.dataset['key'] = key;
    const facts: string[] = [formatBytes(source.file.size)];
    const info = source.info;
    if (info) {
      facts.push(formatClock(info.durationSec));
      if (info.video) facts.push(`${info.video.displayWidth}×${info.video.displayHeight}`, `${info.video.codec}${info.video.fps ? ` ${Math.round(info.video.fps * 100) / 100} fps` : ''}`);
      if (info.audio) facts.push(`${info.audio.codec} ${info.audio.channels === 1 ? 'mono' : info.audio.channels === 2 ? 'stereo' : `${info.audio.channels} ch`}`);
      if (!info.audio) facts.push('no audio');
    }
    const remove = h('button', { type: 'button', class: 'quiet', 'aria-label': `Remove ${source.displayName}` }, 'Remove');
    remove.addEventListener('click', () => this.batch.removeSource(source.id));
    item.classList.toggle('has-problem', source.problem !== null);
    item.replaceChildren(
      h('span', { class: 'source-name' }, source.displayName),
      h('span', { class: 'source-facts' }, source.probing ? `${facts[0] ?? ''} · reading…` : facts.join(' · ')),
      ...(source.problem ? [h('span', { class: 'source-problem' }, source.problem)] : []),
      remove,
    );
  }

  private renderJobs(): void {
    const jobs = this.batch.listJobs();
    this.jobEmpty.hidden = jobs.length > 0;
    const seen = new Set<string>();
    for (const job of jobs) {
      seen.add(job.id);
      let parts = this.jobParts.get(job.id);
      if (!parts) {
        parts = this.buildJob(job);
        this.jobParts.set(job.id, parts);
        this.jobList.append(parts.root);
      }
      this.fillJob(parts, job);
    }
    for (const [id, parts] of this.jobParts) {
      if (!seen.has(id)) {
        parts.root.remove();
        this.jobParts.delete(id);
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

  private buildJob(job: Job): JobParts {
    const parts: JobParts = {
      root: h('li', { class: 'job', 'data-job-id': job.id }),
      title: h('span', { class: 'job-title' }),
      badge: h('span', { class: 'badge' }),
      progress: h('progress', { max: 1, value: 0 }),
      meta: h('span', { class: 'job-meta' }),
      alert: h('p', { class: 'job-error' }),
      uploadLine: h('span', { class: 'upload-line' }),
      download: h('a', { class: 'button' }, 'Download'),
      uploadButton: h('button', { type: 'button' }, 'Upload'),
      oneOff: h('details', { class: 'one-off' }),
      cancelButton: h('button', { type: 'button', class: 'quiet' }, 'Cancel'),
      logButton: h('button', { type: 'button', class: 'quiet', 'aria-expanded': 'false' }, 'Log'),
      deleteButton: h('button', { type: 'button', class: 'quiet' }, 'Delete'),
      log: h('pre', { class: 'log', hidden: true, tabindex: 0 }),
    };
    parts.progress.setAttribute('aria-label', `Progress of ${job.outputName}`);
    parts.cancelButton.addEventListener('click', () => {
      if (job.upload === 'uploading') this.uploads.cancelUpload(job.id);
      else this.batch.cancel(job.id);
    });
    parts.uploadButton.addEventListener('click', () => this.uploads.upload(job.id));
    // A one-off upload: a presigned PUT URL made elsewhere, no signing service needed.
    const urlId = `presigned-${job.id}`;
    const urlInput = h('input', { type: 'url', id: urlId, placeholder: 'https://bucket.example.com/key?X-Amz-Signature=…', required: true });
    const send = h('button', { type: 'button' }, 'Send');
    send.addEventListener('click', () => {
      const url = urlInput.value.trim();
      if (!urlInput.checkValidity() || !url) {
        urlInput.reportValidity();
        return;
      }
      this.uploads.upload(job.id, url);
      urlInput.value = '';
      parts.oneOff.open = false;
    });
    parts.oneOff.append(h('summary', {}, 'Presigned URL…'), h('label', { for: urlId }, 'Presigned PUT URL'), urlInput, send);
    parts.deleteButton.addEventListener('click', () => void this.batch.deleteJob(job.id));
    parts.logButton.addEventListener('click', () => {
      parts.log.hidden = !parts.log.hidden;
      parts.logButton.setAttribute('aria-expanded', String(!parts.log.hidden));
      this.fillJob(parts, job);
    });
    parts.root.append(
      h('div', { class: 'job-head' }, parts.title, parts.badge),
      parts.progress,
      h('div', { class: 'job-line' }, parts.meta, parts.uploadLine),
      parts.alert,
      h('div', { class: 'job-actions' }, parts.download, parts.uploadButton, parts.cancelButton, parts.logButton, parts.deleteButton, parts.oneOff),
      parts.log,
    );
    return parts;
  }

  private fillJob(parts: JobParts, job: Job): void {
    const { root } = parts;
    setAttr(root, 'data-state', job.state);
    setAttr(root, 'data-source', job.sourceName);
    setAttr(root, 'data-preset', job.presetId);
    setAttr(root, 'data-upload', job.upload);
    setText(parts.title, `${job.sourceName} → ${job.outputName}`);
    setText(parts.badge, STATE_LABELS[job.state]);
    setAttr(parts.badge, 'data-state', job.state);

    const value = job.state === 'done' ? 1 : job.progress;
    // The attribute, not only the property: tests and assistive tools read it.
    setAttr(parts.progress, 'value', Math.round(value * 1000) / 1000);
    parts.progress.hidden = job.state === 'failed' || job.state === 'canceled';
    setText(parts.meta, jobMeta(job));

    const message = job.state === 'failed' ? job.error : job.upload === 'upload-failed' ? job.uploadError : null;
    setAttr(parts.alert, 'role', message ? 'alert' : null);
    parts.alert.hidden = !message;
    setText(parts.alert, message ?? '');

    setText(parts.uploadLine, uploadLine(job));
    const url = job.state === 'done' ? this.batch.outputUrl(job.id) : undefined;
    parts.download.hidden = !url;
    setAttr(parts.download, 'href', url ?? null);
    setAttr(parts.download, 'download', url ? job.outputName : null);
    // Without an endpoint there is nowhere to upload to (a one-off presigned URL still works).
    parts.uploadButton.hidden = job.state !== 'done' || job.upload === 'uploading' || job.upload === 'uploaded' || (!this.uploads.endpoint && job.upload !== 'upload-failed');
    setText(parts.uploadButton, job.upload === 'upload-failed' ? 'Retry' : 'Upload');
    parts.oneOff.hidden = job.state !== 'done' || job.upload === 'uploading' || job.upload === 'uploaded';
    setText(parts.cancelButton, job.upload === 'uploading' ? 'Stop upload' : 'Cancel');
    parts.cancelButton.hidden = !(job.state === 'queued' || job.state === 'running' || job.upload === 'uploading');
    parts.deleteButton.hidden = !(job.state === 'done' || job.state === 'failed' || job.state === 'canceled') || job.upload === 'uploading';
    if (!parts.log.hidden) setText(parts.log, job.log.length ? job.log.join('\n') : 'No log yet.');
  }

  private refreshStorageSoon(): void {
    if (this.storageRefresh) return;
    this.storageRefresh = setTimeout(() => {
      this.storageRefresh = undefined;
      void this.batch.usage().then((usage) => {
        const parts = [`Stored outputs: ${formatBytes(usage.outputsBytes)}`];
        if (usage.quotaBytes !== null && usage.usedBytes !== null) {
          parts.push(`${formatBytes(Math.max(0, usage.quotaBytes - usage.usedBytes))} free for this page`);
        }
        if (usage.persisted) parts.push('kept by the browser');
        setText(this.storageLine, parts.join(' · '));
      });
    }, 500);
  }
}

function jobMeta(job: Job): string {
  const preset = presetById(job.presetId).label;
  const now = Date.now();
  switch (job.state) {
    case 'queued':
      return `${preset} · waiting for a worker`;
    case 'running': {
      const elapsed = job.startedAt ? (now - job.startedAt) / 1000 : 0;
      const bits = [preset, `${Math.round(job.progress * 100)}%`];
      if (job.speed) bits.push(`${job.speed.toFixed(2)}× real time`);
      bits.push(`${formatClock(elapsed)} elapsed`);
      bits.push(job.etaSec !== null ? `about ${formatClock(job.etaSec)} left` : 'estimating time left');
      return bits.join(' · ');
    }
    case 'done': {
      const took = job.startedAt && job.endedAt ? ` in ${formatClock((job.endedAt - job.startedAt) / 1000)}` : '';
      return `${preset} · ${job.outputSize !== null ? formatBytes(job.outputSize) : ''}${took}`;
    }
    case 'failed':
      return preset;
    case 'canceled':
      return `${preset} · canceled`;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function uploadLine(job: Job): string {
  switch (job.upload) {
    case 'uploading': {
      const bits = [`Uploading ${Math.round((job.uploadProgress ?? 0) * 100)}%`];
      if (job.outputSize !== null) bits.push(`of ${formatBytes(job.outputSize)}`);
      if (job.uploadSpeed) bits.push(`· ${formatBytes(job.uploadSpeed)}/s`);
      return bits.join(' ');
    }
    case 'uploaded':
      return job.uploadLocation ? `Uploaded to ${job.uploadLocation}` : 'Uploaded';
    case 'upload-failed':
      return 'Upload failed';
    default:
      return '';
  }
}
