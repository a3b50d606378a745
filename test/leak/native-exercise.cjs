// SPDX-License-Identifier: MIT
// Exercises every native entry point for test/leak/valgrind.sh: host blocks and ACL blocks (over
// the test double at argv[3]): allocate, write/read/memset/copy, bounds and argument errors,
// foreign objects and wrong receivers, detached/shared/resizable views, injected ACL failures,
// double free, GC finalizers, a worker thread that ends with live blocks, blocks shared with a
// worker (share/borrow: borrowed free refused, the owner's free while the worker hammers the
// borrowed block, borrowed handles dropped to the GC), the thread table, and an end with live
// blocks:
//   node --expose-gc native-exercise.cjs <main|exit|throw> <double lib64>
// main ends normally, exit calls process.exit(0), throw dies of an uncaught exception (exit 1).
// $DVPP_POOL_ADDON names another build of the addon to load (test/native/ubsan.test.ts).
// Plain CommonJS so valgrind runs node on it directly, without a TypeScript loader.
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const addon = process.env.DVPP_POOL_ADDON
  ? require(process.env.DVPP_POOL_ADDON)
  : require('node-gyp-build')(path.resolve(__dirname, '..', '..'));
const [mode = 'main', libraryDir] = isMainThread ? process.argv.slice(2) : workerData;
const KiB = 1024;
// DVPP_MAX_BLOCK_BYTES of src/constants.ts: the DVPP address space the addon counts blocks against.
const DVPP_LIMIT = 16 * 2 ** 30;
const keep = [];

function block(made) {
  if (!('base' in made)) throw new Error(`allocation failed: ${JSON.stringify(made)}`);
  return made;
}

function exerciseBytes(b) {
  const pattern = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  assert.equal(addon.write(b, 128, pattern), undefined);
  const back = new Uint8Array(300);
  assert.equal(addon.read(b, 128, back), undefined);
  assert.deepEqual(back, pattern);
  assert.equal(addon.memset(b, 0, b.size, 0x5a), undefined);
  addon.read(b, b.size - 4, back.subarray(0, 4));
  assert.deepEqual(Array.from(back.subarray(0, 4)), [0x5a, 0x5a, 0x5a, 0x5a]);
  addon.write(b, 0, new DataView(new SharedArrayBuffer(64), 8, 16));
  addon.read(b, 0, new Float64Array(4));
  // Empty views, whose data pointer may be null: nothing to copy, nothing to touch.
  for (const empty of [new Uint8Array(0), new DataView(new ArrayBuffer(0)), Buffer.alloc(0), new Uint8Array(new ArrayBuffer(8), 8)]) {
    for (const at of [0, b.size]) {
      assert.equal(addon.write(b, at, empty), undefined);
      assert.equal(addon.read(b, at, empty), undefined);
    }
  }
  assert.equal(addon.memset(b, b.size, 0, 1), undefined);
  // copy inside the block: both directions, up to the last byte, and empty ranges at either end.
  addon.write(b, 0, pattern);
  assert.equal(addon.copy(b, b.size - 300, 0, 300), undefined);
  assert.equal(addon.copy(b, 0, b.size - 150, 150), undefined);
  addon.read(b, b.size - 300, back);
  assert.deepEqual(back, pattern);
  for (const [dst, src] of [[0, 0], [b.size, 0], [0, b.size], [b.size, b.size]]) assert.equal(addon.copy(b, dst, src, 0), undefined);
}

