// SPDX-License-Identifier: MIT
// scripts/install.mjs, npm's install script: a failed addon build leaves the install green but
// visible. It prints node-gyp's reason to stderr and records it in build/install-error.txt,
// which the loader (native.ts) adds to its reason. Each case runs the script in a scratch copy
// of the package whose `node-gyp` is a stand-in on PATH, so no compiler runs.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INSTALL_ERROR_FILE, loadAddonFrom } from '../../../src/backends/native.js';
import { runInstall, scratchPackage } from '../../helpers/install-scratch.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A scratch package whose `node-gyp rebuild` prints `lines` to stderr and exits `status`. */
function packageWith(lines: readonly string[], status: number): string {
  const body = lines.map((line) => `echo ${JSON.stringify(line)} >&2`).join('\n');
  // A build that passes leaves an addon that loads, as node-gyp does: the install loads it to check.
  const built = status === 0 ? `mkdir -p build/Release && cp '${join(ROOT, 'build/Release/dvpp_pool.node')}' build/Release/\n` : '';
  return scratchPackage(`echo "gyp info it worked if it ends with ok"\n${body}\n${built}exit ${status}`);
}

const MISSING_MAKE = [
  'gyp ERR! build error',
  'gyp ERR! stack Error: not found: make',
  'gyp ERR! stack     at getNotFoundError (/usr/lib/node_modules/npm/node_modules/which/lib/index.js:16:17)',
  'gyp ERR! not ok',
];

describe('scripts/install.mjs', () => {
  it('package.json runs it at install and ships it', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };
    expect(pkg.scripts['install']).toBe('node scripts/install.mjs');
    expect(pkg.files).toContain('scripts/install.mjs');
  });

  it("a failed build: exit 0, node-gyp's reason on stderr and in build/install-error.txt, and in the loader's reason", () => {
    const dir = packageWith(MISSING_MAKE, 1);
    const run = runInstall(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('gyp ERR! stack Error: not found: make');
    expect(run.stderr).toMatch(/dvpp-pool: the native addon did not build: node-gyp-build exited with code 1: gyp ERR! stack Error: not found: make/);
    expect(run.stderr).toMatch(/npm rebuild dvpp-pool/);
    const record = readFileSync(join(dir, INSTALL_ERROR_FILE), 'utf8');
    expect(record.split('\n')[0]).toBe('node-gyp-build exited with code 1: gyp ERR! stack Error: not found: make');
    expect(record).toContain('gyp ERR! not ok');
    const load = loadAddonFrom(dir);
    expect('reason' in load && load.reason).toMatch(
      /^No native build was found[^]*; at install, the build failed: node-gyp-build exited with code 1: gyp ERR! stack Error: not found: make \(node-gyp's output: .*install-error\.txt\)$/,
    );
  });

  it("names a compiler's own error line as the cause", () => {
    const dir = packageWith(
      [
        '../native/addon.cc:3:10: fatal error: napi.h: No such file or directory',
        'make: *** [dvpp_pool.target.mk:120: Release/obj.target/dvpp_pool/native/addon.o] Error 1',
        'gyp ERR! build error',
        'gyp ERR! stack Error: `make` failed with exit code: 2',
      ],
      1,
    );
    expect(runInstall(dir).status).toBe(0);
    expect(readFileSync(join(dir, INSTALL_ERROR_FILE), 'utf8').split('\n')[0]).toBe(
      'node-gyp-build exited with code 1: ../native/addon.cc:3:10: fatal error: napi.h: No such file or directory',
    );
  });

  it('names the cause when there is no compiler at all (a Python traceback), and keeps the tail', () => {
    const dir = packageWith(
      [
        'Traceback (most recent call last):',
        '  File "/usr/lib/node_modules/npm/node_modules/node-gyp/gyp/pylib/gyp/common.py", line 438, in GetCrossCompilerPredefines',
        "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/cc'",
        'gyp ERR! configure error',
        'gyp ERR! stack Error: `gyp` failed with exit code: 1',
      ],
      1,
    );
    expect(runInstall(dir).status).toBe(0);
    const record = readFileSync(join(dir, INSTALL_ERROR_FILE), 'utf8');
    expect(record.split('\n')[0]).toBe("node-gyp-build exited with code 1: FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/cc'");
    expect(record).toContain('Traceback (most recent call last):');
  });

  it('a build that passes removes an earlier record', () => {
    const dir = packageWith([], 0);
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, INSTALL_ERROR_FILE), 'node-gyp-build exited with code 1: stale\n');
    const run = runInstall(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(dir, INSTALL_ERROR_FILE))).toBe(false);
    expect(run.stderr).not.toMatch(/did not build/);
  });

  it('the loader reports no install record when there is none', () => {
    const dir = packageWith([], 0);
    const load = loadAddonFrom(dir);
    expect('reason' in load && load.reason).toMatch(/^No native build was found/);
    expect('reason' in load && load.reason).not.toMatch(/at install/);
  });
});
