// SPDX-License-Identifier: MIT
// `dvpp-pool demo` stopped by SIGINT, SIGTERM or SIGHUP, in a child process on the acl backend
// over the ACL test double (test/acl-double): during the run and during the comparison that
// follows it, the demo stops, frees its block (the double's call log shows the acldvppFree of
// the pointer acldvppMalloc returned), prints the summary so far and exits 128 + the signal's
// number. SIGTERM and SIGHUP used to end it with the block still held, SIGINT in the
// comparison too (exit 130 without cleanup), and SIGINT during the run exited 0.

import { constants } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AclDouble, aclDouble, devPtrOf, freshLogPath, readCalls } from '../helpers/acl-double.js';
import { startCli } from '../helpers/cli.js';

let double: AclDouble;
beforeAll(() => {
  double = aclDouble();
});

/** Resolves once the call log at `log` shows the block allocated (true), or `done` settles first (false). */
async function blockAllocated(log: string, done: Promise<unknown>): Promise<boolean> {
  let ended = false;
  void done.then(() => (ended = true));
  while (!ended) {
    if (readCalls(log).some((call) => call.name === 'acldvppMalloc')) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/**
 * Runs the demo on the double's acl backend and sends `signal` once stdout has a line matching
 * `when`, or, for `'block'`, once the call log shows the block allocated (--json prints nothing before the end).
 */
async function interrupt(signal: NodeJS.Signals, seconds: string, when: RegExp | 'block', extra: readonly string[] = []) {
  const log = freshLogPath();
  const demo = startCli(['demo', '--backend', 'acl', '--channels', '2', '--pool-size', '64MiB', '--seconds', seconds, ...extra], {
    ASCEND_HOME_PATH: double.root,
    ACL_DOUBLE_LOG: log,
    LD_LIBRARY_PATH: '',
  });
  const seen = when === 'block' ? await blockAllocated(log, demo.done) : await demo.waitForLine(when);
  if (seen) demo.child.kill(signal);
  const result = await demo.done;
  return { ...result, seen, calls: readCalls(log) };
}

/** The block acldvppMalloc gave was handed back to acldvppFree. */
function expectBlockFreed(calls: ReturnType<typeof readCalls>): void {
  const mallocs = calls.filter((call) => call.name === 'acldvppMalloc');
  const frees = calls.filter((call) => call.name === 'acldvppFree');
  expect(mallocs).toHaveLength(1);
  expect(frees.map(devPtrOf)).toEqual(mallocs.map(devPtrOf));
}

describe('dvpp-pool demo stopped by a signal', () => {
  it.each<NodeJS.Signals>(['SIGINT', 'SIGTERM', 'SIGHUP'])('%s during the run: stops, frees the block, prints the summary so far', async (signal) => {
    // A 60 s run: the signal comes right after the first line, long before the run would end.
    const run = await interrupt(signal, '60', /^dvpp-pool demo: 2 channels .* backend acl$/);
    expect(run.seen).toBe(true);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(128 + constants.signals[signal]);
    expect(run.stdout).toMatch(new RegExp(`^interrupted +by ${signal} after `, 'm'));
    expect(run.stdout).toMatch(/^left live +0 segments$/m);
    expect(run.stdout).toMatch(new RegExp(`^one block/request +not measured: interrupted by ${signal}$`, 'm'));
    expect(run.stderr).toBe('');
    expectBlockFreed(run.calls);
  });

  it('SIGINT during the comparison: the same', async () => {
    const run = await interrupt('SIGINT', '0.2', /^comparing: /);
    expect(run.seen).toBe(true);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(130);
    expect(run.stdout).toMatch(/^interrupted +by SIGINT after /m);
    expect(run.stdout).toMatch(/^left live +0 segments$/m);
    expect(run.stderr).toBe('');
    expectBlockFreed(run.calls);
  });

  it('says so in --json', async () => {
    const run = await interrupt('SIGTERM', '60', 'block', ['--json']);
    expect(run.seen).toBe(true);
    expect(run.status).toBe(143);
    const figures = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(figures['interrupted']).toBe('SIGTERM');
    expect(figures['liveSegments']).toBe(0);
    expect(figures['perRequestNative']).toEqual({ available: false, reason: 'interrupted by SIGTERM' });
    expectBlockFreed(run.calls);
  });
});
