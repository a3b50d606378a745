// SPDX-License-Identifier: MIT
// A child process for the exit-path tests: opens ACL pools (over the double at argv[3]), each
// grown to three blocks, with live segments, and never closes them, then ends the way argv[2] says: `end` (the script runs out),
// `exit` (process.exit), `throw` (uncaught exception), `reject` (unhandled rejection), or, with
// the pools in a worker thread, `worker-end`, `worker-exit` (process.exit in the worker) and
// `worker-terminate` (worker.terminate() from the main thread). With a block shared between the
// threads (src/backends/backend.ts share/borrow) and no pool: `worker-borrow-end`,
// `worker-borrow-exit` and `worker-borrow-terminate` (the worker borrowed the main thread's block,
// which must still work after the worker is gone), and `worker-owner-terminate` (the main thread
// borrowed the worker's block, which reads as freed by its owner once the worker is gone).

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { BlockShare } from '../../src/backends/backend.js';
import { createBackendFor } from '../../src/backends/select.js';
import { createPool } from '../../src/index.js';

const [how, libraryDir, shared] = (isMainThread ? process.argv.slice(2) : workerData) as [string, string, BlockShare?];
const keep: unknown[] = [];
const backend = createBackendFor('acl', { acl: { libraryDir } });

function openPools(count: number): void {
  for (let i = 0; i < count; i++) {
    // Each pool has grown by two blocks, so every exit path must free three blocks per pool.
    const pool = createPool({ size: 64 * 1024, maxSize: 192 * 1024, backend: 'acl', acl: { libraryDir } });
    keep.push(pool, pool.acquire(1000), pool.scope().acquire(2000), pool.acquire(64 * 1000), pool.acquire(64 * 1000));
  }
}

function startWorker(share?: BlockShare): Worker {
  // Loader hooks from --import do not reach workers on Node 20: the worker loads this file through tsx's API.
  const self = JSON.stringify(fileURLToPath(import.meta.url));
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, {
    eval: true,
    workerData: [how, libraryDir, share],
  });
}

const exited = (worker: Worker): Promise<unknown> => new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));

if (!isMainThread && how.startsWith('worker-borrow-')) {
  const block = backend.borrow(shared!);
  backend.write(block, 0, Uint8Array.of(1, 2, 3));
  keep.push(block);
  if (how === 'worker-borrow-exit') process.exit(0);
  parentPort?.postMessage('ready');
  if (how === 'worker-borrow-terminate') for (;;) backend.read(block, 0, new Uint8Array(3));
} else if (!isMainThread && how === 'worker-owner-terminate') {
  const block = backend.allocate(64 * 1024);
  keep.push(block);
  parentPort?.postMessage(backend.share(block));
} else if (how.startsWith('worker-borrow-')) {
  const block = backend.allocate(64 * 1024);
  keep.push(block);
  const worker = startWorker(backend.share(block));
  worker.on('message', () => {
    if (how === 'worker-borrow-terminate') void worker.terminate();
  });
  console.log(`worker exited with ${String(await exited(worker))}`);
  // The worker's end freed nothing it borrowed: the bytes it wrote are here, and the block is
  // freed once, at this thread's end.
  const seen = new Uint8Array(3);
  backend.read(block, 0, seen);
  if (seen.join() !== '1,2,3') throw new Error(`the worker's bytes are not there: ${seen.join()}`);
} else if (how === 'worker-owner-terminate') {
  const worker = startWorker();
  const share = (await new Promise((resolve) => worker.once('message', resolve))) as BlockShare;
  const borrowed = backend.borrow(share);
  backend.write(borrowed, 0, Uint8Array.of(4, 5, 6));
  await worker.terminate();
  let refused = false;
  try {
    backend.read(borrowed, 0, new Uint8Array(3));
  } catch (error) {
    refused = error instanceof RangeError && /freed by its owner/.test(error.message);
  }
  if (!refused) throw new Error("the borrowed block still reads after its owner's thread ended");
} else if (!isMainThread) {
  openPools(2);
  if (how === 'worker-exit') process.exit(0);
  parentPort?.postMessage('ready');
} else if (how.startsWith('worker-')) {
  openPools(1);
  const worker = startWorker();
  worker.on('message', () => {
    if (how === 'worker-terminate') void worker.terminate();
  });
  console.log(`worker exited with ${String(await exited(worker))}`);
} else {
  openPools(2);
  if (how === 'exit') process.exit(0);
  if (how === 'throw') throw new Error('uncaught on purpose, with live pools');
  if (how === 'reject') void Promise.reject(new Error('unhandled rejection on purpose, with live pools'));
}
