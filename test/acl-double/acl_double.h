// SPDX-License-Identifier: MIT
// Shared declarations of the ACL test double: the CANN types and aclError values it mirrors
// (from acl_base.h, acl_rt.h and rt_error_codes.h, restated here: no vendor header is used), and
// the internal aclDouble* functions through which libacl_dvpp.so reaches libascendcl.so's state.

#ifndef DVPP_POOL_ACL_DOUBLE_H_
#define DVPP_POOL_ACL_DOUBLE_H_

#include <stddef.h>
#include <stdint.h>

#define ACL_EXPORT __attribute__((visibility("default")))

typedef int aclError;
typedef int aclrtMemcpyKind;
typedef int aclrtMemAttr;

enum {
  ACL_ERROR_INVALID_PARAM = 100000,
  ACL_ERROR_UNINITIALIZE = 100001,
  ACL_ERROR_REPEAT_INITIALIZE = 100002,
  ACL_ERROR_REPEAT_FINALIZE = 100037,
  ACL_ERROR_RT_INVALID_DEVICEID = 107001,
  ACL_ERROR_RT_CONTEXT_NULL = 107002,
  ACL_ERROR_RT_MEMORY_ALLOCATION = 207001,
  ACL_ERROR_RT_MEMORY_FREE = 207002,
};

// aclrtMemAttr ACL_DDR_MEM_HUGE (acl_rt.h).
#define ACL_DDR_MEM_HUGE 2

#define ACL_DOUBLE_MAX_DEVICES 8
// Cap on the bytes all live acldvppMalloc blocks may hold (ACL_DOUBLE_DVPP_LIMIT overrides).
#define ACL_DOUBLE_DEFAULT_LIMIT ((size_t)1 << 30)

ACL_EXPORT aclError aclInit(const char *configPath);
ACL_EXPORT aclError aclFinalize(void);
ACL_EXPORT aclError aclrtSetDevice(int32_t deviceId);
ACL_EXPORT aclError aclrtResetDevice(int32_t deviceId);
ACL_EXPORT aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count);
ACL_EXPORT aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind);
ACL_EXPORT aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total);
ACL_EXPORT const char *aclGetRecentErrMsg(void);
ACL_EXPORT aclError acldvppMalloc(void **devPtr, size_t size);
ACL_EXPORT aclError acldvppFree(void *devPtr);

// Internal: appends one formatted line to $ACL_DOUBLE_LOG.
ACL_EXPORT void aclDoubleLog(const char *format, ...) __attribute__((format(printf, 1, 2)));
// Internal: records the text aclGetRecentErrMsg returns next; returns code.
ACL_EXPORT int aclDoubleFail(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
// Internal: the integer value of an environment variable, 0 when unset.
ACL_EXPORT int aclDoubleForcedError(const char *variable);
// Internal: a size from the environment, or fallback.
ACL_EXPORT size_t aclDoubleEnvSize(const char *name, size_t fallback);
// Internal: counts acldvppMalloc calls since ACL_DOUBLE_FAIL_MALLOC took its current value and
// returns this call's number (1 for the first); 0 while the variable is unset.
ACL_EXPORT int aclDoubleMallocOrdinal(void);
// Internal: 0 when aclInit and aclrtSetDevice have run, else the aclError ACL would give.
ACL_EXPORT int aclDoubleReady(void);
// Internal: 128-aligned DVPP bytes within the cap (ACL_DOUBLE_MISALIGN bytes above a 128-byte
// boundary when set), recorded for free/memset/memcpy checks.
ACL_EXPORT int aclDoubleReserve(size_t size, void **out);
// Internal: releases a pointer aclDoubleReserve returned; 207002 for any other pointer.
ACL_EXPORT int aclDoubleRelease(void *ptr);

#endif  // DVPP_POOL_ACL_DOUBLE_H_
