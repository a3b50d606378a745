// SPDX-License-Identifier: MIT
// One shared pool (createPool({ shared: true })) used by several worker threads at once (issue 15),
// on the js and host backends and on acl through the ACL double: workers churn, stamp and pass
// segments to each other, with the parent checking at every barrier that no two live ranges
// overlap, the stamps hold, the figures are the workers' sums and validate() passes; two workers
// and this thread run the whole media trace split by channel; waits across threads (wake-up by
// another thread's release, one arrival order, priorities, timeouts and aborts that disturb no
// one); threads that die holding the lock, waiting or holding segments; the documented refusals;
// and the pool's lifetime across threads (creator close, attached close, creator's thread ends).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { generateMediaTrace } from '../../bench/trace/generate.js';
import { InvalidSegmentError, attachPool, createPool } from '../../src/index.js';
import type { BackendKind } from '../../src/backends/backend.js';
import type { PoolOptions } from '../../src/pool/options.js';
import type { Pool } from '../../src/pool/pool.js';
import { HEADER } from '../../src/pool/shared-state.js';
import { coreOf } from '../../src/pool/pool.js';
import { aclDouble, useCallLog } from '../helpers/acl-double.js';
import { ledger } from '../helpers/acl-ledger.js';
import { silenceLeakWarnings } from '../helpers/pool-backends.js';
import { TraceShare, logRanges } from '../helpers/pool-thread-work.js';
import { churnSharedPool } from '../helpers/shared-churn.js';
import {
  CONTROL,
  LOG_REGION,
  type PoolWorker,
  arrivals,
  firstOverlap,
  loggedRanges,
  releaseBarrier,
  startPoolWorker,
} from '../helpers/pool-threads.js';

silenceLeakWarnings();
const calls = useCallLog([]);
const libraryDir = aclDouble().lib64;
const BACKENDS: ReadonlyArray<{ kind: BackendKind; extra: Partial<PoolOptions> }> = [
  { kind: 'js', extra: {} },
  { kind: 'host', extra: {} },
  { kind: 'acl', extra: { acl: { libraryDir } } },
];

const started: PoolWorker[] = [];
const open: Pool[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.worker.terminate()));
  for (const pool of open.splice(0)) pool.close();
});

function sharedPool(kind: BackendKind, size: number, extra: Partial<PoolOptions> = {}): Pool {
  const pool = createPool({ size, backend: kind, shared: true, ...extra });
  open.push(pool);
  return pool;
}

async function workersOn(pool: Pool, count: number): Promise<PoolWorker[]> {
  const workers = await Promise.all(Array.from({ length: count }, () => startPoolWorker({ descriptor: pool.share() })));
  started.push(...workers);
  return workers;
}

/** Every acldvppMalloc of the test freed exactly once (only for the acl backend). */
function expectAclBalanced(kind: BackendKind): void {
  if (kind !== 'acl') return;
  const found = ledger(calls.calls());
  expect(found.problems).toEqual([]);
  expect(found.mallocs).toBeGreaterThan(0);
}

describe.each(BACKENDS)('$kind: workers churn one shared pool', ({ kind, extra }) => {
  it.each(kind === 'acl' ? [4] : [2, 4, 8])('%i workers: no overlap at any barrier, stamps intact, figures the sums, valid at the end', async (count) => {
    const pool = sharedPool(kind, 2 * 2 ** 20, extra);
    const workers = await workersOn(pool, count);
    await churnSharedPool(pool, workers, { rounds: 12, opsPerRound: 120, maxLen: 48 * 1024 });
    pool.validate();
    pool.close();
    expectAclBalanced(kind);
  });
});

