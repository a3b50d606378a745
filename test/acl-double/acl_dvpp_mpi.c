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

#include "acl_double.h"

static const AclDoubleCodes codes = {
    "ACL_DOUBLE_FAIL_HIMPI_MALLOC",
    "ACL_DOUBLE_FAIL_HIMPI_FREE",
    HI_ERR_SYS_NOT_READY,
    HI_ERR_SYS_NO_MEM,
    HI_ERR_SYS_ERR,
    HI_ERR_SYS_ILLEGAL_PARAM,
    HI_ERR_SYS_ILLEGAL_PARAM,
};

int32_t hi_mpi_dvpp_malloc(uint32_t dev_id, void **dev_ptr, uint64_t size) {
  int fails = aclDoubleNthFails(codes.fault_malloc);
  void *ptr = NULL;
  int32_t code;
  if (dev_ptr == NULL) {
    code = aclDoubleFail(HI_ERR_SYS_ILLEGAL_PARAM, "hi_mpi_dvpp_malloc: dev_ptr is NULL");
  } else if (size > SIZE_MAX - 64) {
    code = aclDoubleFail(HI_ERR_SYS_ILLEGAL_PARAM, "hi_mpi_dvpp_malloc: size %" PRIu64 " overflows", size);
  } else {
    code = aclDoubleMalloc(ACL_DOUBLE_DVPP_V2, &codes, fails, (size_t)(size + 63) / 32 * 32, &ptr);
  }
  if (dev_ptr != NULL) *dev_ptr = ptr;
  aclDoubleLog("hi_mpi_dvpp_malloc(dev_id=%" PRIu32 ", size=%" PRIu64 ") -> %" PRId32 " devPtr=0x%" PRIxPTR, dev_id, size,
               code, (uintptr_t)ptr);
  return code;
}

#ifndef OMIT_hi_mpi_dvpp_free
int32_t hi_mpi_dvpp_free(void *dev_ptr) {
  int32_t code = aclDoubleFree(ACL_DOUBLE_DVPP_V2, &codes, dev_ptr);
  aclDoubleLog("hi_mpi_dvpp_free(devPtr=0x%" PRIxPTR ") -> %" PRId32, (uintptr_t)dev_ptr, code);
  return code;
}
#endif
