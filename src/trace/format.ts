// SPDX-License-Identifier: MIT
// The binary allocation-trace format (docs/benchmarks.md, "Trace format"): a little-endian
// header u32[4] = {TRACE_MAGIC, nOps, nIds, 0}, then nOps records u32[3] = {op, id, len}.
// decodeTrace() checks the bytes and the semantics (ids in range, no free of a dead id, no
// second alloc of a live id) and names the first offending op. Every count and size a header
// claims is bounded by the data's length and the limits below before anything is allocated.
// Part of the package (not only bench/) because `dvpp-pool replay` reads these files.

import { readFileSync, writeFileSync } from 'node:fs';
import { DVPP_MAX_BLOCK_BYTES, footprint } from '../constants.js';
import { MIB, formatBytes } from '../format.js';

/** "TRC1" read as a little-endian u32: the first word of every trace. */
export const TRACE_MAGIC = 0x54524331;
/** Op code of an allocation record: `len` is the requested length in bytes. */
export const OP_ALLOC = 0;
/** Op code of a free record: `len` is ignored (written as 0). */
export const OP_FREE = 1;

const HEADER_WORDS = 4;
const RECORD_WORDS = 3;

/**
 * The largest trace file read: 256 MiB, about 22 million ops (a 1,000,000-op trace is 12 MB).
 * A reader stops there, so an endless input (a pipe, `/dev/zero`) cannot hold it forever.
 */
export const MAX_TRACE_BYTES = 256 * MIB;

/**
 * An in-memory trace. `ops` holds `nOps` records flattened as `[op, id, len, op, id, len, …]`;
 * ids are in `[0, nIds)` and may be reused once freed.
 */
export interface Trace {
  readonly nOps: number;
  readonly nIds: number;
  readonly ops: Uint32Array;
}

/** A trace that breaks the format or its rules; `op` is the index of the first bad record. */
export class TraceFormatError extends Error {
  readonly op: number | undefined;
  constructor(message: string, op?: number) {
    super(op === undefined ? message : `op ${op}: ${message}`);
    this.name = 'TraceFormatError';
    this.op = op;
  }
}

/** Throws unless `nIds` is a whole number of at most `nOps`: ids are reused once freed, so a trace never needs more. */
function checkIdCount(nOps: number, nIds: number): void {
  if (!Number.isSafeInteger(nIds) || nIds < 0 || nIds > nOps) {
    throw new TraceFormatError(`nIds=${nIds} is more than the ${nOps} ops (or not a whole number): a trace needs at most one id per op`);
  }
}

/**
 * Checks the rules every trace obeys: at most as many ids as ops (ids are reused once freed, so
 * a trace never needs more), op codes 0/1, ids below nIds, an alloc of at least 1 byte and only
 * of a dead id, a free only of a live id, and a live footprint that stays within the 16 GiB a
 * DVPP block can have (no pool could replay more). Ids may stay live at the end (a recording
 * cut short). Throws TraceFormatError naming the first offending op; allocates only after the
 * counts are known to be bounded by `ops` itself.
 */