describe.each(BACKENDS.filter(({ kind }) => kind !== 'acl'))('$kind: the media trace through one 256 MiB pool', ({ kind }) => {
  it('two workers and this thread, split by channel: zero overlaps at every window, zero leaks', async () => {
    const trace = generateMediaTrace({ seed: 15 });
    const ops = new SharedArrayBuffer(trace.ops.byteLength);
    new Uint32Array(ops).set(trace.ops);
    const channels = new SharedArrayBuffer(trace.channels.byteLength);
    new Uint8Array(channels).set(trace.channels);
    const pool = sharedPool(kind, 256 * 2 ** 20);
    const workers = await workersOn(pool, 2);
    const control = new Int32Array(new SharedArrayBuffer(CONTROL.words * 4));
    const log = new Float64Array(new SharedArrayBuffer(3 * LOG_REGION * 8));
    const windows = Array.from({ length: 20 }, (_, i) => Math.round((trace.nOps * (i + 1)) / 20));
    // Channels 0-2 here, 3-5 and 6-7 in the workers: each thread frees only what it acquired.
    const shares = [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ];
    const answers = workers.map((worker, i) => worker.ask({ op: 'trace', me: i + 1, ops, channels, mine: shares[i + 1], windows, control: control.buffer, log: log.buffer }));
    const mine = new TraceShare(pool, trace.ops, trace.channels, shares[0]!, 0);
    let from = 0;
    let most = 0;
    for (const to of windows) {
      mine.run(from, to);
      from = to;
      logRanges(log, 0, mine.live.values());
      await arrivals(control, 2, answers);
      const ranges = loggedRanges(log, 3);
      expect(firstOverlap(ranges)).toBeUndefined();
      expect(pool.stats().liveSegments).toBe(ranges.length);
      most = Math.max(most, new Set(ranges.map((range) => range.worker)).size);
      releaseBarrier(control);
    }
    const counts = [mine.counts, ...((await Promise.all(answers)) as { acquires: number; releases: number }[])];
    // Every alloc of the trace ran, in some thread, and was freed again.
    expect(counts.reduce((sum, one) => sum + one.acquires, 0)).toBe(trace.nOps / 2);
    expect(counts.every((one) => one.acquires > 0 && one.acquires === one.releases)).toBe(true);
    expect(most).toBe(3);
    const stats = pool.stats();
    expect({ live: stats.liveSegments, used: stats.usedBytes, failures: stats.failures, acquires: stats.acquires }).toEqual({ live: 0, used: 0, failures: 0, acquires: trace.nOps / 2 });
    pool.validate();
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    pool.close();
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });
});

/** The pool, full: one segment of `len` per granule-aligned slot it holds; returns them. */
function fill(pool: Pool, len: number): ReturnType<Pool['acquire']>[] {
  const held = [];
  for (let segment = pool.tryAcquire(len); segment !== undefined; segment = pool.tryAcquire(len)) held.push(segment);
  return held;
}

describe.each(BACKENDS.filter(({ kind }) => kind !== 'acl'))('$kind: acquireAsync across threads', ({ kind }) => {
  const LEN = 60 * 1024;
  it('a waiter in one worker is served by a release in another, in one arrival order across threads, without polling', async () => {
    const pool = sharedPool(kind, 1024 * 1024);
    const [a, b, c] = await workersOn(pool, 3);
    const held = fill(pool, LEN);
    // c holds one segment it will release; a, b and this thread wait, in that order.
    const [value] = (await c!.ask({ op: 'adopt', values: [held.pop()!.toShared()] })) as { ok: number }[];
    expect(value).toHaveProperty('ok');
    expect(await a!.ask({ op: 'wait', len: LEN })).toBe('queued');
    expect(await b!.ask({ op: 'wait', len: LEN })).toBe('queued');
    const mine = pool.acquireAsync(LEN);
    let served = false;
    void mine.then(() => (served = true));
    expect(pool.stats().waiting).toBe(3);
    // Idle: nobody offers a (first in line, so never held back) room again and again. The wakes
    // the others' queueing caused are let through first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drainsBefore = (await a!.ask({ op: 'drains' })) as number;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await a!.ask({ op: 'drains' })).toBe(drainsBefore);
    // c's release wakes a (first in line), not b or this thread.
    const aServed = a!.next();
    expect(await c!.ask({ op: 'release', indexes: [0] })).toEqual([{ ok: true }]);
    expect(await aServed).toMatchObject({ served: expect.any(Number) });
    expect(pool.stats().waiting).toBe(2);
    // This thread's release serves b before this thread's own waiter.
    const bServed = b!.next();
    held.pop()!.release();
    expect(await bServed).toMatchObject({ served: expect.any(Number) });
    expect(served).toBe(false);
    held.pop()!.release();
    await mine;
    expect(pool.stats().waiting).toBe(0);
    pool.validate();
  });

  it('a higher priority in a later thread is served first; timeouts and aborts in one thread leave the others waiting', async () => {
    const pool = sharedPool(kind, 1024 * 1024);
    const [low, high, timing, aborting] = await workersOn(pool, 4);
    const held = fill(pool, LEN);
    expect(await timing!.ask({ op: 'wait', len: LEN, priority: 2, timeoutMs: 50 })).toBe('queued');
    expect(await aborting!.ask({ op: 'wait', len: LEN, priority: 2, abortable: true })).toBe('queued');
    expect(await low!.ask({ op: 'wait', len: LEN, priority: 0 })).toBe('queued');
    expect(await high!.ask({ op: 'wait', len: LEN, priority: 1 })).toBe('queued');
    // The two heads of priority 2 leave: one times out, one is aborted; the others wait on.
    expect(await timing!.next()).toMatchObject({ rejected: { name: 'AcquireTimeoutError' } });
    expect(await aborting!.ask({ op: 'abort' })).toBe('aborted');
    expect(await aborting!.next()).toMatchObject({ rejected: { message: 'This operation was aborted' } });
    expect(pool.stats()).toMatchObject({ waiting: 2, timeouts: 1, aborts: 1 });
    const highServed = high!.next();
    held.pop()!.release();
    expect(await highServed).toMatchObject({ served: expect.any(Number) });
    expect(pool.stats().waiting).toBe(1);
    const lowServed = low!.next();
    held.pop()!.release();
    expect(await lowServed).toMatchObject({ served: expect.any(Number) });
    expect(pool.stats()).toMatchObject({ waiting: 0, waits: 4 });
    pool.validate();
  });
});

