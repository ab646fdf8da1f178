#!/usr/bin/env node
// Draws the extension's icons from one geometry, "a cluster inside a cluster": a hexagon ring (the host cluster)
// around a smaller solid hexagon (the virtual cluster).
//   media/vcluster.svg  24x24 activity-bar icon, monochrome, fill="currentColor" (VS Code tints it)
//   media/icon.png      128x128 marketplace icon, anti-aliased RGBA PNG written with zlib (no dependencies)
// Run: node scripts/make-icon.mjs   (the outputs are committed; rerun after changing the geometry)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Pointy-top hexagons in the 24x24 icon space: circumradius R around (12, 12). */
export const shapes = {
  outer: 11.2, // host cluster: ring from outer ...
  outerHole: 8.9, // ... to this radius
  inner: 5.6, // virtual cluster: solid
};
const C = 12;

function hexPoints(r, cx = C, cy = C) {
  return Array.from({ length: 6 }, (_, i) => {
    const a = (Math.PI / 180) * (60 * i - 90);
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
}

const fmt = (n) => Number(n.toFixed(2)).toString();
const pathOf = (pts) => `M${pts.map(([x, y]) => `${fmt(x)} ${fmt(y)}`).join('L')}Z`;

export function svg() {
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">',
    `<path fill="currentColor" fill-rule="evenodd" d="${pathOf(hexPoints(shapes.outer))}${pathOf(hexPoints(shapes.outerHole))}"/>`,
    `<path fill="currentColor" d="${pathOf(hexPoints(shapes.inner))}"/>`,
    '</svg>',
    '',
  ].join('\n');
}

/** Inside a pointy-top hexagon of circumradius r centred at (cx, cy)? */
function inHex(x, y, r, cx = C, cy = C) {
  const a = (r * Math.sqrt(3)) / 2; // apothem
  const dx = Math.abs(x - cx);
  const dy = Math.abs(y - cy);
  return dx <= a && dx / 2 + (dy * Math.sqrt(3)) / 2 <= a;
}

function inRoundedSquare(x, y, size, radius) {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

const colors = {
  background: [0x1f, 0x4f, 0xb8], // deep blue
  ring: [0xff, 0xff, 0xff],
  core: [0xff, 0x8a, 0x1f], // orange
};

/** RGBA pixels of the 128x128 marketplace icon, 4x4 supersampled. */
export function iconPixels(size = 128) {
  const ss = 4;
  const scale = (size * 0.78) / 24; // the 24-unit geometry fills 78% of the tile
  const offset = (size - 24 * scale) / 2;
  const px = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const fx = x + (sx + 0.5) / ss;
          const fy = y + (sy + 0.5) / ss;
          if (!inRoundedSquare(fx, fy, size, size * 0.19)) continue;
          const ux = (fx - offset) / scale;
          const uy = (fy - offset) / scale;
          let c = colors.background;
          if (inHex(ux, uy, shapes.outer) && !inHex(ux, uy, shapes.outerHole)) c = colors.ring;
          else if (inHex(ux, uy, shapes.inner)) c = colors.core;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 255;
        }
      }
      const n = ss * ss;
      const i = (y * size + x) * 4;
      const cov = a / 255; // samples covered
      px[i] = cov ? Math.round(r / cov) : 0;
      px[i + 1] = cov ? Math.round(g / cov) : 0;
      px[i + 2] = cov ? Math.round(b / cov) : 0;
      px[i + 3] = Math.round(a / n);
    }
  }
  return px;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit RGBA, no filtering). */
export function encodePng(pixels, width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    pixels.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const media = path.join(root, 'media');
  fs.mkdirSync(media, { recursive: true });
  fs.writeFileSync(path.join(media, 'vcluster.svg'), svg());
  fs.writeFileSync(path.join(media, 'icon.png'), encodePng(iconPixels(128), 128, 128));
  console.log('wrote media/vcluster.svg and media/icon.png');
}
