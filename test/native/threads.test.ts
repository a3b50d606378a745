// SPDX-License-Identifier: MIT
// Thread liveness (src/backends/threads.ts over native/threads.h): one id per thread, the same on
// every call, and threadAlive false once the thread's environment ended: a worker whose script
// ends, one that calls process.exit, and one terminated while it spins in a JS loop.

import { describe, expect, it } from 'vitest';
import { registerThread, threadAlive, threadTracking } from '../../src/backends/threads.js';
import { startWorker } from '../helpers/shared-worker.js';

describe('registerThread / threadAlive', () => {
  it('gives this thread one id, never 0, alive', () => {
    expect(threadTracking()).toBe('addon');
    const id = registerThread();
    expect(id).toBeGreaterThan(0);
    expect(registerThread()).toBe(id);
    expect(threadAlive(id)).toBe(true);
  });

  it('refuses an id it never gave', () => {
    expect(() => threadAlive(0)).toThrow(RangeError);
    expect(() => threadAlive(2 ** 32)).toThrow(RangeError);
    expect(() => threadAlive(-1)).toThrow(RangeError);
    expect(() => threadAlive('1' as never)).toThrow(TypeError);
  });

  it.each(['end', 'exit', 'terminate while busy'] as const)('reads a worker as ended once it is gone: %s', async (how) => {
    const worker = await startWorker('host');
    const id = (await worker.ask({ op: 'thread' })) as number;
    expect(id).not.toBe(registerThread());
    expect(threadAlive(id)).toBe(true);
    if (how === 'end') {
      worker.worker.postMessage({ op: 'end' });
    } else if (how === 'exit') {
      worker.worker.postMessage({ op: 'exit' });
    } else {
      worker.worker.postMessage({ op: 'busy' });
      // It is spinning now and never reads another message.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(threadAlive(id)).toBe(true);
      await worker.worker.terminate();
    }
    await worker.exited;
    expect(threadAlive(id)).toBe(false);
    expect(threadAlive(registerThread())).toBe(true);
  });
});
