// SPDX-License-Identifier: MIT
// Terminating a worker thread while it is inside an addon call must end only that worker: the
// process survives (test/reliability/terminate-child.cjs, in a child so an abort is observed).

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('survives 30 worker terminations in the middle of native calls', () => {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'terminate-child.cjs');
  const run = spawnSync(process.execPath, [script, '30'], { encoding: 'utf8', timeout: 60_000 });
  expect({ status: run.status, signal: run.signal, stdout: run.stdout.trim() }, run.stderr).toEqual({
    status: 0,
    signal: null,
    stdout: 'terminated 30 workers mid-call',
  });
});
