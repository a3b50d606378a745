// SPDX-License-Identifier: MIT
// The command line's value parsers and number formats: sizes with binary units, counts,
// seconds and backend kinds parse or throw a UsageError naming the option and the text.

import { describe, expect, it } from 'vitest';
import { UsageError, parseBackend, parseBytes, parseCommandLine, parseInteger, parseSeconds } from '../../../src/cli/args.js';
import { formatBytes, formatCount, formatNs } from '../../../src/format.js';

describe('parseBytes', () => {
  it.each([
    ['536870912', 536_870_912],
    ['512MiB', 512 * 2 ** 20],
    ['512 mib', 512 * 2 ** 20],
    ['512M', 512 * 2 ** 20],
    ['64KiB', 65_536],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['16GiB', 16 * 2 ** 30],
    ['128B', 128],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseBytes('--pool-size', text)).toBe(bytes);
  });

  it.each(['', 'lots', '-1', '512MB', '1.5B', '17GiB', '0'])('refuses %j', (text) => {
    expect(() => parseBytes('--pool-size', text)).toThrow(UsageError);
    expect(() => parseBytes('--pool-size', text)).toThrow(/--pool-size/);
  });

  it('keeps to the given range', () => {
    expect(() => parseBytes('--step', '64', 128)).toThrow(/--step must be between 128 B and 16 GiB, got '64'/);
  });
});

describe('parseInteger, parseSeconds, parseBackend', () => {
  it('parses in range and refuses the rest', () => {
    expect(parseInteger('--channels', '8', 1, 64)).toBe(8);
    for (const text of ['0', '65', '1.5', 'x', '-3', '']) expect(() => parseInteger('--channels', text, 1, 64)).toThrow(UsageError);
    expect(parseSeconds('--seconds', '0.5', 60)).toBe(0.5);
    for (const text of ['0', '-1', '61', 'soon', '1e3']) expect(() => parseSeconds('--seconds', text, 60)).toThrow(UsageError);
    expect(parseBackend('host')).toBe('host');
    expect(() => parseBackend('cuda')).toThrow(/--backend expects one of auto, acl, himpi, rt, host, js, got 'cuda'/);
  });
});

describe('parseCommandLine', () => {
  const options = { json: { type: 'boolean' }, out: { type: 'string' } } as const;

  it('returns values and positionals, and always knows --help', () => {
    const parsed = parseCommandLine('map', ['a.json', '--out', 'b.svg', '-h'], options, true);
    expect(parsed.values).toEqual({ out: 'b.svg', help: true });
    expect(parsed.positionals).toEqual(['a.json']);
  });

  it('turns parseArgs errors into one-line UsageErrors pointing at --help', () => {
    expect(() => parseCommandLine('map', ['--colour'], options, true)).toThrow(/^Unknown option '--colour' \(see 'dvpp-pool map --help'\)$/);
    expect(() => parseCommandLine('info', ['x'], options, false)).toThrow(UsageError);
    expect(() => parseCommandLine('map', ['--out'], options, true)).toThrow(/--out/);
  });
});

describe('formats', () => {
  it('prints bytes, counts and nanoseconds shortly', () => {
    expect(formatBytes(96)).toBe('96 B');
    expect(formatBytes(3_110_528)).toBe('3.0 MiB');
    expect(formatBytes(512 * 2 ** 20)).toBe('512 MiB');
    expect(formatCount(12_345.4)).toBe('12,345');
    expect(formatNs(85.2)).toBe('85 ns');
    expect(formatNs(12_345)).toBe('12.3 µs');
    expect(formatNs(4_100_000)).toBe('4.1 ms');
  });
});
