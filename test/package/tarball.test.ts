// SPDX-License-Identifier: MIT
// The npm package as a user gets it. scripts/stage-package.mjs lays it out and packs it as a
// fresh clone's `npm pack` would (dist compiled afresh, this machine's prebuild, and the other
// architecture's when its cross compiler is here); then: its file list matches the allow-list,
// publint --strict and attw (ESM-only profile) pass, and a consumer installs the tarball with no
// compiler (CC and CXX are /bin/false) and runs it on the prebuilt addon: `dvpp-pool info`, a
// pool on the host backend with a real address, `dvpp-pool demo --seconds 1`. About 20 s.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHES, missingToolchain } from '../../scripts/prebuild.mjs';
import { stagePackage } from '../../scripts/stage-package.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

// This machine's prebuild always; the other architecture's where its cross toolchain is installed.
const ARCHES_HERE = ARCHES.filter((arch) => arch === process.arch || missingToolchain(arch) === undefined);

/** The consumer install fetches the package's dependencies: without the registry it would fail after a long timeout. */
function registryUnreachable(): string | false {
  try {
    execFileSync('npm', ['ping', '--fetch-timeout=5000', '--fetch-retries=0'], { stdio: 'ignore', timeout: 15_000 });
    return false;
  } catch {
    return 'the npm registry is unreachable (`npm ping` failed): the install needs node-addon-api and node-gyp-build from it';
  }
}
const offline = registryUnreachable();

/** Every file the tarball may hold; anything else fails the test. */
const ALLOWED: readonly RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^dist\/(?:[a-z-]+\/)*[a-z-]+\.(?:js|d\.ts)$/,
  /^prebuilds\/linux-(?:x64|arm64)\/node\.napi\.glibc\.node$/,
  /^native\/[a-z_]+\.(?:cc|h)$/,
  /^binding\.gyp$/,
  /^scripts\/install\.mjs$/,
  /^docs\/[a-z-]+\.(?:md|svg)$/,
];
/** Files a user needs: the tarball must hold each. */
const REQUIRED = [
  'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js',
  'binding.gyp', 'scripts/install.mjs', 'native/addon.cc',
  ...ARCHES_HERE.map((arch) => `prebuilds/linux-${arch}/node.napi.glibc.node`),
];

let work: string;
let stage: string;
let tarball: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dvpp-pool-package-'));
  stage = join(work, 'stage');
  tarball = await stagePackage(stage, { arches: ARCHES_HERE });
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the npm tarball', () => {
  it('holds the allow-listed files and every required one', () => {
    const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: stage, encoding: 'utf8' })) as [
      { files: { path: string }[] },
    ];
    const files = report.files.map((f) => f.path).sort();
    expect(files.filter((path) => !ALLOWED.some((pattern) => pattern.test(path)))).toEqual([]);
    expect(REQUIRED.filter((path) => !files.includes(path))).toEqual([]);
    // No gyp build output, no source maps, no test or bench files.
    expect(files.filter((path) => /^(?:build|node-addon-api|src|test|bench)\//.test(path) || path.endsWith('.map'))).toEqual([]);
  });

  it('ships no sourceMappingURL comment (the maps are not shipped)', () => {
    const withComment: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(?:js|d\.ts)$/.test(entry.name) && readFileSync(path, 'utf8').includes('sourceMappingURL')) withComment.push(path);
      }
    };
    walk(join(stage, 'dist'));
    expect(withComment).toEqual([]);
  });

  it('passes publint --strict and attw (ESM-only profile)', async () => {
    const publint = await run(process.execPath, [join(ROOT, 'node_modules', 'publint', 'src', 'cli.js'), '--strict', stage]);
    expect(publint.stdout).toContain('All good!');
    const attw = await run(process.execPath, [join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball, '--profile', 'esm-only', '--format', 'json']);
    // attw exits non-zero on a problem its profile counts; the JSON lists all, and ESM-only
    // (documented in the README) leaves exactly one: require() from node16 CommonJS resolves to ESM.
    const result = JSON.parse(attw.stdout) as { analysis: { problems: { kind: string; resolutionKind?: string }[] } };
    expect(result.analysis.problems.map((p) => `${p.kind} ${p.resolutionKind ?? ''}`)).toEqual(['CJSResolvesToESM node16-cjs']);
  });
});

describe.skipIf(offline !== false)(`a consumer install with no compiler${offline === false ? '' : ` (skipped: ${offline})`}`, () => {
  it('installs the tarball, loads the prebuilt addon and runs', { timeout: 180_000 }, async () => {
    const consumer = join(work, 'consumer');
    execFileSync('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const env = { ...process.env, CC: '/bin/false', CXX: '/bin/false', npm_config_build_from_source: '', npm_config_audit: 'false', npm_config_fund: 'false' };
    await run('npm', ['install', tarball, '--prefer-offline', '--foreground-scripts'], { cwd: consumer, env, timeout: 150_000 });
    const installed = join(consumer, 'node_modules', 'dvpp-pool');
    // Nothing was compiled: no gyp output, no recorded build failure, no makefile folders.
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(existsSync(join(installed, 'node-addon-api'))).toBe(false);

    const bin = join(consumer, 'node_modules', '.bin', 'dvpp-pool');
    const info = await run(bin, ['info', '--json'], { cwd: consumer, env });
    expect(info.stdout).toContain(join(installed, 'prebuilds', `linux-${process.arch}`, 'node.napi.glibc.node'));

    const script = [
      "import { createPool } from 'dvpp-pool';",
      "const pool = createPool({ size: 64 * 2 ** 20 });",
      'const seg = pool.acquire(1 << 20);',
      "seg.write(new Uint8Array([1, 2, 3]));",
      'console.log(JSON.stringify({ kind: pool.backend.kind, address: String(seg.address) }));',
      'seg.release(); pool.close();',
    ].join('\n');
    writeFileSync(join(consumer, 'use.mjs'), script);
    const used = JSON.parse((await run(process.execPath, ['use.mjs'], { cwd: consumer, env })).stdout) as { kind: string; address: string };
    expect(used.kind).toBe('host');
    expect(BigInt(used.address) > 0n && BigInt(used.address) % 128n === 0n).toBe(true);

    const demo = await run(bin, ['demo', '--seconds', '1'], { cwd: consumer, env, timeout: 60_000 });
    expect(demo.stdout).toMatch(/frames processed\s+[1-9]/);
    expect(demo.stdout).toMatch(/left live\s+0 segments/);
  });
});
