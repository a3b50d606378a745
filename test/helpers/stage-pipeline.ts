// SPDX-License-Identifier: MIT
// A decode -> resize -> infer pipeline over one pool, as a media application writes it and as the
// demo runs it: each channel decodes a frame (kept as a reference for the next REFERENCES frames,
// as an H.264 decoder keeps its picture buffer), resizes it into a model input, and queues the
// input for a simulated accelerator that releases it a few milliseconds later. Every acquire is
// an acquireAsync with a timeout, so a stall shows as timeouts (the channel then drops its
// references, as the demo does). Timers are the caller's: tests run it under fake timers.

import type { Pool } from '../../src/pool/pool.js';
import type { Segment } from '../../src/pool/segment.js';
import { AcquireTimeoutError } from '../../src/errors.js';

export interface StagePipelineOptions {
  readonly channels: number;
  /** Frames each channel decodes. */
  readonly frames: number;
  /** Bytes of a decoded frame, of a resized frame and of a model input. */
  readonly frameBytes: number;
  readonly resizedBytes: number;
  readonly inputBytes: number;
  /** acquireAsync priority of each stage's acquire; all 0 is plain arrival order. */
  readonly priorities: { readonly decode: number; readonly resize: number; readonly input: number };
  /** Jobs the accelerator's queue holds before channels wait. */
  readonly queueDepth: number;
  readonly timeoutMs: number;
}

export interface StagePipelineResult {
  /** Frames whose model input reached the accelerator. */
  readonly inferred: number;
  readonly timeouts: number;
  /** acquireAsync calls that had to wait, by stage. */
  readonly waits: { decode: number; resize: number; input: number };
}

/** References a decoder keeps after the frame it is working on. */
const REFERENCES = 2;
/** Milliseconds the accelerator takes for one job. */
const INFER_MS = 2;

export async function runStagePipeline(pool: Pool, options: StagePipelineOptions): Promise<StagePipelineResult> {
  const waits = { decode: 0, resize: 0, input: 0 };
  let timeouts = 0;
  let inferred = 0;
  const queue: Segment[][] = [];
  let wakeAccelerator: (() => void) | undefined;
  const roomWaiters: (() => void)[] = [];

  const acquire = async (stage: keyof typeof waits, len: number, tag: string): Promise<Segment> => {
    const waitingBefore = pool.stats().waiting;
    const pending = pool.acquireAsync(len, { tag, priority: options.priorities[stage], timeoutMs: options.timeoutMs });
    if (pool.stats().waiting > waitingBefore) waits[stage]++;
    return pending;
  };

  const channel = async (id: number): Promise<void> => {
    const references: Segment[] = [];
    for (let frame = 0; frame < options.frames; frame++) {
      const held: Segment[] = [];
      try {
        const decoded = await acquire('decode', options.frameBytes, `decode ch${id}`);
        held.push(decoded);
        const resized = await acquire('resize', options.resizedBytes, `resize ch${id}`);
        held.push(resized);
        const input = await acquire('input', options.inputBytes, `input ch${id}`);
        held.push(input);
        held.length = 0;
        // The resized frame is only a step towards the model input.
        resized.release();
        references.push(decoded);
        while (references.length > REFERENCES) references.shift()?.release();
        while (queue.length >= options.queueDepth) await new Promise<void>((resolve) => roomWaiters.push(resolve));
        queue.push([input]);
        wakeAccelerator?.();
      } catch (error) {
        for (const segment of held) segment.release();
        if (!(error instanceof AcquireTimeoutError)) throw error;
        timeouts++;
        for (const segment of references.splice(0)) segment.release();
      }
    }
    for (const segment of references.splice(0)) segment.release();
  };

  let channelsDone = false;
  const accelerator = async (): Promise<void> => {
    for (;;) {
      const job = queue.shift();
      if (job === undefined) {
        if (channelsDone) return;
        await new Promise<void>((resolve) => (wakeAccelerator = resolve));
        wakeAccelerator = undefined;
        continue;
      }
      roomWaiters.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, INFER_MS));
      for (const segment of job) segment.release();
      inferred++;
    }
  };

  const running = accelerator();
  await Promise.all(Array.from({ length: options.channels }, (_, id) => channel(id)));
  channelsDone = true;
  wakeAccelerator?.();
  await running;
  return { inferred, timeouts, waits };
}
