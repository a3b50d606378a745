// SPDX-License-Identifier: MIT
// Random acquire/tryAcquire/release/scope/reset sequences against a trivially correct model (a
// list of live intervals). After every step: pool.validate(), no overlap, 128-aligned offsets,
// stats equal to the model's, and "no room" only when the model has no gap as large as the
// footprint. Fixed seed; fast-check prints the seed and the shrunk path on failure.

import fc from 'fast-check';
import { expect, test } from 'vitest';
import { alignUp, segmentSize } from '../../src/constants.js';
import { InvalidSegmentError, PoolExhaustedError } from '../../src/errors.js';
import type { Pool } from '../../src/pool/pool.js';
import type { Scope } from '../../src/pool/scope.js';
import type { Segment } from '../../src/pool/segment.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../helpers/pool-backends.js';

silenceLeakWarnings();

const CAPACITY = 32 * 1024;
/** fast-check runs per backend, all of them made whatever the machine's speed. */
const RUNS = 150;

type Operation =
  | { readonly op: 'acquire'; readonly len: number; readonly tagged: boolean }
  | { readonly op: 'tryAcquire'; readonly len: number }
  | { readonly op: 'release'; readonly pick: number }
  | { readonly op: 'releaseStale'; readonly pick: number }
  | { readonly op: 'scopeAcquire'; readonly len: number }
  | { readonly op: 'scopeReleaseAll' }
  | { readonly op: 'reset' };

const lenArb = fc.oneof(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 8 * 1024 }), fc.constantFrom(1, 96, 97, CAPACITY - 63, CAPACITY + 1));
const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('acquire' as const), len: lenArb, tagged: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tryAcquire' as const), len: lenArb }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('releaseStale' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('scopeAcquire' as const), len: lenArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('scopeReleaseAll' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reset' as const) }) },
);

/** The reference: live segments with their footprints, plus the counters stats() must show. */
class Model {
  live: Segment[] = [];
  stale: Segment[] = [];
  scoped = new Set<Segment>();
  acquires = 0;
  releases = 0;
  failures = 0;
  peak = 0;

  footprint(len: number): number {
    return alignUp(segmentSize(len), 128);
  }

  used(): number {
    return this.live.reduce((sum, s) => sum + alignUp(s.size, 128), 0);
  }

  largestGap(): number {
    const sorted = [...this.live].sort((a, b) => a.offset - b.offset);
    let cursor = 0;
    let largest = 0;
    for (const s of sorted) {
      largest = Math.max(largest, s.offset - cursor);
      cursor = s.offset + alignUp(s.size, 128);
    }
    return Math.max(largest, CAPACITY - cursor);
  }

  added(segment: Segment): void {
    this.live.push(segment);
    this.acquires++;
    this.peak = Math.max(this.peak, this.used());
  }

  removed(segment: Segment): void {
    this.live.splice(this.live.indexOf(segment), 1);
    this.stale.push(segment);
    this.scoped.delete(segment);
    this.releases++;
  }
}

function check(pool: Pool, model: Model): void {
  pool.validate();
  const sorted = [...model.live].sort((a, b) => a.offset - b.offset);
  let cursor = 0;
  for (const s of sorted) {
    expect(s.offset % 128).toBe(0);
    expect(s.offset).toBeGreaterThanOrEqual(cursor);
    expect(s.released).toBe(false);
    cursor = s.offset + alignUp(s.size, 128);
  }
  expect(cursor).toBeLessThanOrEqual(CAPACITY);
  const stats = pool.stats();
  expect(stats).toMatchObject({
    usedBytes: model.used(),
    freeBytes: CAPACITY - model.used(),
    liveSegments: model.live.length,
    largestFreeRange: model.largestGap(),
    acquires: model.acquires,
    releases: model.releases,
    failures: model.failures,
    peakUsedBytes: model.peak,
  });
}

function step(pool: Pool, scope: Scope, model: Model, operation: Operation): void {
  switch (operation.op) {
    case 'acquire':
    case 'tryAcquire':
    case 'scopeAcquire': {
      const fits = operation.len <= CAPACITY && model.footprint(operation.len) <= model.largestGap();
      const before = pool.stats();
      if (operation.op === 'scopeAcquire') {
        const segment = scope.tryAcquire(operation.len);
        expect(segment !== undefined).toBe(fits);
        if (segment === undefined) model.failures++;
        else {
          model.added(segment);
          model.scoped.add(segment);
        }
      } else if (operation.op === 'tryAcquire') {
        const segment = pool.tryAcquire(operation.len);
        expect(segment !== undefined).toBe(fits);
        if (segment === undefined) model.failures++;
        else model.added(segment);
      } else if (fits) {
        const segment = pool.acquire(operation.len, operation.tagged ? { tag: `t${operation.len}` } : undefined);
        expect(segment.size).toBe(segmentSize(operation.len));
        model.added(segment);
      } else {
        expect(() => pool.acquire(operation.len)).toThrow(PoolExhaustedError);
        model.failures++;
        expect(pool.stats()).toEqual({ ...before, failures: before.failures + 1 });
      }
      return;
    }
    case 'release': {
      const segment = model.live[operation.pick % Math.max(1, model.live.length)];
      if (segment === undefined) return;
      segment.release();
      model.removed(segment);
      return;
    }
    case 'releaseStale': {
      const segment = model.stale[operation.pick % Math.max(1, model.stale.length)];
      if (segment === undefined) return;
      const before = pool.stats();
      expect(() => pool.release(segment)).toThrow(InvalidSegmentError);
      expect(pool.stats()).toEqual(before);
      return;
    }
    case 'scopeReleaseAll':
      for (const segment of [...model.scoped]) model.removed(segment);
      scope.releaseAll();
      return;
    case 'reset':
      for (const segment of [...model.live]) model.removed(segment);
      pool.reset();
      return;
  }
}

describeBackends('pool property', (kind) => {
  test('random sequences agree with the interval model', () => {
    // Every run counts: no time limit (a slow machine passing after fewer runs proves less), and
    // the count is checked, so a run cut short by any fast-check option fails here.
    let runs = 0;
    fc.assert(
      fc.property(fc.array(operationArb, { minLength: 1, maxLength: 120 }), (operations) => {
        runs++;
        using pool = makePool(kind, CAPACITY);
        const scope = pool.scope();
        const model = new Model();
        for (const operation of operations) {
          step(pool, scope, model, operation);
          check(pool, model);
        }
        const snapshot = pool.snapshot();
        expect(snapshot.segments.map((s) => s.offset)).toEqual(model.live.map((s) => s.offset).sort((a, b) => a - b));
      }),
      { seed: 20240604, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });
});
