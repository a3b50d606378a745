// SPDX-License-Identifier: MIT
// The media trace generator: deterministic per seed, valid, and shaped as documented.

import { describe, expect, it } from 'vitest';
import { OP_ALLOC, encodeTrace, validateTrace } from '../../../src/trace/format.js';
import {
  CROP_BYTES,
  METADATA_MAX,
  METADATA_MIN,
  MODEL_INPUT_BYTES,
  VPC_BYTES,
  generateMediaTrace,
} from '../../../bench/trace/generate.js';
import { traceStats } from '../../../src/trace/stats.js';

const ALLOCS = 20_000;

describe('generateMediaTrace', () => {
  it('gives the same bytes for the same seed', () => {
    const a = encodeTrace(generateMediaTrace({ seed: 12345, allocs: ALLOCS }));
    const b = encodeTrace(generateMediaTrace({ seed: 12345, allocs: ALLOCS }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('gives different bytes for different seeds', () => {
    const a = encodeTrace(generateMediaTrace({ seed: 12345, allocs: ALLOCS }));
    const b = encodeTrace(generateMediaTrace({ seed: 777, allocs: ALLOCS }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('has exactly the asked allocs, frees them all, and passes validation', () => {
    const trace = generateMediaTrace({ seed: 777, allocs: ALLOCS });
    validateTrace(trace);
    const stats = traceStats(trace);
    expect(trace.nOps).toBe(2 * ALLOCS);
    expect(stats.allocs).toBe(ALLOCS);
    expect(stats.frees).toBe(ALLOCS);
    expect(stats.liveAtEnd).toBe(0);
    // Recycled ids: the id space is the peak live count, not the alloc count.
    expect(trace.nIds).toBe(stats.peakLiveCount);
    expect(stats.peakLiveBytes).toBeGreaterThan(64 * 2 ** 20);
  });

  it('asks only for the pipeline sizes', () => {
    const trace = generateMediaTrace({ seed: 1, allocs: ALLOCS });
    const fixed = new Set([(1920 * 1080 * 3) / 2, (1280 * 720 * 3) / 2, VPC_BYTES, MODEL_INPUT_BYTES, CROP_BYTES]);
    const seen = new Set<number>();
    for (let i = 0; i < trace.nOps; i++) {
      if (trace.ops[i * 3] !== OP_ALLOC) continue;
      const len = trace.ops[i * 3 + 2] as number;
      if (fixed.has(len)) seen.add(len);
      else {
        expect(len).toBeGreaterThanOrEqual(METADATA_MIN);
        expect(len).toBeLessThan(METADATA_MAX);
      }
    }
    expect(seen).toEqual(fixed);
  });
});
