// SPDX-License-Identifier: MIT
// Keeps the benchmarks from rotting: runs `bench/main.ts --quick` end to end, as `npm run
// bench:quick` does, into a temporary folder, and checks that every scenario and target is in
// the JSON with sane numbers. No timing thresholds: CI machines are shared and noisy.
// Every target must find its figures: a lookup that silently finds nothing (a renamed key shows
// as "not measured") fails here unless the report explains it (a skipped scenario, no anchor).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeTargets } from '../../bench/report/targets.js';
import type { ScenarioResult } from '../../bench/scenarios/context.js';

const out = mkdtempSync(join(tmpdir(), 'dvpp-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Report {
  env: { node: string; backendKind: string; blockBytes: number; seeds: number[]; gcExposed: boolean };
  traces: { seed: number; nOps: number; peakLiveBytes: number; liveAtEnd: number }[];
  scenarios: { id: string; status: string; figures: Record<string, unknown>; notes: string[] }[];
  targets: { id: string; figure: string; met: boolean | null; missing: string[] }[];
}

describe('bench:quick', () => {
  it('runs every scenario and writes a complete report', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/main.ts', '--quick', '--out', out], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toMatch(/## Targets/);

    expect(report.env.node).toBe(process.version);
    expect(report.env.gcExposed).toBe(true);
    expect(report.traces.map((t) => t.seed)).toEqual([12345, 777]);
    for (const t of report.traces) {
      expect(t.nOps).toBeGreaterThan(0);
      expect(t.peakLiveBytes).toBeGreaterThan(0);
      expect(t.liveAtEnd).toBe(0);
    }

    const ids = report.scenarios.map((s) => s.id);
    expect(ids).toEqual(['hot-pair', 'trace-replay', 'fragmentation', 'native-per-request', 'compat', 'peers', 'hot-path']);
    for (const s of report.scenarios) {
      if (s.status === 'skipped') {
        // Only a contender that needs something this machine lacks may skip, and it must say why.
        expect(['native-per-request', 'compat']).toContain(s.id);
        expect(s.notes.join(' ')).not.toBe('');
        continue;
      }
      expect(s.status).toBe('ok');
      for (const [key, value] of Object.entries(s.figures)) {
        if (typeof value !== 'number') continue;
        expect(Number.isFinite(value), `${s.id} ${key}`).toBe(true);
        if (/Ns(PerOp|PerPair)$/.test(key)) expect(value, `${s.id} ${key}`).toBeGreaterThan(0);
        if (/failures$|failuresAtEngineMin$|backendCallsPerPair$|overlaps$/.test(key)) expect(value, `${s.id} ${key}`).toBe(0);
        if (/\.ratio$/.test(key)) expect(value, `${s.id} ${key}`).toBeGreaterThanOrEqual(1);
      }
    }

    // The C++ anchor: measured figures, or "not measured" with the reason (no compiler here).
    const anchorKeys: Record<string, RegExp> = {
      'hot-pair': /^anchor\.medianNsPerPair$/,
      'trace-replay': /^seed(12345|777)\.(anchor|anchorNoop)\.medianNsPerOp$/,
      fragmentation: /^seed(12345|777)\.anchor\.(minPoolMiB|ratio)$/,
    };
    for (const [id, pattern] of Object.entries(anchorKeys)) {
      const figures = report.scenarios.find((s) => s.id === id)?.figures ?? {};
      const status = figures['anchor.status'];
      if (status === 'measured') {
        const measured = Object.keys(figures).filter((k) => pattern.test(k));
        expect(measured.length, `${id} anchor figures`).toBe(id === 'hot-pair' ? 1 : 4);
      } else {
        expect(status, `${id} anchor.status`).toMatch(/^not measured: .+/);
      }
    }

    const targets = report.targets.map((t) => t.id);
    expect(targets).toEqual([
      'replay-vs-anchor',
      'replay-vs-thing',
      'pair-budget',
      'pair-vs-native',
      'pair-vs-anchor',
      'fragmentation',
      'fragmentation-vs-first-fit',
      'fragmentation-vs-anchor',
      'zero-native-calls',
      'flat-heap',
    ]);
    for (const t of report.targets) {
      expect(t.figure).not.toBe('');
      expect(t.missing, `${t.id}: figures looked up and not found`).toEqual([]);
    }
  }, 180_000);

  it('lists a figure a target looks up and does not find, unless the report says why it is absent', () => {
    const traces = [{ seed: 1 }] as unknown as Parameters<typeof judgeTargets>[1];
    const result = (id: string, figures: ScenarioResult['figures'], status: ScenarioResult['status'] = 'ok'): ScenarioResult => ({ id, title: id, status, figures, notes: [] });
    const byId = (results: ScenarioResult[]) => Object.fromEntries(judgeTargets(results, traces).map((t) => [t.id, t.missing]));
    // The hot pair ran, but its figure is under another key: the pair targets say so.
    const renamed = byId([result('hot-pair', { 'pool.medianNsPerPairs': 30, 'engine.medianNsPerPair': 20, 'anchor.status': 'not measured: no compiler' }), result('hot-path', { heapChecked: false })]);
    expect(renamed['pair-budget']).toContain('hot-pair: pool.medianNsPerPair');
    // A scenario no result has: every lookup of it is listed.
    expect(renamed['replay-vs-thing']).toEqual(['peers: seed1.thingOverPool', 'peers: seed1.pool.medianNsPerOp', 'peers: seed1.thing.medianNsPerOp']);
    // Explained: the anchor not measured, heap checks off, a skipped scenario.
    expect(renamed['pair-vs-anchor']).toEqual([]);
    expect(renamed['flat-heap']).toEqual([]);
    expect(byId([result('native-per-request', {}, 'skipped')])['pair-vs-native']).not.toContain('native-per-request: pair.medianNsPerPair');
  });
});