function exerciseErrors(b) {
  const range = [
    () => addon.memset(b, b.size, 1, 0),
    () => addon.memset(b, 0, b.size + 1, 0),
    () => addon.write(b, b.size - 1, new Uint8Array(2)),
    () => addon.read(b, 2 ** 53 - 1, new Uint8Array(1)),
    () => addon.read(b, -1, new Uint8Array(1)),
    () => addon.memset(b, 0.5, 1, 0),
    () => addon.memset(b, NaN, 1, 0),
    () => addon.copy(b, b.size, 0, 1),
    () => addon.copy(b, 0, b.size - 1, 2),
    () => addon.copy(b, 2 ** 53 - 1, 2 ** 53 - 1, 2 ** 53 - 1),
    () => addon.copy(b, 0, 2 ** 53, 1),
    () => addon.copy(b, -1, 0, 1),
    () => addon.copy(b, 0, 0, NaN),
    () => addon.copy(b, 10, 0, 11),
    () => addon.copy(b, 0, 0, 1),
  ];
  for (const call of range) assert.throws(call, RangeError);
  const shrinking = new ArrayBuffer(256, { maxByteLength: 1024 });
  const stale = new Uint8Array(shrinking, 64, 128);
  shrinking.resize(100);
  const detachedSource = new ArrayBuffer(64);
  const detached = new Uint8Array(detachedSource);
  structuredClone(detachedSource, { transfer: [detachedSource] });
  const foreign = [{ ...b }, Object.create(b), new Proxy(b, {}), Object.freeze({ base: b.base, size: b.size }), null, 1, 'block'];
  const type = [
    ...foreign.flatMap((f) => [
      () => addon.free(f),
      () => addon.memset(f, 0, 1, 0),
      () => addon.read(f, 0, new Uint8Array(1)),
      () => addon.write(f, 0, new Uint8Array(1)),
      () => addon.copy(f, 128, 0, 1),
    ]),
    () => addon.copy(b, '128', 0, 1),
    () => addon.copy(b, 128, 0),
    () => addon.memset.call(b, {}, 0, 1, 0),
    () => addon.write(b, 0, [1, 2, 3]),
    () => addon.write(b, 0, new ArrayBuffer(4)),
    () => addon.write(b, 0, detached),
    () => addon.memset(b, 0, 1, '1'),
    () => addon.memset(b, 1n, 1, 0),
    () => addon.allocateHost('4096'),
    () => addon.allocateAcl(4096, 0, 42, 'acl', DVPP_LIMIT),
  ];
  for (const call of type) assert.throws(call, TypeError);
  // V8 reports a view left past the end by a shrink as empty (or the addon refuses it): either
  // way no byte outside the buffer may be touched, which is what valgrind checks here.
  try {
    addon.read(b, 0, stale);
    addon.write(b, 0, stale);
  } catch (error) {
    assert.ok(error instanceof RangeError || error instanceof TypeError, String(error));
  }
}

function exerciseFree(b) {
  assert.equal(addon.free(b), true);
  assert.equal(addon.free(b), false);
  assert.throws(() => addon.memset(b, 0, 1, 0), RangeError);
  assert.throws(() => addon.write(b, 0, new Uint8Array(1)), RangeError);
  assert.throws(() => addon.read(b, 0, new Uint8Array(1)), RangeError);
  assert.throws(() => addon.copy(b, 128, 0, 1), RangeError);
}

function withEnv(name, value, action) {
  process.env[name] = value;
  try {
    return action();
  } finally {
    delete process.env[name];
  }
}

function exerciseHost() {
  assert.equal(addon.free(block(addon.allocateHost(1))), true);
  for (const size of [4 * KiB, 1 << 20]) {
    const b = block(addon.allocateHost(size));
    exerciseBytes(b);
    exerciseErrors(b);
    exerciseFree(b);
  }
  const failure = addon.allocateHost(2 ** 53 - 1);
  assert.equal(failure.op, 'mmap');
  // Dropped at once: the GC finalizers release them.
  for (let i = 0; i < 20; i++) block(addon.allocateHost(64 * KiB));
  keep.push(block(addon.allocateHost(64 * KiB)), block(addon.allocateHost(4 * KiB)));
}

