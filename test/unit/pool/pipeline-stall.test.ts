// SPDX-License-Identifier: MIT
// The head-of-line stall of a decode -> resize -> infer pipeline (docs/api.md, "Designing a
// pipeline"): two channels whose decoders keep reference frames while they wait, on a pool seven
// 1080p frames deep. In arrival order the decoders' waits queue ahead of the later stages and the
// pipeline stalls until timeouts fire; with later stages at higher priorities it runs every frame
// with no timeout. Fake timers make both runs exact.

import { afterEach, expect, test, vi } from 'vitest';
import { runStagePipeline, type StagePipelineOptions } from '../../helpers/stage-pipeline.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

afterEach(() => {
  vi.useRealTimers();
});

const FRAME = (1920 * 1080 * 3) / 2;
const SCENARIO = {
  channels: 2,
  frames: 40,
  frameBytes: FRAME,
  resizedBytes: (640 * 640 * 3) / 2,
  inputBytes: 640 * 640 * 3,
  queueDepth: 4,
  timeoutMs: 100,
} as const;

/** Runs the pipeline under fake timers, advancing the clock until it is done. */
async function run(kind: 'js' | 'host', priorities: StagePipelineOptions['priorities']) {
  vi.useFakeTimers();
  using pool = makePool(kind, 7 * FRAME);
  let result: Awaited<ReturnType<typeof runStagePipeline>> | undefined;
  const done = runStagePipeline(pool, { ...SCENARIO, priorities }).then((r) => (result = r));
  for (let ms = 0; result === undefined && ms < 60_000; ms++) await vi.advanceTimersByTimeAsync(1);
  await done;
  expect(pool.stats()).toMatchObject({ liveSegments: 0, waiting: 0 });
  return result!;
}

describeBackends('a pipeline on a pool a few frames deep', (kind) => {
  test('stalls in plain arrival order: the decoders queue ahead of the later stages', async () => {
    const result = await run(kind, { decode: 0, resize: 0, input: 0 });
    expect(result.timeouts).toBeGreaterThan(0);
    expect(result.inferred).toBeLessThan(SCENARIO.channels * SCENARIO.frames);
  });

  test('runs every frame with no timeout when later stages have higher priorities', async () => {
    const result = await run(kind, { decode: 0, resize: 1, input: 2 });
    expect(result).toMatchObject({ timeouts: 0, inferred: SCENARIO.channels * SCENARIO.frames });
    // Backpressure did work: the stages waited, and were served.
    expect(result.waits.decode + result.waits.input).toBeGreaterThan(0);
  });
});
