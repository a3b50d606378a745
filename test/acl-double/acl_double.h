// SPDX-License-Identifier: MIT
// Shared declarations of the ACL test double: the CANN types and aclError values it mirrors
// (from acl_base.h, acl_rt.h and rt_error_codes.h, restated here: no vendor header is used), the
// media V2 hi_s32 codes it returns (the "Common Return Codes" of the V2 media API), and the
// internal aclDouble* functions through which libacl_dvpp.so and libacl_dvpp_mpi.so reach
// libascendcl.so's state.

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

// hi_s32 codes of the media V2 API (Common Return Codes, CANN 8.0 aclcppdevg_03_1241): the
// system module's illegal parameter, not ready, out of memory and system error.
#define HI_ERR_SYS_ILLEGAL_PARAM ((int32_t)0xA0028003u)
#define HI_ERR_SYS_NO_MEM ((int32_t)0xA002800Cu)
#define HI_ERR_SYS_NOT_READY ((int32_t)0xA0028010u)
#define HI_ERR_SYS_ERR ((int32_t)0xA0028015u)

// Which allocator made a live allocation: each free takes back only its own allocator's pointers.
typedef enum { ACL_DOUBLE_DVPP_V1, ACL_DOUBLE_DVPP_V2, ACL_DOUBLE_RT } AclDoubleAllocator;

// aclrtMemAttr ACL_DDR_MEM_HUGE (acl_rt.h).
#define ACL_DDR_MEM_HUGE 2

#define ACL_DOUBLE_MAX_DEVICES 8
// Cap on the bytes all live acldvppMalloc and hi_mpi_dvpp_malloc blocks may hold together
// (ACL_DOUBLE_DVPP_LIMIT overrides), and the separate cap of aclrtMalloc (ACL_DOUBLE_RT_LIMIT).
#define ACL_DOUBLE_DEFAULT_LIMIT ((size_t)1 << 30)

ACL_EXPORT aclError aclInit(const char *configPath);
ACL_EXPORT aclError aclFinalize(void);
ACL_EXPORT aclError aclrtSetDevice(int32_t deviceId);
ACL_EXPORT aclError aclrtResetDevice(int32_t deviceId);
ACL_EXPORT aclError aclrtMalloc(void **devPtr, size_t size, int policy);
ACL_EXPORT aclError aclrtFree(void *devPtr);
ACL_EXPORT aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count);
ACL_EXPORT aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind);
ACL_EXPORT aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total);
ACL_EXPORT const char *aclGetRecentErrMsg(void);
ACL_EXPORT aclError acldvppMalloc(void **devPtr, size_t size);
ACL_EXPORT aclError acldvppFree(void *devPtr);
ACL_EXPORT int32_t hi_mpi_dvpp_malloc(uint32_t dev_id, void **dev_ptr, uint64_t size);
ACL_EXPORT int32_t hi_mpi_dvpp_free(void *dev_ptr);

// Internal: appends one formatted line to $ACL_DOUBLE_LOG.
ACL_EXPORT void aclDoubleLog(const char *format, ...) __attribute__((format(printf, 1, 2)));
// Internal: records the text aclGetRecentErrMsg returns next; returns code.
ACL_EXPORT int aclDoubleFail(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
// Internal: the integer value of an environment variable, 0 when unset.
ACL_EXPORT int aclDoubleForcedError(const char *variable);
// Internal: counts the calls that read `variable` (one of ACL_DOUBLE_FAIL_MALLOC,
// _HIMPI_MALLOC, _RT_MALLOC: each has its own count) since it took its current value; returns
// 1 when this call is the Nth it names, else 0 (always 0 while it is unset).
ACL_EXPORT int aclDoubleNthFails(const char *variable);
// Internal: 0 when aclInit and aclrtSetDevice have run, else the aclError ACL would give.
ACL_EXPORT int aclDoubleReady(void);
// Internal: 128-aligned bytes for `allocator` within its cap (the DVPP cap for both DVPP
// versions, the rt cap for aclrtMalloc; ACL_DOUBLE_MISALIGN bytes above a 128-byte boundary when
// set), recorded for free/memset/memcpy checks. 0, or 1 when the cap is reached (the text for
// aclGetRecentErrMsg recorded); the caller returns its own API's out-of-memory code.
ACL_EXPORT int aclDoubleReserve(AclDoubleAllocator allocator, size_t size, void **out);
// Internal: releases a pointer aclDoubleReserve returned for `allocator`: 0, or 1 for any other
// pointer (another allocator's included; the text recorded).
ACL_EXPORT int aclDoubleRelease(AclDoubleAllocator allocator, void *ptr);

// The codes one allocator's malloc and free return: an API's own (aclError or hi_s32).
typedef struct {
  const char *fault_malloc;  // its FAIL_*_MALLOC variable
  const char *fault_free;  // its FAIL_*_FREE variable
  int not_ready;           // 0: the aclError aclDoubleReady gives
  int no_memory;
  int free_failed;         // what its free gives while fault_free is set
  int invalid;             // a NULL pointer
  int foreign;             // a pointer it did not return
} AclDoubleCodes;
// Internal: the rest of a malloc once its own argument checks passed: `fails` (aclDoubleNthFails
// of its fault_malloc) or a full cap give no_memory; else `size` bytes in *out. Returns the code.
ACL_EXPORT int aclDoubleMalloc(AclDoubleAllocator allocator, const AclDoubleCodes *codes, int fails, size_t size,
                               void **out);
// Internal: a free of `allocator`, with its codes. A failure injected through fault_free frees
// nothing: the caller cannot know what a failed free did.
ACL_EXPORT int aclDoubleFree(AclDoubleAllocator allocator, const AclDoubleCodes *codes, void *ptr);

#endif  // DVPP_POOL_ACL_DOUBLE_H_
