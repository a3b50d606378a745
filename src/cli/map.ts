// SPDX-License-Identifier: MIT
// `dvpp-pool map FILE`: reads a pool snapshot as JSON (from `demo --snapshot FILE`, or any
// `JSON.stringify(pool.snapshot())`; `-` reads stdin) and writes the SVG memory map that
// snapshotToSVG draws, to --out FILE or stdout. A file that is not JSON or not a snapshot, or
// larger than MAX_SNAPSHOT_BYTES, is a usage error: one line naming the file and the first bad
// field, exit code 2.

import { MIB, formatBytes } from '../format.js';
import type { PoolSnapshot } from '../pool/snapshot.js';
import { snapshotToSVG } from '../viz/svg.js';
import { type Command, type CommandLine, UsageError, defineCommand, onlyFile, parseInteger } from './args.js';
import { readCapped } from './input.js';
import { writeOutput } from './output.js';

/**
 * The largest snapshot file `map` reads: 256 MiB, some 3 million segments of JSON. Reading stops
 * there, so an endless input (a pipe, `/dev/zero`) ends with a usage error.
 */
export const MAX_SNAPSHOT_BYTES = 256 * MIB;

const HELP = `Usage: dvpp-pool map SNAPSHOT.json [options]

Draws a pool snapshot (from 'dvpp-pool demo --snapshot FILE' or JSON.stringify(pool.snapshot()))
as an SVG memory map: each block of the pool as a band in address order, segments coloured by
tag, free ranges hatched, one legend and the stats. Use - to read the snapshot from stdin. A
snapshot file may have at most ${formatBytes(MAX_SNAPSHOT_BYTES)}.

Options:
  --out FILE     write the SVG to FILE (default: stdout)
  --width PX     picture width in pixels, 320 to 10000 (default 960)
  --rows N       rows the largest block is wrapped into, 1 to 256 (default 8);
                 every band's rows span the same bytes
  --title TEXT   a line of text under the heading
  -h, --help     show this help
`;

const OPTIONS = { out: { type: 'string' }, width: { type: 'string' }, rows: { type: 'string' }, title: { type: 'string' } } as const;

async function run({ values, positionals }: CommandLine<typeof OPTIONS>): Promise<number> {
  const file = onlyFile('map', 'snapshot', positionals);
  const width = values.width === undefined ? undefined : parseInteger('--width', values.width, 320, 10_000);
  const rows = values.rows === undefined ? undefined : parseInteger('--rows', values.rows, 1, 256);
  const text = readCapped(file, 'snapshot', MAX_SNAPSHOT_BYTES, true).toString('utf8');
  const source = file === '-' ? 'stdin' : file;
  let snapshot: unknown;
  try {
    snapshot = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  let svg: string;
  try {
    svg = snapshotToSVG(snapshot as PoolSnapshot, { width, rows, title: values.title });
  } catch (error) {
    // snapshotToSVG checks its input first: a TypeError here names the snapshot's bad field.
    if (error instanceof TypeError) throw new UsageError(`${source} is not a pool snapshot: ${error.message}`);
    throw error;
  }
  writeOutput(values.out, svg);
  return 0;
}

/** `dvpp-pool map`. */
export const mapCommand: Command = defineCommand({
  name: 'map',
  summary: 'draw a pool snapshot (JSON) as an SVG memory map',
  help: HELP,
  usesBackend: false,
  options: OPTIONS,
  positionals: true,
  run,
});
