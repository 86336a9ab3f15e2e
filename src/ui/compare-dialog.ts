import type { BatchJob as Job, CompareView, SessionBatch } from '../index';
import { h, setAttr, setText } from './dom';

const ZOOMS = [
  { value: 'fit', label: 'Fit' },
  { value: '1', label: '1× (pixels)' },
  { value: '2', label: '2×' },
  { value: '4', label: '4×' },
  { value: '8', label: '8×' },
] as const;

/**
 * Compare (issue 19): the source's frame and the output's at one instant, one over the other
 * with a split to slide (Squoosh's two-up), a zoom down to pixels, an instant to pick, and that
 * frame pair's own PSNR and SSIM. The frames are decoded and scaled in a worker.
 */
export class CompareDialog {
  readonly element: HTMLDialogElement;
  private readonly sourceCanvas = h('canvas', { class: 'compare-frame compare-source', 'data-frame': 'source' });
  private readonly outputCanvas = h('canvas', { class: 'compare-frame compare-output', 'data-frame': 'output' });
  private readonly stage = h('div', { class: 'compare-stage' });
  private readonly splitLine = h('div', { class: 'compare-split-line', 'aria-hidden': 'true' });
  private readonly viewport = h('div', { class: 'compare-viewport' });
  private readonly split = h('input', { type: 'range', id: 'compare-split', min: 0, max: 100, value: 50 });
  private readonly zoom = h('select', { id: 'compare-zoom' }, ...ZOOMS.map((z) => h('option', { value: z.value }, z.label)));
  private readonly instant = h('input', { type: 'range', id: 'compare-instant', min: 0, max: 0, step: 0.01, value: 0 });
  private readonly figures = h('p', { class: 'compare-figures', 'aria-live': 'polite' });
  private readonly alert = h('p', { class: 'job-error', hidden: true });
  private request = 0;
  private width = 0;

  constructor(
    private readonly job: Job,
    private readonly batch: Pick<SessionBatch, 'compare'>,
  ) {
    const close = h('button', { type: 'button', class: 'quiet' }, 'Close');
    this.element = h('dialog', { class: 'compare-dialog', 'aria-label': `Compare ${job.outputName}` });
    close.addEventListener('click', () => this.element.close());
    this.element.addEventListener('close', () => this.element.remove());
    this.split.addEventListener('input', () => this.applySplit());
    this.zoom.addEventListener('change', () => this.applyZoom());
    // 'change', not 'input': one worker decode per instant picked, not per pixel dragged.
    this.instant.addEventListener('change', () => void this.show(Number(this.instant.value)));
    this.stage.append(this.outputCanvas, this.sourceCanvas, this.splitLine, h('span', { class: 'compare-label compare-label-source' }, 'Source'), h('span', { class: 'compare-label compare-label-output' }, 'Output'));
    this.viewport.append(this.stage);
    this.element.append(
      h('div', { class: 'compare-head' }, h('h2', {}, `Compare ${job.outputName}`), close),
      this.viewport,
      h(
        'div',
        { class: 'compare-controls' },
        h('label', { for: 'compare-split' }, 'Split'),
        this.split,
        h('label', { for: 'compare-zoom' }, 'Zoom'),
        this.zoom,
        h('label', { for: 'compare-instant' }, 'Instant'),
        this.instant,
      ),
      this.figures,
      this.alert,
    );
  }

  /** Opens the dialog and shows the frame a third of the way in. */
  open(): void {
    document.body.append(this.element);
    this.element.showModal();
    this.applySplit();
    void this.show(null);
  }

  private async show(atSec: number | null): Promise<void> {
    const ticket = ++this.request;
    setAttr(this.element, 'aria-busy', 'true');
    setText(this.figures, 'Reading both frames…');
    let view: CompareView | string;
    try {
      view = await this.batch.compare(this.job.id, atSec ?? 0);
      // The first look: a third of the way in, away from the opening keyframe.
      if (atSec === null && typeof view !== 'string' && view.durationSec > 0.5) view = await this.batch.compare(this.job.id, view.durationSec / 3);
    } catch (error) {
      view = `The frames could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (ticket !== this.request) return;
    setAttr(this.element, 'aria-busy', null);
    if (typeof view === 'string') {
      this.alert.hidden = false;
      setAttr(this.alert, 'role', 'alert');
      setText(this.alert, view);
      setText(this.figures, '');
      return;
    }
    this.alert.hidden = true;
    setAttr(this.alert, 'role', null);
    this.width = view.width;
    for (const [canvas, bitmap] of [
      [this.sourceCanvas, view.source],
      [this.outputCanvas, view.output],
    ] as const) {
      canvas.width = view.width;
      canvas.height = view.height;
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
      bitmap.close();
    }
    this.instant.max = String(Math.max(0, view.durationSec - 0.01).toFixed(2));
    this.instant.value = String(view.at.toFixed(2));
    setAttr(this.element, 'data-at', view.at.toFixed(3));
    setAttr(this.element, 'data-psnr', Number.isFinite(view.psnr) ? view.psnr.toFixed(2) : String(view.psnr));
    setAttr(this.element, 'data-ssim', view.ssim.toFixed(4));
    const psnr = Number.isFinite(view.psnr) ? `${view.psnr.toFixed(1)} dB` : 'identical';
    setText(this.figures, `At ${view.at.toFixed(2)} s (${view.width}×${view.height}): this frame's PSNR ${psnr}, SSIM ${view.ssim.toFixed(3)}. Source on the left of the split, output on the right.`);
    this.applyZoom();
  }

  private applySplit(): void {
    // The source shows left of the split, the output right of it.
    this.sourceCanvas.style.clipPath = `inset(0 ${100 - Number(this.split.value)}% 0 0)`;
    this.splitLine.style.left = `${this.split.value}%`;
  }

  private applyZoom(): void {
    const zoom = this.zoom.value;
    const pixels = zoom === 'fit' ? null : Number(zoom) * this.width;
    this.stage.style.width = pixels === null ? '' : `${pixels}px`;
    this.stage.classList.toggle('compare-pixels', pixels !== null);
  }
}
