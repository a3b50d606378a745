// SPDX-License-Identifier: MIT
// A worker thread for test/native/shared-blocks.test.ts and threads.test.ts: makes the backend
// of workerData.kind (createBackendFor, the creator's options) and runs one task per message,
// answering each with one message (test/helpers/shared-worker.ts starts it):
//   check    borrow the share, read `length` bytes at `at`, then write a pattern at `at + 4096`,
//            memset 16 bytes at `at + 8192` to 0xee and copy the pattern to `at + 12288`;
//   free     borrow the share and try to free the borrowed block;
//   hammer   borrow the share, say 'hammering', then read, write and memset through it until a
//            RangeError (the owner freed it); answers the count and the error;
//   thread   answer registerThread();
//   busy     a JS loop that never ends (for terminate());
//   end      close the port, so the script runs out (no answer);
//   exit     process.exit(0).

import { parentPort, workerData } from 'node:worker_threads';
import type { BackendKind } from '../../src/backends/backend.js';
import { createBackendFor, type SelectOptions } from '../../src/backends/select.js';
import { registerThread } from '../../src/backends/threads.js';
import { type WorkerTask, pattern } from '../helpers/shared-worker.js';

function failure(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.constructor.name, message: error.message } : { name: 'unknown', message: String(error) };
}

const { kind, options } = workerData as { kind: BackendKind; options: SelectOptions };
const backend = createBackendFor(kind, options);

parentPort?.on('message', (task: WorkerTask) => {
  if (task.op === 'check') {
    const block = backend.borrow(task.share);
    const seen = new Uint8Array(task.length);
    backend.read(block, task.at, seen);
    backend.write(block, task.at + 4096, pattern(task.length));
    backend.memset(block, task.at + 8192, 16, 0xee);
    backend.copy(block, task.at + 12288, task.at + 4096, task.length);
    parentPort?.postMessage({ seen, base: block.base, size: block.size });
  } else if (task.op === 'free') {
    const block = backend.borrow(task.share);
    try {
      parentPort?.postMessage({ freed: backend.free(block) });
    } catch (error) {
      parentPort?.postMessage(failure(error));
    }
  } else if (task.op === 'hammer') {
    const block = backend.borrow(task.share);
    const bytes = new Uint8Array(4096);
    let count = 0;
    parentPort?.postMessage('hammering');
    try {
      for (;;) {
        const at = (count * 4096) % (block.size - 4096);
        backend.read(block, at, bytes);
        backend.write(block, at, bytes);
        backend.memset(block, at, 128, count & 0xff);
        count++;
      }
    } catch (error) {
      parentPort?.postMessage({ count, ...failure(error) });
    }
  } else if (task.op === 'thread') {
    parentPort?.postMessage(registerThread());
  } else if (task.op === 'busy') {
    for (;;);
  } else if (task.op === 'end') {
    parentPort?.close();
  } else {
    process.exit(0);
  }
});
parentPort?.postMessage('ready');
