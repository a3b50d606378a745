// SPDX-License-Identifier: MIT
// Scenario 4, the "before" picture: a fresh native block allocated and freed per request through
// the host backend. Measured as the same 1080p pair as scenario 1 (Benchmark.js) and as a replay
// of a prefix of the media trace. Skipped, with the loader's reason, where the addon is absent.

import { DVPP_ADDR_ALIGN } from '../../src/constants.js';
import { granulesFor } from '../contenders/granules.js';
import { hostBackend, nativePerRequestContender } from '../contenders/native-per-request.js';
import { microBench } from '../harness.js';
import type { Contender } from '../../src/trace/replay.js';
import { type ReplayTimingResult, timeReplays } from '../../src/trace/timing.js';
import { type BenchConfig, type Measured, type SeededTrace, type Skipped, round, tracePrefix } from './context.js';
import { FRAME_1080P_NV12 } from './hot-pair.js';

const PAIRS_PER_CALL = 20;

export interface NativePerRequestFigures {
  /** Bytes mapped per 1080p request. */
  readonly blockBytes: number;
  readonly pair: { readonly medianNsPerPair: number; readonly p99NsPerPair: number };
  /** A prefix of the first seed's trace. */
  readonly trace: { readonly seed: number; readonly prefixOps: number; readonly medianNsPerOp: number; readonly p99NsPerOp: number };
}

export type NativePerRequestResult = Measured<'native-per-request', NativePerRequestFigures> | Skipped<'native-per-request'>;

export async function runNativePerRequest(config: BenchConfig, traces: readonly SeededTrace[]): Promise<NativePerRequestResult> {
  const title = '4. Before: a fresh native block per request (host backend, mmap/munmap)';
  let backend;
  try {
    backend = hostBackend();
  } catch (error) {
    return { id: 'native-per-request', title, status: 'skipped', notes: [`host backend unavailable: ${String(error)}`] };
  }
  const bytes = granulesFor(FRAME_1080P_NV12) * DVPP_ADDR_ALIGN;
  const pair = microBench(
    'host allocate+free 1080p',
    () => {
      for (let k = 0; k < PAIRS_PER_CALL; k++) backend.free(backend.allocate(bytes));
    },
    { opsPerCall: PAIRS_PER_CALL, maxTimeS: config.microMaxTimeS },
  );
  const { seed, trace } = traces[0] as SeededTrace;
  const prefix = tracePrefix(trace, config.nativeTraceOps);
  const { nOps } = prefix;
  const [{ timing }] = (await timeReplays(prefix, [nativePerRequestContender as Contender<unknown>], config.capacityBytes, {
    reps: config.slowReps,
    warmups: 1,
    opsPerBatch: Math.min(config.opsPerBatch, nOps),
  })) as [ReplayTimingResult];
  return {
    id: 'native-per-request',
    title,
    status: 'ok',
    figures: {
      blockBytes: bytes,
      pair: { medianNsPerPair: round(pair.medianNs), p99NsPerPair: round(pair.p99Ns) },
      trace: { seed, prefixOps: nOps, medianNsPerOp: round(timing.medianNs), p99NsPerOp: round(timing.p99Ns) },
    },
    notes: [`The host backend maps ${bytes} bytes per 1080p request; real acldvppMalloc/acldvppFree would add the driver's cost on top.`],
  };
}
