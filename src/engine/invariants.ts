// SPDX-License-Identifier: MIT
// checkInvariants(engine): the O(n + bins) walk behind TlsfEngine.validate(). It trusts nothing:
// every walk is bounded by the node count, so a corrupted link ends in an Error naming the node
// and field, never in an endless loop. Called by tests after every step; never on the hot path.

import type { TlsfEngine } from './tlsf.js';
import * as mapping from './mapping.js';
import * as nodeTable from './nodes.js';

// Imports read once into module constants, as in tlsf.ts (test runners turn imports into getters).
const { BIN_COUNT, FL_COUNT, SL_BITS, binRoundDown } = mapping;
const { NO_NODE, TAG_FREE, TAG_SPARE } = nodeTable;

function fail(message: string): never {
  throw new Error(`TlsfEngine invariant broken: ${message}`);
}

/** Throws an Error describing the first broken invariant of `engine`; returns quietly otherwise. */
export function checkInvariants(engine: TlsfEngine): void {
  const nodes = engine.nodes;
  const top = nodes.top;
  if (top < 1 || top > nodes.capacity) fail(`node top ${top} outside [1, ${nodes.capacity}]`);

  // Address order: node 0 heads a chain of contiguous ranges that tiles [0, capacity).
  let offset = 0;
  let chained = 0;
  let usedSum = 0;
  let usedCount = 0;
  let freeCount = 0;
  let prev = NO_NODE;
  let prevFree = false;
  for (let node = 0; node !== NO_NODE; node = nodes.physNext[node]!) {
    if (node < 0 || node >= top) fail(`node ${prev} links forward to ${node}, outside [0, ${top})`);
    if (++chained > top) fail(`address chain has a cycle (more than ${top} nodes)`);
    if (nodes.physPrev[node]! !== prev) {
      fail(`node ${node} links back to ${nodes.physPrev[node]!}, expected ${prev}`);
    }
    const start = nodes.offset[node]!;
    const size = nodes.size[node]!;
    if (start !== offset) fail(`node ${node} starts at granule ${start}, expected ${offset} (ranges not contiguous)`);
    if (size < 1) fail(`node ${node} at granule ${start} has size 0`);
    if (start + size > engine.capacity) {
      fail(`node ${node} range [${start}, ${start + size}) ends past capacity ${engine.capacity}`);
    }
    const tag = nodes.tag[node]!;
    if (tag >= 0) {
      usedSum += size;
      usedCount++;
      if (tag >= 2 ** 30) fail(`node ${node} generation ${tag} not in [0, 2^30)`);
      prevFree = false;
    } else if (tag === TAG_FREE) {
      if (prevFree) fail(`free nodes ${prev} and ${node} are adjacent (not coalesced)`);
      freeCount++;
      prevFree = true;
    } else {
      fail(`node ${node} in the address chain has tag ${tag} (${tag === TAG_SPARE ? 'spare' : 'neither used nor free'})`);
    }
    offset = start + size;
    prev = node;
  }
  if (offset !== engine.capacity) fail(`ranges cover ${offset} granules, capacity is ${engine.capacity}`);

  // Counters agree with the walk.
  if (usedSum !== engine.usedGranules) fail(`usedGranules is ${engine.usedGranules}, used ranges sum to ${usedSum}`);
  if (engine.freeGranules !== engine.capacity - usedSum) fail(`freeGranules is ${engine.freeGranules}, expected ${engine.capacity - usedSum}`);
  if (usedCount !== engine.liveCount) fail(`liveCount is ${engine.liveCount}, ${usedCount} used ranges found`);
  if (engine.peakUsedGranules < usedSum) fail(`peakUsedGranules ${engine.peakUsedGranules} below usedGranules ${usedSum}`);

  // Bins: bitmaps agree with list heads, every listed node is free, in the right bin, linked both ways.
  const bitmap = engine.bitmap;
  let listed = 0;
  for (let fl = 0; fl < FL_COUNT; fl++) {
    const row = bitmap.rows[fl]!;
    if ((row !== 0) !== ((bitmap.top & (1 << fl)) !== 0)) fail(`top bitmap bit ${fl} disagrees with row ${fl} (${row >>> 0})`);
  }
  for (let bin = 0; bin < BIN_COUNT; bin++) {
    const head = engine.binHead[bin]!;
    const marked = bitmap.has(bin);
    if (marked !== (head !== NO_NODE)) fail(`bin ${bin} (fl ${bin >>> SL_BITS}) bitmap says ${marked ? 'non-empty' : 'empty'} but head is ${head}`);
    let back = NO_NODE;
    for (let node = head; node !== NO_NODE; node = nodes.binNext[node]!) {
      if (node < 0 || node >= top) fail(`bin ${bin} links to node ${node}, outside [0, ${top})`);
      if (++listed > freeCount) fail(`bins list more nodes than the ${freeCount} free ranges (cycle or stray node ${node})`);
      if (nodes.tag[node]! !== TAG_FREE) fail(`node ${node} in bin ${bin} is not free (tag ${nodes.tag[node]!})`);
      if (nodes.binPrev[node]! !== back) fail(`node ${node} in bin ${bin} links back to ${nodes.binPrev[node]!}, expected ${back}`);
      const want = binRoundDown(nodes.size[node]!);
      if (want !== bin) fail(`node ${node} of size ${nodes.size[node]!} is in bin ${bin}, belongs in bin ${want}`);
      back = node;
    }
  }
  if (listed !== freeCount) fail(`bins list ${listed} nodes, the address chain has ${freeCount} free ranges`);

  // Spare stack: every node below top is chained or spare, exactly once.
  let spares = 0;
  for (let node = nodes.spareHead; node !== NO_NODE; node = nodes.binNext[node]!) {
    if (node < 0 || node >= top) fail(`spare stack links to node ${node}, outside [0, ${top})`);
    if (++spares > top - chained) fail(`spare stack has more than the ${top - chained} unchained nodes (cycle or chained node ${node})`);
    if (nodes.tag[node]! !== TAG_SPARE) fail(`spare node ${node} has tag ${nodes.tag[node]!}`);
  }
  if (chained + spares !== top) fail(`${chained} chained + ${spares} spare nodes != top ${top}`);
}
