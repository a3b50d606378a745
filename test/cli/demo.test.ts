// SPDX-License-Identifier: MIT
// `dvpp-pool demo` end to end: a one-second run's JSON figures add up (every acquire released,
// nothing live, no failure with the default pool, frames processed, bytes read back intact),
// its peak snapshot draws as a valid SVG through `map`, without --json (stdout is a pipe here)
// it prints plain progress lines and the summary, and with --max-pool-size the pool grows under
// the load, shows it, and gives the grown blocks back at the end.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../helpers/cli.js';
import { strictXmlProblem } from '../helpers/strict-xml.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dvpp-pool demo --json', () => {
  const snapshotFile = join(dir, 'peak.json');
  const run = runCli(['demo', '--seconds', '1', '--json', '--snapshot', snapshotFile]);

  it('exits 0 with one JSON object on stdout and nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('reports figures that add up', () => {
    const figures = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(figures['channels']).toBe(8);
    expect(figures['frames']).toBeGreaterThan(0);
    expect(figures['acquires']).toBeGreaterThan(figures['frames'] as number);
    expect(figures['releases']).toBe(figures['acquires']);
    expect(figures['liveSegments']).toBe(0);
    expect(figures['failures']).toBe(0);
    expect(figures['dropped']).toBe(0);
    expect(figures['corrupt']).toBe(0);
    expect(figures['peakUsedBytes']).toBeGreaterThan(0);
    expect(figures['peakUsedBytes']).toBeLessThanOrEqual(figures['poolBytes'] as number);
    expect(figures['durationMs']).toBeGreaterThanOrEqual(1000);
    // The default pool does not grow.
    expect(figures['maxPoolBytes']).toBe(figures['poolBytes']);
    expect([figures['blocks'], figures['grows'], figures['trims'], figures['trimmedBytes']]).toEqual([1, 0, 0, 0]);
    expect(['acl', 'host', 'js']).toContain((figures['backend'] as { kind: string }).kind);
  });

  it('counts the waits of each stage', () => {
    const { waits, maxWaiting } = JSON.parse(run.stdout) as { waits: Record<string, unknown>; maxWaiting: number };
    expect(Object.keys(waits)).toEqual(['decode', 'resize', 'input']);
    for (const count of Object.values(waits)) expect(Number.isSafeInteger(count) && (count as number) >= 0).toBe(true);
    // A wait shows in the peak of waiters, and waiters only come from the stages' waits.
    const total = Object.values(waits).reduce((sum: number, count) => sum + (count as number), 0);
    expect(maxWaiting > 0).toBe(total > 0);
  });

  it('compares with one native block per request, or says why it could not', () => {
    const native = (JSON.parse(run.stdout) as { perRequestNative: Record<string, unknown> }).perRequestNative;
    if (native['available'] === true) {
      expect(native['nativeNsPerRequest']).toBeGreaterThan(0);
      expect(native['poolNsPerRequest']).toBeGreaterThan(0);
      expect(native['requests']).toBeGreaterThan(0);
    } else {
      expect(native['reason']).toEqual(expect.any(String));
    }
  });

  it('writes a snapshot taken at peak use that map draws as valid SVG', () => {
    const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { segments: { tag?: string }[]; stats: { usedBytes: number } };
    const figures = JSON.parse(run.stdout) as { peakUsedBytes: number };
    expect(snapshot.stats.usedBytes).toBe(figures.peakUsedBytes);
    expect(snapshot.segments.length).toBeGreaterThan(0);

    const map = runCli(['map', snapshotFile]);
    expect(map.status).toBe(0);
    expect(strictXmlProblem(map.stdout)).toBeUndefined();
    const svg = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(map.stdout) as { svg: { rect: { class?: string }[] } };
    const segmentRects = svg.svg.rect.filter((rect) => rect.class === 'segment');
    expect(segmentRects.length).toBeGreaterThanOrEqual(snapshot.segments.length);
    for (const tag of new Set(snapshot.segments.map((segment) => segment.tag))) expect(map.stdout).toContain(`${tag}</tspan>`);
  });
});

