import type { Crop } from '../index';
import { h } from './dom';

type Drag = { mode: 'draw' | 'move' | 'nw' | 'ne' | 'sw' | 'se'; from: { x: number; y: number }; start: Crop | null; moved: boolean };

/** Below this many screen pixels a press is a click, not a drawn rectangle. */
const CLICK_SLOP = 4;

/**
 * The crop rectangle over the editor's preview: drawn by dragging on the picture, moved by
 * dragging inside it, resized by its corner handles (pointer events, so mouse, pen and touch).
 * Works in the upright picture's source pixels, as the typed Crop field does; sides and offsets
 * stay even (4:2:0 pictures are cropped by whole chroma samples).
 */
export class CropBox {
  readonly element: HTMLElement;
  private readonly box = h('div', { class: 'crop-box', hidden: true, 'data-crop-box': true });
  private crop: Crop | null = null;
  private drag: Drag | null = null;

  constructor(
    private readonly picture: { width: number; height: number },
    image: HTMLElement,
    /** The preview's height (px) where the dialog is wide enough. */
    maxHeight: number,
    /** Told of every change made by the pointer (the editor writes it into the Crop field). */
    private readonly onChange: (crop: Crop) => void,
  ) {
    for (const corner of ['nw', 'ne', 'sw', 'se'] as const) this.box.append(h('span', { class: `crop-handle crop-${corner}`, 'data-handle': corner }));
    this.element = h('div', { class: 'crop-area', title: 'Drag on the picture to crop' }, image, this.box);
    // The area has the picture's shape whether or not a frame has arrived: pointer places map to source pixels through it.
    this.element.style.aspectRatio = `${picture.width} / ${picture.height}`;
    this.element.style.width = `min(100%, ${Math.round((maxHeight * picture.width) / picture.height)}px)`;
    this.element.addEventListener('pointerdown', (event) => this.down(event));
    this.element.addEventListener('pointermove', (event) => this.move(event));
    const end = (event: PointerEvent): void => {
      if (this.drag && this.element.hasPointerCapture(event.pointerId)) this.element.releasePointerCapture(event.pointerId);
      this.drag = null;
    };
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', end);
  }

  /** Shows a crop (typed, detected or picked); null hides the rectangle. */
  show(crop: Crop | null): void {
    this.crop = crop;
    this.box.hidden = crop === null;
    if (!crop) return;
    // In percentages of the picture, so the rectangle follows the preview's size.
    const { width, height } = this.picture;
    Object.assign(this.box.style, {
      left: `${(crop.x / width) * 100}%`,
      top: `${(crop.y / height) * 100}%`,
      width: `${(crop.width / width) * 100}%`,
      height: `${(crop.height / height) * 100}%`,
    });
  }

  /** A pointer's place in source pixels, inside the picture. */
  private at(event: PointerEvent): { x: number; y: number } | null {
    const rect = this.element.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return null;
    const clamp = (v: number, max: number): number => Math.min(max, Math.max(0, v));
    return { x: clamp(((event.clientX - rect.left) / rect.width) * this.picture.width, this.picture.width), y: clamp(((event.clientY - rect.top) / rect.height) * this.picture.height, this.picture.height) };
  }

  private down(event: PointerEvent): void {
    if (event.button !== 0) return;
    const from = this.at(event);
    if (!from) return;
    const target = event.target instanceof HTMLElement ? event.target : null;
    const handle = target?.dataset['handle'] as Drag['mode'] | undefined;
    const mode: Drag['mode'] = handle ?? (this.crop && target && this.box.contains(target) ? 'move' : 'draw');
    this.drag = { mode, from, start: this.crop, moved: false };
    this.element.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  private move(event: PointerEvent): void {
    const drag = this.drag;
    const to = drag ? this.at(event) : null;
    if (!drag || !to) return;
    if (!drag.moved) {
      const rect = this.element.getBoundingClientRect();
      const screen = Math.hypot(((to.x - drag.from.x) / this.picture.width) * rect.width, ((to.y - drag.from.y) / this.picture.height) * rect.height);
      if (screen < CLICK_SLOP) return;
      drag.moved = true;
    }
    const { width: W, height: H } = this.picture;
    const even = (n: number): number => Math.floor(n / 2) * 2;
    let crop: Crop;
    const start = drag.start;
    if (drag.mode === 'move' && start) {
      const x = Math.min(W - start.width, Math.max(0, start.x + to.x - drag.from.x));
      const y = Math.min(H - start.height, Math.max(0, start.y + to.y - drag.from.y));
      crop = { ...start, x: even(x), y: even(y) };
    } else {
      // Drawing, or a corner: the rectangle between a fixed corner and the pointer.
      const fixed = drag.mode === 'draw' || drag.mode === 'move' || !start ? drag.from : { x: drag.mode.includes('w') ? start.x + start.width : start.x, y: drag.mode.includes('n') ? start.y + start.height : start.y };
      const x = even(Math.min(fixed.x, to.x));
      const y = even(Math.min(fixed.y, to.y));
      crop = { x, y, width: Math.min(even(W - x), Math.max(2, even(Math.max(fixed.x, to.x) - x))), height: Math.min(even(H - y), Math.max(2, even(Math.max(fixed.y, to.y) - y))) };
    }
    this.show(crop);
    this.onChange(crop);
  }
}
