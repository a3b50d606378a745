// SPDX-License-Identifier: MIT
// A child process for the DVPP address-space count across worker threads: the main thread and a
// worker share one count (the addon's std::atomic), so neither can pass the limit the other is
// near. $DVPP_POOL_TEST_DVPP_LIMIT (256 KiB, set by the test) stands in for the 16 GiB. Prints one
// JSON line: each step's outcome, in order.
//   DVPP_TEST_LIBRARY_DIR  the ACL double's lib64

import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { createPool } from '../../src/index.js';
import { DvppAddressSpaceError } from '../../src/errors.js';
import type { Pool } from '../../src/pool/pool.js';

const KiB = 1024;
const libraryDir = process.env['DVPP_TEST_LIBRARY_DIR'];

/** A pool of `kind`, or the refusal's figures. */
function attempt(kind: 'acl' | 'himpi' | 'rt', size: number): { pool: Pool } | { refused: { requested: number; inUse: number; limit: number } } {
  try {
    return { pool: createPool({ size, backend: kind, acl: { libraryDir } }) };
  } catch (error) {
    if (!(error instanceof DvppAddressSpaceError)) throw error;
    return { refused: { requested: error.requested, inUse: error.inUse, limit: error.limit } };
  }
}

const outcome = (result: ReturnType<typeof attempt>) => ('pool' in result ? { kind: result.pool.backend.kind } : result);

if (!isMainThread) {
  const steps = [outcome(attempt('himpi', 128 * KiB))];
  const held = attempt('himpi', 64 * KiB);
  steps.push(outcome(held));
  parentPort?.postMessage(steps);
  // Holds its block until the main thread has tried, then closes it and ends.
  parentPort?.once('message', () => {
    if ('pool' in held) held.pool.close();
    parentPort?.postMessage('closed');
  });
} else {
  const steps: unknown[] = [];
  const main = attempt('acl', 192 * KiB);
  steps.push(outcome(main));
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import(${api}).then(({ tsImport }) => tsImport(${self}, ${self}))`, { eval: true });
  const next = () => new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  steps.push(await next());
  steps.push(outcome(attempt('acl', 64 * KiB))); // the worker holds the last 64 KiB
  steps.push(outcome(attempt('rt', 512 * KiB))); // rt is not DVPP memory: not counted
  worker.postMessage('close');
  await next();
  await new Promise((resolve) => worker.once('exit', resolve));
  const after = attempt('acl', 64 * KiB); // the worker's block was given back
  steps.push(outcome(after));
  if ('pool' in main) main.pool.close();
  if ('pool' in after) after.pool.close();
  process.stdout.write(`${JSON.stringify(steps)}\n`);
}
