// SPDX-License-Identifier: MIT
// Keeps the benchmarks from rotting: runs `bench/main.ts --quick` end to end, as `npm run
// bench:quick` does, into a temporary folder, and checks that every scenario and target is in
// the JSON with sane numbers. No timing thresholds: CI machines are shared and noisy.
// Figures are typed, so a target cannot look up a misspelt one; what is left to check here is
// that every target found every seed of the run, and that each part not measured says why.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { figureRows } from '../../bench/report/figure-rows.js';
import type { BenchResults } from '../../bench/report/results.js';
import type { TargetResult } from '../../bench/report/targets.js';
import { TARGET_IDS } from '../helpers/bench-targets.js';

const out = mkdtempSync(join(tmpdir(), 'dvpp-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Report {
  env: { node: string; backendKind: string; blockBytes: number; seeds: number[]; gcExposed: boolean };
  traces: { seed: number; nOps: number; peakLiveBytes: number; liveAtEnd: number }[];
  scenarios: BenchResults[keyof BenchResults][];
  targets: TargetResult[];
}

/** The status of a part that may not be measured: 'measured', or 'not measured: ' and a reason. */
const MEASURED_OR_WHY = /^(measured|not measured: .+)$/;

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
    expect(ids).toEqual(['hot-pair', 'trace-replay', 'fragmentation', 'native-per-request', 'compat', 'peers', 'recording', 'shared', 'hot-path']);
    for (const s of report.scenarios) {
      if (s.status === 'skipped') {
        // Only a contender that needs something this machine lacks may skip, and it must say why.
        expect(s.id).toBe('native-per-request');
        expect(s.notes.join(' ')).not.toBe('');
        continue;
      }
      expect(s.status).toBe('ok');
      for (const [path, value] of figureRows(s.figures)) {
        // Every part that may be absent (the anchor, the heap check) is measured or says why.
        if (/(^|\.)status$/.test(path)) expect(value, `${s.id} ${path}`).toMatch(MEASURED_OR_WHY);
        if (typeof value !== 'number') continue;
        expect(Number.isFinite(value), `${s.id} ${path}`).toBe(true);
        if (/Ns(PerOp|PerPair)$/.test(path)) expect(value, `${s.id} ${path}`).toBeGreaterThan(0);
        if (/failures$|failuresAtEngineMin$|backendCallsPerPair$|overlaps$/.test(path)) expect(value, `${s.id} ${path}`).toBe(0);
        if (/\.ratio$/.test(path)) expect(value, `${s.id} ${path}`).toBeGreaterThanOrEqual(1);
      }
    }

    const targets = report.targets.map((t) => t.id);
    expect(targets).toEqual(TARGET_IDS);
    for (const t of report.targets) {
      expect(t.figure).not.toBe('');
      expect(t.missing, `${t.id}: seeds of the run its scenario lacks`).toEqual([]);
    }
  }, 180_000);
});
