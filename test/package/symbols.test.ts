// SPDX-License-Identifier: MIT
// The prebuilt addons load on glibc 2.28 (Node 20's own floor): `objdump -T` of each file needs
// no GLIBC version newer than 2.28 and no GLIBCXX, CXXABI or GCC version newer than GCC 8's,
// libstdc++ is linked in, and only Node-API's entry points are exported. This machine's file is
// built here (about 15 s, reused while its inputs are unchanged); the other architecture's needs
// Debian's cross compiler (on x64, `npm run test:arm64` installs it).

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARCHES, missingToolchain, prebuild } from '../../scripts/prebuild.mjs';
import { FLOOR, compareVersions, neededSymbols, newestVersions, objdumpFor, overFloor } from '../../scripts/prebuild/symbols.mjs';

describe('symbol-version floor helpers', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('2.28', '2.3')).toBe(1);
    expect(compareVersions('2.2.5', '2.28')).toBe(-1);
    expect(compareVersions('3.4.25', '3.4.25')).toBe(0);
  });

  it('flags what a plain build of this machine needs (the check is not vacuous)', () => {
    const over = overFloor([
      { symbol: 'dlopen', family: 'GLIBC', version: '2.34' },
      { symbol: 'memcpy', family: 'GLIBC', version: '2.14' },
      { symbol: '_ZSt28__throw_bad_array_new_lengthv', family: 'GLIBCXX', version: '3.4.29' },
      { symbol: 'x', family: 'NEWLIB', version: '1' },
    ]);
    expect(over).toEqual(['dlopen@GLIBC_2.34', '_ZSt28__throw_bad_array_new_lengthv@GLIBCXX_3.4.29', 'x@NEWLIB_1']);
  });
});

// This machine's architecture always (a missing compiler fails); the other one where its cross
// toolchain is installed.
for (const arch of ARCHES) {
  const skip = arch === process.arch ? false : (missingToolchain(arch) ?? false);
  describe.skipIf(skip !== false)(`prebuilds/linux-${arch}${skip === false ? '' : ` (skipped: ${skip})`}`, () => {
    it('needs no symbol version over the glibc 2.28 / GCC 8 floor', { timeout: 240_000 }, async () => {
      const { path } = await prebuild(arch);
      const needed = neededSymbols(path, arch);
      // The parse found the file's needs: dlopen pinned to the architecture's first version.
      expect(needed.find((n) => n.symbol === 'dlopen')).toEqual({ symbol: 'dlopen', family: 'GLIBC', version: arch === 'x64' ? '2.2.5' : '2.17' });
      expect(overFloor(needed)).toEqual([]);
      const newest = newestVersions(needed);
      expect(compareVersions(newest['GLIBC'] ?? '0', FLOOR.GLIBC)).toBeLessThanOrEqual(0);
      expect(newest['GLIBCXX']).toBeUndefined();
      expect(newest['CXXABI']).toBeUndefined();

      const headers = execFileSync(objdumpFor(arch), ['-p', path], { encoding: 'utf8' });
      const libraries = [...headers.matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]);
      expect(libraries).not.toContain('libstdc++.so.6');
      // Below glibc 2.34 the pinned dlopen and pthread_once come from these.
      expect(libraries).toEqual(expect.arrayContaining(['libdl.so.2', 'libpthread.so.0', 'libc.so.6']));

      const exported = execFileSync(objdumpFor(arch), ['-T', path], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => /^[0-9a-f]+\s+[gwu]/.test(line) && !line.includes('*UND*'))
        .map((line) => line.trim().split(/\s+/).at(-1));
      expect(exported.sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
    });
  });
}
