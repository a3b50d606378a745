// SPDX-License-Identifier: MIT
// A seeded storm of ACL faults through the test double, on top of the one-fault-at-a-time cases
// of test/acl/: each round arms one fault (a failing Nth acldvppMalloc, the DVPP cap, aclrtMemset,
// aclrtMemcpy, acldvppFree), then creates pools and uses them through the Pool API and the pyACL
// skin. Every failure must be a coded AclError naming the failing call (or the skin's aclError
// return), the pool must stay valid and usable with its figures unchanged by the failed call, a
// failed free must still close the pool, and at the end the call log must show every successful
// acldvppMalloc matched by exactly one acldvppFree.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAclCompat, createPool } from '../../src/index.js';
import { AclError } from '../../src/errors.js';
import type { Pool } from '../../src/pool/pool.js';
import type { Segment } from '../../src/pool/segment.js';
import { aclDouble, freshLogPath, readCalls } from '../helpers/acl-double.js';
import { ledger } from '../helpers/acl-ledger.js';
import { silenceLeakWarnings } from '../helpers/pool-backends.js';
import { XorShift32 } from '../../bench/trace/rng.js';

silenceLeakWarnings();

const FAULTS = ['none', 'malloc', 'limit', 'memset', 'memcpy', 'free'] as const;
type Fault = (typeof FAULTS)[number];
const VARIABLES = ['ACL_DOUBLE_FAIL_MALLOC', 'ACL_DOUBLE_DVPP_LIMIT', 'ACL_DOUBLE_FAIL_MEMSET', 'ACL_DOUBLE_FAIL_MEMCPY', 'ACL_DOUBLE_FAIL_FREE'];
const ROUNDS = 150;

let libraryDir: string;
let log: string;

beforeAll(() => {
  libraryDir = aclDouble().lib64;
  log = freshLogPath();
  process.env['ACL_DOUBLE_LOG'] = log;
});

afterAll(() => {
  for (const name of [...VARIABLES, 'ACL_DOUBLE_LOG']) delete process.env[name];
});

function arm(fault: Fault, rng: XorShift32): void {
  for (const name of VARIABLES) delete process.env[name];
  if (fault === 'malloc') process.env['ACL_DOUBLE_FAIL_MALLOC'] = String(rng.int(1, 3));
  if (fault === 'limit') process.env['ACL_DOUBLE_DVPP_LIMIT'] = String(rng.int(1, 3) * 80 * 1024);
  if (fault === 'memset') process.env['ACL_DOUBLE_FAIL_MEMSET'] = String(rng.chance(0.5) ? 507899 : 100000);
  if (fault === 'memcpy') process.env['ACL_DOUBLE_FAIL_MEMCPY'] = String(rng.chance(0.5) ? 107000 : 507899);
  if (fault === 'free') process.env['ACL_DOUBLE_FAIL_FREE'] = '1';
}

function note(seen: Record<string, number>, what: string): void {
  seen[what] = (seen[what] ?? 0) + 1;
}

/** Runs `action`; a throw must be an AclError of `op`. Returns whether it failed. */
function failsWith(op: string, action: () => unknown): boolean {
  try {
    action();
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(AclError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op });
    expect((error as AclError).message).toMatch(new RegExp(`^${op} failed with aclError \\d+`));
    return true;
  }
}

