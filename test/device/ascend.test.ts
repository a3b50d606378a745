// SPDX-License-Identifier: MIT
// The acl backend on a real Ascend device. Runs only where the loader finds a real CANN install
// (source set_env.sh first; DVPP_POOL_DEVICE_ID picks the device, default 0) and skips itself,
// with the loader's reason in its title, everywhere else, the ACL test double included.

import { describe, expect, it } from 'vitest';
import { probeAcl } from '../../src/backends/acl.js';
import { MIB } from '../../src/format.js';
import { createAclCompat, createPool } from '../../src/index.js';

const probe = probeAcl();
const skipReason =
  'reason' in probe
    ? probe.reason
    : probe.runtimePath.includes('/acl-double/')
      ? `only the ACL test double was found (${probe.runtimePath})`
      : undefined;
const deviceId = Number(process.env['DVPP_POOL_DEVICE_ID'] ?? 0);

describe.skipIf(skipReason !== undefined)(
  skipReason === undefined ? `a real Ascend device (${'reason' in probe ? '' : probe.runtimePath})` : `a real Ascend device: skipped, ${skipReason}`,
  () => {
    it('allocates one DVPP block, 128-aligned, and carves segments from it', () => {
      using pool = createPool({ size: 64 * MIB, backend: 'acl', deviceId });
      expect(pool.backend).toEqual({ kind: 'acl' });
      expect(pool.baseAddress % 128n).toBe(0n);
      const segments = Array.from({ length: 64 }, (_, i) => pool.acquire(1920 * 1080 * 1.5 + i));
      for (const segment of segments) expect(segment.address % 128n).toBe(0n);
      for (const segment of segments) segment.release();
    });

    it('writes with aclrtMemcpy and reads the same bytes back; fills with aclrtMemset', () => {
      using pool = createPool({ size: 16 * MIB, backend: 'acl', deviceId });
      using segment = pool.acquire(4096);
      const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
      segment.write(bytes);
      expect(segment.read(0, segment.length)).toEqual(bytes);
      segment.fill(0x5a, 100, 200);
      expect(segment.read(100, 200).every((b) => b === 0x5a)).toBe(true);
    });

    it('serves the pyACL skin with device addresses', () => {
      using pool = createPool({ size: 16 * MIB, backend: 'acl', deviceId });
      const acl = createAclCompat(pool);
      const [devPtr, ret] = acl.media.dvpp_malloc(1 << 20);
      expect(ret).toBe(0);
      expect(devPtr % 128).toBe(0);
      expect(acl.rt.memset(devPtr, 1 << 20, 0, 1 << 20)).toBe(0);
      expect(acl.media.dvpp_free(devPtr)).toBe(0);
    });
  },
);
