// SPDX-License-Identifier: MIT
// `dvpp-pool timeline FILE`: draws live bytes over time, stacked by tag, from a pool recording
// (its JSON lines, `recording.toJsonLines()` or `demo --record FILE`) or a TRC1 trace (a
// recording's `toTrace()`, the bench's traces; no tags and no clock there, so one band over
// operation numbers). A recording's grow and trim events step the capacity line. The file is read
// whole, up to MAX_TRACE_BYTES; a file that is neither is a usage error naming the first bad line.
// The SVG goes to --out FILE or stdout.

import { footprint } from '../constants.js';
import { formatBytes } from '../format.js';
import { MAX_TRACE_BYTES, OP_ALLOC, TRACE_MAGIC, TraceFormatError, decodeTrace } from '../trace/format.js';
import { MAX_TIMELINE_TIME, type TimelineCapacityStep, type TimelineEvent, type TimelineInput, timelineToSVG } from '../viz/timeline.js';
import { type Command, type CommandLine, UsageError, defineCommand, onlyFile, parseBytes, parseInteger } from './args.js';
import { readCapped } from './input.js';
import { writeOutput } from './output.js';

const HELP = `Usage: dvpp-pool timeline FILE [options]

Draws live bytes over time, stacked by tag, as an SVG: from a pool recording's JSON lines
(recording.toJsonLines(), or 'dvpp-pool demo --record FILE') or from a TRC1 trace (over
operation numbers, untagged). The peak is marked, and the capacity: a line that steps where
a recording shows the pool grow or trim, or from --capacity.
Use - to read stdin. A file may have at most ${formatBytes(MAX_TRACE_BYTES)}.

Options:
  --out FILE       write the SVG to FILE (default: stdout)
  --capacity SIZE  the pool's capacity when the file begins, e.g. 256MiB (a recording's
                   grows and trims step it from there; default: what they tell, else none)
  --width PX       picture width in pixels, 480 to 10000 (default 960)
  --title TEXT     a line of text under the heading
  -h, --help       show this help
`;

const OPTIONS = { out: { type: 'string' }, capacity: { type: 'string' }, width: { type: 'string' }, title: { type: 'string' } } as const;

/** One recording line, as far as the timeline needs it. */
interface RecordedLine {
  readonly kind: string;
  readonly timeUs: number;
  readonly id?: number;
  readonly footprint?: number;
  readonly tag?: string;
  readonly bytes?: number;
  readonly capacity?: number;
}

/** What a recording draws: its byte deltas, and where its pool grew or trimmed. */
interface RecordingTimeline {
  readonly events: TimelineEvent[];
  /** A grow or trim: the block's bytes (negative for a trim) and the pool's capacity after. */
  readonly changes: { readonly time: number; readonly delta: number; readonly capacity: number }[];
}

function parseLine(text: string, line: number, source: string): RecordedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} line ${line} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const event = value as Partial<RecordedLine> | null;
  if (typeof event !== 'object' || event === null || typeof event.kind !== 'string' || typeof event.timeUs !== 'number' || !(Math.abs(event.timeUs) <= MAX_TIMELINE_TIME)) {
    throw new UsageError(`${source} line ${line} is not a recorded event (it needs a "kind" string and a "timeUs" number within ±2^53)`);
  }
  if (event.tag !== undefined && typeof event.tag !== 'string') throw new UsageError(`${source} line ${line}: "tag" must be a string`);
  return event as RecordedLine;
}

