// SPDX-License-Identifier: MIT
// Deterministic media-pipeline trace (suballocators.md §4): 8 video channels simulated in 40 ms
// ticks; each frame allocates a decoded NV12 frame, a VPC resize output, a model input, 0–4
// classifier crops and 1–3 metadata buffers, each freed a random number of ticks later. The frees
// and allocs of one tick are shuffled together. Exactly `allocs` allocs, and every one is freed
// before the trace ends, so nOps = 2 * allocs. Ids are recycled (LIFO), so nIds ≈ peak live count.

import { OP_ALLOC, OP_FREE, type Trace } from '../../src/trace/format.js';
import { XorShift32 } from './rng.js';

/** Milliseconds of simulated time per tick. */
export const TICK_MS = 40;

/** One camera/video stream. */
export interface Channel {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** 4 × 1080p@25, 3 × 720p@30, 1 × 1080p@15. */
export const MEDIA_CHANNELS: readonly Channel[] = [
  { width: 1920, height: 1080, fps: 25 },
  { width: 1920, height: 1080, fps: 25 },
  { width: 1920, height: 1080, fps: 25 },
  { width: 1920, height: 1080, fps: 25 },
  { width: 1280, height: 720, fps: 30 },
  { width: 1280, height: 720, fps: 30 },
  { width: 1280, height: 720, fps: 30 },
  { width: 1920, height: 1080, fps: 15 },
];

/** VPC resize output: 640 × 640 NV12. */
export const VPC_BYTES = (640 * 640 * 3) / 2;
/** Model input: 640 × 640 × 3 (RGB planar or packed, u8). */
export const MODEL_INPUT_BYTES = 640 * 640 * 3;
/** Classifier crop: 224 × 224 × 3. */
export const CROP_BYTES = 224 * 224 * 3;
/** Metadata buffers are log-uniform in [METADATA_MIN, METADATA_MAX) bytes. */
export const METADATA_MIN = 64;
export const METADATA_MAX = 16 * 1024;

/** Lifetimes in ticks, inclusive ranges. */
const LIFE = {
  frame: [1, 4],
  vpc: [1, 3],
  model: [2, 6],
  crop: [1, 5],
  metadata: [1, 10],
} as const;
const MAX_LIFE = 10;
const TICKS_PER_SECOND = 1000 / TICK_MS;

/** A media trace, with the channel of each op (a free's is its alloc's), for splitting it between threads. */
export interface MediaTrace extends Trace {
  /** channels[op]: the index in MEDIA_CHANNELS of the channel op `op` belongs to. */
  readonly channels: Uint8Array;
}

export interface MediaTraceOptions {
  readonly seed: number;
  /** Allocations in the trace (default 500 000, i.e. 1 M ops). */
  readonly allocs?: number;
}

/** Generates the media-pipeline trace for `seed`; same seed, same trace, byte for byte. */
export function generateMediaTrace(options: MediaTraceOptions): MediaTrace {
  const target = options.allocs ?? 500_000;
  if (!Number.isSafeInteger(target) || target < 0) throw new RangeError(`allocs must be a non-negative integer, got ${target}`);
  const rng = new XorShift32(options.seed);
  const ops = new Uint32Array(target * 2 * 3);
  const channels = new Uint8Array(target * 2);
  // The channel of each live id's alloc, for its free.
  const channelOfId: number[] = [];
  let nOps = 0;
  let nIds = 0;
  const freeIds: number[] = [];

  // due[t % ring] lists the ids to free at tick t.
  const ring = MAX_LIFE + 1;
  const due: number[][] = Array.from({ length: ring }, () => []);
  // Frame phase accumulators in units of fps: one frame per TICKS_PER_SECOND accumulated.
  const phase = MEDIA_CHANNELS.map(() => rng.int(0, TICKS_PER_SECOND - 1));

  // Per-tick scratch: requested allocs (len, life) and the shuffled event list.
  const lens: number[] = [];
  const lives: number[] = [];
  const chans: number[] = [];
  const events: number[] = [];
  let allocated = 0;
  let pending = 0;

  let channel = 0;
  const request = (len: number, life: readonly [number, number]): void => {
    chans.push(channel);
    lens.push(len);
    lives.push(rng.int(life[0], life[1]));
  };

  for (let tick = 0; allocated < target || pending > 0; tick++) {
    lens.length = 0;
    lives.length = 0;
    chans.length = 0;
    if (allocated < target) {
      MEDIA_CHANNELS.forEach((ch, c) => {
        channel = c;
        let acc = (phase[c] ?? 0) + ch.fps;
        for (; acc >= TICKS_PER_SECOND; acc -= TICKS_PER_SECOND) {
          request((ch.width * ch.height * 3) / 2, LIFE.frame);
          request(VPC_BYTES, LIFE.vpc);
          request(MODEL_INPUT_BYTES, LIFE.model);
          for (let k = rng.int(0, 4); k > 0; k--) request(CROP_BYTES, LIFE.crop);
          for (let k = rng.int(1, 3); k > 0; k--) {
            request(Math.floor(METADATA_MIN * (METADATA_MAX / METADATA_MIN) ** rng.nextFloat()), LIFE.metadata);
          }
        }
        phase[c] = acc;
      });
    }
    const nAllocs = Math.min(lens.length, target - allocated);
    const dueNow = due[tick % ring] as number[];

    // Events: frees are encoded as -(id + 1), allocs as their index into lens/lives.
    events.length = 0;
    for (const id of dueNow) events.push(-(id + 1));
    for (let k = 0; k < nAllocs; k++) events.push(k);
    dueNow.length = 0;
    rng.shuffle(events);

    for (const e of events) {
      if (e < 0) {
        const id = -e - 1;
        ops[nOps * 3] = OP_FREE;
        ops[nOps * 3 + 1] = id;
        ops[nOps * 3 + 2] = 0;
        channels[nOps] = channelOfId[id] ?? 0;
        freeIds.push(id);
        pending--;
      } else {
        const id = freeIds.pop() ?? nIds++;
        ops[nOps * 3] = OP_ALLOC;
        ops[nOps * 3 + 1] = id;
        ops[nOps * 3 + 2] = lens[e] ?? 0;
        channels[nOps] = channelOfId[id] = chans[e] ?? 0;
        (due[(tick + (lives[e] ?? 1)) % ring] as number[]).push(id);
        pending++;
        allocated++;
      }
      nOps++;
    }
  }
  return { nOps, nIds, ops, channels };
}
