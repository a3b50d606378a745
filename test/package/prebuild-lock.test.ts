// SPDX-License-Identifier: MIT
// scripts/prebuild.mjs's lock: a build that outlasts the stale age keeps its lock (the holder
// touches it), so a second build waits instead of sharing the staging folder; a lock whose
// holder is gone is taken over. Short stale ages stand in for the real 10 minutes.

import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withLock } from '../../scripts/prebuild.mjs';

let work: string | undefined;
afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the prebuild lock', () => {
  it('is not taken over while its holder runs longer than the stale age', async () => {
    work = mkdtempSync(join(tmpdir(), 'dvpp-pool-lock-'));
    const lock = join(work, 'x64.lock');
    const events: string[] = [];
    const first = withLock(lock, async () => {
      events.push('first start');
      await sleep(1500);
      events.push('first end');
    }, { staleMs: 500 });
    await sleep(100);
    const second = withLock(lock, async () => {
      events.push('second start');
    }, { staleMs: 500 });
    await Promise.all([first, second]);
    expect(events).toEqual(['first start', 'first end', 'second start']);
  });

  it('takes over a lock untouched for the stale age', async () => {
    work ??= mkdtempSync(join(tmpdir(), 'dvpp-pool-lock-'));
    const lock = join(work, 'dead.lock');
    mkdirSync(lock);
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    expect(await withLock(lock, async () => 'ran', { staleMs: 5_000 })).toBe('ran');
  });
});
