// SPDX-License-Identifier: MIT
// pool.validate(): each block's engine invariants (engine/invariants.ts), then the pool core's
// bookkeeping against them: every registered segment live in its block's engine at its node,
// offset and footprint; the blocks' slots and sizes adding up to the capacity, within the cap;
// the counters agreeing with the live count and bytes. O(ranges).

import { footprint } from '../constants.js';
import { GRANULE, type PoolCore } from './core.js';
import { segmentBlock, segmentCore, segmentLength, segmentNode, segmentOffset } from './segment.js';

/** @throws {Error} naming the first broken invariant. */
export function validatePool(core: PoolCore): void {
  const fail = (what: string): never => {
    throw new Error(`Pool invariant broken: ${what}`);
  };
  const shared = core.shared;
  if (shared !== undefined) {
    // The engine against the range records and counters, under the lock; then this thread's own
    // Segment objects: each current one where the engine says.
    shared.validate();
    const block = core.first;
    block.segments.forEach((segment, node) => {
      if (segment === undefined || !shared.isCurrent(node)) return;
      if (segmentNode(segment) !== node || block.engine.offsetOf(node) * GRANULE !== segmentOffset(segment)) fail(`this thread's segment at node ${node} disagrees with the engine`);
    });
    return;
  }
  if (core.blocks[0] !== core.first) fail('the first block is not in slot 0');
  let live = 0;
  let usedGranules = 0;
  let capacity = 0;
  core.blocks.forEach((block, index) => {
    if (block === undefined) return;
    const engine = block.engine;
    engine.validate();
    capacity += block.capacity;
    if (block.index !== index || block.freed) fail(`block in slot ${index} says slot ${block.index}${block.freed ? ' and is freed' : ''}`);
    if (block.base % BigInt(GRANULE) !== 0n) fail(`block ${index}: base 0x${block.base.toString(16)} is not 128-aligned`);
    if (engine.capacity * GRANULE !== block.capacity) fail(`block ${index}: engine capacity ${engine.capacity} granules != ${block.capacity} bytes`);
    let inBlock = 0;
    for (let node = 0; node < block.segments.length; node++) {
      const segment = block.segments[node];
      if (segment === undefined) continue;
      inBlock++;
      const offset = segmentOffset(segment);
      const length = segmentLength(segment);
      const at = `segment at node ${node} of block ${index} (offset ${offset})`;
      if (segmentCore(segment) !== core || segmentBlock(segment) !== block || segmentNode(segment) !== node) fail(`${at} is registered at the wrong pool, block or node`);
      if (!engine.isLive(node, engine.generationOf(node))) fail(`${at} is not live in the engine`);
      if (engine.offsetOf(node) * GRANULE !== offset) fail(`${at}: engine offset ${engine.offsetOf(node) * GRANULE}`);
      if (!Number.isSafeInteger(length) || length <= 0) fail(`${at}: length ${length}`);
      if (engine.sizeOf(node) * GRANULE !== footprint(length)) fail(`${at}: engine size ${engine.sizeOf(node)} granules != its footprint`);
    }
    if (inBlock !== engine.liveCount) fail(`block ${index}: ${inBlock} registered segments but the engine has ${engine.liveCount} live ranges`);
    live += inBlock;
    usedGranules += engine.usedGranules;
  });
  if (capacity !== core.capacity) fail(`the blocks hold ${capacity} bytes but the capacity says ${core.capacity}`);
  if (capacity > core.growth.maxSize) fail(`the blocks hold ${capacity} bytes, past maxSize ${core.growth.maxSize}`);
  const { acquires, releases, liveSegments, usedGranules: counted } = core.counters;
  if (acquires - releases !== live || liveSegments !== live) fail(`acquires ${acquires} - releases ${releases} (live ${liveSegments}) != ${live} live segments`);
  if (counted !== usedGranules) fail(`the counters say ${counted} used granules, the engines ${usedGranules}`);
}
