// SPDX-License-Identifier: MIT
// Recording at its edges (found by the adversarial review of issue 16): a zeroing acquire whose
// memset fails is recorded as the acquire and release the engine did (in its block), so the trace
// still replays at the live offsets; a getter that closes the pool while startRecording reads its options
// starts nothing; the tag table stays bounded; jsonLines() is toJsonLines() a line at a time; and
// no writer makes a trace that readers refuse.

import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../../../src/backends/js.js';
import type { Backend } from '../../../src/backends/backend.js';
import { MAX_RECORDED_TAGS, MORE_TAGS } from '../../../src/pool/recorder.js';
import { createPoolOver } from '../../../src/pool/pool.js';
import { MAX_TRACE_BYTES, TraceFormatError, encodeTrace, validateTrace } from '../../../src/trace/format.js';
import { PoolClosedError, createPool } from '../../../src/index.js';
import { silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const G = 128;

/** A js backend whose next memset, once armed, throws. */
function memsetFailingOnce(): { readonly backend: Backend; arm(): void } {
  const inner = createJsBackend();
  let failNext = false;
  const backend: Backend = {
    ...inner,
    memset: (block, offset, length, value) => {
      if (failNext) {
        failNext = false;
        throw new Error('memset failed');
      }
      inner.memset(block, offset, length, value);
    },
  };
  return { backend, arm: () => void (failNext = true) };
}

describe('recording edges', () => {
  it('records a failed zero fill as an acquire and its release, so the trace replays at the live offsets', () => {
    const faulty = memsetFailingOnce();
    const pool = createPoolOver({ size: 1 << 20, backend: 'js', record: true }, { backend: faulty.backend });
    const granules = (n: number) => n * G - 32;
    const a = pool.acquire(granules(65));
    pool.acquire(granules(1));
    const c = pool.acquire(granules(64));
    pool.acquire(granules(1));
    c.release();
    a.release();
    faulty.arm();
    expect(() => pool.acquire(granules(64), { zero: true })).toThrow('memset failed');
    const live = pool.acquire(granules(63)).offset;
    const recording = pool.stopRecording()!;
    const kinds = [...recording.events()].map((event) => event.kind);
    expect(kinds.slice(-3)).toEqual(['acquire', 'release', 'acquire']);
    using replay = createPool({ size: recording.capacity, backend: 'js' });
    const trace = recording.toTrace();
    const handles = new Map<number, ReturnType<typeof replay.acquire>>();
    let last = -1;
    for (let op = 0; op < trace.nOps; op++) {
      const [kind, id, len] = [trace.ops[op * 3]!, trace.ops[op * 3 + 1]!, trace.ops[op * 3 + 2]!];
      if (kind === 0) {
        const segment = replay.acquire(len);
        handles.set(id, segment);
        last = segment.offset;
      } else handles.get(id)?.release();
    }
    expect(last).toBe(live);
    pool.close();
  });

  it('records a zero fill that fails in a grown block as an acquire and a release of that block', () => {
    const faulty = memsetFailingOnce();
    using pool = createPoolOver({ size: 4096, maxSize: 8192, growBy: 4096, backend: 'js', record: true }, { backend: faulty.backend });
    pool.acquire(3000); // 1 KiB of block 0 left
    pool.acquire(2000); // grows block 1, 2 KiB left there
    faulty.arm();
    expect(() => pool.acquire(1500, { zero: true })).toThrow('memset failed');
    const last = [...pool.stopRecording()!.events()].slice(-2);
    expect(last.map((event) => [event.kind, event.block, event.offset])).toEqual([['acquire', 1, 2048], ['release', 1, 2048]]);
  });

  it('starts no recording when an options getter closes the pool', () => {
    const pool = createPool({ size: 4096, backend: 'js' });
    const options = {
      get maxEvents() {
        pool.close();
        return 10;
      },
    };
    expect(() => pool.startRecording(options)).toThrow(PoolClosedError);
    expect(pool.stopRecording()).toBeUndefined();
  });

  it('keeps at most MAX_RECORDED_TAGS distinct tags; the rest are recorded as one', () => {
    using pool = createPool({ size: 4096, backend: 'js', record: { maxEvents: 10 } });
    for (let i = 0; i < MAX_RECORDED_TAGS + 5; i++) pool.acquire(1, { tag: `request ${i}` }).release();
    const tags = [...pool.stopRecording()!.events()].map((event) => event.tag);
    expect(tags.every((tag) => tag === MORE_TAGS)).toBe(true);
  });

  it('gives jsonLines() a line at a time, the same text as toJsonLines()', () => {
    using pool = createPool({ size: 4096, backend: 'js', record: true });
    pool.acquire(10, { tag: 'a' }).release();
    const recording = pool.stopRecording()!;
    const lines = [...recording.jsonLines()];
    expect(lines).toHaveLength(recording.length);
    expect(lines.join('')).toBe(recording.toJsonLines());
  });

  it('refuses to make a trace larger than readers take', () => {
    const nOps = Math.floor((MAX_TRACE_BYTES - 16) / 12) + 1;
    const huge = { nOps, nIds: 1, ops: { length: nOps * 3 } as unknown as Uint32Array };
    expect(() => validateTrace(huge)).toThrow(TraceFormatError);
    expect(() => encodeTrace(huge)).toThrow(/more than the 256 MiB a trace may have/);
  });
});
