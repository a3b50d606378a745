// SPDX-License-Identifier: MIT
// Backend.allocate returns zeroed memory, and the pool does not zero the block again (issue 12,
// item 21). Anonymous mmap and a new ArrayBuffer are the kernel's zero pages: a memset of them
// only committed the whole block, 1 GiB of resident memory for a 1 GiB pool, at creation. The
// resident size is measured in a child process (VmRSS plus HugetlbPages, /proc/self/status).

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHostBackend } from '../../src/backends/host.js';
import { createJsBackend } from '../../src/backends/js.js';
import type { Backend } from '../../src/backends/backend.js';
import { MIB } from '../../src/format.js';
import { makeCountingPool } from '../helpers/pool-backends.js';

const GiB = 2 ** 30;
const pool = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'pool', 'pool.ts');

/** Bytes resident in a child before and after it creates one pool of `size` on `backend`. */
function residentGrowth(backend: string, size: number): { grew: number; zeros: boolean } {
  const script = `
    import { readFileSync } from 'node:fs';
    import { createPool } from ${JSON.stringify(pool)};
    const resident = () => {
      const status = readFileSync('/proc/self/status', 'utf8');
      const kib = (key) => Number(new RegExp('^' + key + ':\\\\s+(\\\\d+) kB$', 'm').exec(status)?.[1] ?? 0);
      return (kib('VmRSS') + kib('HugetlbPages')) * 1024;
    };
    const before = resident();
    const pool = createPool({ size: ${size}, backend: ${JSON.stringify(backend)} });
    const grew = resident() - before;
    const segment = pool.acquire(100);
    const zeros = segment.read(0, 100).every((b) => b === 0);
    pool.close();
    process.stdout.write(JSON.stringify({ grew, zeros }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { grew: number; zeros: boolean };
}

describe('a fresh block is zero without a memset', () => {
  it.each(['host', 'js'])('a 1 GiB %s pool does not commit its block at creation', (backend) => {
    const { grew, zeros } = residentGrowth(backend, GiB);
    // A memset of the block made this 1 GiB; the child's own start-up noise is far below 64 MiB.
    expect(grew).toBeLessThan(64 * MIB);
    expect(zeros).toBe(true);
  });

  it.each(['host', 'js'] as const)('creating a %s pool makes no backend memset', (kind) => {
    const { pool: made, calls } = makeCountingPool(kind, 64 * 1024);
    expect(calls).toMatchObject({ allocate: 1, memset: 0 });
    made.close();
  });

  it.each([
    ['host', createHostBackend],
    ['js', createJsBackend],
  ] as const)('%s: a block allocated after a dirtied one was freed reads 0 throughout', (_kind, create: () => Backend) => {
    const backend = create();
    const size = 4 * MIB;
    const dirty = backend.allocate(size);
    backend.memset(dirty, 0, size, 0xa5);
    backend.free(dirty);
    const block = backend.allocate(size);
    try {
      const bytes = new Uint8Array(size);
      backend.read(block, 0, bytes);
      expect(bytes.every((b) => b === 0)).toBe(true);
    } finally {
      backend.free(block);
    }
  });
});
