import { h, setAttr, setText } from './dom';

/** What the banner reads of the batch: its jobs' states, and when they change. */
export interface UpdateBatch {
  listJobs(): readonly { state: string }[];
  subscribe(listener: () => void): unknown;
}

/** An update may be applied (the page reloads) only while no job is queued or running. */
export function canApplyUpdate(jobs: readonly { state: string }[]): boolean {
  return !jobs.some((job) => job.state === 'queued' || job.state === 'running');
}

/**
 * "An update is ready" with an **Update** button, shown once a new deployment is waiting.
 * The update is applied only on the person's click, and the button stays disabled while a
 * batch runs: the page never reloads under a running job. `data-update` on the element is
 * `ready` or `waiting-for-batch` while shown.
 */
export class UpdateBanner {
  readonly element = h('section', { class: 'update-banner', 'aria-label': 'Update', hidden: true });
  private readonly text = h('p', { role: 'status' });
  private readonly button = h('button', { type: 'button', class: 'primary' }, 'Update');
  private ready = false;
  private applying = false;

  constructor(
    private readonly batch: UpdateBatch,
    private readonly apply: () => Promise<void>,
  ) {
    this.element.append(this.text, this.button);
    this.button.addEventListener('click', () => this.onUpdate());
    batch.subscribe(() => this.render());
  }

  /** A new deployment is waiting (or has taken over in another tab). */
  show(): void {
    this.ready = true;
    this.render();
  }

  private onUpdate(): void {
    if (!this.ready || this.applying || !canApplyUpdate(this.batch.listJobs())) return;
    this.applying = true;
    this.render();
    this.apply().catch(() => {
      this.applying = false;
      this.render();
    });
  }

  private render(): void {
    this.element.hidden = !this.ready;
    if (!this.ready) return;
    const free = canApplyUpdate(this.batch.listJobs());
    setAttr(this.element, 'data-update', free ? 'ready' : 'waiting-for-batch');
    setText(this.text, free ? 'An update is ready. Updating reloads the page; stored outputs stay.' : 'An update is ready. It can be applied once the running jobs have ended.');
    this.button.disabled = this.applying || !free;
  }
}
