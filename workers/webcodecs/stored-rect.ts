import type { PictureRect } from '../protocol';

/**
 * A crop given in the upright picture (as a player shows it, `rotation` applied) as a
 * rectangle of the stored frame, which is what the decoder gives; offsets even (4:2:0 chroma).
 */
export function storedRect(crop: PictureRect, rotation: number, storedWidth: number, storedHeight: number): PictureRect {
  const { width: w, height: h, x, y } = crop;
  const rect =
    rotation === 90
      ? { x: y, y: storedHeight - x - w, width: h, height: w }
      : rotation === 180
        ? { x: storedWidth - x - w, y: storedHeight - y - h, width: w, height: h }
        : rotation === 270
          ? { x: storedWidth - y - h, y: x, width: h, height: w }
          : { x, y, width: w, height: h };
  const evenX = rect.x - (rect.x % 2);
  const evenY = rect.y - (rect.y % 2);
  return { x: evenX, y: evenY, width: Math.min(rect.width, storedWidth - evenX), height: Math.min(rect.height, storedHeight - evenY) };
}
