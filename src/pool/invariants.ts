// SPDX-License-Identifier: MIT
// pool.validate(): the engine's own invariants (engine/invariants.ts), then the pool core's
// bookkeeping against them: every registered segment live in the engine at its node, offset and
// footprint; the counters agreeing with the live count. O(ranges).

import { footprint, segmentSize } from '../constants.js';
import { GRANULE, type PoolCore } from './core.js';
import { segmentNode } from './segment.js';

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
    const at = `segment at node ${node} (offset ${segment.offset})`;
    if (segment.pool !== core.pool || segmentNode(segment) !== node) fail(`${at} is registered at the wrong pool or node`);
    if (!engine.isLive(node, engine.generationOf(node))) fail(`${at} is not live in the engine`);
    if (engine.offsetOf(node) * GRANULE !== segment.offset) fail(`${at}: engine offset ${engine.offsetOf(node) * GRANULE}`);
    if (segment.size !== segmentSize(segment.length)) fail(`${at}: size ${segment.size} != segmentSize(${segment.length})`);
    if (engine.sizeOf(node) * GRANULE !== footprint(segment.length)) fail(`${at}: engine size ${engine.sizeOf(node)} granules != its footprint`);
  }
  if (live !== engine.liveCount) fail(`${live} registered segments but the engine has ${engine.liveCount} live ranges`);
  const { acquires, releases } = core.counters;
  if (acquires - releases !== live) fail(`acquires ${acquires} - releases ${releases} != ${live} live segments`);
}
