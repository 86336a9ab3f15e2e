import type { SessionBatch } from '../index';
import { h, setText } from './dom';
import { formatBytes } from '../shared/format';

/** The line under the jobs bar: bytes of stored outputs, space left, whether the browser keeps them. */
export class StorageLine {
  readonly element = h('p', { class: 'storage' });
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly batch: SessionBatch) {}

  /** Asks the storage at most every half second (estimates are not free). */
  refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.batch.usage().then((usage) => {
        const parts = [`Stored outputs: ${formatBytes(usage.outputsBytes)}`];
        if (usage.quotaBytes !== null && usage.usedBytes !== null) {
          parts.push(`${formatBytes(Math.max(0, usage.quotaBytes - usage.usedBytes))} free for this page`);
        }
        if (usage.persisted) parts.push('kept by the browser');
        setText(this.element, parts.join(' · '));
      });
    }, 500);
  }
}
