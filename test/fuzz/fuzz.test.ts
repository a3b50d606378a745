// SPDX-License-Identifier: MIT
// The fast slice of the bad-input fuzz (the full run is test/stress/fuzz.stress.ts): 20,000 calls
// of hostile values to every public function and every native export, in child processes.
// Zero crashes; only TypeErrors/RangeErrors with the project's own messages, coded errors or the
// input's own exception (the oracle: test/helpers/fuzz.ts thrownKind, tested in oracle.test.ts);
// every pool valid at batch end, and every ACL block the calls made freed exactly once.

import { expect, it } from 'vitest';
import { runFuzzChild } from '../helpers/fuzz-runner.js';

it.each([
  { part: 'api' as const, seed: 0xf022, calls: 12_000 },
  { part: 'native' as const, seed: 0xf023, calls: 8000 },
])('$part: $calls hostile calls from seed $seed', ({ part, seed, calls }) => {
  const { report, acl } = runFuzzChild(part, seed, calls);
  expect(report.skipped).toBeUndefined();
  expect(report.failures).toEqual([]);
  expect(report.calls).toBe(calls);
  expect(acl.problems).toEqual([]);
  // The mix reached past the argument checks: calls returned and failed in every expected way.
  expect(report.outcomes['returned']).toBeGreaterThan(calls / 10);
  expect(report.outcomes['TypeError']).toBeGreaterThan(0);
  expect(report.outcomes['RangeError']).toBeGreaterThan(0);
  if (part === 'api') {
    expect(report.validated).toBeGreaterThan(0);
    expect(Object.keys(report.targets).length).toBeGreaterThanOrEqual(30);
    expect(report.outcomes['HostileAccess']).toBeGreaterThan(0);
    expect(report.outcomes['ERR_DVPP_INVALID_SEGMENT']).toBeGreaterThan(0);
    // The message builders were fuzzed with hostile values too.
    expect(report.targets['message builders: invalidMessage']).toBeGreaterThan(0);
    // The pyACL skin's calls added with issue 17 were reached.
    expect(report.targets['acl.rt.memcpy']).toBeGreaterThan(0);
    expect(report.targets['acl.segmentOf']).toBeGreaterThan(0);
    // Shared pools (issue 15): descriptors, attachments, segments moved by value.
    for (const target of ['pool.share', 'pool.adopt', 'segment.toShared', 'attachPool']) expect(report.targets[target], target).toBeGreaterThan(0);
  } else {
    expect(Object.keys(report.targets).sort()).toEqual(['aclProbe', 'allocateAcl', 'allocateHost', 'copy', 'free', 'memset', 'read', 'write']);
    expect(acl.mallocs).toBeGreaterThan(0);
  }
});