describe.each(BACKENDS)('$kind: a worker that dies', ({ kind, extra }) => {
  it('while holding the lock, half-way through an acquire: the next taker recovers, the pool stays valid and usable', async () => {
    const pool = sharedPool(kind, 1024 * 1024, extra);
    const kept = pool.acquire(1000);
    const [worker] = await workersOn(pool, 1);
    expect(await worker!.ask({ op: 'hold-lock', corrupt: true })).toBe('holding');
    await worker!.worker.terminate();
    // The lock word still names the dead worker; this acquire waits it out, then repairs.
    const segment = pool.acquire(5000);
    pool.validate();
    expect(pool.stats()).toMatchObject({ liveSegments: 2, usedBytes: 1152 + 5120 });
    segment.release();
    kept.release();
    // Everything the dead holder half-took is free again.
    expect(pool.stats()).toMatchObject({ liveSegments: 0, largestFreeRange: 1024 * 1024 });
    pool.validate();
    pool.close();
    expectAclBalanced(kind);
  });

  it('reset() through one attachment: every other attachment\'s segments read as released, those above the engine\'s new top too', () => {
    const pool = sharedPool(kind, 16 * 1024, extra);
    // A second attachment in the same thread: its own Segment objects and generations.
    const other = attachPool(pool.share());
    const low = other.acquire(4096 - 32);
    const high = other.acquire(4096 - 32);
    const value = high.toShared();
    pool.reset();
    const whole = pool.acquire(16 * 1024 - 32);
    for (const stale of [low, high]) {
      expect(() => stale.write(new Uint8Array([0xde, 0xad]))).toThrow(InvalidSegmentError);
      expect(() => stale.toShared()).toThrow(InvalidSegmentError);
      expect(() => stale.release()).toThrow(InvalidSegmentError);
      // Dispose of a dead segment does nothing.
      expect(() => stale[Symbol.dispose]()).not.toThrow();
    }
    expect(() => other.adopt(value)).toThrow(InvalidSegmentError);
    expect(whole.read(4096, 2)).toEqual(new Uint8Array(2));
    whole.release();
    pool.validate();
    other.close();
    pool.close();
  });

  it('an attachment closed with a wait pending never takes the lock again (its row reads as gone, so it could be taken over mid-section)', async () => {
    const pool = sharedPool(kind, 64 * 1024, extra);
    const other = attachPool(pool.share());
    const rest = fill(pool, 4096);
    const pending = other.acquireAsync(4096).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 10));
    other.close();
    expect(await pending).toBeInstanceOf(Error);
    const lock = coreOf(other).shared!.lock;
    const takes = vi.spyOn(lock, 'acquire');
    const runs = vi.spyOn(lock, 'run');
    // The releases bump the epoch the closed attachment was asleep on.
    for (const segment of rest) segment.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(takes.mock.calls.length + runs.mock.calls.length).toBe(0);
    expect(new Int32Array(pool.share().buffers.header)[HEADER.epochSleepers]).toBe(0);
    pool.close();
  });

  it('adopt of a value whose tag name was changed: refused (the stats count the range under its own tag)', async () => {
    const pool = sharedPool(kind, 64 * 1024, extra);
    const [worker] = await workersOn(pool, 1);
    const segment = pool.acquire(1000, { tag: 'real' });
    const answers = (await worker!.ask({ op: 'adopt', values: [{ ...segment.toShared(), tag: 'forged' }] })) as { error?: { name: string } }[];
    expect(answers.map((answer) => answer.error?.name)).toEqual(['InvalidSegmentError']);
    segment.release();
    expect(await worker!.ask({ op: 'close' })).toBe('closed');
    pool.close();
  });

  it('a holder that died in the middle of a release: the repair counts the tag and the releases by the records (validate() checks both)', async () => {
    const pool = sharedPool(kind, 1024 * 1024, extra);
    const [worker] = await workersOn(pool, 1);
    // The worker's acquire is re-entrant inside its held lock; then half its release.
    expect(await worker!.ask({ op: 'hold-lock', corrupt: 'release' })).toBe('holding');
    await worker!.worker.terminate();
    const segment = pool.acquire(1000);
    pool.validate();
    const stats = pool.stats();
    expect(stats.tags['victim']).toEqual(expect.objectContaining({ liveSegments: 0, liveBytes: 0 }));
    expect(stats.acquires - stats.releases).toBe(stats.liveSegments);
    expect(stats.liveSegments).toBe(1);
    segment.release();
    expect(pool.stats()).toMatchObject({ liveSegments: 0, largestFreeRange: 1024 * 1024 });
    pool.close();
    expectAclBalanced(kind);
  });

  it('while waiting, and while holding segments: the others go on, its posted segments can be released, close frees once', async () => {
    const pool = sharedPool(kind, 1024 * 1024, extra);
    const [holder, waiter, other] = await workersOn(pool, 3);
    const values = (await holder!.ask({ op: 'acquire', lens: [100_000, 200_000, 300_000] })) as unknown[];
    const ownerOf = (length: number) => pool.snapshot().segments.filter((segment) => segment.length === length).map((segment) => segment.attachment);
    const [holderAttachment] = ownerOf(300_000);
    expect(holderAttachment).toBeGreaterThan(0);
    const rest = fill(pool, 60 * 1024);
    expect(await waiter!.ask({ op: 'wait', len: 60 * 1024 })).toBe('queued');
    await Promise.all([holder!.worker.terminate(), waiter!.worker.terminate()]);
    // The dead waiter's head goes out of the line (found within a re-check): this thread's wait is served.
    const mine = pool.acquireAsync(60 * 1024);
    rest.pop()!.release();
    await mine;
    // The dead waiter was counted asleep on the release epoch: detaching its row uncounted it, so
    // releases stop bumping and notifying for it (they did for the pool's whole life).
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(new Int32Array(pool.share().buffers.header)[HEADER.epochSleepers]).toBe(0);
    // Another worker adopts and releases two of the dead holder's segments; the third stays allocated.
    expect(await other!.ask({ op: 'adopt', values: values.slice(0, 2), release: true })).toEqual([{ ok: expect.any(Number) }, { ok: expect.any(Number) }]);
    pool.validate();
    // The snapshot still tells whose it is.
    expect(ownerOf(300_000)).toEqual([holderAttachment]);
    expect(ownerOf(100_000)).toEqual([]);
    expect(await other!.ask({ op: 'try', method: 'validate' })).toEqual({ ok: true });
    pool.close();
    expectAclBalanced(kind);
  });

  it('terminated at a random moment of an acquire/release loop, again and again: the pool is never left invalid', async () => {
    const pool = sharedPool(kind, 1024 * 1024, extra);
    const rng = { seed: 0x7e57 };
    const next = (bound: number) => {
      rng.seed = (rng.seed * 1103515245 + 12345) >>> 0;
      return rng.seed % bound;
    };
    for (let round = 0; round < 3; round++) {
      const workers = await workersOn(pool, 4);
      await Promise.all(workers.map((worker) => worker.ask({ op: 'loop' })));
      await Promise.all(
        workers.map(async (worker) => {
          await new Promise((resolve) => setTimeout(resolve, next(40)));
          await worker.worker.terminate();
        }),
      );
      // Whatever a dead worker left (the lock, a half-done section), this thread's calls repair.
      const segment = pool.acquire(4096);
      segment.release();
      pool.validate();
      started.splice(0);
    }
    pool.close();
    expectAclBalanced(kind);
  });
});

