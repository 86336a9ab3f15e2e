import { describe, expect, it } from 'vitest';
import { storedRect } from '../../workers/webcodecs/stored-rect';

/** Turns a stored W×H grid of cell ids clockwise by `rotation`, as a player shows it. */
function upright(stored: number[][], rotation: number): number[][] {
  let grid = stored;
  for (let turn = 0; turn < rotation / 90; turn++) {
    const rows = grid.length;
    const cols = grid[0]!.length;
    grid = Array.from({ length: cols }, (_, y) => Array.from({ length: rows }, (_, x) => grid[rows - 1 - x]![y]!));
  }
  return grid;
}

function cells(grid: number[][], rect: { width: number; height: number; x: number; y: number }): number[] {
  const out: number[] = [];
  for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) out.push(grid[y]![x]!);
  return out.sort((a, b) => a - b);
}

describe('storedRect: an upright crop as a rectangle of the stored frame', () => {
  const W = 12;
  const H = 8;
  const stored = Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => y * W + x));
  it.each([0, 90, 180, 270])('keeps the same pixels at rotation %i', (rotation) => {
    const shown = upright(stored, rotation);
    const crop = { width: 4, height: 2, x: 2, y: 4 };
    const rect = storedRect(crop, rotation, W, H);
    expect(cells(stored, rect)).toEqual(cells(shown, crop));
  });
});
