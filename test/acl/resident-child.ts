// SPDX-License-Identifier: MIT
// A child process for test/acl/resident.test.ts: ACL pools that live only in worker threads, so
// the addon is loaded and unloaded with each worker unless it stays resident. argv:
//   workers <libraryDir>                      three workers one after another, each with an acl
//                                             pool (some left open), then a pool on the main thread
//   copies <libraryDir> <addon copy> <ending> a worker's pool through the package, a second copy
//                                             of the addon (another .node file) on the main thread
//                                             before and after the worker ends; <ending> is `end`
//                                             (the script runs out) or `exit` (process.exit)
// Prints one JSON line: what each pool read back, or the failure it met.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DVPP_MAX_BLOCK_BYTES, createPool } from '../../src/index.js';
import type { DvppPoolAddon, NativeBlock } from '../../src/backends/native.js';

const [mode, libraryDir, addonCopy, ending] = (isMainThread ? process.argv.slice(2) : workerData) as string[];
const keep: unknown[] = [];

/** One acl pool through the package: writes `mark`, reads it back, closes the pool if asked. */
function packagePool(mark: number, close: boolean): { base: string; read: number[] } {
  const pool = createPool({ size: 64 * 1024, backend: 'acl', acl: { libraryDir: libraryDir! } });
  const segment = pool.acquire(1000);
  segment.write(new Uint8Array([mark, mark + 1]));
  const result = { base: pool.baseAddress.toString(), read: Array.from(segment.read(0, 2)) };
  if (close) pool.close();
  else keep.push(pool, segment);
  return result;
}

function startWorker(data: unknown[]): Worker {
  // Loader hooks from --import do not reach workers on Node 20: the worker loads this file through tsx's API.
  const self = JSON.stringify(fileURLToPath(import.meta.url));
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${self}, ${self}))`, { eval: true, workerData: data });
}

function ended(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
}

function message(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
}

/** One block from the raw addon `addon` (the second copy): writes `mark` and reads it back. */
function copyBlock(addon: DvppPoolAddon, mark: number): unknown {
  const block = addon.allocateAcl(64 * 1024, 0, libraryDir, 'acl', DVPP_MAX_BLOCK_BYTES);
  if (!('base' in block)) return { failed: block };
  keep.push(block);
  addon.write(block as NativeBlock, 0, new Uint8Array([mark, mark + 1]));
  const read = new Uint8Array(2);
  addon.read(block as NativeBlock, 0, read);
  return { base: block.base.toString(), read: Array.from(read) };
}

if (!isMainThread) {
  const [, , , , index] = workerData as [string, string, string, string, number];
  // The copies case keeps its pool open; the workers case closes every other one.
  parentPort?.postMessage(packagePool(10 * index, mode === 'workers' && index % 2 === 1));
  // In the copies case the worker ends only when told, so the main thread's copy initialises meanwhile.
  if (mode === 'copies') parentPort?.once('message', () => parentPort?.close());
} else if (mode === 'workers') {
  const workers: unknown[] = [];
  for (let index = 0; index < 3; index++) {
    const worker = startWorker([mode, libraryDir, '', '', index]);
    workers.push(await message(worker));
    await ended(worker);
  }
  // The main thread's first pool comes after every worker that loaded the addon has ended.
  let main: unknown;
  try {
    main = packagePool(100, false);
  } catch (error) {
    main = { failed: String(error) };
  }
  process.stdout.write(`${JSON.stringify({ workers, main })}\n`);
} else {
  const worker = startWorker([mode, libraryDir, '', '', 1]);
  const fromWorker = await message(worker);
  const addon = createRequire(import.meta.url)(addonCopy!) as DvppPoolAddon;
  const before = copyBlock(addon, 20);
  worker.postMessage('end');
  await ended(worker);
  const after = copyBlock(addon, 30);
  process.stdout.write(`${JSON.stringify({ worker: fromWorker, before, after })}\n`);
  if (ending === 'exit') process.exit(0);
}
