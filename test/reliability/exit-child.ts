// SPDX-License-Identifier: MIT
// A child process for the exit-path tests: opens ACL pools (over the double at argv[3]), each
// grown to three blocks, with live segments, and never closes them, then ends the way argv[2] says: `end` (the script runs out),
// `exit` (process.exit), `throw` (uncaught exception), `reject` (unhandled rejection), or, with
// the pools in a worker thread, `worker-end`, `worker-exit` (process.exit in the worker) and
// `worker-terminate` (worker.terminate() from the main thread).

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createPool } from '../../src/index.js';

const [how, libraryDir] = (isMainThread ? process.argv.slice(2) : workerData) as [string, string];
const keep: unknown[] = [];

function openPools(count: number): void {
  for (let i = 0; i < count; i++) {
    // Each pool has grown by two blocks, so every exit path must free three blocks per pool.
    const pool = createPool({ size: 64 * 1024, maxSize: 192 * 1024, backend: 'acl', acl: { libraryDir } });
    keep.push(pool, pool.acquire(1000), pool.scope().acquire(2000), pool.acquire(64 * 1000), pool.acquire(64 * 1000));
  }
}

if (!isMainThread) {
  openPools(2);
  if (how === 'worker-exit') process.exit(0);
  parentPort?.postMessage('ready');
} else if (how.startsWith('worker-')) {
  openPools(1);
  // Loader hooks from --import do not reach workers on Node 20: the worker loads this file through tsx's API.
  const self = JSON.stringify(fileURLToPath(import.meta.url));
  const worker = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, {
    eval: true,
    workerData: [how, libraryDir],
  });
  worker.on('message', () => {
    if (how === 'worker-terminate') void worker.terminate();
  });
  const code = await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
  console.log(`worker exited with ${String(code)}`);
} else {
  openPools(2);
  if (how === 'exit') process.exit(0);
  if (how === 'throw') throw new Error('uncaught on purpose, with live pools');
  if (how === 'reject') void Promise.reject(new Error('unhandled rejection on purpose, with live pools'));
}
