// SPDX-License-Identifier: MIT
// The ACL test double, media half: built as libacl_dvpp.so, linked against the double's
// libascendcl.so (as the real libacl_dvpp.so needs libascendcl.so). acldvppMalloc follows the
// documented rule: ALIGN_UP(size, 32) + 32 bytes, 128-byte aligned (unless ACL_DOUBLE_MISALIGN
// says otherwise), 207001 when the DVPP cap is exceeded; acldvppFree takes only pointers
// acldvppMalloc returned.

#include <inttypes.h>
#include <stdint.h>

#include "acl_double.h"

static const AclDoubleCodes codes = {
    "ACL_DOUBLE_FAIL_MALLOC",
    "ACL_DOUBLE_FAIL_FREE",
    0,
    ACL_ERROR_RT_MEMORY_ALLOCATION,
    ACL_ERROR_RT_MEMORY_FREE,
    ACL_ERROR_INVALID_PARAM,
    ACL_ERROR_RT_MEMORY_FREE,
};

#ifndef OMIT_acldvppMalloc
aclError acldvppMalloc(void **devPtr, size_t size) {
  int fails = aclDoubleNthFails(codes.fault_malloc);
  void *ptr = NULL;
  int code;
  if (devPtr == NULL) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "acldvppMalloc: devPtr is NULL");
  } else if (size > SIZE_MAX - 64) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "acldvppMalloc: size %zu overflows", size);
  } else {
    // (size + 63) / 32 * 32 is the documented ALIGN_UP(size, 32) + 32.
    code = aclDoubleMalloc(ACL_DOUBLE_DVPP_V1, &codes, fails, (size + 63) / 32 * 32, &ptr);
  }
  if (devPtr != NULL) *devPtr = ptr;
  aclDoubleLog("acldvppMalloc(size=%zu) -> %d devPtr=0x%" PRIxPTR, size, code, (uintptr_t)ptr);
  return code;
}
#endif

#ifndef OMIT_acldvppFree
aclError acldvppFree(void *devPtr) {
  int code = aclDoubleFree(ACL_DOUBLE_DVPP_V1, &codes, devPtr);
  aclDoubleLog("acldvppFree(devPtr=0x%" PRIxPTR ") -> %d", (uintptr_t)devPtr, code);
  return code;
}
#endif
