// SPDX-License-Identifier: MIT
// scripts/prebuild.mjs in a checkout whose path holds a space and shell syntax: every path gyp
// hands to make and the linker must survive it (the version script once split at the space).
// The copy has its own node_modules folder, so the staging folder is under that path too.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'dvpp pool $(false) '));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a prebuild in a checkout whose path holds a space', () => {
  it(`builds prebuilds/linux-${process.arch} and exports only Node-API's entry points`, { timeout: 240_000 }, () => {
    const checkout = join(work, 'dvpp-pool');
    for (const entry of ['binding.gyp', 'native', 'scripts/prebuild.mjs', 'scripts/prebuild']) {
      cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
    }
    mkdirSync(join(checkout, 'node_modules'));
    symlinkSync(join(ROOT, 'node_modules', 'node-addon-api'), join(checkout, 'node_modules', 'node-addon-api'), 'dir');
    const out = execFileSync(process.execPath, ['scripts/prebuild.mjs', '--arch', process.arch], { cwd: checkout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const file = join(checkout, 'prebuilds', `linux-${process.arch}`, 'node.napi.glibc.node');
    expect(out).toContain(file);
    // The version script was applied: without it every default-visibility symbol is exported.
    const exported = execFileSync('objdump', ['-T', file], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => /^[0-9a-f]+\s+[gwu]/.test(line) && !line.includes('*UND*'))
      .map((line) => line.trim().split(/\s+/).at(-1));
    expect(exported.sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });
});