describe.each(BACKENDS.filter(({ kind }) => kind !== 'acl'))('$kind: refusals across threads', ({ kind }) => {
  it('double release across threads, a stale adopted handle, a forged value, another pool: the documented errors, nothing changes', async () => {
    const pool = sharedPool(kind, 1024 * 1024);
    const [worker] = await workersOn(pool, 1);
    const segment = pool.acquire(1000);
    const value = segment.toShared();
    expect(await worker!.ask({ op: 'adopt', values: [value] })).toEqual([{ ok: segment.offset }]);
    // Released in the worker first: this thread's handle is released too, and a second release anywhere is refused.
    expect(await worker!.ask({ op: 'release', indexes: [0] })).toEqual([{ ok: true }]);
    expect(segment.released).toBe(true);
    const before = JSON.stringify(pool.stats());
    expect(() => segment.release()).toThrow(expect.objectContaining({ code: 'ERR_DVPP_INVALID_SEGMENT' }));
    expect(await worker!.ask({ op: 'release', indexes: [0] })).toEqual([{ error: { name: 'InvalidSegmentError', message: expect.stringMatching(/released already/) } }]);
    expect(() => segment.write(new Uint8Array(1))).toThrow(/released already/);
    // The stale value again, after its node was reused by a new segment.
    const reused = pool.acquire(1000);
    expect(reused.offset).toBe(segment.offset);
    const [stale] = (await worker!.ask({ op: 'adopt', values: [value] })) as { error: { name: string } }[];
    expect(stale).toEqual({ error: { name: 'InvalidSegmentError', message: expect.stringMatching(/released already/) } });
    reused.release();
    expect(JSON.stringify(pool.stats())).not.toBe(before);
    // Forged values: fields changed, missing or of the wrong type; not an object at all.
    const live = pool.acquire(2000);
    const good = live.toShared();
    const forged = [{ ...good, offset: good.offset + 128 }, { ...good, length: good.length + 1 }, { ...good, generation: good.generation + 1 }, { ...good, node: good.node + 1 }, { ...good, type: 'x' }, { ...good, node: -1 }, { ...good, node: 1.5 }, { ...good, node: 2 ** 40 }];
    const answers = (await worker!.ask({ op: 'adopt', values: forged })) as { error: { name: string } }[];
    expect(answers.map((answer) => answer.error?.name)).toEqual(forged.map(() => 'InvalidSegmentError'));
    expect(() => pool.adopt(null as never)).toThrow(TypeError);
    // A tag added to an untagged range's value, or taken from a tagged one's: the release would count the tag's figures wrong.
    const tagged = pool.acquire(2000, { tag: 'forged?' });
    const { tag: _dropped, ...untaggedValue } = tagged.toShared();
    void _dropped;
    const retagged = (await worker!.ask({ op: 'adopt', values: [{ ...good, tag: 'forged?' }, untaggedValue] })) as { error: { name: string } }[];
    expect(retagged.map((answer) => answer.error?.name)).toEqual(['InvalidSegmentError', 'InvalidSegmentError']);
    tagged.release();
    expect(pool.stats().tags['forged?']).toEqual(expect.objectContaining({ liveSegments: 0, liveBytes: 0 }));
    // Another shared pool's value.
    const other = sharedPool(kind, 64 * 1024);
    const foreign = other.acquire(100).toShared();
    expect(() => pool.adopt(foreign)).toThrow(expect.objectContaining({ code: 'ERR_DVPP_INVALID_SEGMENT', message: expect.stringMatching(/another pool/) }));
    expect(await worker!.ask({ op: 'adopt', values: [foreign] })).toEqual([{ error: { name: 'InvalidSegmentError', message: expect.stringMatching(/another pool/) } }]);
    expect(pool.stats().liveSegments).toBe(1);
    pool.validate();
    live.release();
    // A plain pool has no adopt, and its segments no toShared.
    const plain = createPool({ size: 64 * 1024, backend: kind });
    open.push(plain);
    expect(() => plain.adopt(good)).toThrow(TypeError);
    expect(() => plain.acquire(10).toShared()).toThrow(TypeError);
  });
});

