// SPDX-License-Identifier: MIT
// backendsInfo (what `dvpp-pool info` prints about backends) on a machine with the addon built
// and no ACL library on the default search paths: auto lands on host, with acl's reason.

import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV } from '../../../src/backends/select.js';
import { backendsInfo } from '../../../src/cli/backends-info.js';

describe('backendsInfo', () => {
  it('reports the auto choice, the addon file and huge page facts', () => {
    delete process.env[BACKEND_ENV];
    const info = backendsInfo();
    expect(info.auto).toEqual({ kind: 'host', fallbackReason: expect.stringMatching(/^acl: /) });
    expect(info.addon).toEqual({ path: expect.stringMatching(/dvpp_pool\.node$/) });
    expect(info).not.toHaveProperty('environment');
    expect(typeof info.hugePages).toBe('object');
  });
});
