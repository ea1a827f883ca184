// Draws the app icon (a calendar page with a check mark) as PNGs, without image libraries:
// run once with `npx tsx scripts/make-icons.ts`; the PNGs are committed.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

type RGB = [number, number, number];
const teal: RGB = [11, 93, 107];
const white: RGB = [255, 255, 255];
const light: RGB = [227, 240, 240];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function inRoundRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Colour at a point of the unit square; `safe` shrinks the motif for maskable icons. */
function shade(u: number, v: number, maskable: boolean): RGB | null {
  if (!maskable && !inRoundRect(u, v, 0, 0, 1, 1, 0.2)) return null;
  const s = maskable ? 0.62 : 0.78;
  const x = (u - 0.5) / s + 0.5,
    y = (v - 0.5) / s + 0.5;
  if (inRoundRect(x, y, 0.16, 0.2, 0.84, 0.84, 0.07)) {
    if (y < 0.36) return light;
    const check = Math.min(distToSegment(x, y, 0.33, 0.6, 0.46, 0.72), distToSegment(x, y, 0.46, 0.72, 0.69, 0.47));
    if (check < 0.045) return teal;
    return white;
  }
  if ((Math.abs(x - 0.34) < 0.035 || Math.abs(x - 0.66) < 0.035) && y > 0.12 && y < 0.28) return white;
  return teal;
}

function png(size: number, maskable: boolean): Buffer {
  const ss = 4;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0;
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++)
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, maskable);
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            a += 1;
          }
        }
      const o = py * (size * 4 + 1) + 1 + px * 4;
      const n = ss * ss;
      raw[o] = a ? Math.round(r / a) : 0;
      raw[o + 1] = a ? Math.round(g / a) : 0;
      raw[o + 2] = a ? Math.round(b / a) : 0;
      raw[o + 3] = Math.round((a / n) * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = "public/icons";
for (const size of [64, 192, 512]) writeFileSync(`${out}/icon-${size}.png`, png(size, false));
for (const size of [192, 512]) writeFileSync(`${out}/maskable-${size}.png`, png(size, true));
writeFileSync(`${out}/apple-touch-icon.png`, png(180, true));
writeFileSync("public/favicon.ico", png(48, false)); // browsers accept a PNG served as favicon
console.log("icons written");
