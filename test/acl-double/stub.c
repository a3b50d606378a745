// SPDX-License-Identifier: MIT
// A decoy for the link-only stub libraries CANN ships under lib64/stub and devlib: built as
// <root>/lib64/stub/libascendcl.so, libacl_dvpp.so and libacl_dvpp_mpi.so. dvpp-pool must never load these; if
// anything does, the constructor writes "STUB LOADED" to $ACL_DOUBLE_LOG for the tests to see,
// and every function fails.

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl_double.h"

__attribute__((constructor)) static void announce(void) {
  const char *path = getenv("ACL_DOUBLE_LOG");
  if (path == NULL || *path == '\0') return;
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  static const char line[] = "STUB LOADED\n";
  ssize_t ignored = write(fd, line, sizeof line - 1);
  (void)ignored;
  close(fd);
}

aclError aclInit(const char *configPath) { (void)configPath; return 500000; }
aclError aclFinalize(void) { return 500000; }
aclError aclrtSetDevice(int32_t deviceId) { (void)deviceId; return 500000; }
aclError aclrtResetDevice(int32_t deviceId) { (void)deviceId; return 500000; }
aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count) {
  (void)devPtr, (void)maxCount, (void)value, (void)count;
  return 500000;
}
aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind) {
  (void)dst, (void)destMax, (void)src, (void)count, (void)kind;
  return 500000;
}
aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total) {
  (void)attr, (void)free, (void)total;
  return 500000;
}
const char *aclGetRecentErrMsg(void) { return "stub library"; }
aclError acldvppMalloc(void **devPtr, size_t size) { (void)devPtr, (void)size; return 500000; }
aclError acldvppFree(void *devPtr) { (void)devPtr; return 500000; }
aclError aclrtMalloc(void **devPtr, size_t size, int policy) { (void)devPtr, (void)size, (void)policy; return 500000; }
aclError aclrtFree(void *devPtr) { (void)devPtr; return 500000; }
int32_t hi_mpi_dvpp_malloc(uint32_t dev_id, void **dev_ptr, uint64_t size) {
  (void)dev_id, (void)dev_ptr, (void)size;
  return HI_ERR_SYS_ERR;
}
int32_t hi_mpi_dvpp_free(void *dev_ptr) { (void)dev_ptr; return HI_ERR_SYS_ERR; }
