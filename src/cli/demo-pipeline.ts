// SPDX-License-Identifier: MIT
// The demo's media pipeline over one pool. Each channel is an async loop: decode (a frame
// segment, kept as a reference for the next REFERENCE_FRAMES frames, as an H.264 decoder keeps
// its picture buffer), resize (a 640x640 NV12 segment and a 640x640x3 model input), then a
// bounded queue to one simulated accelerator that runs batches and releases them. acquireAsync
// gives the backpressure, each stage at a higher priority than the one before it so that waiting
// decoders never hold back the stages that free memory (docs/api.md, "Designing a pipeline");
// a wait that times out drops the channel's frame and references (a "stall") so that no pool
// size can deadlock the demo. stop() ends it with nothing left live.

import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { footprint } from '../constants.js';
import { AcquireTimeoutError } from '../errors.js';
import type { Pool } from '../pool/pool.js';
import type { PoolSnapshot } from '../pool/snapshot.js';
import type { Segment } from '../pool/segment.js';
import {
  HEADER_BYTES,
  MODEL_INPUT_BYTES,
  type Pictures,
  RES_1080P,
  RES_720P,
  RESIZED_BYTES,
  frameHeader,
  isFrameHeader,
  nv12Bytes,
  picturesFor,
} from './demo-frames.js';

/** Decoded frames a channel keeps as references after the one being resized. */
export const REFERENCE_FRAMES = 2;
/** Jobs the inference queue holds per channel before channels must wait. */
export const QUEUE_PER_CHANNEL = 2;
/** Jobs the simulated accelerator takes at once. */
export const BATCH = 8;
/** How long a channel waits in acquireAsync before it drops its frame and references. */
export const STALL_MS = 500;
/** Bytes of one inference result (100 boxes of 32 bytes plus a header), taken with tryAcquire. */
const RESULT_BYTES = 3_216;
/** Requests remembered for the per-request comparison. */
const RECORDED_REQUESTS = 4_096;

/** Simulated accelerator time for a batch: fixed launch cost plus a per-image cost. */
function batchLatencyMs(images: number): number {
  return 4 + images;
}

/** The stages that acquire, each with its acquireAsync priority: later stages first. */
export const STAGE_PRIORITY = { decode: 0, resize: 1, input: 2 } as const;
export type Stage = keyof typeof STAGE_PRIORITY;

/** What the pipeline counts; the pool's own stats hold the rest. */
export interface PipelineCounts {
  /** Frames written into decode segments. */
  decoded: number;
  /** Frames whose inference result was written: the demo's throughput. */
  processed: number;
  /** Frames dropped after inference because tryAcquire found no room for the result. */
  dropped: number;
  /** acquireAsync waits that timed out (the channel dropped its frame and references). */
  stalls: number;
  /** Model inputs whose header did not read back as written (must stay 0). */
  corrupt: number;
  /** Most acquireAsync calls waiting at once. */
  maxWaiting: number;
  /** acquireAsync calls that had to wait, by stage. */
  readonly waits: Record<Stage, number>;
}

/** The pool bytes the pipeline may hold at most (footprints), with all channels and the queue full. */
export function worstCaseBytes(channels: number): number {
  const job = footprint(RESIZED_BYTES) + footprint(MODEL_INPUT_BYTES);
  let bytes = 0;
  for (let channel = 0; channel < channels; channel++) {
    const { width, height } = resolutionOf(channel);
    bytes += (REFERENCE_FRAMES + 1) * footprint(nv12Bytes(width, height)) + job;
  }
  return bytes + (channels * QUEUE_PER_CHANNEL + BATCH) * (job + footprint(RESULT_BYTES));
}

/** The smallest pool in which one channel can take a 1080p frame, its resize and its model input. */
export function smallestPoolBytes(): number {
  return footprint(nv12Bytes(RES_1080P.width, RES_1080P.height)) + footprint(RESIZED_BYTES) + footprint(MODEL_INPUT_BYTES);
}

/** Even channels decode 1080p, odd ones 720p. */
function resolutionOf(channel: number): typeof RES_1080P {
  return channel % 2 === 0 ? RES_1080P : RES_720P;
}

interface Job {
  readonly channel: number;
  readonly frame: number;
  readonly resized: Segment;
  readonly input: Segment;
}

/** A FIFO of at most `capacity` jobs; put() waits for room, the consumer waits for a job. */
class BoundedQueue {
  readonly #items: Job[] = [];
  readonly #roomWaiters: (() => void)[] = [];
  #itemWaiter: (() => void) | undefined;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#items.length;
  }

  async put(job: Job): Promise<void> {
    while (this.#items.length >= this.capacity) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    this.#items.push(job);
    this.wake();
  }

  take(max: number): Job[] {
    const batch = this.#items.splice(0, max);
    for (let i = 0; i < batch.length; i++) this.#roomWaiters.shift()?.();
    return batch;
  }

  /** Resolves when a job arrives or wake() is called. */
  nextItem(): Promise<void> {
    return this.#items.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#itemWaiter = resolve));
  }

  wake(): void {
    const waiter = this.#itemWaiter;
    this.#itemWaiter = undefined;
    waiter?.();
  }
}

/** Options of {@link Pipeline}. */
export interface PipelineOptions {
  readonly channels: number;
  /** Take a snapshot each time the pool's use reaches a new high; `peakSnapshot` keeps the last. */
  readonly snapshotAtPeak: boolean;
}

