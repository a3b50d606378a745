// SPDX-License-Identifier: MIT
// The binary trace format: round trip, and a clear error for each kind of malformed input.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OP_ALLOC,
  OP_FREE,
  TRACE_MAGIC,
  type Trace,
  TraceFormatError,
  decodeTrace,
  encodeTrace,
  readTraceFile,
  validateTrace,
  writeTraceFile,
} from '../../../src/trace/format.js';

function trace(records: [number, number, number][], nIds: number): Trace {
  return { nOps: records.length, nIds, ops: Uint32Array.from(records.flat()) };
}

function raw(words: number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return bytes;
}

const sample = trace(
  [
    [OP_ALLOC, 0, 3_110_400],
    [OP_ALLOC, 1, 64],
    [OP_FREE, 0, 0],
    [OP_ALLOC, 0, 150_528],
    [OP_FREE, 1, 0],
    [OP_FREE, 0, 0],
  ],
  2,
);

describe('trace format', () => {
  it('round-trips through bytes with a little-endian header', () => {
    const bytes = encodeTrace(sample);
    expect(bytes.byteLength).toBe(16 + 6 * 12);
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(TRACE_MAGIC);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x31, 0x43, 0x52, 0x54]); // "1CRT" on disk
    const back = decodeTrace(bytes);
    expect(back.nOps).toBe(6);
    expect(back.nIds).toBe(2);
    expect(Array.from(back.ops)).toEqual(Array.from(sample.ops));
  });

  it('round-trips through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvpp-trace-'));
    try {
      const path = join(dir, 't.trc');
      writeTraceFile(path, sample);
      expect(Array.from(readTraceFile(path).ops)).toEqual(Array.from(sample.ops));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts an empty trace and ids left live at the end', () => {
    expect(decodeTrace(encodeTrace(trace([], 0))).nOps).toBe(0);
    expect(decodeTrace(encodeTrace(trace([[OP_ALLOC, 0, 10]], 1))).nOps).toBe(1);
  });

  it.each([
    ['bad magic', raw([0x12345678, 0, 0, 0]), /bad magic 0x12345678/],
    ['a short header', new Uint8Array(10), /truncated: 10 bytes is shorter than the 16-byte header/],
    ['missing records', raw([TRACE_MAGIC, 2, 1, 0, OP_ALLOC, 0, 5]), /truncated: header announces 2 ops/],
    ['trailing bytes', raw([TRACE_MAGIC, 0, 0, 0, 7]), /4 trailing bytes/],
    ['a non-zero reserved word', raw([TRACE_MAGIC, 0, 0, 3]), /header word 3 is 3/],
    ['a free of an unknown id', raw([TRACE_MAGIC, 1, 1, 0, OP_FREE, 0, 0]), /op 0: free of unknown id 0/],
    ['a double free', raw([TRACE_MAGIC, 3, 1, 0, OP_ALLOC, 0, 8, OP_FREE, 0, 0, OP_FREE, 0, 0]), /op 2: free of unknown id 0/],
    ['a double alloc of an id', raw([TRACE_MAGIC, 2, 1, 0, OP_ALLOC, 0, 8, OP_ALLOC, 0, 8]), /op 1: double alloc: id 0/],
    ['an id out of range', raw([TRACE_MAGIC, 1, 1, 0, OP_ALLOC, 1, 8]), /op 0: id 1 is out of range \(nIds=1\)/],
    ['an unknown op code', raw([TRACE_MAGIC, 1, 1, 0, 2, 0, 8]), /op 0: unknown op code 2/],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => decodeTrace(bytes)).toThrow(TraceFormatError);
    expect(() => decodeTrace(bytes)).toThrow(message);
  });

  // Every count and size in a header is bounded by the data's length and the documented limits
  // before anything is allocated: these once cost a V8 out-of-memory abort or a stack trace.
  it.each([
    ['2^32 - 1 ids in a 16-byte header', raw([TRACE_MAGIC, 0, 2 ** 32 - 1, 0]), /nIds=4294967295 is more than the 0 ops/],
    ['2^31 - 1 ids in a 28-byte file', raw([TRACE_MAGIC, 1, 2 ** 31 - 1, 0, OP_ALLOC, 0, 8]), /nIds=2147483647 is more than the 1 ops/],
    ['an alloc of 0 bytes', raw([TRACE_MAGIC, 1, 1, 0, OP_ALLOC, 0, 0]), /op 0: alloc of 0 bytes/],
    [
      'allocations whose live footprint passes 16 GiB',
      raw([TRACE_MAGIC, 4, 4, 0, ...[0, 1, 2, 3].flatMap((id) => [OP_ALLOC, id, 2 ** 32 - 1])]),
      /op 3: live footprint reaches 17179869696 bytes, above the 17179869184-byte \(16 GiB\) DVPP limit/,
    ],
  ])('bounds %s', (_name, bytes, message) => {
    expect(() => decodeTrace(bytes)).toThrow(TraceFormatError);
    expect(() => decodeTrace(bytes)).toThrow(message);
  });

  it('bounds an in-memory trace the same way before allocating its tables', () => {
    expect(() => validateTrace({ nOps: 0, nIds: 2 ** 32 - 1, ops: new Uint32Array(0) })).toThrow(TraceFormatError);
    expect(() => validateTrace({ nOps: 0, nIds: -1, ops: new Uint32Array(0) })).toThrow(/nIds/);
    expect(() => validateTrace({ nOps: 1, nIds: 0.5, ops: new Uint32Array(3) })).toThrow(/nIds/);
  });

  it('keeps to exactly the 16 GiB limit and to ids reused up to nOps', () => {
    // len 2^32 - 32: segment alignUp(len, 32) + 32 = 2^32, footprint 2^32; four make exactly 16 GiB.
    const len = 2 ** 32 - 32;
    expect(decodeTrace(raw([TRACE_MAGIC, 4, 4, 0, ...[0, 1, 2, 3].flatMap((id) => [OP_ALLOC, id, len])])).nOps).toBe(4);
    expect(decodeTrace(raw([TRACE_MAGIC, 1, 1, 0, OP_ALLOC, 0, 1])).nIds).toBe(1);
  });

  it('refuses to encode an invalid trace', () => {
    expect(() => encodeTrace(trace([[OP_FREE, 0, 0]], 1))).toThrow(/free of unknown id 0/);
    expect(() => encodeTrace({ nOps: 2, nIds: 1, ops: new Uint32Array(3) })).toThrow(/needs 6/);
  });
});
