// SPDX-License-Identifier: MIT
// What one run of the bench returns: every scenario's typed result, in the order main.ts runs
// them (latest.json and latest.md list them in this order). targets.ts reads these fields by
// name, so a misspelt or renamed figure is a compile error, not a silent "not measured".

import type { CompatResult } from '../scenarios/compat.js';
import type { FragmentationResult } from '../scenarios/fragmentation.js';
import type { HotPairResult } from '../scenarios/hot-pair.js';
import type { HotPathResult } from '../scenarios/hot-path.js';
import type { NativePerRequestResult } from '../scenarios/native-per-request.js';
import type { PeersResult } from '../scenarios/peers.js';
import type { RecordingResult } from '../scenarios/recording.js';
import type { SharedResult } from '../scenarios/shared.js';
import type { TraceReplayResult } from '../scenarios/trace-replay.js';

export interface BenchResults {
  readonly hotPair: HotPairResult;
  readonly traceReplay: TraceReplayResult;
  readonly fragmentation: FragmentationResult;
  readonly nativePerRequest: NativePerRequestResult;
  readonly compat: CompatResult;
  readonly peers: PeersResult;
  readonly recording: RecordingResult;
  readonly shared: SharedResult;
  readonly hotPath: HotPathResult;
}

/** Every scenario of `results`, in run order. */
export function scenarioList(results: BenchResults): BenchResults[keyof BenchResults][] {
  return Object.values(results) as BenchResults[keyof BenchResults][];
}