function exerciseAclFaults(b) {
  assert.equal(withEnv('ACL_DOUBLE_FAIL_MEMSET', '507899', () => addon.memset(b, 0, 16, 1)).op, 'aclrtMemset');
  assert.equal(withEnv('ACL_DOUBLE_FAIL_MEMCPY', '107000', () => addon.write(b, 0, new Uint8Array(8))).op, 'aclrtMemcpy');
  assert.equal(withEnv('ACL_DOUBLE_FAIL_MEMCPY', '107000', () => addon.read(b, 0, new Uint8Array(8))).op, 'aclrtMemcpy');
  assert.equal(withEnv('ACL_DOUBLE_FAIL_MEMCPY', '107000', () => addon.copy(b, 128, 0, 8)).op, 'aclrtMemcpy');
  assert.equal(withEnv('ACL_DOUBLE_FAIL_MALLOC', '1', () => addon.allocateAcl(4096, 0, libraryDir, 'acl', DVPP_LIMIT)).error, 207001);
  assert.equal(addon.allocateAcl(4096, 7, libraryDir, 'acl', DVPP_LIMIT).op, 'aclrtSetDevice');
  const failing = block(addon.allocateAcl(4096, 0, libraryDir, 'acl', DVPP_LIMIT));
  assert.equal(withEnv('ACL_DOUBLE_FAIL_FREE', '1', () => addon.free(failing)).op, 'acldvppFree');
  assert.equal(addon.free(failing), false);
  // The V2 and runtime allocators' faults, and the misaligned base every allocator refuses.
  assert.equal(withEnv('ACL_DOUBLE_FAIL_HIMPI_MALLOC', '1', () => addon.allocateAcl(4096, 0, libraryDir, 'himpi', DVPP_LIMIT)).op, 'hi_mpi_dvpp_malloc');
  assert.equal(withEnv('ACL_DOUBLE_FAIL_RT_MALLOC', '1', () => addon.allocateAcl(4096, 0, libraryDir, 'rt', DVPP_LIMIT)).error, 207001);
  assert.equal(withEnv('ACL_DOUBLE_MISALIGN', '64', () => addon.allocateAcl(4096, 0, libraryDir, 'himpi', DVPP_LIMIT)).error, 200000);
  const himpi = block(addon.allocateAcl(4096, 0, libraryDir, 'himpi', DVPP_LIMIT));
  assert.equal(withEnv('ACL_DOUBLE_FAIL_HIMPI_FREE', '1', () => addon.free(himpi)).op, 'hi_mpi_dvpp_free');
  const rt = block(addon.allocateAcl(4096, 0, libraryDir, 'rt', DVPP_LIMIT));
  assert.equal(withEnv('ACL_DOUBLE_FAIL_RT_FREE', '1', () => addon.free(rt)).op, 'aclrtFree');
}

function exerciseAcl() {
  // Once loaded, the ACL libraries serve the whole process, a worker's calls included.
  if (isMainThread) {
    assert.ok('reason' in addon.allocateAcl(4096, 0, '/nonexistent', 'acl', DVPP_LIMIT));
    assert.ok('reason' in addon.aclProbe('/nonexistent'));
  }
  assert.ok('runtimePath' in addon.aclProbe(libraryDir));
  const b = block(addon.allocateAcl(64 * KiB, 0, libraryDir, 'acl', DVPP_LIMIT));
  exerciseBytes(b);
  exerciseErrors(b);
  // A worker's process.env is its own copy, which the double's getenv() never sees.
  if (isMainThread) exerciseAclFaults(b);
  exerciseFree(b);
  for (const allocator of ['himpi', 'rt']) {
    const other = block(addon.allocateAcl(64 * KiB, 0, libraryDir, allocator, DVPP_LIMIT));
    exerciseBytes(other);
    exerciseFree(other);
  }
  // Refused by the process's DVPP address-space count before any ACL call.
  assert.ok('inUse' in addon.allocateAcl(8 * KiB, 0, libraryDir, 'himpi', 4 * KiB));
  for (let i = 0; i < 10; i++) block(addon.allocateAcl(4096, 0, libraryDir, ['acl', 'himpi', 'rt'][i % 3], DVPP_LIMIT));
  for (const allocator of ['acl', 'himpi', 'rt']) keep.push(block(addon.allocateAcl(8 * KiB, 0, libraryDir, allocator, DVPP_LIMIT)));
}

function exerciseShareHere(made) {
  const b = block(made);
  const share = addon.share(b);
  assert.deepEqual(addon.share(b), share);
  const borrowed = block(addon.borrow(share.id, share.base, share.size));
  exerciseBytes(borrowed);
  assert.throws(() => addon.free(borrowed), TypeError);
  assert.throws(() => addon.borrow(share.id, share.base + 128n, share.size), RangeError);
  assert.throws(() => addon.borrow(share.id, 1, share.size), TypeError);
  assert.throws(() => addon.borrow(2 ** 40, share.base, share.size), RangeError);
  // Dropped at once: its finalizer must leave the owner's memory alone.
  block(addon.borrow(share.id, share.base, share.size));
  assert.equal(addon.free(b), true);
  for (const call of [
    () => addon.memset(borrowed, 0, 1, 0),
    () => addon.write(borrowed, 0, new Uint8Array(1)),
    () => addon.read(borrowed, 0, new Uint8Array(1)),
    () => addon.copy(borrowed, 128, 0, 1),
    () => addon.share(borrowed),
  ]) {
    assert.throws(call, RangeError);
  }
  assert.throws(() => addon.borrow(share.id, share.base, share.size), RangeError);
  assert.throws(() => addon.share(b), RangeError);
}

