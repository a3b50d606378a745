// SPDX-License-Identifier: MIT
// Starts test/native/shared-worker.ts in a worker thread (through tsx's API: loader hooks from
// --import do not reach workers on Node 20) and talks to it one task, one answer at a time.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { BackendKind, BlockShare } from '../../src/backends/backend.js';
import type { SelectOptions } from '../../src/backends/select.js';

/** What a worker is told to do; see test/native/shared-worker.ts's header. */
export type WorkerTask =
  | { readonly op: 'check'; readonly share: BlockShare; readonly at: number; readonly length: number }
  | { readonly op: 'free' | 'hammer'; readonly share: BlockShare }
  | { readonly op: 'thread' | 'busy' | 'end' | 'exit' };

/** The pattern `check` writes: byte i is (i * 7 + 1) & 0xff. */
export function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 1) & 0xff);
}

/** A started worker: `ask` sends a task and resolves with its next message. */
export interface SharedWorker {
  readonly worker: Worker;
  ask(task: WorkerTask): Promise<unknown>;
  /** The next message, without sending anything. */
  next(): Promise<unknown>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
}

const script = JSON.stringify(new URL('../native/shared-worker.ts', import.meta.url).href);
const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));

/** A worker with `kind`'s backend (made with `options`), once it said it is ready. */
export async function startWorker(kind: BackendKind, options: SelectOptions = {}): Promise<SharedWorker> {
  const worker = new Worker(`import(${api}).then(({ tsImport }) => tsImport(${script}, ${script}))`, {
    eval: true,
    workerData: { kind, options },
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  // events.once rejects when the worker emits 'error' first.
  const next = async (): Promise<unknown> => (await once(worker, 'message'))[0];
  const ready = await next();
  if (ready !== 'ready') throw new Error(`the worker said ${String(ready)} before it was ready`);
  return {
    worker,
    next,
    exited,
    ask(task) {
      const answer = next();
      worker.postMessage(task);
      return answer;
    },
  };
}
