// SPDX-License-Identifier: MIT
// The public surface: the runtime exports of src/index.ts are exactly the names docs/api.md
// documents as values (so a new undocumented export, or a documented one gone missing, fails),
// the promised names are there, and the pool's @internal helpers are not.

import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import * as api from '../../../src/index.js';

/**
 * The names docs/api.md documents as run-time values: top-level function headings (`## name(`,
 * `### name(`), `## class X` headings unless their section says X is "exported as a type only",
 * the first column of the Errors and Constants tables, and the leak warning's constants.
 */
function documentedValues(markdown: string): string[] {
  const names = new Set<string>();
  for (const section of markdown.split(/^(?=## )/m)) {
    const heading = section.slice(0, section.indexOf('\n'));
    const className = /^## class (\w+)/.exec(heading)?.[1];
    if (className !== undefined && !/exported as a type only/.test(section)) names.add(className);
    for (const match of section.matchAll(/^#{2,3} (\w+)\(/gm)) names.add(match[1]!);
    if (heading === '## Errors' || heading.startsWith('## Constants')) {
      for (const match of section.matchAll(/^\| `(\w+)` \|/gm)) names.add(match[1]!);
    }
    if (heading === '## The leak warning') for (const match of section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

test('the runtime exports are exactly the values docs/api.md documents', () => {
  const documented = documentedValues(readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8'));
  // The parse itself found each kind of entry (a heading format change must not empty the list).
  expect(documented).toEqual(expect.arrayContaining(['createPool', 'Pool', 'snapshotToSVG', 'createAclCompat', 'alignUp', 'AclError', 'DVPP_ADDR_ALIGN', 'LEAK_WARNING_CODE']));
  expect(documented).not.toContain('Segment');
  expect(Object.keys(api).sort()).toEqual(documented);
});

test('the public names are exported', () => {
  for (const name of [
    'createPool',
    'Pool',
    'createAclCompat',
    'snapshotToSVG',
    'DvppPoolError',
    'PoolExhaustedError',
    'InvalidSegmentError',
    'PoolClosedError',
    'AcquireTimeoutError',
    'BackendUnavailableError',
    'HostMemoryError',
    'AclError',
    'ForkedProcessError',
    'alignUp',
    'segmentSize',
    'DVPP_SIZE_ALIGN',
    'DVPP_SIZE_PAD',
    'DVPP_ADDR_ALIGN',
    'DVPP_MAX_BLOCK_BYTES',
    'STATS_VERSION',
    'LEAK_WARNING_TYPE',
    'LEAK_WARNING_CODE',
    'encodeTrace',
    'decodeTrace',
    'readTraceFile',
    'writeTraceFile',
    'TraceFormatError',
  ]) {
    expect(api, name).toHaveProperty(name);
  }
  expect(api.DVPP_SIZE_ALIGN).toBe(32);
  expect(api.DVPP_SIZE_PAD).toBe(32);
  expect(api.DVPP_ADDR_ALIGN).toBe(128);
  expect([0, 1, 32, 33].map((n) => api.alignUp(n, 32))).toEqual([0, 32, 32, 64]);
  expect([0, 1, 32, 33].map(api.segmentSize)).toEqual([32, 64, 64, 96]);
});

test('internal pool modules are not exported', () => {
  for (const name of ['Segment', 'WaitQueue', 'Waiter', 'OffsetIndex', 'parsePoolOptions', 'buildStats', 'buildSnapshot', 'warnLeaks', 'PoolRecording', 'Recorder', 'validateTrace']) {
    expect(api, name).not.toHaveProperty(name);
  }
});

test('createPool is a thin wrapper of new Pool', () => {
  using pool = api.createPool({ size: 1024, backend: 'js' });
  expect(pool).toBeInstanceOf(api.Pool);
  using direct = new api.Pool({ size: 1024, backend: 'js' });
  expect(direct.capacity).toBe(1024);
});