/** Uses `pool` while `fault` is armed; every failed call must leave its figures unchanged. */
function usePool(pool: Pool, zeroed: boolean, segments: Segment[], fault: Fault, rng: XorShift32, seen: Record<string, number>): void {
  const acl = createAclCompat(pool);
  for (let i = 0; i < 6; i++) {
    const before = pool.stats();
    if (failsWith('aclrtMemset', () => segments.push(pool.acquire(rng.int(1, 3000), { zero: true })))) {
      // peakUsedBytes may include the footprint the engine granted before the memset failed.
      expect({ ...pool.stats(), peakUsedBytes: 0 }).toEqual({ ...before, peakUsedBytes: 0 });
      note(seen, 'acquire with zero: aclrtMemset');
    }
    const segment = segments[rng.int(0, segments.length - 1)]!;
    if (failsWith('aclrtMemset', () => segment.fill(rng.int(0, 255)))) note(seen, 'fill: aclrtMemset');
    if (failsWith('aclrtMemcpy', () => segment.write(new Uint8Array(64).fill(7)))) note(seen, 'write: aclrtMemcpy');
    if (failsWith('aclrtMemcpy', () => segment.read(0, 64))) note(seen, 'read: aclrtMemcpy');
    const [devPtr, ret] = acl.media.dvpp_malloc(rng.int(1, 2000));
    if (zeroed && fault === 'memset') {
      // A zeroOnAcquire pool zeroes in dvpp_malloc: the skin returns the failing memset's aclError.
      expect([devPtr, ret]).toEqual([0, Number(process.env['ACL_DOUBLE_FAIL_MEMSET'])]);
      note(seen, 'pyACL dvpp_malloc: its aclError');
      continue;
    }
    expect(ret).toBe(0);
    const code = acl.rt.memset(devPtr, 64, 1, 64);
    expect(code).toBe(fault === 'memset' ? Number(process.env['ACL_DOUBLE_FAIL_MEMSET']) : 0);
    if (code !== 0) note(seen, 'pyACL rt.memset: its aclError');
    expect(acl.media.dvpp_free(devPtr)).toBe(0);
    expect(segment.released).toBe(false);
    pool.validate();
  }
  // Still usable: bytes go in and come out once the fault is disarmed.
  const memsetOrCopy = fault === 'memset' || fault === 'memcpy';
  if (memsetOrCopy) arm('none', rng);
  segments[0]!.write(new Uint8Array([1, 2, 3]));
  expect(Array.from(segments[0]!.read(0, 3))).toEqual([1, 2, 3]);
  if (memsetOrCopy) arm(fault, rng);
  pool.validate();
}

it(`${ROUNDS} rounds of injected ACL faults: coded errors, valid pools, no block leaked`, () => {
  const rng = new XorShift32(0xfa017);
  const seen: Record<string, number> = {
    'acldvppMalloc: 207001 at creation': 0,
    'aclrtMemset at creation: block freed': 0,
    'acquire with zero: aclrtMemset': 0,
    'fill: aclrtMemset': 0,
    'write: aclrtMemcpy': 0,
    'read: aclrtMemcpy': 0,
    'pyACL rt.memset: its aclError': 0,
    'pyACL dvpp_malloc: its aclError': 0,
    'close: acldvppFree fails, pool closed': 0,
  };
  for (let round = 0; round < ROUNDS; round++) {
    const fault = FAULTS[rng.int(0, FAULTS.length - 1)]!;
    // Allocation faults hit creation; the others mostly arrive mid-life, after creation.
    const early = fault === 'malloc' || fault === 'limit' || rng.chance(0.2);
    arm(early ? fault : 'none', rng);
    const pools: Array<{ pool: Pool; zeroed: boolean; segments: Segment[] }> = [];
    for (let i = rng.int(1, 3); i > 0; i--) {
      const zeroed = rng.chance(0.3);
      try {
        const pool = createPool({ size: 64 * 1024, backend: 'acl', acl: { libraryDir }, zeroOnAcquire: zeroed });
        pools.push({ pool, zeroed, segments: [pool.acquire(100), pool.acquire(5000)] });
      } catch (error) {
        // Creation fails only by the armed allocation fault (or the creation-time memset), never otherwise.
        expect(error).toBeInstanceOf(AclError);
        const { op, aclError } = error as AclError;
        if (op === 'acldvppMalloc') {
          expect(['malloc', 'limit']).toContain(fault);
          expect(aclError).toBe(207001);
          note(seen, 'acldvppMalloc: 207001 at creation');
        } else {
          // The block is zeroed once at creation; its failure frees the block (the ledger checks).
          expect({ op, fault }).toEqual({ op: 'aclrtMemset', fault: 'memset' });
          note(seen, 'aclrtMemset at creation: block freed');
        }
      }
    }
    if (!early) arm(fault, rng);
    for (const { pool, zeroed, segments } of pools) usePool(pool, zeroed, segments, fault, rng, seen);
    for (const { pool } of pools) {
      if (failsWith('acldvppFree', () => pool.close())) note(seen, 'close: acldvppFree fails, pool closed');
      expect(pool.closed).toBe(true);
    }
  }
  arm('none', rng);
  for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  const { mallocs, frees, problems } = ledger(readCalls(log));
  expect(problems).toEqual([]);
  expect(frees).toBe(mallocs);
  expect(mallocs).toBeGreaterThan(ROUNDS);
});
