// SPDX-License-Identifier: MIT
// Scenario 8's split of the media trace by channel: each thread's share is a valid trace of its
// channels' ops in trace order (so it frees only what it allocated), and the shares partition it.

import { describe, expect, it } from 'vitest';
import { MEDIA_CHANNELS, generateMediaTrace } from '../../../bench/trace/generate.js';
import { channelShare } from '../../../bench/scenarios/shared-contention.js';
import { OP_ALLOC, validateTrace } from '../../../src/trace/format.js';
import { traceStats } from '../../../src/trace/stats.js';

describe('channelShare', () => {
  const trace = generateMediaTrace({ seed: 12345, allocs: 5_000 });

  it('tags every op with a channel, a free with its alloc’s', () => {
    const channelOf = new Map<number, number>();
    for (let i = 0; i < trace.nOps; i++) {
      const [op, id, channel] = [trace.ops[i * 3], trace.ops[i * 3 + 1] as number, trace.channels[i] as number];
      expect(channel).toBeLessThan(MEDIA_CHANNELS.length);
      if (op === OP_ALLOC) channelOf.set(id, channel);
      else expect(channel).toBe(channelOf.get(id));
    }
  });

  it.each([1, 2, 4])('splits the trace into %i valid shares that free all they allocate and add up to the whole', (threads) => {
    let ops = 0;
    let allocs = 0;
    for (let t = 0; t < threads; t++) {
      const share = channelShare(trace, t, threads);
      const asTrace = { nOps: share.nOps, nIds: share.nIds, ops: share.ops };
      validateTrace(asTrace);
      const stats = traceStats(asTrace);
      expect(stats.allocs).toBe(share.allocs);
      expect(stats.liveAtEnd).toBe(0);
      expect(share.nOps).toBeGreaterThan(0);
      ops += share.nOps;
      allocs += share.allocs;
    }
    expect(ops).toBe(trace.nOps);
    expect(allocs).toBe(trace.nOps / 2);
  });
});
