import { INTERRUPTED_SENTENCE, presetById, qualityGrade, summarizeEdits, toFfmpegCommand, type BatchJob as Job, type SessionBatch, type SourceInfo } from '../index';
import { CompareDialog } from './compare-dialog';
import { h, setAttr, setText } from './dom';
import { formatBytes, formatClock } from '../shared/format';
import type { UploadActions } from './upload-panel';

const STATE_LABELS: Record<Job['state'], string> = {
  queued: 'Queued',
  running: 'Encoding',
  done: 'Done',
  failed: 'Failed',
  canceled: 'Canceled',
  interrupted: 'Interrupted',
};

/** One job of the list (`[data-job-id]`): state, progress, error, download, upload, log. */
export class JobItem {
  readonly root: HTMLLIElement;
  private readonly title = h('span', { class: 'job-title' });
  private readonly badge = h('span', { class: 'badge' });
  private readonly progress = h('progress', { max: 1, value: 0 });
  private readonly meta = h('span', { class: 'job-meta' });
  private readonly alert = h('p', { class: 'job-error' });
  private readonly uploadLine = h('span', { class: 'upload-line' });
  private readonly download = h('a', { class: 'button' }, 'Download');
  private readonly uploadButton = h('button', { type: 'button' }, 'Upload');
  private readonly compareButton = h('button', { type: 'button', class: 'quiet' }, 'Compare');
  private readonly oneOff = h('details', { class: 'one-off' });
  private readonly cancelButton = h('button', { type: 'button', class: 'quiet' }, 'Cancel');
  private readonly logButton = h('button', { type: 'button', class: 'quiet', 'aria-expanded': 'false' }, 'Log');
  private readonly deleteButton = h('button', { type: 'button', class: 'quiet' }, 'Delete');
  private readonly copyButton = h('button', { type: 'button', class: 'quiet' }, 'Copy as ffmpeg command');
  /** A queued job's own edits, until it starts (issue 18). */
  private readonly editButton = h('button', { type: 'button', class: 'quiet' }, 'Edit');
  private readonly log = h('pre', { class: 'log', hidden: true, tabindex: 0 });

