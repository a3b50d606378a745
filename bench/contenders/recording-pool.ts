// SPDX-License-Identifier: MIT
// Contenders of scenario 7: the public pool (poolInstance, src/cli/pool-contender.ts) in each
// recording state, built the same way and told apart only by what `enterRecordingState` does to
// the fresh pool: nothing, a recording started and stopped (off again: no recorder), a recording
// with the defaults, or one with `stacks: true`. Each state has its own name, so its own copy of
// the replay loop (src/trace/timing.ts).

import { poolInstance } from '../../src/cli/pool-contender.js';
import { type Pool, type PoolBackendKind, type Segment, createPool } from '../../src/index.js';
import type { Contender } from '../../src/trace/replay.js';

export type RecordingState = 'never recorded' | 'recording off' | 'recording on' | 'recording with stacks';

/**
 * Events a recording with stacks keeps. A kept stack is about 1.25 KB of heap (measured: 200 000
 * stacked acquires, heap between two forced GCs), so the default 1 M events (half of them
 * acquires) would hold about 600 MB; 100 000 holds about 60 MB and wraps, as a long run would.
 */
export const STACKS_MAX_EVENTS = 100_000;

/** Puts a fresh `pool` into `state`. */
export function enterRecordingState(pool: Pool, state: RecordingState): void {
  if (state === 'recording off') {
    pool.startRecording();
    pool.stopRecording();
  } else if (state === 'recording on') pool.startRecording();
  else if (state === 'recording with stacks') pool.startRecording({ maxEvents: STACKS_MAX_EVENTS, stacks: true });
}

/** Fresh pools of `backend` in `state`, driven through tryAcquire/release. */
export function recordingPoolContender(backend: PoolBackendKind, state: RecordingState): Contender<Segment> {
  return {
    name: `Pool tryAcquire/release (${backend}), ${state}`,
    create: (capacityBytes) => {
      const pool = createPool({ size: capacityBytes, backend });
      enterRecordingState(pool, state);
      return poolInstance(pool);
    },
  };
}
