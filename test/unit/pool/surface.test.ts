// SPDX-License-Identifier: MIT
// No public object has a member that docs/api.md does not name: the own and inherited members
// of a Pool, a Segment, a Scope, a PoolRecording and the pyACL skin (its media, himpi and rt objects) are compared with
// allow-lists read from docs/api.md's headings and tables. An internal helper made public by
// accident (a method, a field, a symbol) fails here, and so does a documented member gone missing.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createAclCompat, createPool } from '../../../src/index.js';

const API = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

/** The `## ` section of docs/api.md whose heading starts with `heading`. */
function section(heading: string): string {
  const found = API.split(/^(?=## )/m).find((part) => part.startsWith(`## ${heading}`));
  if (found === undefined) throw new Error(`docs/api.md has no section "## ${heading}"`);
  return found;
}

/** Member names documented for `prefix` (e.g. `pool`): `### prefix.name`, `prefix[Symbol.x]`, and `| \`prefix.name` table cells. */
function documented(text: string, prefix: string, tableColumn = false): string[] {
  const names = new Set<string>();
  const escaped = prefix.replaceAll('.', '\\.');
  for (const match of text.matchAll(new RegExp(`^### ${escaped}\\.(\\w+)`, 'gm'))) names.add(match[1]!);
  for (const match of text.matchAll(new RegExp(`${escaped}\\\\?\\[Symbol\\.(\\w+)\\]`, 'g'))) names.add(`Symbol.${match[1]!}`);
  for (const match of text.matchAll(new RegExp(`^\\| \`${escaped}\\.(\\w+)`, 'gm'))) names.add(match[1]!);
  if (tableColumn) for (const match of text.matchAll(/^\| `(\w+)` \|/gm)) names.add(match[1]!);
  return [...names].sort();
}

/** Own and inherited member names of `value`, up to Object.prototype, without `constructor`. */
function members(value: object): string[] {
  const names = new Set<string>();
  for (let object: object | null = value; object !== null && object !== Object.prototype; object = Object.getPrototypeOf(object)) {
    for (const key of Reflect.ownKeys(object)) {
      if (key === 'constructor') continue;
      if (typeof key !== 'symbol') names.add(key);
      // Node 20's Symbol.dispose is its own symbol ('nodejs.dispose'): name it as the docs do.
      else names.add(key === Symbol.dispose ? 'Symbol.dispose' : String(key));
    }
  }
  return [...names].sort();
}

describe('the public objects have exactly the documented members', () => {
  using pool = createPool({ size: 4096, backend: 'js' });
  const segment = pool.acquire(100);
  const scope = pool.scope();
  const acl = createAclCompat(pool);
  pool.startRecording();
  const recording = pool.stopRecording()!;

  test.each([
    ['Pool', pool, documented(section('class Pool'), 'pool')],
    ['Segment', segment, documented(section('class Segment'), 'segment', true)],
    ['Scope', scope, documented(section('class Scope'), 'scope')],
    ['PoolRecording', recording, documented(section('class PoolRecording'), 'recording')],
    ['pyACL skin', acl, documented(section('createAclCompat'), 'acl')],
    ['acl.media', acl.media, documented(section('createAclCompat'), 'acl.media')],
    ['acl.himpi', acl.himpi, documented(section('createAclCompat'), 'acl.himpi')],
    ['acl.rt', acl.rt, documented(section('createAclCompat'), 'acl.rt')],
  ])('%s', (_name, value, allowed) => {
    expect(allowed.length).toBeGreaterThan(0);
    expect(members(value)).toEqual(allowed);
  });

  test('the allow-lists hold the members they must (the parse found them)', () => {
    expect(documented(section('class Pool'), 'pool')).toEqual(expect.arrayContaining(['acquire', 'release', 'capacity', 'Symbol.dispose']));
    expect(documented(section('class Segment'), 'segment', true)).toEqual(expect.arrayContaining(['offset', 'write', 'released', 'Symbol.dispose']));
  });
});
