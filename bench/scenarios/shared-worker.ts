// SPDX-License-Identifier: MIT
// A worker of scenario 8's contention part (shared-contention.ts): attaches to the shared pool of
// its workerData, says 'ready', then for each phase it is sent replays its channel share rep by
// rep, each rep started by the main thread's go word, and answers with its acquire latencies.

import { parentPort, workerData } from 'node:worker_threads';
import { attachPool, type Segment } from '../../src/index.js';
import { CONTROL, type ContentionPhase, type ContentionWorkerData, type PhaseAnswer, replayTimed } from './shared-contention.js';

const data = workerData as ContentionWorkerData;
const port = parentPort;
if (port === null) throw new Error('shared-worker.ts runs in a worker thread');
const pool = attachPool(data.descriptor);
const control = new Int32Array(data.control);
const times = new Float64Array(data.times);

port.on('message', ({ share, warmups, reps, goFrom }: ContentionPhase) => {
  const table = new Array<Segment | undefined>(share.nIds).fill(undefined);
  const latencies = new Float64Array(share.allocs * reps);
  const scratch = new Float64Array(share.allocs);
  let failures = 0;
  for (let j = 0; j < warmups + reps; j++) {
    const go = goFrom + j + 1;
    for (let seen = Atomics.load(control, CONTROL.go); seen < go; seen = Atomics.load(control, CONTROL.go)) Atomics.wait(control, CONTROL.go, seen);
    const start = process.hrtime.bigint();
    const timed = j >= warmups;
    const failed = replayTimed(pool, share, table, timed ? latencies : scratch, timed ? (j - warmups) * share.allocs : 0);
    const end = process.hrtime.bigint();
    if (timed) failures += failed;
    const at = (data.index * data.maxReps + j) * 2;
    times[at] = Number(start);
    times[at + 1] = Number(end);
    Atomics.add(control, CONTROL.done, 1);
    Atomics.notify(control, CONTROL.done);
  }
  const answer: PhaseAnswer = { latencies, failures };
  port.postMessage(answer, [latencies.buffer]);
});
port.postMessage('ready');
