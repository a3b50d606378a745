// SPDX-License-Identifier: MIT
// The memory a shared pool's threads have in common: SharedArrayBuffers for the engine (its node
// arrays, growable in place so every thread sees the same nodes; its bin heads, bitmap rows and
// scalar figures), the pool's counters, a record of the used ranges kept apart from the engine
// (what a repair after a dead lock holder rebuilds from), the tag table, the attachments and a
// header (the lock, closed flag, release epoch, ticket counter). Plain data only: the whole of it
// is structured-cloneable, so it travels in `pool.share()`'s descriptor.

import { BIN_COUNT } from '../engine/mapping.js';
import { ENGINE_SCALARS } from '../engine/index.js';
import type { NodeArrays, NodeStorage } from '../engine/nodes.js';
import { MAX_TAGS } from '../pool-stats.js';
import { COUNTER_WORDS } from './stats.js';

/** Word indexes of the header (an Int32Array). */
export const HEADER = {
  /** 0, or the lock holder's attachment id + 1, and whether takers sleep on it (shared-lock.ts). */
  lock: 0,
  /** 1 once the creator closed the pool. */
  closed: 1,
  /** Bumped, and notified, whenever room may have appeared for a sleeper (a release, reset, or a wait that left the head). */
  epoch: 2,
  /** The next attachment id. */
  nextAttachment: 3,
  /** Tag names stored so far (the tag table's fill). */
  tagCount: 4,
  /** Code units of tag names stored so far. */
  tagChars: 5,
  /** Threads asleep on the epoch (Atomics.waitAsync), changed under the lock: a release bumps the epoch only when there are some. */
  epochSleepers: 6,
  /** The attachment id + 1 of the last section's holder: a thread that held it last has the engine's figures already. */
  lastHolder: 7,
} as const;
const HEADER_WORDS = 16;

/** The most threads that may attach to one pool over its life (the creator is the first). */
export const MAX_ATTACHMENTS = 256;
/** Int32 words per attachment: state, and its wait queue's head (present, priority, granules), and its wait figures. */
export const ATTACHMENT_WORDS = 8;
/** Attachment states. */
export const ATTACHED = 1;
export const DETACHED = 2;
/** Float64 words per attachment: the head's ticket, waits, timeouts, aborts, waiting now, wait ms total, wait ms max. */
export const ATTACHMENT_FIGURES = 8;

/** Code units of tag names the table holds in all; a tag that would pass it is summed with the others. */
export const TAG_CHARS = 64 * 1024;

/** Float64 words of the shared figures: the counters, then the pool-wide wait peak and the ticket counter. */
export const FIGURES = { counters: 0, peakWaiting: COUNTER_WORDS, nextTicket: COUNTER_WORDS + 1, words: COUNTER_WORDS + 2 } as const;

/** Per node: the used range's record, kept apart from the engine (see the file comment). */
export interface RangeRecords {
  /** The generation of the node's committed used range, or -1. */
  readonly generation: Int32Array;
  /** Its `len` in bytes. */
  readonly length: Float64Array;
  /** The attachment that acquired it (or adopted it last). */
  readonly owner: Int32Array;
  /** Its tag's index in the tag table, -1 untagged, -2 past the table. */
  readonly tag: Int32Array;
}

/** The buffers of one shared pool; every field is a SharedArrayBuffer (or a list of them). */
export interface SharedBuffers {
  readonly header: SharedArrayBuffer;
  readonly figures: SharedArrayBuffer;
  readonly scalars: SharedArrayBuffer;
  readonly binHead: SharedArrayBuffer;
  readonly bitmapRows: SharedArrayBuffer;
  /** The engine's seven node arrays, then the four range records, in NODE_BUFFERS order; growable. */
  readonly nodes: readonly SharedArrayBuffer[];
  readonly attachments: SharedArrayBuffer;
  readonly attachmentFigures: SharedArrayBuffer;
  /** Per tag: start and length of its name in `tagNames` (Int32 pairs). */
  readonly tagIndex: SharedArrayBuffer;
  /** Tag names, UTF-16 code units. */
  readonly tagNames: SharedArrayBuffer;
  /** Per tag and the "other" entry: live granules, live segments, peak granules (Float64 triples). */
  readonly tagFigures: SharedArrayBuffer;
}

const ENGINE_FIELDS = ['offset', 'size', 'binPrev', 'binNext', 'physPrev', 'physNext', 'tag'] as const;
const RECORD_FIELDS = ['generation', 'length', 'owner', 'tag'] as const;
const RECORD_BYTES = { generation: 4, length: 8, owner: 4, tag: 4 } as const;
const NODE_BUFFERS = ENGINE_FIELDS.length + RECORD_FIELDS.length;
const FIRST_NODES = 1024;

