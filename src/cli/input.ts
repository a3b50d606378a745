// SPDX-License-Identifier: MIT
// Reads a command's input file (or stdin) whole, but never more than a stated cap: an endless
// input (a pipe that never closes, /dev/zero) stops at the cap with a one-line UsageError
// instead of running forever or out of memory. Used by `map` (snapshots) and `replay` (traces).

import { closeSync, openSync, readSync } from 'node:fs';
import { MIB, formatBytes } from '../format.js';
import { UsageError } from './args.js';

const CHUNK_BYTES = MIB;

/** Blocks the thread for `ms` (a non-blocking stdin that has no data yet). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The bytes of `file`, at most `maxBytes` of them.
 * @param what - what the file holds, for the messages ("snapshot", "trace").
 * @param dashIsStdin - `-` reads stdin rather than a file of that name.
 * @throws {UsageError} the file cannot be read, or holds more than `maxBytes`.
 */
export function readCapped(file: string, what: string, maxBytes: number, dashIsStdin = false): Buffer {
  const stdin = dashIsStdin && file === '-';
  const source = stdin ? 'stdin' : file;
  const chunks: Buffer[] = [];
  let total = 0;
  let fd: number | undefined;
  try {
    fd = stdin ? 0 : openSync(file, 'r');
    for (;;) {
      // One byte past the cap is enough to know the input is too long.
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EAGAIN') throw error;
        pause(10);
        continue;
      }
      if (read === 0) break;
      // A short read keeps only its bytes: a view would pin the whole chunk (a pipe gives 64 KiB
      // reads, so views of 1 MiB chunks would hold 16 times the input).
      chunks.push(read === chunk.length ? chunk : Buffer.from(chunk.subarray(0, read)));
      total += read;
      if (total > maxBytes) throw new UsageError(`${source} is larger than the ${formatBytes(maxBytes)} a ${what} may have; reading stopped there`);
    }
  } catch (error) {
    // The file system's own errors (ENOENT, EISDIR, EACCES...) are the user's; anything else is a bug.
    if (typeof (error as { code?: unknown } | null)?.code !== 'string') throw error;
    throw new UsageError(`cannot read ${source}: ${(error as Error).message}`);
  } finally {
    if (fd !== undefined && !stdin) closeSync(fd);
  }
  return Buffer.concat(chunks, total);
}
