// SPDX-License-Identifier: MIT
// The public surface of dvpp-pool: re-exports only. Everything named here is documented in
// docs/api.md; anything not named here is internal and may change.

export { attachPool, createPool, Pool } from './pool/pool.js';
export type { SharedPoolDescriptor, SharedSegment } from './pool/shared-sync.js';
export type { PoolBackendInfo } from './pool/pool.js';
export type { Segment } from './pool/segment.js';
export type { Scope } from './pool/scope.js';
export { createAclCompat } from './compat/pyacl.js';
export type { AclCompat, AclCompatHimpi, AclCompatMedia, AclCompatOptions, AclCompatRt } from './compat/pyacl.js';
export type { AclBackendOptions, AcquireAsyncOptions, AcquireOptions, PoolOptions, RecordingOptions } from './pool/options.js';
export type { PoolRecording, RecordedEvent, RecordedEventKind } from './pool/recording.js';
export { TraceFormatError, decodeTrace, encodeTrace, readTraceFile, writeTraceFile } from './trace/format.js';
export type { Trace } from './trace/format.js';
export type { PoolBackendKind } from './backends/select.js';
export { MAX_TAGS, STATS_VERSION } from './pool-stats.js';
export type { PoolStats, TagStats } from './pool-stats.js';
export type { PoolSnapshot, SnapshotFreeRange, SnapshotSegment } from './pool/snapshot.js';
export { LEAK_WARNING_CODE, LEAK_WARNING_TYPE } from './pool/leaks.js';
export { snapshotToSVG } from './viz/svg.js';
export type { SvgOptions } from './viz/svg.js';
export type { BackendKind } from './backends/backend.js';
export {
  AclError,
  AcquireTimeoutError,
  BackendUnavailableError,
  DvppAddressSpaceError,
  DvppPoolError,
  ForkedProcessError,
  HostMemoryError,
  InvalidSegmentError,
  PoolClosedError,
  PoolExhaustedError,
  ScopeReleasedError,
} from './errors.js';
export { DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES, DVPP_SIZE_ALIGN, DVPP_SIZE_PAD, alignUp, footprint, segmentSize } from './constants.js';
// The aclError, hi_s32 and aclrtMemcpyKind values code ported from pyACL compares with and passes to the skin.
export {
  ACL_ERROR_INVALID_PARAM,
  ACL_ERROR_RT_MEMORY_ALLOCATION,
  HI_ERR_SYS_ILLEGAL_PARAM,
  HI_ERR_SYS_NO_MEM,
  ACL_MEMCPY_DEVICE_TO_DEVICE,
  ACL_MEMCPY_DEVICE_TO_HOST,
  ACL_MEMCPY_HOST_TO_DEVICE,
  ACL_MEMCPY_HOST_TO_HOST,
  ACL_SUCCESS,
} from './constants.js';
