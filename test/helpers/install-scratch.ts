// SPDX-License-Identifier: MIT
// A scratch installed copy of the package for the tests of scripts/install.mjs: the install
// script, a package.json, the repository's node_modules, and a stand-in `node-gyp` on PATH whose
// `rebuild` runs a given shell script, so no compiler runs. `runInstall` runs the script there.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll } from 'vitest';
import { ROOT } from './cli.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A scratch package (no .git, so the install tries the prebuild first) whose `node-gyp` runs `gyp` (sh) in the package. */
export function scratchPackage(gyp: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-install-'));
  scratch.push(dir);
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(ROOT, 'scripts/install.mjs'), join(dir, 'scripts/install.mjs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'dvpp-pool', version: '0.0.0', type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  mkdirSync(join(dir, 'fake-bin'));
  writeFileSync(join(dir, 'fake-bin', 'node-gyp'), `#!/bin/sh\n${gyp}\n`);
  chmodSync(join(dir, 'fake-bin', 'node-gyp'), 0o755);
  return dir;
}

/** Runs the install script in `dir` with the stand-in first on PATH and `env` added. */
export function runInstall(dir: string, env: Readonly<Record<string, string>> = {}): SpawnSyncReturns<string> {
  const full: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(dir, 'fake-bin')}${delimiter}${process.env['PATH'] ?? ''}`, ...env };
  delete full['npm_config_build_from_source'];
  return spawnSync(process.execPath, [join(dir, 'scripts/install.mjs')], { cwd: dir, env: full, encoding: 'utf8', timeout: 60_000 });
}
