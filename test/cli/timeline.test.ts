// SPDX-License-Identifier: MIT
// `dvpp-pool demo --record FILE` and `dvpp-pool timeline FILE` end to end: a one-second demo's
// recording (JSON lines) replays through a fresh pool of the same capacity with the same
// offsets as the live run, and draws as a strict-XML timeline with the capacity and the peak; a
// `.trc` recording is a trace `replay` reads; a file that is neither, and a bad option, are one
// line each and exit 2.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/index.js';
import { isOneLineError, runCli } from '../helpers/cli.js';
import { pythonSkipReason, pythonUnpickle } from '../helpers/python-pickle.js';
import { strictXmlProblem } from '../helpers/strict-xml.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Line {
  kind: string;
  id?: number;
  len?: number;
  offset?: number;
}

describe('dvpp-pool demo --record and timeline', () => {
  const recording = join(dir, 'run.jsonl');
  const demo = runCli(['demo', '--seconds', '1', '--pool-size', '64MiB', '--json', '--record', recording]);

  it('records the run, and says so in the figures', () => {
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    const figures = JSON.parse(demo.stdout) as { recording: { file: string; events: number; dropped: number }; poolBytes: number };
    expect(figures.recording).toMatchObject({ file: recording, dropped: 0 });
    expect(figures.recording.events).toBeGreaterThan(100);
  });

  it('gives a recording whose acquires replay through a fresh pool at the live offsets', () => {
    const lines = readFileSync(recording, 'utf8').trim().split('\n').map((text) => JSON.parse(text) as Line);
    using pool = createPool({ size: 64 * 2 ** 20, backend: 'js' });
    const live = new Map<number, ReturnType<typeof pool.acquire>>();
    let acquires = 0;
    for (const line of lines) {
      if (line.kind === 'acquire') {
        const segment = pool.acquire(line.len!);
        expect(segment.offset).toBe(line.offset);
        live.set(line.id!, segment);
        acquires++;
      } else if (line.kind === 'release') {
        live.get(line.id!)?.release();
        live.delete(line.id!);
      }
    }
    expect(acquires).toBeGreaterThan(50);
    pool.reset();
  });

  it('draws the recording as a timeline with the capacity and the peak', () => {
    const out = join(dir, 'timeline.svg');
    const run = runCli(['timeline', recording, '--capacity', '64MiB', '--out', out, '--title', 'one second']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(strictXmlProblem(svg)).toBeUndefined();
    expect(svg).toContain('capacity 64 MiB');
    expect(svg).toMatch(/peak [\d.]+ MiB at [\d.]+ (s|ms)/);
    expect(svg).toContain('vdec 1080p</tspan>');
  });

  it('writes a .trc recording that replay reads, and timeline draws over operations', () => {
    const trace = join(dir, 'run.trc');
    expect(runCli(['demo', '--seconds', '1', '--pool-size', '64MiB', '--json', '--record', trace]).status).toBe(0);
    const replay = runCli(['replay', trace, '--reps', '1', '--pool-size', '64MiB']);
    expect(replay.stderr).toBe('');
    expect(replay.status).toBe(0);
    const drawn = runCli(['timeline', trace]);
    expect(drawn.status).toBe(0);
    expect(drawn.stdout).toContain('operation (trace order)');
  });

  it.skipIf(pythonSkipReason !== undefined)(`writes a .pickle recording that Python's pickle loads as a memory_viz snapshot${pythonSkipReason === undefined ? '' : ` (skipped: ${pythonSkipReason})`}`, () => {
    const file = join(dir, 'run.pickle');
    expect(runCli(['demo', '--seconds', '1', '--pool-size', '64MiB', '--json', '--record', file]).status).toBe(0);
    const snapshot = pythonUnpickle(readFileSync(file)) as { segments: { total_size: bigint }[]; device_traces: { action: string }[][] };
    expect(snapshot.segments[0]?.total_size).toBe(BigInt(64 * 2 ** 20));
    const actions = new Set(snapshot.device_traces[0]!.map((entry) => entry.action));
    for (const action of ['segment_alloc', 'alloc', 'free_requested', 'free_completed']) expect(actions.has(action), action).toBe(true);
  });

  it('refuses a file that is neither, and a bad option, with one line and exit 2', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"kind":"acquire","timeUs":1,"id":0,"footprint":256}\nnot json\n');
    for (const args of [['timeline', bad], ['timeline', join(dir, 'missing.jsonl')], ['timeline', recording, '--width', '10'], ['timeline']]) {
      const run = runCli(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(isOneLineError(run.stderr), run.stderr).toBe(true);
    }
    expect(runCli(['timeline', bad]).stderr).toMatch(/line 2 is not JSON/);
    // Hostile values found by the adversarial review: a hang, stack traces, NaN coordinates.
    const acquire = (timeUs: number, extra = '') => `{"kind":"acquire","timeUs":${timeUs},"id":${Math.abs(timeUs) % 1000},"footprint":256${extra}}`;
    const hostile: [string, RegExp][] = [
      [`${acquire(-1e308)}\n${acquire(1e308)}\n`, /within ±2\^53/],
      [`${acquire(1e17)}\n`, /within ±2\^53/],
      [`${acquire(1, ',"tag":5')}\n`, /"tag" must be a string/],
      [`${acquire(1, ',"tag":{}')}\n`, /"tag" must be a string/],
      [`${acquire(5)}\n${acquire(3)}\n`, /line 2 goes back in time/],
    ];
    for (const [text, message] of hostile) {
      const file = join(dir, 'hostile.jsonl');
      writeFileSync(file, text);
      const run = runCli(['timeline', file], undefined);
      expect(run.status, text).toBe(2);
      expect(isOneLineError(run.stderr), run.stderr).toBe(true);
      expect(run.stderr).toMatch(message);
    }
    expect(runCli(['demo', '--seconds', '1', '--record', dir]).stderr).toMatch(/--record .* is a directory/);
  });
});
