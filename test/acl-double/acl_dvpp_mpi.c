// SPDX-License-Identifier: MIT
// The ACL test double, media V2 half: built as libacl_dvpp_mpi.so, linked against the double's
// libascendcl.so. hi_mpi_dvpp_malloc follows the same documented rule as acldvppMalloc
// (ALIGN_UP(size, 32) + 32 bytes, 128-byte aligned unless ACL_DOUBLE_MISALIGN says otherwise)
// and shares its DVPP cap and allocation table, so aclrtMemset/aclrtMemcpy take its pointers;
// it returns hi_s32 codes, not aclError. dev_id is ignored, as the vendor documents ("reserved"):
// the memory belongs to the device aclrtSetDevice set. hi_mpi_dvpp_free takes only pointers
// hi_mpi_dvpp_malloc returned.

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "acl_double.h"

int32_t hi_mpi_dvpp_malloc(uint32_t dev_id, void **dev_ptr, uint64_t size) {
  int fails = aclDoubleNthFails("ACL_DOUBLE_FAIL_HIMPI_MALLOC");
  void *ptr = NULL;
  int32_t code = 0;
  if (dev_ptr == NULL) {
    code = aclDoubleFail(HI_ERR_SYS_ILLEGAL_PARAM, "hi_mpi_dvpp_malloc: dev_ptr is NULL");
  } else if (size > SIZE_MAX - 64) {
    code = aclDoubleFail(HI_ERR_SYS_ILLEGAL_PARAM, "hi_mpi_dvpp_malloc: size %" PRIu64 " overflows", size);
  } else if (aclDoubleReady() != 0) {
    // aclDoubleReady recorded the reason; V2 reports it as its own "not ready".
    code = HI_ERR_SYS_NOT_READY;
  } else if (fails) {
    code = aclDoubleFail(HI_ERR_SYS_NO_MEM, "hi_mpi_dvpp_malloc call %s failed (ACL_DOUBLE_FAIL_HIMPI_MALLOC)",
                         getenv("ACL_DOUBLE_FAIL_HIMPI_MALLOC"));
  } else if (aclDoubleReserve(ACL_DOUBLE_DVPP_V2, (size_t)(size + 63) / 32 * 32, &ptr) != 0) {
    code = HI_ERR_SYS_NO_MEM;
  }
  if (dev_ptr != NULL) *dev_ptr = ptr;
  aclDoubleLog("hi_mpi_dvpp_malloc(dev_id=%" PRIu32 ", size=%" PRIu64 ") -> %" PRId32 " devPtr=0x%" PRIxPTR, dev_id, size,
               code, (uintptr_t)ptr);
  return code;
}

#ifndef OMIT_hi_mpi_dvpp_free
int32_t hi_mpi_dvpp_free(void *dev_ptr) {
  int32_t code = 0;
  if (aclDoubleForcedError("ACL_DOUBLE_FAIL_HIMPI_FREE")) {
    // The memory stays allocated: the caller cannot know what a failed free did.
    code = aclDoubleFail(HI_ERR_SYS_ERR, "hi_mpi_dvpp_free failed (ACL_DOUBLE_FAIL_HIMPI_FREE)");
  } else if (dev_ptr == NULL || aclDoubleRelease(ACL_DOUBLE_DVPP_V2, dev_ptr) != 0) {
    code = aclDoubleFail(HI_ERR_SYS_ILLEGAL_PARAM, "hi_mpi_dvpp_free: %p is not a pointer hi_mpi_dvpp_malloc returned",
                         dev_ptr);
  }
  aclDoubleLog("hi_mpi_dvpp_free(devPtr=0x%" PRIxPTR ") -> %" PRId32, (uintptr_t)dev_ptr, code);
  return code;
}
#endif
