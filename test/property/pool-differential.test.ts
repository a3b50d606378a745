// SPDX-License-Identifier: MIT
// The fast slice of the pool's differential and misuse run (the full run is
// test/stress/pool.stress.ts; the code is test/helpers/pool-driver.ts): seeded sequences of every
// pool operation, acquireAsync with timeouts on a fake clock and aborts included, against the
// model, on the js and host backends. Every misuse case must be caught, node reuse included. One
// seed records every episode and replays the recording's trace against the model's placements;
// one runs every episode on a shared pool (createPool({ shared: true })).

import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { drivePool } from '../helpers/pool-driver.js';
import { describeBackends, silenceLeakWarnings } from '../helpers/pool-backends.js';

silenceLeakWarnings();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describeBackends('pool differential', (kind) => {
  // One seed records each episode: its trace must replay with the model's placements.
  it.each([
    [0xd1ff, true],
    [0xd200, false],
  ])('seed %i (recording: %s): 40,000 steps agree with the model', async (seed, record) => {
    const report = await drivePool({ seed: seed + (kind === 'host' ? 1 : 0), steps: 40_000, backend: kind, validateEvery: 16, advance: (ms) => vi.advanceTimersByTime(ms), record });
    expect(report.recordings > 0).toBe(record);
    expect(report.steps).toBe(40_000);
    // The run reached every kind of operation and misuse it is meant to exercise.
    for (const operation of ['acquire', 'tryAcquire', 'scope.acquire', 'release', 'acquireAsync', 'queued', 'served after waiting', 'timed out', 'aborted', 'reset', 'close']) {
      expect(report.operations[operation], operation).toBeGreaterThan(0);
    }
    expect(Object.keys(report.misuse).length).toBeGreaterThanOrEqual(15);
    expect(report.nodeReuses).toBeGreaterThan(0);
  });

  it('seed 0xd315, shared pools: 20,000 steps agree with the model', async () => {
    const report = await drivePool({ seed: 0xd315 + (kind === 'host' ? 1 : 0), steps: 20_000, backend: kind, validateEvery: 16, advance: (ms) => vi.advanceTimersByTime(ms), shared: true });
    expect(report.steps).toBe(20_000);
    for (const operation of ['acquire', 'release', 'queued', 'served after waiting', 'timed out', 'aborted', 'reset', 'close']) {
      expect(report.operations[operation], operation).toBeGreaterThan(0);
    }
    expect(report.nodeReuses).toBeGreaterThan(0);
  });
});