/** A recording's events as byte deltas (acquires add, releases and resets take away) and its capacity changes. */
function fromRecording(text: string, source: string): RecordingTimeline {
  const live = new Map<number, { readonly bytes: number; readonly tag: string | undefined }>();
  const events: TimelineEvent[] = [];
  const changes: RecordingTimeline['changes'] = [];
  let previous = -Infinity;
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const event = parseLine(raw, index + 1, source);
    if (event.timeUs < previous) throw new UsageError(`${source} line ${index + 1} goes back in time (${event.timeUs} µs after ${previous} µs)`);
    previous = event.timeUs;
    if (event.kind === 'acquire') {
      if (!Number.isSafeInteger(event.id) || !Number.isSafeInteger(event.footprint) || (event.footprint as number) <= 0) {
        throw new UsageError(`${source} line ${index + 1}: an acquire needs an integer "id" and a positive "footprint"`);
      }
      live.set(event.id as number, { bytes: event.footprint as number, tag: event.tag });
      events.push({ time: event.timeUs, delta: event.footprint as number, tag: event.tag });
    } else if (event.kind === 'release') {
      // A release of a segment acquired before the recording began has nothing to take away.
      const held = event.id === undefined ? undefined : live.get(event.id);
      if (held === undefined) return;
      live.delete(event.id as number);
      events.push({ time: event.timeUs, delta: -held.bytes, tag: held.tag });
    } else if (event.kind === 'reset' || event.kind === 'close') {
      for (const held of live.values()) events.push({ time: event.timeUs, delta: -held.bytes, tag: held.tag });
      live.clear();
    } else if (event.kind === 'grow' || event.kind === 'trim') {
      if (!Number.isSafeInteger(event.bytes) || (event.bytes as number) <= 0 || !Number.isSafeInteger(event.capacity) || (event.capacity as number) <= 0) {
        throw new UsageError(`${source} line ${index + 1}: a ${event.kind} needs a positive integer "bytes" and "capacity"`);
      }
      changes.push({ time: event.timeUs, delta: (event.kind === 'grow' ? 1 : -1) * (event.bytes as number), capacity: event.capacity as number });
    }
  });
  return { events, changes };
}

/**
 * The capacity line of a recording: from `start` (--capacity) stepped by each change's bytes, or,
 * without it, the capacity each change tells, starting from the one before the first.
 * @throws {UsageError} a --capacity that a trim would take to 0 or below.
 */
function capacityLine(changes: RecordingTimeline['changes'], start: number | undefined): { capacity: number | undefined; capacitySteps: TimelineCapacityStep[] } {
  const first = changes[0];
  if (start === undefined) {
    return { capacity: first === undefined ? undefined : first.capacity - first.delta, capacitySteps: changes.map(({ time, capacity }) => ({ time, capacity })) };
  }
  let capacity = start;
  const capacitySteps = changes.map(({ time, delta }) => {
    capacity += delta;
    if (capacity <= 0) throw new UsageError(`--capacity ${start} is less than the recording trims (to ${capacity} bytes at ${time} µs)`);
    return { time, capacity };
  });
  return { capacity: start, capacitySteps };
}

/** A trace's ops as byte deltas over operation numbers. */
function fromTrace(bytes: Uint8Array): TimelineEvent[] {
  const trace = decodeTrace(bytes);
  const held = new Float64Array(trace.nIds);
  const events: TimelineEvent[] = [];
  for (let op = 0; op < trace.nOps; op++) {
    const kind = trace.ops[op * 3] as number;
    const id = trace.ops[op * 3 + 1] as number;
    if (kind === OP_ALLOC) {
      held[id] = footprint(trace.ops[op * 3 + 2] as number);
      events.push({ time: op, delta: held[id] as number, tag: undefined });
    } else {
      events.push({ time: op, delta: -(held[id] as number), tag: undefined });
      held[id] = 0;
    }
  }
  return events;
}

async function run({ values, positionals }: CommandLine<typeof OPTIONS>): Promise<number> {
  const file = onlyFile('timeline', 'recording or trace', positionals);
  const width = values.width === undefined ? undefined : parseInteger('--width', values.width, 480, 10_000);
  const capacity = values.capacity === undefined ? undefined : parseBytes('--capacity', values.capacity);
  const bytes = readCapped(file, 'recording or trace', MAX_TRACE_BYTES, true);
  const source = file === '-' ? 'stdin' : file;
  let input: TimelineInput;
  if (bytes.byteLength >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === TRACE_MAGIC) {
    try {
      input = { events: fromTrace(bytes), unit: 'op', capacity };
    } catch (error) {
      if (error instanceof TraceFormatError) throw new UsageError(`${source} is not a valid trace: ${error.message}`);
      throw error;
    }
  } else {
    const recording = fromRecording(bytes.toString('utf8'), source);
    input = { events: recording.events, unit: 'us', ...capacityLine(recording.changes, capacity) };
  }
  const svg = timelineToSVG(input, { width, title: values.title });
  writeOutput(values.out, svg);
  return 0;
}

/** `dvpp-pool timeline`. */
export const timelineCommand: Command = defineCommand({
  name: 'timeline',
  summary: 'draw live bytes over time, by tag, from a recording or a trace',
  help: HELP,
  usesBackend: false,
  options: OPTIONS,
  positionals: true,
  run,
});
