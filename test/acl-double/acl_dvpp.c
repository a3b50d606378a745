// SPDX-License-Identifier: MIT
// The ACL test double, media half: built as libacl_dvpp.so, linked against the double's
// libascendcl.so (as the real libacl_dvpp.so needs libascendcl.so). acldvppMalloc follows the
// documented rule: ALIGN_UP(size, 32) + 32 bytes, 128-byte aligned (unless ACL_DOUBLE_MISALIGN
// says otherwise), 207001 when the DVPP cap is exceeded; acldvppFree takes only pointers
// acldvppMalloc returned.

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "acl_double.h"

#ifndef OMIT_acldvppMalloc
aclError acldvppMalloc(void **devPtr, size_t size) {
  int fails = aclDoubleNthFails("ACL_DOUBLE_FAIL_MALLOC");
  void *ptr = NULL;
  int code;
  if (devPtr == NULL) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "acldvppMalloc: devPtr is NULL");
  } else if (size > SIZE_MAX - 64) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "acldvppMalloc: size %zu overflows", size);
  } else if ((code = aclDoubleReady()) != 0) {
    // aclDoubleReady recorded the reason.
  } else if (fails) {
    code = aclDoubleFail(ACL_ERROR_RT_MEMORY_ALLOCATION, "acldvppMalloc call %s failed (ACL_DOUBLE_FAIL_MALLOC)",
                         getenv("ACL_DOUBLE_FAIL_MALLOC"));
  } else if (aclDoubleReserve(ACL_DOUBLE_DVPP_V1, (size + 63) / 32 * 32, &ptr) != 0) {
    // (size + 63) / 32 * 32 is the documented ALIGN_UP(size, 32) + 32.
    code = ACL_ERROR_RT_MEMORY_ALLOCATION;
  }
  if (devPtr != NULL) *devPtr = ptr;
  aclDoubleLog("acldvppMalloc(size=%zu) -> %d devPtr=0x%" PRIxPTR, size, code, (uintptr_t)ptr);
  return code;
}
#endif

#ifndef OMIT_acldvppFree
aclError acldvppFree(void *devPtr) {
  int code = aclDoubleForcedError("ACL_DOUBLE_FAIL_FREE") ? ACL_ERROR_RT_MEMORY_FREE : 0;
  if (code != 0) {
    // The memory stays allocated: the caller cannot know what a failed free did.
    aclDoubleFail(code, "acldvppFree failed (ACL_DOUBLE_FAIL_FREE)");
  } else if (devPtr == NULL) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "acldvppFree: devPtr is NULL");
  } else if (aclDoubleRelease(ACL_DOUBLE_DVPP_V1, devPtr) != 0) {
    code = ACL_ERROR_RT_MEMORY_FREE;
  }
  aclDoubleLog("acldvppFree(devPtr=0x%" PRIxPTR ") -> %d", (uintptr_t)devPtr, code);
  return code;
}
#endif