export function validateTrace(trace: Trace): void {
  const { nOps, nIds, ops } = trace;
  if (!Number.isSafeInteger(nOps) || nOps < 0 || ops.length !== nOps * RECORD_WORDS) {
    throw new TraceFormatError(`ops holds ${ops.length} words but nOps=${nOps} needs ${nOps * RECORD_WORDS}`);
  }
  // Every reader stops at MAX_TRACE_BYTES, so no writer may make a larger trace.
  const bytes = (HEADER_WORDS + nOps * RECORD_WORDS) * 4;
  if (bytes > MAX_TRACE_BYTES) {
    throw new TraceFormatError(`${nOps} ops take ${bytes} bytes, more than the ${MAX_TRACE_BYTES / MIB} MiB a trace may have: record fewer events`);
  }
  checkIdCount(nOps, nIds);
  // The live alloc's length per id; 0 marks a dead id, since every alloc asks for 1 byte or more.
  const liveLen = new Uint32Array(nIds);
  let liveBytes = 0;
  for (let i = 0; i < nOps; i++) {
    const op = ops[i * RECORD_WORDS] ?? 0;
    const id = ops[i * RECORD_WORDS + 1] ?? 0;
    if (id >= nIds) throw new TraceFormatError(`id ${id} is out of range (nIds=${nIds})`, i);
    if (op === OP_ALLOC) {
      const len = ops[i * RECORD_WORDS + 2] ?? 0;
      if (liveLen[id] !== 0) throw new TraceFormatError(`double alloc: id ${id} is already live`, i);
      if (len === 0) throw new TraceFormatError(`alloc of 0 bytes for id ${id}: a request is at least 1 byte`, i);
      liveLen[id] = len;
      liveBytes += footprint(len);
      if (liveBytes > DVPP_MAX_BLOCK_BYTES) {
        throw new TraceFormatError(
          `live footprint reaches ${liveBytes} bytes, above the ${DVPP_MAX_BLOCK_BYTES}-byte (${formatBytes(DVPP_MAX_BLOCK_BYTES)}) DVPP limit`,
          i,
        );
      }
    } else if (op === OP_FREE) {
      const len = liveLen[id] ?? 0;
      if (len === 0) throw new TraceFormatError(`free of unknown id ${id}: it is not live`, i);
      liveLen[id] = 0;
      liveBytes -= footprint(len);
    } else {
      throw new TraceFormatError(`unknown op code ${op} (expected ${OP_ALLOC}=alloc or ${OP_FREE}=free)`, i);
    }
  }
}

/** Serialises a trace to the binary format (little-endian on every host). */
export function encodeTrace(trace: Trace): Uint8Array {
  validateTrace(trace);
  const bytes = new Uint8Array((HEADER_WORDS + trace.ops.length) * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, TRACE_MAGIC, true);
  view.setUint32(4, trace.nOps, true);
  view.setUint32(8, trace.nIds, true);
  view.setUint32(12, 0, true);
  for (let w = 0; w < trace.ops.length; w++) view.setUint32((HEADER_WORDS + w) * 4, trace.ops[w] ?? 0, true);
  return bytes;
}

/** Parses and validates the binary format; throws TraceFormatError with the reason. */
export function decodeTrace(bytes: Uint8Array): Trace {
  if (bytes.byteLength > MAX_TRACE_BYTES) {
    throw new TraceFormatError(`${bytes.byteLength} bytes is more than the ${formatBytes(MAX_TRACE_BYTES)} a trace may have`);
  }
  if (bytes.byteLength < HEADER_WORDS * 4) {
    throw new TraceFormatError(`truncated: ${bytes.byteLength} bytes is shorter than the 16-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== TRACE_MAGIC) {
    throw new TraceFormatError(
      `bad magic 0x${magic.toString(16).padStart(8, '0')} (expected 0x${TRACE_MAGIC.toString(16)}, "TRC1"): not a dvpp-pool trace`,
    );
  }
  const nOps = view.getUint32(4, true);
  const nIds = view.getUint32(8, true);
  const reserved = view.getUint32(12, true);
  if (reserved !== 0) throw new TraceFormatError(`header word 3 is ${reserved}; this reader knows only version 0`);
  const expected = (HEADER_WORDS + nOps * RECORD_WORDS) * 4;
  if (bytes.byteLength < expected) {
    throw new TraceFormatError(`truncated: header announces ${nOps} ops (${expected} bytes) but the data has ${bytes.byteLength}`);
  }
  if (bytes.byteLength > expected) {
    throw new TraceFormatError(`${bytes.byteLength - expected} trailing bytes after the ${nOps} ops the header announces`);
  }
  // Before the ops are copied: validateTrace checks it again, for traces built in memory.
  checkIdCount(nOps, nIds);
  const ops = new Uint32Array(nOps * RECORD_WORDS);
  for (let w = 0; w < ops.length; w++) ops[w] = view.getUint32((HEADER_WORDS + w) * 4, true);
  const trace: Trace = { nOps, nIds, ops };
  validateTrace(trace);
  return trace;
}

/** Reads and validates a trace file. */
export function readTraceFile(path: string): Trace {
  return decodeTrace(readFileSync(path));
}

/** Validates and writes a trace file. */
export function writeTraceFile(path: string, trace: Trace): void {
  writeFileSync(path, encodeTrace(trace));
}
