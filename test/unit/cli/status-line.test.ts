// SPDX-License-Identifier: MIT
// StatusLine: rewrites one line in place on a terminal (cut to its width) and prints throttled
// plain lines elsewhere.

import { describe, expect, it } from 'vitest';
import { StatusLine } from '../../../src/cli/status-line.js';

function stream(isTTY: boolean, columns?: number): { written: string[]; isTTY: boolean; columns?: number; write(text: string): void } {
  const written: string[] = [];
  return { written, isTTY, ...(columns === undefined ? {} : { columns }), write: (text: string) => void written.push(text) };
}

describe('StatusLine', () => {
  it('rewrites the line in place on a terminal and clears it at the end', () => {
    const tty = stream(true, 20);
    const line = new StatusLine(tty);
    expect(line.live).toBe(true);
    line.update('frames 10');
    line.update('frames 20 and a lot more text');
    line.finish();
    expect(tty.written).toEqual(['\rframes 10\x1b[K', '\rframes 20 and a lo…\x1b[K', '\r\x1b[K']);
  });

  it('takes 80 columns on a terminal that reports none', () => {
    const tty = stream(true, 0);
    new StatusLine(tty).update('x'.repeat(100));
    expect(tty.written[0]).toBe(`\r${'x'.repeat(78)}…\x1b[K`);
  });

  it('prints plain lines at most once per interval elsewhere, and nothing to clear', () => {
    const pipe = stream(false);
    let now = 0;
    const line = new StatusLine(pipe, { plainIntervalMs: 1000, now: () => now });
    line.update('a');
    now = 500;
    line.update('b');
    now = 1000;
    line.update('c');
    line.finish();
    expect(pipe.written).toEqual(['a\n', 'c\n']);
  });
});