describe.each(BACKENDS)('$kind: lifetime across threads', ({ kind, extra }) => {
  it("the creator's close closes the pool for every thread: their calls throw PoolClosedError, their waiters reject", async () => {
    const pool = sharedPool(kind, 256 * 1024, extra);
    const [worker] = await workersOn(pool, 1);
    fill(pool, 60 * 1024);
    expect(await worker!.ask({ op: 'wait', len: 60 * 1024 })).toBe('queued');
    const rejected = worker!.next();
    pool.close();
    expect(await rejected).toEqual({ rejected: { name: 'PoolClosedError', message: expect.any(String) } });
    for (const method of ['acquire', 'tryAcquire', 'snapshot', 'validate', 'reset'] as const) {
      expect(await worker!.ask({ op: 'try', method, args: [10] })).toMatchObject({ error: { name: 'PoolClosedError' } });
    }
    expect(() => attachPool(pool.share())).toThrow();
    expectAclBalanced(kind);
  });

  it("an attached thread's close only detaches it: the pool goes on, its segments stay until released elsewhere", async () => {
    const pool = sharedPool(kind, 256 * 1024, extra);
    const [worker] = await workersOn(pool, 1);
    const [value] = (await worker!.ask({ op: 'acquire', lens: [5000] })) as unknown[];
    expect(await worker!.ask({ op: 'close' })).toBe('closed');
    expect(await worker!.ask({ op: 'try', method: 'acquire', args: [10] })).toMatchObject({ error: { name: 'PoolClosedError' } });
    expect(pool.closed).toBe(false);
    expect(pool.stats().liveSegments).toBe(1);
    pool.adopt(value as never).release();
    pool.acquire(100).release();
    pool.validate();
    // A second attachment in this very thread works the same way.
    const again = attachPool(pool.share());
    again.acquire(100).release();
    again.close();
    expect(pool.closed).toBe(false);
    pool.close();
    expectAclBalanced(kind);
  });

  it.each(['end', 'exit', 'terminate'] as const)("the creator's thread ends (%s) without closing: the exit paths free the block, attached pools read closed", async (how) => {
    const creator = await startPoolWorker({ create: { size: 256 * 1024, backend: kind, ...extra } });
    started.push(creator);
    const attached = attachPool((creator.ready as { share: Parameters<typeof attachPool>[0] }).share);
    const segment = attached.acquire(1000);
    if (how === 'terminate') await creator.worker.terminate();
    else void creator.worker.postMessage({ op: how });
    await creator.exited;
    // An attached pool asks about the creator's thread every so many calls (1024): within them it reads closed.
    let calls = 0;
    while (!attached.closed && calls < 4096) {
      // The release may be the call that finds out.
      const one = attached.tryAcquire(10);
      try {
        one?.release();
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidSegmentError);
      }
      calls++;
    }
    expect(attached.closed).toBe(true);
    expect(() => attached.acquire(10)).toThrow(expect.objectContaining({ code: 'ERR_DVPP_POOL_CLOSED' }));
    expect(segment.released).toBe(true);
    attached.close();
    expectAclBalanced(kind);
  });
});

describe.each(BACKENDS.filter(({ kind }) => kind !== 'acl'))('$kind: segments of an attached thread after the creator closed', ({ kind }) => {
  it('read released, and their byte access is an InvalidSegmentError', async () => {
    const creator = await startPoolWorker({ create: { size: 256 * 1024, backend: kind } });
    started.push(creator);
    const attached = attachPool((creator.ready as { share: Parameters<typeof attachPool>[0] }).share);
    const segment = attached.acquire(1000);
    expect(await creator.ask({ op: 'close' })).toBe('closed');
    expect(attached.closed).toBe(true);
    expect(segment.released).toBe(true);
    expect(() => segment.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'ERR_DVPP_INVALID_SEGMENT' }));
    expect(() => segment.release()).toThrow(expect.objectContaining({ code: 'ERR_DVPP_INVALID_SEGMENT' }));
    attached.close();
  });
});
