// SPDX-License-Identifier: MIT
// Work on a shared pool that both a worker (test/threads/pool-worker.ts) and the test's own
// thread do: stamping segments with who wrote them, checking the stamps, logging the live ranges
// for the parent's overlap check, and one thread's share of the media trace (its channels).

import type { Pool } from '../../src/pool/pool.js';
import type { Segment } from '../../src/pool/segment.js';
import { LOG_ENTRY, LOG_REGION, LOG_SLOTS, patternByte } from './pool-threads.js';

const GRANULE = 128;

/** A segment this thread holds, and who stamped it. */
export interface Held {
  readonly segment: Segment;
  readonly writer: number;
  readonly serial: number;
}

/** The 8 bytes at each end of a stamped segment: the writer and the serial, as two Uint32. */
function stampBytes(writer: number, serial: number): Uint8Array {
  return new Uint8Array(Uint32Array.of(writer, serial).buffer);
}

/** Stamps the segment: the whole of it filled (`whole`) with the writer's byte, and 8 bytes of who at each end. */
export function stamp(held: Held, whole: boolean): void {
  const { segment, writer, serial } = held;
  if (whole) segment.fill(patternByte(writer, serial));
  const bytes = stampBytes(writer, serial);
  segment.write(bytes, 0);
  segment.write(bytes, segment.size - 8);
}

/** Throws unless the stamp (and, with `whole`, the fill) reads back intact. */
export function checkStamp(held: Held, whole: boolean): void {
  const { segment, writer, serial } = held;
  const expected = stampBytes(writer, serial).join();
  const first = segment.read(0, 8).join();
  const last = segment.read(segment.size - 8, 8).join();
  if (first !== expected || last !== expected) {
    throw new Error(`the stamp of writer ${writer}, serial ${serial} at offset ${segment.offset} reads ${first} / ${last}`);
  }
  if (!whole) return;
  const byte = patternByte(writer, serial);
  const inner = segment.read(8, segment.size - 16);
  const bad = inner.findIndex((b) => b !== byte);
  if (bad >= 0) throw new Error(`the pattern of writer ${writer}, serial ${serial} at offset ${segment.offset} is overwritten at byte ${bad + 8}: ${inner[bad]} != ${byte}`);
}

/** Writes the ranges of `held` into region `worker` of the log (the parent reads it at a barrier). */
export function logRanges(log: Float64Array, worker: number, held: Iterable<Held>): void {
  const at = worker * LOG_REGION;
  let count = 0;
  for (const { segment, writer, serial } of held) {
    if (count === LOG_SLOTS) throw new Error(`more than ${LOG_SLOTS} ranges to log`);
    const entry = at + 1 + count * LOG_ENTRY;
    log[entry] = segment.offset;
    log[entry + 1] = Math.ceil(segment.size / GRANULE) * GRANULE;
    log[entry + 2] = writer;
    log[entry + 3] = serial;
    count++;
  }
  log[at] = count;
}

/** What one thread did with its share of a trace. */
export interface TraceCounts {
  acquires: number;
  releases: number;
}

/**
 * One thread's share of a media trace (its channels): runs the ops of those channels in trace
 * order, window by window, stamping each segment at both ends and checking the stamp at its free.
 */
export class TraceShare {
  readonly #pool: Pool;
  readonly #ops: Uint32Array;
  readonly #channels: Uint8Array;
  readonly #mine: ReadonlySet<number>;
  readonly #writer: number;
  readonly live = new Map<number, Held>();
  readonly counts: TraceCounts = { acquires: 0, releases: 0 };

  constructor(pool: Pool, ops: Uint32Array, channels: Uint8Array, mine: readonly number[], writer: number) {
    this.#pool = pool;
    this.#ops = ops;
    this.#channels = channels;
    this.#mine = new Set(mine);
    this.#writer = writer;
  }

  /** Runs this thread's ops among ops [from, to). @throws at the first acquire that finds no room or stamp that reads wrong. */
  run(from: number, to: number): void {
    const ops = this.#ops;
    for (let op = from; op < to; op++) {
      if (!this.#mine.has(this.#channels[op]!)) continue;
      const id = ops[op * 3 + 1]!;
      if (ops[op * 3] === 0) {
        const held = { segment: this.#pool.acquire(ops[op * 3 + 2]!), writer: this.#writer, serial: op };
        stamp(held, false);
        this.live.set(id, held);
        this.counts.acquires++;
      } else {
        const held = this.live.get(id);
        if (held === undefined) throw new Error(`op ${op} frees id ${id}, which this thread does not hold`);
        checkStamp(held, false);
        held.segment.release();
        this.live.delete(id);
        this.counts.releases++;
      }
    }
  }
}
