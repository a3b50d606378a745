// SPDX-License-Identifier: MIT
// Renders an SVG to PNG in a real browser (Debian's chromium, headless) and reads the PNG back,
// so tests can check what a person would see: the picture's size and the colour at a point.
// `chromiumPath()` says where chromium is, or why it cannot be used, for a test's skip reason.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

/** The browser's path, or the reason none is there (for `test.skipIf`). */
export function chromiumPath(): { path: string } | { reason: string } {
  for (const name of CANDIDATES) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return { path: found.stdout.trim() };
  }
  return { reason: `no headless browser on PATH (looked for ${CANDIDATES.join(', ')}; Debian: apt-get install chromium)` };
}

/** A decoded PNG: width, height and RGBA bytes, row by row. */
export interface Picture {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** Screenshots `svg` at its own width and height with `browser`; returns the decoded PNG. */
export function renderSvg(browser: string, svg: string, width: number, height: number): Picture {
  const dir = mkdtempSync(join(tmpdir(), 'render-'));
  const file = join(dir, 'picture.svg');
  const png = join(dir, 'picture.png');
  writeFileSync(file, svg);
  execFileSync(
    browser,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=${width},${height}`, `--screenshot=${png}`, `file://${file}`],
    { stdio: 'ignore', timeout: 60_000 },
  );
  return decodePng(readFileSync(png));
}

/** The colour at (x, y) as `#rrggbb`. */
export function colourAt(picture: Picture, x: number, y: number): string {
  const at = (Math.round(y) * picture.width + Math.round(x)) * 4;
  return `#${[0, 1, 2].map((i) => (picture.rgba[at + i] as number).toString(16).padStart(2, '0')).join('')}`;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what chromium's screenshots are). */
export function decodePng(bytes: Buffer): Picture {
  if (bytes.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error(`unsupported PNG (depth ${depth}, type ${colourType})`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const rgba = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    const out = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? (out[i - channels] as number) : 0;
      const up = previous[i] as number;
      const upLeft = i >= channels ? (previous[i - channels] as number) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      out[i] = ((line[i] as number) + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) rgba[(row * width + x) * 4 + c] = out[x * channels + c] as number;
      rgba[(row * width + x) * 4 + 3] = channels === 4 ? (out[x * channels + 3] as number) : 255;
    }
    previous = out;
  }
  return { width, height, rgba };
}
