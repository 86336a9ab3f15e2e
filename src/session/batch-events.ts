/**
 * The batch's one event stream: the page, the library (createEncoder) and uploads all follow
 * it through `batch.subscribe(listener)`, and none reaches into the scheduler.
 */
import type { OutputRecord } from '../storage/records';
import type { Job } from '../jobs/job';

/**
 * What a batch tells its listeners.
 * - `changed`: something a view shows changed (sources, jobs, settings, notes); bursts are
 *   coalesced into one per task, so it is what a page redraws on.
 * - `job-changed`: one job's fields changed, told at once, with the job.
 * - `output-stored`: a job's output was stored in this session and the job is now done.
 *
 * @example
 * ```ts
 * batch.subscribe((event) => {
 *   if (event.type === 'changed') render(batch.listJobs());
 *   if (event.type === 'output-stored') console.log('stored', event.record.outputName);
 * });
 * ```
 */
export type BatchEvent = { type: 'changed' } | { type: 'job-changed'; job: Job } | { type: 'output-stored'; job: Job; record: OutputRecord };

export type BatchListener = (event: BatchEvent) => void;

/** The listeners of one batch, with `changed` coalesced into one per task. */
export class BatchEvents {
  private readonly listeners = new Set<BatchListener>();
  private changeQueued = false;

  subscribe(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: BatchEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Coalesces bursts of changes (log lines, progress) into one `changed` per task. */
  changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.emit({ type: 'changed' });
    });
  }
}
