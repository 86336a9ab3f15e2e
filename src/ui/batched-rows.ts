/**
 * A list's rows kept in step with its items (sources, jobs): a row per item id, new rows
 * built at most ROWS_PER_FRAME a render and the rest on the next frame (a dropped folder of
 * 1,000 files, 1,000 jobs at once: issue 15), rows of items gone removed.
 */
import { onceAFrame } from './dom';

/** New rows built in one frame at most: about 15 ms of work here. */
export const ROWS_PER_FRAME = 50;

export interface RowParts<T, R> {
  /** The list the rows go in, in the items' order as they are built. */
  list: Element;
  build(item: T): R;
  root(row: R): Element;
  /** Renders again: asked for on the next frame when rows were left to build. */
  render(): void;
}

export class BatchedRows<T extends { id: string }, R> {
  private readonly rows = new Map<string, R>();
  private readonly renderNextFrame: () => void;

  constructor(private readonly parts: RowParts<T, R>) {
    this.renderNextFrame = onceAFrame(() => parts.render());
  }

  /** Builds the missing rows (ROWS_PER_FRAME at most), calls `fill` for each row with its item (`built`: new now), removes the rows of items gone. */
  update(items: readonly T[], fill: (row: R, item: T, built: boolean) => void): void {
    const seen = new Set<string>();
    let built = 0;
    for (const item of items) {
      seen.add(item.id);
      let row = this.rows.get(item.id);
      const isNew = !row;
      if (!row) {
        if (built >= ROWS_PER_FRAME) {
          this.renderNextFrame();
          continue;
        }
        built++;
        row = this.parts.build(item);
        this.rows.set(item.id, row);
        this.parts.list.append(this.parts.root(row));
      }
      fill(row, item, isNew);
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        this.parts.root(row).remove();
        this.rows.delete(id);
      }
    }
  }
}