// The worker's half of exerciseShareAcross: borrow, read until the owner frees, report.
function hammer(share) {
  const borrowed = block(addon.borrow(share.id, share.base, share.size));
  // Half the block a read: valgrind switches threads inside so long a copy, so the owner's free
  // lands while one is in flight (without Revoke's wait, valgrind reports reads of freed memory).
  const bytes = new Uint8Array(share.size / 2);
  parentPort.postMessage('hammering');
  let count = 0;
  for (;;) {
    try {
      addon.read(borrowed, (count % 2) * bytes.length, bytes);
      addon.memset(borrowed, 0, 128, count & 0xff);
      count++;
    } catch (error) {
      assert.ok(error instanceof RangeError && /freed by its owner/.test(error.message), String(error));
      return count;
    }
  }
}

// The owner frees while a worker reads the block: valgrind sees any access to released memory.
async function exerciseShareAcross(made) {
  const b = block(made);
  const worker = new Worker(__filename, { workerData: ['hammer', libraryDir, addon.share(b)] });
  const next = () => new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  assert.equal(await next(), 'hammering');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(addon.free(b), true);
  assert.ok(typeof (await next()) === 'number');
  await new Promise((resolve) => worker.once('exit', resolve));
}

function exerciseThreads() {
  const id = addon.registerThread();
  assert.equal(addon.registerThread(), id);
  assert.equal(addon.threadAlive(id), true);
  assert.throws(() => addon.threadAlive(0), RangeError);
  assert.throws(() => addon.threadAlive('1'), TypeError);
  return id;
}

async function exerciseSharing() {
  exerciseShareHere(addon.allocateHost(64 * KiB));
  await exerciseShareAcross(addon.allocateHost(16 << 20));
  if (libraryDir !== undefined) {
    for (const allocator of ['acl', 'himpi', 'rt']) exerciseShareHere(addon.allocateAcl(64 * KiB, 0, libraryDir, allocator, DVPP_LIMIT));
    await exerciseShareAcross(addon.allocateAcl(16 << 20, 0, libraryDir, 'acl', DVPP_LIMIT));
  }
  // A live block shared and borrowed at the end: the exit paths free it once, through its owner.
  const last = block(addon.allocateHost(4 * KiB));
  const share = addon.share(last);
  keep.push(last, addon.borrow(share.id, share.base, share.size));
}

async function collect() {
  for (let i = 0; i < 5; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function main() {
  if (mode === 'hammer') {
    parentPort.postMessage(hammer(workerData[2]));
    return;
  }
  exerciseHost();
  if (libraryDir !== undefined) exerciseAcl();
  const thread = exerciseThreads();
  await collect();
  if (!isMainThread) {
    parentPort?.postMessage(thread);
    return;
  }
  await exerciseSharing();
  await collect();
  // A worker that ends with live blocks, then one that is terminated with live blocks.
  for (const terminate of [false, true]) {
    const worker = new Worker(__filename, { workerData: ['worker', libraryDir] });
    let thread;
    worker.once('message', (id) => (thread = id));
    if (terminate) worker.once('online', () => setTimeout(() => worker.terminate(), 50));
    const code = await new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', resolve);
    });
    assert.equal(code, terminate ? 1 : 0);
    if (thread !== undefined) assert.equal(addon.threadAlive(thread), false);
  }
  globalThis.keep = keep;
  console.log(`native exercise (${mode}) done, ending with ${keep.length} live objects`);
  if (mode === 'exit') process.exit(0);
  if (mode === 'throw') throw new Error('uncaught on purpose, with live blocks');
}

main().catch((error) => {
  // Only the deliberate uncaught exception may end the process with code 1.
  if (mode === 'throw' && /on purpose/.test(error.message)) throw error;
  console.error(error);
  process.exit(2);
});