/** The demo's pipeline: start with run(), end with stop(); run() resolves once all is released. */
export class Pipeline {
  readonly counts: PipelineCounts = {
    decoded: 0,
    processed: 0,
    dropped: 0,
    stalls: 0,
    corrupt: 0,
    maxWaiting: 0,
    waits: { decode: 0, resize: 0, input: 0 },
  };
  /** Lengths of the first requests, in order, for the per-request comparison. */
  readonly recordedLengths: number[] = [];
  /** The snapshot taken at the highest use seen, when asked for. */
  peakSnapshot: PoolSnapshot | undefined;

  readonly #pool: Pool;
  readonly #options: PipelineOptions;
  readonly #stop = new AbortController();
  readonly #queue: BoundedQueue;
  #channelsDone = false;
  #snapshotUsed = -1;

  constructor(pool: Pool, options: PipelineOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#queue = new BoundedQueue(options.channels * QUEUE_PER_CHANNEL);
  }

  /** Jobs waiting for the accelerator now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Runs every channel and the accelerator until stop(); resolves when every segment is released. */
  async run(): Promise<void> {
    const pictures = new Map<string, Pictures>();
    const channels: Promise<void>[] = [];
    for (let channel = 0; channel < this.#options.channels; channel++) {
      const resolution = resolutionOf(channel);
      let forChannel = pictures.get(resolution.name);
      if (forChannel === undefined) {
        forChannel = picturesFor(resolution);
        pictures.set(resolution.name, forChannel);
      }
      channels.push(this.#channel(channel, forChannel));
    }
    const accelerator = this.#accelerate();
    await Promise.all(channels);
    this.#channelsDone = true;
    this.#queue.wake();
    await accelerator;
  }

  /** Asks every loop to finish: waits are aborted, queued jobs still go through inference. */
  stop(): void {
    this.#stop.abort();
  }

  async #acquire(stage: Stage, len: number, tag: string): Promise<Segment> {
    const before = this.#pool.stats().waiting;
    const pending = this.#pool.acquireAsync(len, { tag, priority: STAGE_PRIORITY[stage], signal: this.#stop.signal, timeoutMs: STALL_MS });
    // A call that had to wait is in the count already.
    const waiting = this.#pool.stats().waiting;
    if (waiting > before) this.counts.waits[stage]++;
    if (waiting > this.counts.maxWaiting) this.counts.maxWaiting = waiting;
    const segment = await pending;
    this.#noteAcquire(len);
    return segment;
  }

  #noteAcquire(len: number): void {
    if (this.recordedLengths.length < RECORDED_REQUESTS) this.recordedLengths.push(len);
    if (!this.#options.snapshotAtPeak) return;
    const used = this.#pool.stats().usedBytes;
    if (used > this.#snapshotUsed) {
      this.#snapshotUsed = used;
      this.peakSnapshot = this.#pool.snapshot();
    }
  }

  async #channel(channel: number, pictures: Pictures): Promise<void> {
    const { resolution } = pictures;
    const references: Segment[] = [];
    const held: Segment[] = [];
    const frameTag = `vdec ${resolution.name}`;
    try {
      for (let frame = 0; !this.#stop.signal.aborted; frame++) {
        try {
          const header = frameHeader(channel, frame);
          const decoded = await this.#acquire('decode', pictures.frame.byteLength, frameTag);
          held.push(decoded);
          decoded.write(pictures.frame);
          decoded.write(header);
          this.counts.decoded++;
          const resized = await this.#acquire('resize', RESIZED_BYTES, 'vpc 640x640 nv12');
          held.push(resized);
          resized.write(pictures.resized);
          const input = await this.#acquire('input', MODEL_INPUT_BYTES, 'model input 640x640x3');
          held.push(input);
          input.write(pictures.modelInput);
          input.write(header);
          held.length = 0;
          references.push(decoded);
          while (references.length > REFERENCE_FRAMES) references.shift()?.release();
          await this.#queue.put({ channel, frame, resized, input });
        } catch (error) {
          for (const segment of held.splice(0)) segment.release();
          if (this.#stop.signal.aborted) break;
          if (!(error instanceof AcquireTimeoutError)) throw error;
          // The pool stayed full for STALL_MS: give back everything this channel holds, so others move on.
          this.counts.stalls++;
          for (const segment of references.splice(0)) segment.release();
        }
        // Lets timers (status line, accelerator, stop) run between frames.
        await yieldToEventLoop();
      }
    } finally {
      for (const segment of [...held, ...references]) segment.release();
    }
  }

  async #accelerate(): Promise<void> {
    for (;;) {
      if (this.#queue.length === 0) {
        if (this.#channelsDone) return;
        await this.#queue.nextItem();
        continue;
      }
      const batch = this.#queue.take(BATCH);
      await sleep(batchLatencyMs(batch.length));
      for (const job of batch) this.#finish(job);
    }
  }

  /** Checks the model input reads back as written, stores a result, releases the job's segments. */
  #finish(job: Job): void {
    try {
      if (!isFrameHeader(job.input.read(0, HEADER_BYTES), job.channel, job.frame)) this.counts.corrupt++;
      const result = this.#pool.tryAcquire(RESULT_BYTES, { tag: 'inference result' });
      if (result === undefined) {
        this.counts.dropped++;
        return;
      }
      this.#noteAcquire(RESULT_BYTES);
      result.write(frameHeader(job.channel, job.frame));
      // The result goes to the application here; the demo only counts it.
      result.release();
      this.counts.processed++;
    } finally {
      job.resized.release();
      job.input.release();
    }
  }
}
