// SPDX-License-Identifier: MIT
// pool.validate(): the engine's own invariants (engine/invariants.ts), then the pool core's
// bookkeeping against them: every registered segment live in the engine at its node, offset and
// footprint; the counters agreeing with the live count. O(ranges).

import { footprint } from '../constants.js';
import { GRANULE, type PoolCore } from './core.js';
import { segmentCore, segmentLength, segmentNode, segmentOffset } from './segment.js';

/** @throws {Error} naming the first broken invariant. */
export function validatePool(core: PoolCore): void {
  const engine = core.engine;
  engine.validate();
  const fail = (what: string): never => {
    throw new Error(`Pool invariant broken: ${what}`);
  };
  if (core.baseAddress % BigInt(GRANULE) !== 0n) fail(`baseAddress 0x${core.baseAddress.toString(16)} is not 128-aligned`);
  if (engine.capacity !== core.capacityGranules) fail(`engine capacity ${engine.capacity} != ${core.capacityGranules} granules`);
  let live = 0;
  for (let node = 0; node < core.segments.length; node++) {
    const segment = core.segments[node];
    if (segment === undefined) continue;
    live++;
    const offset = segmentOffset(segment);
    const length = segmentLength(segment);
    const at = `segment at node ${node} (offset ${offset})`;
    if (segmentCore(segment) !== core || segmentNode(segment) !== node) fail(`${at} is registered at the wrong pool or node`);
    if (!engine.isLive(node, engine.generationOf(node))) fail(`${at} is not live in the engine`);
    if (engine.offsetOf(node) * GRANULE !== offset) fail(`${at}: engine offset ${engine.offsetOf(node) * GRANULE}`);
    if (!Number.isSafeInteger(length) || length <= 0) fail(`${at}: length ${length}`);
    if (engine.sizeOf(node) * GRANULE !== footprint(length)) fail(`${at}: engine size ${engine.sizeOf(node)} granules != its footprint`);
  }
  if (live !== engine.liveCount) fail(`${live} registered segments but the engine has ${engine.liveCount} live ranges`);
  const { acquires, releases } = core.counters;
  if (acquires - releases !== live) fail(`acquires ${acquires} - releases ${releases} != ${live} live segments`);
}
