// SPDX-License-Identifier: MIT
// scripts/test-arm64.mjs's qemu wrapper and preload, with paths that hold a space, quotes and
// `$(...)`: the wrapper passes each path as one word and runs nothing in it, and the NODE_OPTIONS
// entry preloads the file. A stand-in "qemu" prints its arguments, so no emulator runs.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOption, qemuWrapper, shellQuote } from '../../scripts/qemu-wrapper.mjs';

let work: string;
let dir: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dvpp-pool-qemu-'));
  // `$(touch ran)` would run in `work`, the cwd the wrapper is started in.
  dir = join(work, `it's a $(touch ran) "dir"`);
  mkdirSync(dir);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('scripts/qemu-wrapper.mjs', () => {
  it('shellQuote makes one sh word of any text', () => {
    const text = `a b'c"d$(e)\`f\`\\g`;
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' })).toBe(text);
  });

  it('the wrapper passes qemu, the sysroot, the node and its own arguments through whole', () => {
    const qemu = join(dir, 'qemu');
    writeFileSync(qemu, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    chmodSync(qemu, 0o755);
    const wrapper = join(dir, 'node-arm64');
    writeFileSync(wrapper, qemuWrapper(qemu, join(dir, 'sysroot'), join(dir, 'node')));
    chmodSync(wrapper, 0o755);
    const out = execFileSync(wrapper, ['-e', 'x y'], { cwd: work, encoding: 'utf8' });
    expect(out.split('\n').slice(0, -1)).toEqual(['-L', join(dir, 'sysroot'), join(dir, 'node'), '-e', 'x y']);
    expect(existsSync(join(work, 'ran'))).toBe(false);
  });

  it('the NODE_OPTIONS entry preloads a file whose path holds a space', () => {
    const preload = join(dir, 'exec-path.mjs');
    writeFileSync(preload, 'globalThis.preloaded = true;\n');
    const env = { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} ${importOption(preload)}`.trim() };
    expect(execFileSync(process.execPath, ['-p', 'globalThis.preloaded === true'], { env, encoding: 'utf8' }).trim()).toBe('true');
  });
});
