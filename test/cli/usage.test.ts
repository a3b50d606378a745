// SPDX-License-Identifier: MIT
// The command's manners: --help for the top level and every subcommand, exit code 2 with one
// line on stderr and no stack trace for every kind of user mistake, and `info`'s report.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/pool/pool.js';
import { isOneLineError, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--help', () => {
  it('lists the subcommands at the top level', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = runCli(args);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: dvpp-pool <command>/);
      for (const name of ['demo', 'info', 'map', 'replay']) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it.each(['demo', 'info', 'map', 'replay'])('explains %s and its options', (name) => {
    const run = runCli([name, '--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^Usage: dvpp-pool ${name}`));
    expect(run.stdout).toContain('-h, --help');
  });

  // main.ts answers --help for every command before it checks $DVPP_POOL_BACKEND or runs anything.
  it.each(['demo', 'info', 'map', 'replay'])('answers %s -h even with a bad $DVPP_POOL_BACKEND', (name) => {
    const run = runCli([name, '-h'], undefined, { DVPP_POOL_BACKEND: 'gpu' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^Usage: dvpp-pool ${name}`));
    expect(run.status).toBe(0);
  });
});

describe('user mistakes exit 2 with one line and no stack trace', () => {
  const notJson = join(dir, 'not.json');
  const notSnapshot = join(dir, 'not-snapshot.json');
  writeFileSync(notJson, '{ "capacity": \n');
  writeFileSync(
    notSnapshot,
    JSON.stringify({ capacity: 1024, baseAddress: '0x1000', blocks: [{ index: 0, baseAddress: '0x1000', size: 1024 }], segments: [{ block: 0, offset: 0 }], freeRanges: [], stats: {} }),
  );
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /missing command/],
    ['an unknown command', ['launch'], /unknown command 'launch'/],
    ['an unknown option', ['demo', '--fast'], /Unknown option '--fast'/],
    ['a missing value', ['demo', '--channels'], /--channels/],
    ['a bad count', ['demo', '--channels', '0'], /--channels expects an integer from 1 to 64, got '0'/],
    ['a bad duration', ['demo', '--seconds', '-1'], /--seconds/],
    ['a bad size', ['demo', '--pool-size', 'lots'], /--pool-size expects a size in bytes/],
    ['a pool too small for the demo', ['demo', '--pool-size', '1MiB'], /--pool-size must be between/],
    ['an unknown backend', ['demo', '--backend', 'gpu'], /--backend expects one of auto, acl, himpi, rt, host, js, got 'gpu'/],
    ['a pool too large for the backend', ['demo', '--backend', 'js', '--pool-size', '5GiB'], /--pool-size must be at most 4 GiB on the js backend, got '5GiB'/],
    ['a snapshot in a missing folder', ['demo', '--snapshot', join(dir, 'no/such/dir/s.json')], /--snapshot .*not writable/],
    ['a snapshot that is a directory', ['demo', '--seconds', '0.1', '--snapshot', dir], /--snapshot .* is a directory/],
    ['a stray positional', ['info', 'extra'], /Unexpected argument 'extra'/],
    ['map without a file', ['map'], /missing the snapshot file/],
    ['map of a missing file', ['map', join(dir, 'missing.json')], /cannot read .*missing\.json/],
    ['map of a file that is not JSON', ['map', notJson], /not\.json is not JSON/],
    ['map of JSON that is not a snapshot', ['map', notSnapshot], /is not a pool snapshot: .*snapshot\.segments\[0\]\.size/],
    ['map with a bad width', ['map', notSnapshot, '--width', '10'], /--width expects an integer from 320 to 10000/],
    ['replay without a file', ['replay'], /missing the trace file/],
    ['replay of a missing file', ['replay', join(dir, 'missing.trace')], /cannot read .*missing\.trace/],
    ['replay of a file that is not a trace', ['replay', notSnapshot], /is not a trace: .*bad magic/],
  ];
  it.each(cases)('%s', (_, args, message) => {
    const run = runCli(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(message);
  });

  it('reads stdin for map -, and a non-snapshot there is a mistake too', () => {
    const run = runCli(['map', '-'], 'nope\nnope\n');
    expect(run.status).toBe(2);
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/stdin is not JSON/);
  });
});

describe('a bad $DVPP_POOL_BACKEND', () => {
  // It was one line in `info` but a stack trace in `demo` and `replay`.
  const trace = join(dir, 'one.trace');
  const words = [0x54524331, 2, 1, 0, 0, 0, 4096, 1, 0, 0];
  writeFileSync(trace, new Uint8Array(new Uint32Array(words).buffer));
  it.each([
    ['demo', ['demo', '--seconds', '0.1']],
    ['replay', ['replay', trace]],
    ['info', ['info']],
  ])('is one line and exit 2 in %s', (_, args) => {
    for (const value of ['gpu', 'ACL', ' host']) {
      const run = runCli(args, undefined, { DVPP_POOL_BACKEND: value });
      expect(run.stdout).toBe('');
      expect(isOneLineError(run.stderr)).toBe(true);
      expect(run.stderr).toContain(`$DVPP_POOL_BACKEND expects one of auto, acl, himpi, rt, host, js, got '${value}'`);
      expect(run.status).toBe(2);
    }
  });

  it('does not stop map, which makes no pool', () => {
    // A real pool's snapshot, so the fixture keeps up with the snapshot's shape.
    using pool = createPool({ size: 1024, backend: 'js' });
    const file = join(dir, 'empty-pool.json');
    writeFileSync(file, JSON.stringify(pool.snapshot()));
    const run = runCli(['map', file], undefined, { DVPP_POOL_BACKEND: 'gpu' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('dvpp-pool info', () => {
  it('prints the backend auto picks, the ACL libraries, the addon and Node', () => {
    const run = runCli(['info']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^backend: auto picks '(acl|host|none)'/m);
    expect(run.stdout).toMatch(/^ACL libraries: /m);
    expect(run.stdout).toMatch(/^native addon: /m);
    expect(run.stdout).toContain(`Node ${process.version}`);
  });

  it('prints the same facts as JSON', () => {
    const run = runCli(['info', '--json']);
    expect(run.status).toBe(0);
    const facts = JSON.parse(run.stdout) as { node: string; auto: { kind: string }; addon: object; acl: object };
    expect(facts.node).toBe(process.version);
    expect(['acl', 'host', 'none']).toContain(facts.auto.kind);
    expect(facts.addon).toEqual(expect.any(Object));
    expect(facts.acl).toEqual(expect.any(Object));
  });
});
