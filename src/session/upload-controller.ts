import type { OutputStore } from '../storage/output-store';
import type { StoredUpload } from '../storage/records';
import type { MultipartProgressState, UploadTarget } from '../upload';
import { UploadError } from '../upload/upload-error';
import type { Batch } from './batch';
import { isAbortError } from '../shared/abort';
import type { Job } from '../jobs/job';

const ENDPOINT_KEY = 'ffbatch.uploadEndpoint';
const WHEN_DONE_KEY = 'ffbatch.uploadWhenDone';

export interface UploadSettings {
  /** Outputs at least this big go up in parts. */
  multipartThreshold?: number;
  partSize?: number;
}

/**
 * Sends stored outputs to the bucket and keeps each output's upload state next to it in
 * storage, so a reload shows what is uploaded and resumes a multipart upload that was cut off.
 */
export class UploadController {
  private readonly running = new Map<string, AbortController>();
  endpoint: string;
  uploadWhenDone: boolean;

  constructor(
    private readonly batch: Batch,
    private readonly store: OutputStore,
    private readonly settings: UploadSettings = {},
  ) {
    this.endpoint = localStorage.getItem(ENDPOINT_KEY) ?? '';
    this.uploadWhenDone = localStorage.getItem(WHEN_DONE_KEY) === 'true';
    batch.subscribe((event) => {
      if (event.type === 'output-stored' && this.uploadWhenDone) this.upload(event.job.id);
    });
  }

  setEndpoint(endpoint: string): void {
    this.endpoint = endpoint.replace(/\/+$/, '');
    localStorage.setItem(ENDPOINT_KEY, this.endpoint);
  }

  setUploadWhenDone(on: boolean): void {
    this.uploadWhenDone = on;
    localStorage.setItem(WHEN_DONE_KEY, String(on));
  }

  uploadAll(): void {
    for (const job of this.batch.listJobs()) {
      if (job.state === 'done' && job.upload !== 'uploaded' && job.upload !== 'uploading') this.upload(job.id);
    }
  }

  /** Resumes the uploads a reload cut off. */
  resumeInterrupted(): void {
    for (const job of this.batch.listJobs()) if (job.upload === 'uploading') this.upload(job.id);
  }

  cancelUpload(jobId: string): void {
    this.running.get(jobId)?.abort();
  }

  /** Uploads one stored output to the endpoint, or to `presignedUrl` when given. */
  upload(jobId: string, presignedUrl?: string): void {
    const job = this.batch.getJob(jobId);
    if (!job || job.state !== 'done' || this.running.has(jobId)) return;
    void this.run(job, presignedUrl);
  }

  private async run(job: Job, presignedUrl?: string): Promise<void> {
    const controller = new AbortController();
    this.running.set(job.id, controller);
    const set = (patch: Partial<Job>): void => this.batch.updateJob(job.id, patch);
    try {
      const target: UploadTarget | null = presignedUrl
        ? { kind: 'presigned', url: presignedUrl }
        : this.endpoint
          ? { kind: 'endpoint', endpoint: this.endpoint }
          : null;
      if (!target) throw new UploadError('bad-endpoint', 'Set an Upload endpoint first: the address of your signing service.');
      const [record, blob] = await Promise.all([this.store.getRecord(job.id), this.store.getBlob(job.id)]);
      if (!record || !blob) throw new UploadError('http', 'This output is no longer in storage.');
      const resume = isResumeState(record.upload?.resume) && record.upload.resume.size === blob.size ? record.upload.resume : undefined;
      let stored: StoredUpload = { state: 'uploading', ...(resume ? { resume } : {}) };
      const startedAt = performance.now();
      // Bytes a resumed upload had sent before this page: not part of this page's speed.
      const resumedBytes = resume ? Math.min(blob.size, resume.parts.length * resume.partSize) : 0;
      set({ upload: 'uploading', uploadProgress: 0, uploadError: null });
      await this.store.updateUpload(job.id, stored);
      // The uploader is loaded on the first upload: most batches never upload, and the page starts lighter.
      const { uploadBlob } = await import('../upload/upload-blob');
      const result = await uploadBlob(blob, {
        filename: record.outputName,
        contentType: record.mimeType,
        target,
        ...(this.settings.multipartThreshold ? { multipartThreshold: this.settings.multipartThreshold } : {}),
        ...(this.settings.partSize ? { partSize: this.settings.partSize } : {}),
        ...(resume ? { resume } : {}),
        signal: controller.signal,
        onState: (state) => {
          stored = { state: 'uploading', resume: state };
          void this.store.updateUpload(job.id, stored);
        },
        onProgress: (sent, total) => {
          const seconds = (performance.now() - startedAt) / 1000;
          set({ uploadProgress: total > 0 ? sent / total : 1, uploadSpeed: seconds > 0.5 ? (sent - resumedBytes) / seconds : null });
        },
      });
      await this.store.updateUpload(job.id, { state: 'uploaded', location: result.location });
      set({ upload: 'uploaded', uploadProgress: 1, uploadSpeed: null, uploadLocation: result.location });
    } catch (error) {
      if (isAbortError(error)) {
        await this.store.updateUpload(job.id, undefined);
        set({ upload: null, uploadProgress: null, uploadSpeed: null, uploadError: null });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const record = await this.store.getRecord(job.id);
      // Keep the resume state: Retry goes on from the parts already sent.
      await this.store.updateUpload(job.id, { ...(record?.upload ?? {}), state: 'upload-failed', error: message });
      set({ upload: 'upload-failed', uploadSpeed: null, uploadError: message });
    } finally {
      this.running.delete(job.id);
    }
  }
}

function isResumeState(value: unknown): value is MultipartProgressState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<MultipartProgressState>;
  return typeof v.key === 'string' && typeof v.uploadId === 'string' && typeof v.partSize === 'number' && typeof v.size === 'number' && Array.isArray(v.parts);
}
