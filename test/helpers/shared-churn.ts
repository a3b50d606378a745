// SPDX-License-Identifier: MIT
// Workers churn one shared pool (test/threads/pool-worker.ts's 'churn' op): each acquires,
// stamps, posts some segments to the others (who adopt, check and release them) and releases,
// round after round; at a barrier after every round, with every worker asleep, the parent checks
// that no two logged live ranges overlap, that stats and the snapshot agree with the logs and
// that validate() passes; at the end, that the figures are the sums of the workers' counts.
// Shared by the regular suite (test/threads/shared-pool.test.ts) and test:stress (longer runs).

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expect } from 'vitest';
import type { Pool } from '../../src/pool/pool.js';
import { CONTROL, LOG_REGION, type PoolWorker, arrivals, firstOverlap, loggedRanges, releaseBarrier } from './pool-threads.js';

export interface ChurnFigures {
  readonly checks: number;
  readonly mostLive: number;
  readonly acquires: number;
  readonly posted: number;
}

/** Runs the churn on `pool` (shared) with `workers` attached to it; throws (expect) on any disagreement. */
export async function churnSharedPool(pool: Pool, workers: readonly PoolWorker[], size: { readonly rounds: number; readonly opsPerRound: number; readonly maxLen: number }): Promise<ChurnFigures> {
  const { rounds, opsPerRound, maxLen } = size;
  const count = workers.length;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.words * 4));
  const log = new Float64Array(new SharedArrayBuffer(count * LOG_REGION * 8));
  const sent = new Int32Array(new SharedArrayBuffer(count * count * 4));
  const deliverable = new Int32Array(new SharedArrayBuffer(count * count * 4));
  // One channel per ordered pair: outbox[from][to] posts into inbox[to][from].
  const outbox: (MessagePort | undefined)[][] = workers.map(() => []);
  const inbox: (MessagePort | undefined)[][] = workers.map(() => []);
  for (let from = 0; from < count; from++) {
    for (let to = 0; to < count; to++) {
      if (from === to) continue;
      const { port1, port2 } = new MessageChannel();
      outbox[from]![to] = port1;
      inbox[to]![from] = port2;
    }
  }
  const answers = workers.map((worker, me) => {
    const ports = [...outbox[me]!, ...inbox[me]!].filter((port): port is MessagePort => port !== undefined);
    return worker.ask({ op: 'churn', me, workers: count, rounds, opsPerRound, maxLen, control: control.buffer, log: log.buffer, sent: sent.buffer, deliverable: deliverable.buffer, outbox: outbox[me], inbox: inbox[me] }, ports);
  });
  let checks = 0;
  let most = 0;
  // One barrier after each round, one after the last adoptions, one after the final releases.
  for (let barrier = 0; barrier <= rounds + 1; barrier++) {
    await arrivals(control, count, answers);
    // Quiescent: every worker sleeps at the barrier.
    const ranges = loggedRanges(log, count);
    expect(firstOverlap(ranges)).toBeUndefined();
    const stats = pool.stats();
    expect({ live: stats.liveSegments, used: stats.usedBytes }).toEqual({ live: ranges.length, used: ranges.reduce((sum, range) => sum + range.footprint, 0) });
    expect(pool.snapshot().segments.map((segment) => segment.offset)).toEqual(ranges.map((range) => range.offset));
    pool.validate();
    most = Math.max(most, ranges.length);
    checks++;
    deliverable.set(sent);
    releaseBarrier(control);
  }
  const counts = (await Promise.all(answers)) as { acquires: number; failures: number; releases: number; posted: number; adopted: number }[];
  const sum = (key: keyof (typeof counts)[number]) => counts.reduce((total, one) => total + one[key], 0);
  const stats = pool.stats();
  expect({ acquires: stats.acquires, releases: stats.releases, failures: stats.failures, live: stats.liveSegments, used: stats.usedBytes }).toEqual({
    acquires: sum('acquires'),
    releases: sum('releases'),
    failures: sum('failures'),
    live: 0,
    used: 0,
  });
  // Segments did move between threads, and every one posted was adopted.
  expect(sum('posted')).toBeGreaterThan(count);
  expect(sum('adopted')).toBe(sum('posted'));
  expect(most).toBeGreaterThan(count);
  expect(checks).toBe(rounds + 2);
  pool.validate();
  return { checks, mostLive: most, acquires: sum('acquires'), posted: sum('posted') };
}
