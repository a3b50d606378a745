// SPDX-License-Identifier: MIT
// The engine's figures that are not per node or per bin (the node table's fill, the bitmap's
// top word, used/live/peak, the generation serial), kept as words of one Int32Array rather than
// as object fields: storage that several holders share (the threads of a shared pool) then holds
// every bit of the engine's state, and no holder copies figures in or out around an operation.

/** Word indexes; each is read into a module constant where it is used (see tlsf.ts on hot imports). */
export const NODE_CAPACITY = 0;
export const TOP = 1;
export const SPARE_HEAD = 2;
export const BITMAP_TOP = 3;
export const USED = 4;
export const LIVE = 5;
export const PEAK = 6;
export const SERIAL = 7;
export const FALLBACKS = 8;

/** Words of an engine's scalar array. */
export const ENGINE_SCALARS = 9;