describe('dvpp-pool demo without a terminal', () => {
  it('prints plain lines and a summary, and exits 0', () => {
    const run = runCli(['demo', '--seconds', '1', '--channels', '2', '--backend', 'js', '--pool-size', '64MiB']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).toMatch(/^dvpp-pool demo: 2 channels .* 64 MiB pool, backend js$/m);
    expect(run.stdout).toMatch(/^frames processed +[\d,]+ \(/m);
    expect(run.stdout).toMatch(/^acquires +[\d,]+ \([\d,]+\/s\), [\d,]+ releases, 0 failures$/m);
    expect(run.stdout).toMatch(/^peak use /m);
    expect(run.stdout).toMatch(/^one block\/request /m);
    expect(run.stdout).toMatch(/^left live +0 segments$/m);
  });
});

describe('dvpp-pool demo when the snapshot cannot be written', () => {
  // A full disk (/dev/full: every write fails with ENOSPC) once cost the whole summary and a
  // stack trace; the write is tried, the summary printed, then the failure said in one line.
  it.each([[[]], [['--json']]])('prints the summary, then one line, and exits 1 (%j)', (extra) => {
    const run = runCli(['demo', '--seconds', '0.2', '--channels', '1', '--backend', 'js', '--pool-size', '64MiB', '--snapshot', '/dev/full', ...extra]);
    if (extra.length === 0) {
      expect(run.stdout).toMatch(/^left live +0 segments$/m);
      expect(run.stdout).not.toMatch(/^snapshot /m);
    } else {
      const figures = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(figures['liveSegments']).toBe(0);
      expect(figures['snapshot']).toBeUndefined();
    }
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/^dvpp-pool: cannot write the snapshot to \/dev\/full: .*ENOSPC/);
    expect(run.status).toBe(1);
  });
});

describe('dvpp-pool demo --max-pool-size', () => {
  const MIB = 2 ** 20;
  const snapshotFile = join(dir, 'grown.json');
  // 8 channels need about 130 MiB at their worst: a 32 MiB first block must grow.
  const grow = ['--channels', '8', '--backend', 'js', '--pool-size', '32MiB', '--max-pool-size', '256MiB'];
  const run = runCli(['demo', '--seconds', '1', '--json', '--snapshot', snapshotFile, ...grow]);

  it('grows the pool under the load, then trims every grown block', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const figures = JSON.parse(run.stdout) as Record<string, number>;
    expect(figures['poolBytes']).toBe(32 * MIB);
    expect(figures['maxPoolBytes']).toBe(256 * MIB);
    expect(figures['grows']).toBeGreaterThan(0);
    expect(figures['growFailures']).toBe(0);
    // Each growth adds one --pool-size block; none is trimmed before the end.
    expect(figures['blocks']).toBe(figures['grows']! + 1);
    expect(figures['grownPoolBytes']).toBe(figures['blocks']! * 32 * MIB);
    expect(figures['peakUsedBytes']).toBeGreaterThan(32 * MIB);
    expect(figures['peakUsedBytes']).toBeLessThanOrEqual(figures['grownPoolBytes']!);
    expect(figures['trims']).toBe(figures['grows']);
    expect(figures['trimmedBytes']).toBe(figures['grownPoolBytes']! - 32 * MIB);
    expect(figures['liveSegments']).toBe(0);
  });

  it('writes a peak snapshot of several blocks that map draws one band each', () => {
    const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { blocks: unknown[] };
    expect(snapshot.blocks.length).toBeGreaterThan(1);
    const map = runCli(['map', snapshotFile]);
    expect(map.status).toBe(0);
    expect(strictXmlProblem(map.stdout)).toBeUndefined();
    expect([...map.stdout.matchAll(/<text class="band"/g)]).toHaveLength(snapshot.blocks.length);
  });

  it('says in its text summary how the pool grew and what trim gave back', () => {
    const text = runCli(['demo', '--seconds', '0.5', ...grow]);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^dvpp-pool demo: 8 channels .* on a 32 MiB pool growing to 256 MiB, backend js$/m);
    expect(text.stdout).toMatch(/^growth +[1-9]\d* grows to \d+ blocks, [\d.]+ MiB of at most 256 MiB; 0 growth failures; trim\(\) at the end gave back [1-9]\d* blocks?, [\d.]+ MiB$/m);
  });

  it('refuses a --max-pool-size below the pool size', () => {
    const refused = runCli(['demo', '--pool-size', '64MiB', '--max-pool-size', '32MiB']);
    expect(isOneLineError(refused.stderr)).toBe(true);
    expect(refused.stderr).toMatch(/--max-pool-size must be between 64 MiB and 16 GiB, got '32MiB'/);
    expect(refused.status).toBe(2);
  });
});
