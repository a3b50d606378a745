// SPDX-License-Identifier: MIT
// The pyACL skin over a pool of blocks (issue 14): a differential test of dvpp_malloc, dvpp_free,
// rt.memset, rt.memcpy (host to device, device to host, device to device between blocks) and
// segmentOf on a pool that grows and trims, against a model of the live segments and their bytes
// (fixed seed, printed with the path on failure by fast-check), pool.acquire mixed in; then the edges: a pointer into a
// trimmed block, a grown block whose addresses pass 2^53.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend, BackendBlock } from '../../../src/backends/backend.js';
import { createJsBackend } from '../../../src/backends/js.js';
import { createAclCompat } from '../../../src/compat/pyacl.js';
import { ACL_ERROR_INVALID_PARAM, ACL_ERROR_RT_MEMORY_ALLOCATION, ACL_SUCCESS, segmentSize } from '../../../src/constants.js';
import { createPool } from '../../../src/index.js';
import { createPoolOver } from '../../../src/pool/pool.js';
import { silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const KiB = 1024;
const H2D = 1;
const D2H = 2;
const D2D = 3;

/** One live dvpp_malloc in the model: where it starts, its usable bytes and what they hold, and the bytes its Segment spans. */
interface Live {
  readonly ptr: number;
  readonly bytes: Uint8Array;
  /** `segment.size`: dvpp_malloc(0) takes a 1-byte segment, 64 bytes, of which the call's 32 are usable. */
  readonly held: number;
}

type Op =
  | { readonly op: 'malloc'; readonly size: number }
  | { readonly op: 'free'; readonly pick: number; readonly inside: boolean }
  | { readonly op: 'memset'; readonly pick: number; readonly at: number; readonly count: number; readonly value: number }
  | { readonly op: 'write'; readonly pick: number; readonly at: number; readonly data: Uint8Array }
  | { readonly op: 'copy'; readonly dst: number; readonly dstAt: number; readonly src: number; readonly srcAt: number; readonly count: number }
  | { readonly op: 'lookup'; readonly pick: number; readonly at: number }
  | { readonly op: 'acquire'; readonly size: number }
  | { readonly op: 'trim' };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('malloc' as const), size: fc.integer({ min: 0, max: 6 * KiB }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), inside: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('memset' as const), pick: fc.nat(), at: fc.nat(7 * KiB), count: fc.nat(7 * KiB), value: fc.integer({ min: -300, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('write' as const), pick: fc.nat(), at: fc.nat(7 * KiB), data: fc.uint8Array({ minLength: 1, maxLength: 300 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('copy' as const), dst: fc.nat(), dstAt: fc.nat(7 * KiB), src: fc.nat(), srcAt: fc.nat(7 * KiB), count: fc.nat(3 * KiB) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('lookup' as const), pick: fc.nat(), at: fc.nat(7 * KiB) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('acquire' as const), size: fc.integer({ min: 1, max: 6 * KiB }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'trim' as const }) },
);

describe('the pyACL skin on a growing pool', () => {
  it('agrees with a model of the live segments and their bytes, across blocks, grows and trims', () => {
    let grewPast = 0;
    let copiesAcross = 0;
    fc.assert(
      fc.property(fc.array(ops, { minLength: 20, maxLength: 120 }), (program) => {
        using pool = createPool({ size: 8 * KiB, maxSize: 40 * KiB, growBy: 8 * KiB, backend: 'js' });
        const acl = createAclCompat(pool);
        const live: Live[] = [];
        /** Pointers freed or trimmed away: never a live segment's start again until malloc gives them back. */
        const dead = new Set<number>();
        const pick = (n: number): Live | undefined => live[n % Math.max(live.length, 1)];
        // The live segment whose usable bytes hold `[at, at + count)`, with the offset in it.
        const rangeAt = (at: number, count: number): [Live, number] | undefined => {
          const holder = live.find((segment) => segment.ptr <= at && at < segment.ptr + segment.held);
          return holder !== undefined && at + count <= holder.ptr + holder.bytes.length ? [holder, at - holder.ptr] : undefined;
        };
        for (const step of program) {
          switch (step.op) {
            case 'malloc': {
              const [ptr, ret] = acl.media.dvpp_malloc(step.size);
              if (ret !== ACL_SUCCESS) {
                expect([ptr, ret]).toEqual([0, ACL_ERROR_RT_MEMORY_ALLOCATION]);
                break;
              }
              const size = segmentSize(step.size);
              expect(ptr % 128).toBe(0);
              for (const other of live) expect(ptr + size <= other.ptr || other.ptr + other.bytes.length <= ptr).toBe(true);
              // A known start: the model holds bytes the pool holds.
              expect(acl.rt.memset(ptr, size, 0xa5, size)).toBe(ACL_SUCCESS);
              live.push({ ptr, bytes: new Uint8Array(size).fill(0xa5), held: segmentSize(Math.max(step.size, 1)) });
              dead.delete(ptr);
              break;
            }
            case 'free': {
              const target = pick(step.pick);
              if (target === undefined || step.inside) {
                // An inner address or a dead pointer is not a start: refused, nothing freed.
                const wrong = target === undefined ? [...dead][0] : target.ptr + 128;
                if (wrong !== undefined && !live.some((segment) => segment.ptr === wrong)) expect(acl.media.dvpp_free(wrong)).toBe(ACL_ERROR_INVALID_PARAM);
                break;
              }
              expect(acl.media.dvpp_free(target.ptr)).toBe(ACL_SUCCESS);
              live.splice(live.indexOf(target), 1);
              dead.add(target.ptr);
              expect(acl.media.dvpp_free(target.ptr)).toBe(ACL_ERROR_INVALID_PARAM);
              break;
            }
            case 'memset': {
              const target = pick(step.pick);
              if (target === undefined) break;
              const range = rangeAt(target.ptr + step.at, step.count);
              expect(acl.rt.memset(target.ptr + step.at, step.count, step.value, step.count)).toBe(range !== undefined ? ACL_SUCCESS : ACL_ERROR_INVALID_PARAM);
              if (range !== undefined) range[0].bytes.fill(step.value & 0xff, range[1], range[1] + step.count);
              break;
            }
            case 'write': {
              const target = pick(step.pick);
              if (target === undefined) break;
              const range = rangeAt(target.ptr + step.at, step.data.length);
              expect(acl.rt.memcpy(target.ptr + step.at, step.data.length, step.data, step.data.length, H2D)).toBe(range !== undefined ? ACL_SUCCESS : ACL_ERROR_INVALID_PARAM);
              if (range !== undefined) range[0].bytes.set(step.data, range[1]);
              break;
            }
            case 'copy': {
              const to = pick(step.dst);
              const from = pick(step.src);
              if (to === undefined || from === undefined) break;
              const [dst, src] = [to.ptr + step.dstAt, from.ptr + step.srcAt];
              const [into, outOf] = [rangeAt(dst, step.count), rangeAt(src, step.count)];
              const overlap = dst < src + step.count && src < dst + step.count && step.count > 0;
              const ok = into !== undefined && outOf !== undefined && !overlap;
              expect(acl.rt.memcpy(dst, step.count, src, step.count, D2D)).toBe(ok ? ACL_SUCCESS : ACL_ERROR_INVALID_PARAM);
              if (ok) {
                into[0].bytes.set(outOf[0].bytes.slice(outOf[1], outOf[1] + step.count), into[1]);
                if (acl.segmentOf(dst)!.blockIndex !== acl.segmentOf(src)!.blockIndex) copiesAcross++;
              }
              break;
            }
            case 'lookup': {
              const target = pick(step.pick);
              if (target === undefined) break;
              const at = target.ptr + step.at;
              const holder = live.find((segment) => segment.ptr <= at && at < segment.ptr + segment.held);
              const found = acl.segmentOf(at);
              if (holder === undefined) expect(found).toBeUndefined();
              else expect(found === undefined ? undefined : Number(found.address)).toBe(holder.ptr);
              break;
            }
            case 'acquire': {
              // Outside the skin: its lookup must rebuild, and dvpp_free takes the segment too.
              const segment = pool.tryAcquire(step.size);
              if (segment === undefined) break;
              segment.fill(0x5a);
              live.push({ ptr: Number(segment.address), bytes: new Uint8Array(segment.size).fill(0x5a), held: segment.size });
              break;
            }
            case 'trim': {
              pool.trim();
              break;
            }
          }
          expect(pool.capacity).toBeLessThanOrEqual(40 * KiB);
          if (pool.stats().blocks > 1) grewPast++;
        }
        // Every live segment's bytes, read back through the skin, are the model's.
        for (const segment of live) {
          const back = new Uint8Array(segment.bytes.length);
          expect(acl.rt.memcpy(back, back.length, segment.ptr, back.length, D2H)).toBe(ACL_SUCCESS);
          expect(back).toEqual(segment.bytes);
          expect(Number(acl.segmentOf(segment.ptr + segment.bytes.length - 1)!.address)).toBe(segment.ptr);
        }
        pool.validate();
        for (const segment of live) acl.media.dvpp_free(segment.ptr);
      }),
      { seed: 1414, numRuns: 80 },
    );
    // The runs must really have grown and copied between blocks, or the test shows nothing.
    expect(grewPast).toBeGreaterThan(300);
    expect(copiesAcross).toBeGreaterThan(10);
  });

  it('refuses a pointer into a trimmed block, and finds one in the block that takes its slot', () => {
    using pool = createPool({ size: 4 * KiB, maxSize: 8 * KiB, growBy: 4 * KiB, backend: 'js' });
    const acl = createAclCompat(pool);
    const [first] = acl.media.dvpp_malloc(3000);
    const [grown, ret] = acl.media.dvpp_malloc(3000);
    expect(ret).toBe(ACL_SUCCESS);
    expect(acl.segmentOf(grown)!.blockIndex).toBe(1);
    expect(acl.media.dvpp_free(grown)).toBe(ACL_SUCCESS);
    expect(pool.trim()).toBe(4 * KiB);
    expect(acl.segmentOf(grown)).toBeUndefined();
    expect(acl.rt.memset(grown, 10, 0, 10)).toBe(ACL_ERROR_INVALID_PARAM);
    const [again] = acl.media.dvpp_malloc(3000);
    expect(acl.segmentOf(again)!.blockIndex).toBe(1);
    expect(acl.media.dvpp_free(first)).toBe(ACL_SUCCESS);
    expect(acl.media.dvpp_free(again)).toBe(ACL_SUCCESS);
  });

  it('gives no pointer into a grown block whose addresses pass 2^53: no room, nothing kept', () => {
    const inner = createJsBackend();
    const real = new Map<BackendBlock, BackendBlock>();
    let allocations = 0;
    // The first block where js puts it, the second just below 2^53 so its end passes it.
    const backend: Backend = {
      ...inner,
      allocate(size) {
        const block = inner.allocate(size);
        const shown = allocations++ === 0 ? block : { base: 2n ** 53n - 2048n, size: block.size };
        real.set(shown, block);
        return shown;
      },
      free: (block) => inner.free(real.get(block)!),
      memset: (block, offset, length, value) => inner.memset(real.get(block)!, offset, length, value),
      write: (block, offset, src) => inner.write(real.get(block)!, offset, src),
      read: (block, offset, dst) => inner.read(real.get(block)!, offset, dst),
      copy: (block, dstOffset, srcOffset, length) => inner.copy(real.get(block)!, dstOffset, srcOffset, length),
      share: (block) => inner.share(real.get(block)!),
      borrow: (share) => inner.borrow(share),
    };
    using pool = createPoolOver({ size: 4 * KiB, maxSize: 8 * KiB, growBy: 4 * KiB, backend: 'js' }, { backend });
    const acl = createAclCompat(pool);
    expect(acl.media.dvpp_malloc(3000)[1]).toBe(ACL_SUCCESS);
    expect(acl.media.dvpp_malloc(3000)).toEqual([0, ACL_ERROR_RT_MEMORY_ALLOCATION]);
    expect(pool.stats().liveSegments).toBe(1);
    expect(pool.stats().blocks).toBe(2);
  });
});
