// SPDX-License-Identifier: MIT
// Blocks shared between threads (Backend.share/borrow; native/shared_blocks.h): for host and js,
// and acl, himpi and rt over the ACL double (whose aclrtMemset/aclrtMemcpy refuse a thread with
// no device set, so the borrowing thread's own aclrtSetDevice is what lets them pass). Bytes
// written in one thread read in the other, memset and copy through a borrowed block, a borrowed
// free refused, access after the owner's free a RangeError, and owner frees racing a worker that
// hammers the block: no crash, every access before the free completes and none after it runs.

import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, BackendBlock, BackendKind } from '../../src/backends/backend.js';
import { createBackendFor, type SelectOptions } from '../../src/backends/select.js';
import { aclDouble, freshLogPath, readCalls } from '../helpers/acl-double.js';
import { type SharedWorker, pattern, startWorker } from '../helpers/shared-worker.js';

const SIZE = 256 * 1024;
const libraryDir = aclDouble().lib64;
const KINDS: ReadonlyArray<{ kind: BackendKind; options: SelectOptions }> = [
  { kind: 'host', options: {} },
  { kind: 'js', options: {} },
  ...(['acl', 'himpi', 'rt'] as const).map((kind) => ({ kind, options: { acl: { libraryDir } } })),
];

function bytesAt(backend: Backend, block: BackendBlock, at: number, length: number): number[] {
  const out = new Uint8Array(length);
  backend.read(block, at, out);
  return [...out];
}

describe.each(KINDS)('$kind: a block shared with a worker thread', ({ kind, options }) => {
  const backend = createBackendFor(kind, options);
  let worker: SharedWorker | undefined;
  const started = async (): Promise<SharedWorker> => (worker ??= await startWorker(kind, options));
  afterAll(async () => {
    await worker?.worker.terminate();
  });

  it('reads in the worker what this thread wrote, and this thread reads what the worker wrote, set and copied', async () => {
    const block = backend.allocate(SIZE, { shareable: true });
    const written = Uint8Array.from({ length: 300 }, (_, i) => (255 - i) & 0xff);
    backend.write(block, 1024, written);
    const answer = (await (await started()).ask({ op: 'check', share: backend.share(block), at: 1024, length: 300 })) as {
      seen: Uint8Array;
      base: bigint;
      size: number;
    };
    expect([...answer.seen]).toEqual([...written]);
    expect({ base: answer.base, size: answer.size }).toEqual({ base: block.base, size: block.size });
    expect(bytesAt(backend, block, 1024 + 4096, 300)).toEqual([...pattern(300)]);
    expect(bytesAt(backend, block, 1024 + 8192 - 1, 18)).toEqual([0, ...Array<number>(16).fill(0xee), 0]);
    expect(bytesAt(backend, block, 1024 + 12288, 300)).toEqual([...pattern(300)]);
    expect(backend.free(block)).toBe(true);
  });

  it("refuses the worker's free of its borrowed block; the owner's free still works", async () => {
    const block = backend.allocate(SIZE, { shareable: true });
    expect(await (await started()).ask({ op: 'free', share: backend.share(block) })).toEqual({
      name: 'TypeError',
      message: 'Only the owner of a shared block frees it: this block was borrowed',
    });
    expect(bytesAt(backend, block, 0, 4)).toEqual([0, 0, 0, 0]);
    expect(backend.free(block)).toBe(true);
  });

  it('refuses a borrow in the worker once the owner freed the block', async () => {
    const block = backend.allocate(SIZE, { shareable: true });
    const share = backend.share(block);
    backend.free(block);
    await expect((await started()).ask({ op: 'check', share, at: 0, length: 1 })).rejects.toThrow(/freed by its owner/);
    // The worker died of it (an uncaught error): the next test starts another.
    worker = undefined;
  });

  it('frees the block while the worker hammers it: the worker sees RangeError "freed by its owner", nothing crashes', async () => {
    const hammer = await started();
    let accesses = 0;
    for (let round = 0; round < 5; round++) {
      const block = backend.allocate(SIZE, { shareable: true });
      const answer = hammer.ask({ op: 'hammer', share: backend.share(block) });
      expect(await answer).toBe('hammering');
      // Let it run a little, a different while each round, then free under its feet.
      await new Promise((resolve) => setTimeout(resolve, round * 3));
      expect(backend.free(block)).toBe(true);
      const end = (await hammer.next()) as { count: number; name: string; message: string };
      expect({ name: end.name, message: end.message }).toEqual({
        name: 'RangeError',
        message: 'The block was freed by its owner: a borrowed block has no bytes left to access',
      });
      accesses += end.count;
    }
    expect(accesses).toBeGreaterThan(0);
  });
});

describe('Ascend kinds: the borrowing thread sets the device', () => {
  it.each(['acl', 'himpi', 'rt'] as const)(
    '%s: one aclrtSetDevice in the worker per borrow, reset when the worker ends; the reads are aclrtMemcpy calls that succeed',
    async (kind) => {
      const log = freshLogPath();
      process.env['ACL_DOUBLE_LOG'] = log;
      try {
        const backend = createBackendFor(kind, { acl: { libraryDir } });
        const block = backend.allocate(SIZE, { shareable: true });
        const worker = await startWorker(kind, { acl: { libraryDir } });
        await worker.ask({ op: 'check', share: backend.share(block), at: 0, length: 64 });
        await worker.worker.terminate();
        backend.free(block);
        const calls = readCalls(log);
        const count = (name: string): number => calls.filter((call) => call.name === name && call.ret === 0).length;
        // The owner's pair around the block, and the worker's pair around its borrowed handle.
        expect({ set: count('aclrtSetDevice'), reset: count('aclrtResetDevice') }).toEqual({ set: 2, reset: 2 });
        expect(calls.filter((call) => call.name === 'aclrtMemcpy' || call.name === 'aclrtMemset').every((call) => call.ret === 0)).toBe(true);
      } finally {
        delete process.env['ACL_DOUBLE_LOG'];
      }
    },
  );
});
