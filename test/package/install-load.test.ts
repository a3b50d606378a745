// SPDX-License-Identifier: MIT
// scripts/install.mjs loads what it installs in a child before calling the install a success:
// a source build that exits 0 but does not load is reported like a failed build, and an addon
// that kills the loading child is reported by its signal. A stand-in `node-gyp` on PATH writes
// the "built" file, so no compiler runs for the build; gcc makes the addon that crashes.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInstall, scratchPackage } from '../helpers/install-scratch.js';

describe('scripts/install.mjs loads what it installs', () => {
  it('a source build that exits 0 but does not load: a visible line and build/install-error.txt, exit 0', () => {
    const dir = scratchPackage('mkdir -p build/Release && echo "not an ELF file" > build/Release/dvpp_pool.node && exit 0');
    const run = runInstall(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/dvpp-pool: the native addon did not load: node-gyp-build built the addon, but it did not load: .*dvpp_pool\.node/);
    const record = readFileSync(join(dir, 'build', 'install-error.txt'), 'utf8');
    expect(record.split('\n')[0]).toMatch(/^node-gyp-build built the addon, but it did not load: .*dvpp_pool\.node: (?:invalid ELF header|file too short)/);
    expect(record).toContain('before that, the prebuilt addon for');
  });

  it("no prebuild for this platform: the reason is node-gyp-build's message, not a line of its source", () => {
    const dir = scratchPackage('exit 1');
    const run = runInstall(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/did not load \(No native build was found for platform=linux arch=/);
    expect(run.stderr).not.toMatch(/throw new Error/);
    expect(run.stderr).toMatch(/install a C\+\+17 compiler/);
  });

  it('a build that hangs is stopped at its timeout and recorded, and one that loads wrongly gets load advice', () => {
    const dir = scratchPackage('sleep 600');
    const run = runInstall(dir, { DVPP_POOL_BUILD_TIMEOUT_MS: '1500' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/did not finish within 0\.025 min/);
    expect(readFileSync(join(dir, 'build', 'install-error.txt'), 'utf8').split('\n')[0]).toMatch(/did not finish within/);
    const wrong = runInstall(scratchPackage('mkdir -p build/Release && echo "not an ELF file" > build/Release/dvpp_pool.node && exit 0'));
    expect(wrong.stderr).toMatch(/the compiler worked, so the cause is the system/);
  });

  it('a prebuild that kills the loading child is reported by its signal', () => {
    const dir = scratchPackage('exit 1');
    const prebuilt = join(dir, 'prebuilds', `linux-${process.arch}`);
    mkdirSync(prebuilt, { recursive: true });
    writeFileSync(join(dir, 'crash.c'), '#include <signal.h>\n__attribute__((constructor)) static void crash(void) { raise(SIGKILL); }\n');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', join(prebuilt, 'node.napi.glibc.node'), join(dir, 'crash.c')]);
    const run = runInstall(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`dvpp-pool: the prebuilt addon for linux-${process.arch} did not load (killed by SIGKILL); building it from source`);
    expect(readFileSync(join(dir, 'build', 'install-error.txt'), 'utf8')).toContain(`before that, the prebuilt addon for linux-${process.arch} did not load (killed by SIGKILL)`);
  });
});
