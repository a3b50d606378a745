// SPDX-License-Identifier: MIT
// The engine's public surface for the pool layer: the allocator, its failure value and the
// size-class maths (for docs, tests and diagnostics). Re-exports only.

export { NO_SPACE, EXACT_PROBES, ENGINE_SCALARS, TlsfEngine } from './tlsf.js';
export type { EngineStorage } from './tlsf.js';
export { BYTES_PER_NODE } from './nodes.js';
export { MAX_GRANULES, SL_BITS, binFloor, binRoundDown, binRoundUp } from './mapping.js';
