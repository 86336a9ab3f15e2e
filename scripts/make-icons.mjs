// Draws the app's icons (public/icons/*.png) with no dependency: a blue rounded square, a white
// "play" triangle over two short bars (a batch). Run once by hand (`node scripts/make-icons.mjs`);
// the PNGs are committed. Maskable: full-bleed background, artwork inside the 80% safe zone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1f, 0x6f, 0xeb];
const WHITE = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}
/** RGBA pixels (size × size × 4) → PNG bytes. */
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const inRoundRect = (x, y, x0, y0, x1, y1, r) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const inTriangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
  const side = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = side(ax, ay, bx, by);
  const d2 = side(bx, by, cx, cy);
  const d3 = side(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

/** Colour (RGBA 0..1 alpha) at a point of the unit square. */
function shade(x, y, maskable) {
  const k = maskable ? 0.78 : 1; // artwork scale about the centre
  const u = 0.5 + (x - 0.5) / k;
  const v = 0.5 + (y - 0.5) / k;
  const background = maskable || inRoundRect(x, y, 0, 0, 1, 1, 0.19);
  if (!background) return null;
  if (inTriangle(u, v, [0.37, 0.24], [0.37, 0.6], [0.68, 0.42])) return [...WHITE, 1];
  if (inRoundRect(u, v, 0.27, 0.69, 0.73, 0.74, 0.025) || inRoundRect(u, v, 0.34, 0.78, 0.66, 0.83, 0.025)) return [...WHITE.map((c, i) => Math.round(c * 0.7 + BLUE[i] * 0.3)), 1];
  return [...BLUE, 1];
}

function draw(size, maskable) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4; // 4×4 samples a pixel
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) {
          const c = shade((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size, maskable);
          if (!c) continue;
          for (let i = 0; i < 3; i++) sum[i] += c[i];
          sum[3] += 1;
        }
      const o = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) rgba[o + i] = sum[3] ? Math.round(sum[i] / sum[3]) : 0;
      rgba[o + 3] = Math.round((255 * sum[3]) / (n * n));
    }
  return png(size, rgba);
}

const dir = new URL('../public/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
  ['apple-touch-icon-180.png', 180, true],
]) {
  writeFileSync(new URL(name, dir), draw(size, maskable));
  console.log(`public/icons/${name}`);
}
