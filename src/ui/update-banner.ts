import { h, setAttr, setText } from './dom';

/** What the banner reads of the batch: its jobs' states, its sources, and when they change. */
export interface UpdateBatch {
  listJobs(): readonly { state: string }[];
  listSources(): readonly unknown[];
  subscribe(listener: () => void): unknown;
}

/** An update may be applied (the page reloads) only while no job is queued or running. */
export function canApplyUpdate(jobs: readonly { state: string }[]): boolean {
  return !jobs.some((job) => job.state === 'queued' || job.state === 'running');
}

/**
 * What a tab does about a new deployment:
 * - `wait-for-batch`: jobs are queued or running; nothing is applied under them;
 * - `offer`: the Update button, applied on a click;
 * - `reload`: the new deployment already controls this tab (Update was pressed in another
 *   tab) and a reload loses nothing (no job under way, no file waiting in the list; stored
 *   outputs and interrupted jobs come back after a reload): the tab reloads by itself.
 */
export type UpdateAction = 'wait-for-batch' | 'offer' | 'reload';

export function updateAction(state: { takenOver: boolean; jobs: readonly { state: string }[]; sourcesListed: number }): UpdateAction {
  if (!canApplyUpdate(state.jobs)) return 'wait-for-batch';
  return state.takenOver && state.sourcesListed === 0 ? 'reload' : 'offer';
}

/**
 * "An update is ready" with an **Update** button, shown once a new deployment is waiting.
 * The update is applied only on the person's click, and the button stays disabled while a
 * batch runs: the page never reloads under a running job. When another tab's Update has
 * already put the new deployment in charge of this one, this tab keeps running its jobs on
 * its own (previous) files and reloads once nothing would be lost, or on a click.
 * `data-update` on the element is `ready` or `waiting-for-batch` while shown;
 * `data-update-from="other-tab"` once another tab applied it.
 */
export class UpdateBanner {
  readonly element = h('section', { class: 'update-banner', 'aria-label': 'Update', hidden: true });
  private readonly text = h('p', { role: 'status' });
  private readonly button = h('button', { type: 'button', class: 'primary' }, 'Update');
  private ready = false;
  private takenOver = false;
  private applying = false;

  constructor(
    private readonly batch: UpdateBatch,
    private readonly apply: () => Promise<void>,
  ) {
    this.element.append(this.text, this.button);
    this.button.addEventListener('click', () => this.onUpdate());
    batch.subscribe(() => this.render());
  }

  /** A new deployment is waiting. */
  show(): void {
    this.ready = true;
    this.render();
  }

  /** Another tab's Update put the new deployment in charge of this tab too. */
  showTakenOver(): void {
    this.ready = true;
    this.takenOver = true;
    this.render();
  }

  private action(): UpdateAction {
    return updateAction({ takenOver: this.takenOver, jobs: this.batch.listJobs(), sourcesListed: this.batch.listSources().length });
  }

  private onUpdate(): void {
    if (!this.ready || this.applying || this.action() === 'wait-for-batch') return;
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
    const action = this.action();
    if (action === 'reload') {
      this.onUpdate();
      return;
    }
    const free = action !== 'wait-for-batch';
    setAttr(this.element, 'data-update', free ? 'ready' : 'waiting-for-batch');
    setAttr(this.element, 'data-update-from', this.takenOver ? 'other-tab' : null);
    const sentence = this.takenOver
      ? free
        ? 'ffbatch was updated in another tab. Update reloads this page into the new version; stored outputs stay.'
        : 'ffbatch was updated in another tab. The jobs running here go on; reload with Update once they have ended.'
      : free
        ? 'An update is ready. Updating reloads the page; stored outputs stay.'
        : 'An update is ready. It can be applied once the running jobs have ended.';
    setText(this.text, sentence);
    this.button.disabled = this.applying || !free;
  }
}
