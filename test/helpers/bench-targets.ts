// SPDX-License-Identifier: MIT
// The bench's target ids in report order, as the tests of the report and of bench:quick expect them.

export const TARGET_IDS = [
  'replay-vs-anchor',
  'pool-vs-engine-trace',
  'handle-object-floor',
  'replay-vs-thing',
  'pair-budget',
  'pool-vs-engine-pair',
  'pair-vs-native',
  'pair-vs-anchor',
  'fragmentation',
  'fragmentation-vs-first-fit',
  'fragmentation-vs-anchor',
  'zero-native-calls',
  'flat-heap',
  'recording-off',
  'recording-on-cost',
  'shared-uncontended',
  'shared-contention',
] as const;
