// SPDX-License-Identifier: MIT
// The replay timer shared by `dvpp-pool replay` and bench/: quantiles by nearest rank, and
// timeReplays' bookkeeping (reps interleaved across contenders, a fresh instance per rep that is
// drained and closed, batches counted, the last rep's counts). No timing figure is checked.

import { describe, expect, it } from 'vitest';
import { OP_ALLOC, OP_FREE, type Trace } from '../../../src/trace/format.js';
import type { Contender, Instance } from '../../../src/trace/replay.js';
import { quantile, timeReplays } from '../../../src/trace/timing.js';

describe('quantile', () => {
  it('takes the nearest rank of a sorted copy', () => {
    const values = [5, 1, 4, 2, 3];
    expect(quantile(values, 0.5)).toBe(3);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(5);
    expect(quantile(values, 0.99)).toBe(5);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

/** Ids 0..2 allocated, then freed; id 3 allocated and left live (the timer drains it). */
const trace: Trace = {
  nOps: 7,
  nIds: 4,
  ops: Uint32Array.from([OP_ALLOC, 0, 64, OP_ALLOC, 1, 64, OP_ALLOC, 2, 64, OP_FREE, 0, 0, OP_FREE, 1, 0, OP_FREE, 2, 0, OP_ALLOC, 3, 64]),
};

/** A contender whose instances log `name:event` into `log`; alloc fails when `fail` says so. */
function logging(name: string, log: string[], fail: (allocs: number) => boolean = () => false): Contender<number> {
  return {
    name,
    create(): Instance<number> {
      log.push(`${name}:create`);
      let allocs = 0;
      return {
        alloc: () => (fail(allocs++) ? undefined : allocs),
        free: () => undefined,
        close: () => {
          log.push(`${name}:close`);
        },
      };
    },
  };
}

describe('timeReplays', () => {
  it('interleaves contenders rep by rep, each rep on a fresh instance that is closed', async () => {
    const log: string[] = [];
    let afterReps = 0;
    const contenders = [logging('timer-a', log), logging('timer-b', log)] as Contender<unknown>[];
    const results = await timeReplays(trace, contenders, 1024, { reps: 2, warmups: 1, opsPerBatch: 3 }, () => {
      afterReps++;
    });
    expect(log).toEqual(Array.from({ length: 3 }, () => ['timer-a:create', 'timer-a:close', 'timer-b:create', 'timer-b:close']).flat());
    expect(afterReps).toBe(2); // after each timed rep, not after the warm-up
    for (const { timing, counts } of results) {
      expect(timing).toMatchObject({ batches: 2 * 3, opsPerBatch: 3, reps: 2 }); // ceil(7 / 3) batches a rep
      expect(timing.medianNs).toBeGreaterThanOrEqual(0);
      expect(counts).toEqual({ failures: 0, skippedFrees: 0, firstFailure: -1, ops: 7 });
    }
  });

  it('reports the last rep’s failures and skipped frees', async () => {
    const log: string[] = [];
    const [result] = await timeReplays(trace, [logging('timer-failing', log, (n) => n === 1)] as Contender<unknown>[], 1024, {
      reps: 1,
      warmups: 0,
      opsPerBatch: 100,
    });
    expect(result?.counts).toEqual({ failures: 1, skippedFrees: 1, firstFailure: 1, ops: 7 });
    expect(result?.timing.batches).toBe(1);
  });

  it('closes the instance when a replay throws', async () => {
    const log: string[] = [];
    const throwing: Contender<number> = {
      name: 'timer-throwing',
      create: () => ({
        alloc: () => {
          throw new Error('broken allocator');
        },
        free: () => undefined,
        close: () => {
          log.push('close');
        },
      }),
    };
    await expect(timeReplays(trace, [throwing] as Contender<unknown>[], 1024, { reps: 1, warmups: 0, opsPerBatch: 7 })).rejects.toThrow('broken allocator');
    expect(log).toEqual(['close']);
  });
});