  constructor(
    job: Job,
    private readonly batch: SessionBatch,
    private readonly uploads: UploadActions,
    onEdit: ((job: Job) => void) | null = null,
  ) {
    this.root = h('li', { class: 'job', 'data-job-id': job.id });
    this.editButton.setAttribute('aria-label', `Edit ${job.outputName}`);
    this.editButton.addEventListener('click', () => onEdit?.(job));
    this.progress.setAttribute('aria-label', `Progress of ${job.outputName}`);
    this.cancelButton.addEventListener('click', () => {
      if (job.upload === 'uploading') uploads.cancelUpload(job.id);
      else batch.cancel(job.id);
    });
    this.uploadButton.addEventListener('click', () => uploads.upload(job.id));
    this.compareButton.addEventListener('click', () => new CompareDialog(job, batch).open());
    // A one-off upload: a presigned PUT URL made elsewhere, no signing service needed.
    // Its form is built when first opened: a list of 1,000 jobs builds only what shows (issue 15).
    this.oneOff.append(h('summary', {}, 'Presigned URL…'));
    this.oneOff.addEventListener('toggle', () => {
      if (!this.oneOff.open || this.oneOff.childElementCount > 1) return;
      const urlId = `presigned-${job.id}`;
      const urlInput = h('input', { type: 'url', id: urlId, placeholder: 'https://bucket.example.com/key?X-Amz-Signature=…', required: true });
      const send = h('button', { type: 'button' }, 'Send');
      send.addEventListener('click', () => {
        const url = urlInput.value.trim();
        if (!urlInput.checkValidity() || !url) {
          urlInput.reportValidity();
          return;
        }
        uploads.upload(job.id, url);
        urlInput.value = '';
        this.oneOff.open = false;
      });
      this.oneOff.append(h('label', { for: urlId }, 'Presigned PUT URL'), urlInput, send);
    });
    // A restored output's Blob is read only when it is downloaded (issue 15): the first click
    // fetches it, sets the link's address and clicks again; a Blob gone from storage fails the job with a sentence.
    const fetchThenClick = (event: Event): void => {
      if (this.download.hasAttribute('href')) return;
      event.preventDefault();
      void batch.outputLink(job.id).then((url) => {
        if (!url) return;
        setAttr(this.download, 'href', url);
        this.download.click();
      });
    };
    this.download.addEventListener('click', fetchThenClick);
    this.download.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') fetchThenClick(event);
    });
    this.deleteButton.addEventListener('click', () => void batch.deleteJob(job.id));
    this.copyButton.addEventListener('click', () => {
      const command = this.root.getAttribute('data-ffmpeg-command');
      if (!command) return;
      void navigator.clipboard.writeText(command).then(
        () => setText(this.copyButton, 'Copied'),
        () => window.prompt('The native ffmpeg command for this job:', command),
      );
    });
    this.logButton.addEventListener('click', () => {
      this.log.hidden = !this.log.hidden;
      this.logButton.setAttribute('aria-expanded', String(!this.log.hidden));
      this.fill(job);
    });
    this.root.append(
      h('div', { class: 'job-head' }, this.title, this.badge),
      this.progress,
      h('div', { class: 'job-line' }, this.meta, this.uploadLine),
      this.alert,
      h('div', { class: 'job-actions' }, this.download, this.uploadButton, this.compareButton, this.editButton, this.cancelButton, this.logButton, this.copyButton, this.deleteButton, this.oneOff),
      this.log,
    );
  }

  /** The native command that makes this output, once the source is probed (null before, or when it cannot be made). */
  private commandOf(job: Job, info: SourceInfo | null | undefined): string | null {
    if (!info) return null;
    try {
      return toFfmpegCommand(job.presetId, info, { input: job.sourceName, output: job.outputName }, job.edits);
    } catch {
      return null;
    }
  }

  /** What the row was last filled from: a row whose job did not change is not touched (1,000 rows, issue 15). */
  private filledFrom = '';

  fill(job: Job): void {
    const url = job.state === 'done' ? this.batch.outputUrl(job.id) : undefined;
    // The source's probe gives the native command and lets the job's edits be checked against the file.
    const info = this.batch.listSources().find((s) => s.id === job.sourceId)?.info;
    const from = [
      info ? 'probed' : '',
      job.state, job.progress, job.speed, job.etaSec, job.startedAt, job.endedAt, job.error, job.log.length, job.outputSize, job.upload, job.uploadProgress,
      job.uploadSpeed, job.uploadError, job.uploadLocation, job.engine, job.engineNote, job.verified, job.waitingFor, job.quality?.psnr, job.quality?.ssim, job.quality?.frames, url, this.uploads.endpoint, this.log.hidden, job.edits ? summarizeEdits(job.edits) : '',
    ].join('\u0000');
    if (from === this.filledFrom) return;
    this.filledFrom = from;
    const { root } = this;
    setAttr(root, 'data-state', job.state);
    setAttr(root, 'data-source', job.sourceName);
    setAttr(root, 'data-preset', job.presetId);
    setAttr(root, 'data-upload', job.upload);
    setAttr(root, 'data-engine', job.state === 'queued' ? null : job.engine);
    const command = this.commandOf(job, info);
    setAttr(root, 'data-ffmpeg-command', command);
    this.copyButton.hidden = command === null;
    // Measured quality (issue 19): numbers for tests and tools, a word for people (in the meta line).
    const quality = job.state === 'done' ? job.quality : null;
    setAttr(root, 'data-psnr', quality ? String(Number.isFinite(quality.psnr) ? Number(quality.psnr.toFixed(2)) : quality.psnr) : null);
    setAttr(root, 'data-ssim', quality ? String(Number(quality.ssim.toFixed(4))) : null);
    setAttr(root, 'data-quality', quality ? qualityGrade(quality) : null);
    // A measured video output has a picture to compare with its source.
    this.compareButton.hidden = quality === null;
    setText(this.title, `${job.sourceName} → ${job.outputName}`);
    setText(this.badge, STATE_LABELS[job.state]);
    setAttr(this.badge, 'data-state', job.state);

    const value = job.state === 'done' ? 1 : job.progress;
    // The attribute, not only the property: tests and assistive tools read it.
    setAttr(this.progress, 'value', Math.round(value * 1000) / 1000);
    this.progress.hidden = job.state === 'failed' || job.state === 'canceled' || job.state === 'interrupted';
    const edited = job.edits ? summarizeEdits(job.edits) : '';
    setAttr(root, 'data-edits', edited || null);
    setText(this.meta, withEngine([jobMeta(job), edited].filter(Boolean).join(' · '), job));

    const message = job.state === 'failed' ? job.error : job.upload === 'upload-failed' ? job.uploadError : null;
    // An interrupted job says why, as a plain sentence (nothing failed).
    const note = job.state === 'interrupted' ? INTERRUPTED_SENTENCE : null;
    setAttr(this.alert, 'role', message ? 'alert' : null);
    this.alert.hidden = !message && !note;
    setText(this.alert, message ?? note ?? '');

    setText(this.uploadLine, uploadLine(job));
    const done = job.state === 'done';
    this.download.hidden = !done;
    setAttr(this.download, 'href', url ?? null);
    setAttr(this.download, 'download', done ? job.outputName : null);
    // Without an address yet (a restored output), still reachable from the keyboard.
    setAttr(this.download, 'tabindex', done && !url ? 0 : null);
    setAttr(this.download, 'role', done && !url ? 'link' : null);
    // Without an endpoint there is nowhere to upload to (a one-off presigned URL still works).
    this.uploadButton.hidden = job.state !== 'done' || job.upload === 'uploading' || job.upload === 'uploaded' || (!this.uploads.endpoint && job.upload !== 'upload-failed');
    setText(this.uploadButton, job.upload === 'upload-failed' ? 'Retry' : 'Upload');
    this.oneOff.hidden = job.state !== 'done' || job.upload === 'uploading' || job.upload === 'uploaded';
    setText(this.cancelButton, job.upload === 'uploading' ? 'Stop upload' : 'Cancel');
    this.editButton.hidden = job.state !== 'queued';
    this.editButton.disabled = !info;
    this.cancelButton.hidden = !(job.state === 'queued' || job.state === 'running' || job.upload === 'uploading');
    this.deleteButton.hidden = !(job.state === 'done' || job.state === 'failed' || job.state === 'canceled' || job.state === 'interrupted') || job.upload === 'uploading';
    if (!this.log.hidden) setText(this.log, job.log.length ? job.log.join('\n') : 'No log yet.');
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
      // Held back before it starts encoding: say for what, not "0 % · estimating time left".
      if (job.waitingFor) return `${preset} · waiting for ${job.waitingFor}`;
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
    case 'interrupted':
      return `${preset} · interrupted: press Resume or add the file again`;
  }
}

const ENGINE_NAMES = { webcodecs: 'WebCodecs', ffmpeg: 'ffmpeg.wasm' } as const;

/** The detail line's engine part: "WebCodecs", "ffmpeg.wasm (why)", and "verified" once checked. */
function withEngine(meta: string, job: Job): string {
  if (!job.engine || job.state === 'queued') return meta;
  const bits = [meta, job.engineNote ? `${ENGINE_NAMES[job.engine]} (${job.engineNote})` : ENGINE_NAMES[job.engine]];
  if (job.verified) bits.push('verified');
  if (job.state === 'done' && job.quality) bits.push(qualityLine(job.quality));
  return bits.join(' · ');
}

/** "quality good: 41.2 dB PSNR, SSIM 0.978"; a lossless copy reads "identical to the source". */
function qualityLine(quality: NonNullable<Job['quality']>): string {
  if (!Number.isFinite(quality.psnr)) return 'quality: identical to the source';
  // From the figure data-psnr shows (two decimals), so that the words and the attribute never round apart (43.6512 → 43.65 → 43.6).
  return `quality ${qualityGrade(quality)}: ${Number(quality.psnr.toFixed(2)).toFixed(1)} dB PSNR, SSIM ${quality.ssim.toFixed(3)}`;
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