/** Node slots a pool of `capacityGranules` can ever need: each chained node holds one granule at least. */
const maxNodes = (capacityGranules: number): number => capacityGranules + 1;

/** Makes the buffers of a new shared pool of `capacityGranules`. */
export function makeSharedBuffers(capacityGranules: number): SharedBuffers {
  const nodeCount = Math.min(FIRST_NODES, maxNodes(capacityGranules));
  const nodes = [
    ...ENGINE_FIELDS.map(() => growable(nodeCount * 4, maxNodes(capacityGranules) * 4)),
    ...RECORD_FIELDS.map((field) => growable(nodeCount * RECORD_BYTES[field], maxNodes(capacityGranules) * RECORD_BYTES[field])),
  ];
  const buffers: SharedBuffers = {
    header: new SharedArrayBuffer(HEADER_WORDS * 4),
    figures: new SharedArrayBuffer(FIGURES.words * 8),
    scalars: new SharedArrayBuffer(ENGINE_SCALARS * 4),
    binHead: new SharedArrayBuffer(BIN_COUNT * 4),
    bitmapRows: new SharedArrayBuffer(32 * 4),
    nodes,
    attachments: new SharedArrayBuffer(MAX_ATTACHMENTS * ATTACHMENT_WORDS * 4),
    attachmentFigures: new SharedArrayBuffer(MAX_ATTACHMENTS * ATTACHMENT_FIGURES * 8),
    tagIndex: new SharedArrayBuffer(MAX_TAGS * 2 * 4),
    tagNames: new SharedArrayBuffer(TAG_CHARS * 2),
    tagFigures: new SharedArrayBuffer((MAX_TAGS + 1) * 3 * 8),
  };
  new Int32Array(nodes[ENGINE_FIELDS.length]!).fill(-1);
  return buffers;
}

function growable(bytes: number, maxBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes, { maxByteLength: maxBytes });
}

/** Whether `value` has the shape {@link makeSharedBuffers} makes (a descriptor's buffers, checked before use). */
export function isSharedBuffers(value: unknown): value is SharedBuffers {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const single = ['header', 'figures', 'scalars', 'binHead', 'bitmapRows', 'attachments', 'attachmentFigures', 'tagIndex', 'tagNames', 'tagFigures'];
  if (!single.every((key) => record[key] instanceof SharedArrayBuffer)) return false;
  const nodes = record['nodes'];
  return Array.isArray(nodes) && nodes.length === NODE_BUFFERS && nodes.every((buffer) => buffer instanceof SharedArrayBuffer && buffer.growable);
}

/**
 * The engine's node storage over the shared node buffers: growing grows every buffer in place
 * (so other threads' views see it after their next loadScalars) and hands out fresh views; the
 * range records grow with them.
 */
export class SharedNodeStorage implements NodeStorage {
  readonly #buffers: readonly SharedArrayBuffer[];
  records: RangeRecords;

  constructor(buffers: readonly SharedArrayBuffer[]) {
    this.#buffers = buffers;
    this.records = this.#records(buffers[0]!.byteLength / 4);
  }

  arrays(capacity: number): NodeArrays {
    const buffers = this.#buffers;
    // Each buffer on its own: a thread that died while growing them may have grown only some.
    ENGINE_FIELDS.forEach((_, i) => {
      if (buffers[i]!.byteLength < capacity * 4) buffers[i]!.grow(capacity * 4);
    });
    RECORD_FIELDS.forEach((field, i) => {
      const buffer = buffers[ENGINE_FIELDS.length + i]!;
      const before = buffer.byteLength / RECORD_BYTES[field];
      if (before >= capacity) return;
      buffer.grow(capacity * RECORD_BYTES[field]);
      // A new node has no committed range.
      if (field === 'generation') new Int32Array(buffer).fill(-1, before);
    });
    this.records = this.#records(capacity);
    const views = {} as Record<(typeof ENGINE_FIELDS)[number], Int32Array>;
    ENGINE_FIELDS.forEach((field, i) => {
      views[field] = new Int32Array(buffers[i]!, 0, capacity);
    });
    return views;
  }

  /** Fixed-length views (faster than length-tracking ones), refreshed whenever the table is resized. */
  #records(capacity: number): RangeRecords {
    const at = (i: number) => this.#buffers[ENGINE_FIELDS.length + i]!;
    return {
      generation: new Int32Array(at(0), 0, capacity),
      length: new Float64Array(at(1), 0, capacity),
      owner: new Int32Array(at(2), 0, capacity),
      tag: new Int32Array(at(3), 0, capacity),
    };
  }
}
