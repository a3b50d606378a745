// SPDX-License-Identifier: MIT
// The ACL test double, runtime half: built as libascendcl.so. Exports the CANN runtime
// functions dvpp-pool calls, with the prototypes of acl.h / acl_rt.h (declared here, never
// included), and owns the state the three libraries share: init/device state, the allocation
// table (DVPP V1, DVPP V2 and aclrtMalloc memory) with its two byte caps, the recent error text
// and the call log. libacl_dvpp.so (acl_dvpp.c) and libacl_dvpp_mpi.so (acl_dvpp_mpi.c) link
// against this library and reach that state through the aclDouble* functions below.
// Behaviour is steered by environment variables read on every call (see README.md).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl_double.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static int preinit_seen;
static int device_refs[ACL_DOUBLE_MAX_DEVICES];
// The calling thread's aclrtSetDevice calls not yet reset: ACL binds a device's default context
// to each thread that sets it, and aclrtMemset/aclrtMemcpy need one bound to the caller.
static __thread int thread_device_refs;
static char recent_err[512];
static int has_recent_err;

// Live allocations of all three allocators: the double checks frees and copies against them.
// `memory` is what posix_memalign gave; `base`, what the allocator returned, lies
// ACL_DOUBLE_MISALIGN bytes above.
typedef struct {
  uintptr_t base;
  size_t size;
  void *memory;
  AclDoubleAllocator allocator;
} Allocation;
static Allocation *allocations;
static size_t allocation_count, allocation_cap;
static size_t dvpp_used;  // V1 and V2 together: one DVPP cap
static size_t rt_used;

static const char *const allocator_names[] = {"acldvppMalloc", "hi_mpi_dvpp_malloc", "aclrtMalloc"};
static const char *const free_names[] = {"acldvppFree", "hi_mpi_dvpp_free", "aclrtFree"};

static size_t env_size(const char *name, size_t fallback) {
  const char *text = getenv(name);
  if (text == NULL || *text == '\0') return fallback;
  return (size_t)strtoull(text, NULL, 0);
}

void aclDoubleLog(const char *format, ...) {
  const char *path = getenv("ACL_DOUBLE_LOG");
  if (path == NULL || *path == '\0') return;
  char line[1024];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof line - 1, format, args);
  va_end(args);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  // One open/write/close per line with O_APPEND: every line is on disk before the call returns,
  // even when the process is killed, and two processes never interleave within a line.
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = write(fd, line, (size_t)n);
  (void)ignored;
  close(fd);
}

int aclDoubleFail(int code, const char *format, ...) {
  pthread_mutex_lock(&lock);
  va_list args;
  va_start(args, format);
  vsnprintf(recent_err, sizeof recent_err, format, args);
  va_end(args);
  has_recent_err = 1;
  pthread_mutex_unlock(&lock);
  return code;
}

int aclDoubleForcedError(const char *variable) {
  const char *text = getenv(variable);
  if (text == NULL || *text == '\0') return 0;
  return (int)strtol(text, NULL, 0);
}

int aclDoubleNthFails(const char *variable) {
  // One count per fault variable, so one allocator's calls never move another's fault.
  static struct {
    const char *variable;
    char armed[32];
    int count;
  } faults[4];
  const char *value = getenv(variable);
  pthread_mutex_lock(&lock);
  size_t i = 0;
  while (i < sizeof faults / sizeof faults[0] && faults[i].variable != NULL && strcmp(faults[i].variable, variable) != 0) i++;
  int fails = 0;
  if (i < sizeof faults / sizeof faults[0]) {
    faults[i].variable = variable;
    if (value != NULL && *value != '\0') {
      // A new value re-arms the fault: "the Nth call from now", whatever ran before.
      if (strncmp(faults[i].armed, value, sizeof faults[i].armed - 1) != 0) {
        snprintf(faults[i].armed, sizeof faults[i].armed, "%s", value);
        faults[i].count = 0;
      }
      fails = ++faults[i].count == (int)strtol(value, NULL, 0);
    } else {
      faults[i].armed[0] = '\0';
    }
  }
  pthread_mutex_unlock(&lock);
  return fails;
}

int aclDoubleReady(void) {
  pthread_mutex_lock(&lock);
  int ready = initialized;
  int device = 0;
  for (int i = 0; i < ACL_DOUBLE_MAX_DEVICES; i++) device |= device_refs[i] > 0;
  pthread_mutex_unlock(&lock);
  if (!ready) return aclDoubleFail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
  if (!device) return aclDoubleFail(ACL_ERROR_RT_CONTEXT_NULL, "no device is set: call aclrtSetDevice first");
  return 0;
}

int aclDoubleReserve(AclDoubleAllocator allocator, size_t size, void **out) {
  int rt = allocator == ACL_DOUBLE_RT;
  size_t limit = rt ? env_size("ACL_DOUBLE_RT_LIMIT", ACL_DOUBLE_DEFAULT_LIMIT)
                    : env_size("ACL_DOUBLE_DVPP_LIMIT", ACL_DOUBLE_DEFAULT_LIMIT);
  size_t shift = env_size("ACL_DOUBLE_MISALIGN", 0) % 128;
  pthread_mutex_lock(&lock);
  size_t *used = rt ? &rt_used : &dvpp_used;
  int full = size > limit || *used > limit - size;
  if (!full && allocation_count == allocation_cap) {
    size_t cap = allocation_cap ? allocation_cap * 2 : 16;
    Allocation *grown = realloc(allocations, cap * sizeof *grown);
    if (grown == NULL) full = 1;
    else allocations = grown, allocation_cap = cap;
  }
  void *memory = NULL;
  if (!full && posix_memalign(&memory, 128, size + shift) != 0) full = 1;
  if (!full) {
    allocations[allocation_count++] = (Allocation){(uintptr_t)memory + shift, size, memory, allocator};
    *used += size;
    *out = (char *)memory + shift;
  }
  size_t in_use = *used;
  pthread_mutex_unlock(&lock);
  if (full) {
    aclDoubleFail(1, "out of %s memory: %zu bytes asked, %zu of %zu in use", rt ? "device" : "DVPP", size, in_use, limit);
  }
  return full;
}

int aclDoubleRelease(AclDoubleAllocator allocator, void *ptr) {
  pthread_mutex_lock(&lock);
  size_t i = 0;
  while (i < allocation_count && (allocations[i].base != (uintptr_t)ptr || allocations[i].allocator != allocator)) i++;
  int found = i < allocation_count;
  void *memory = NULL;
  if (found) {
    *(allocator == ACL_DOUBLE_RT ? &rt_used : &dvpp_used) -= allocations[i].size;
    memory = allocations[i].memory;
    allocations[i] = allocations[--allocation_count];
  }
  pthread_mutex_unlock(&lock);
  if (!found) return aclDoubleFail(1, "%p is not a pointer %s returned", ptr, allocator_names[allocator]);
  free(memory);
  return 0;
}

int aclDoubleMalloc(AclDoubleAllocator allocator, const AclDoubleCodes *codes, int fails, size_t size, void **out) {
  int code = aclDoubleReady();
  if (code != 0) return codes->not_ready != 0 ? codes->not_ready : code;  // aclDoubleReady recorded the reason
  if (fails) return aclDoubleFail(codes->no_memory, "%s failed (%s)", allocator_names[allocator], codes->fault_malloc);
  return aclDoubleReserve(allocator, size, out) != 0 ? codes->no_memory : 0;
}

int aclDoubleFree(AclDoubleAllocator allocator, const AclDoubleCodes *codes, void *ptr) {
  if (aclDoubleForcedError(codes->fault_free)) {
    return aclDoubleFail(codes->free_failed, "%s failed (%s)", free_names[allocator], codes->fault_free);
  }
  if (ptr == NULL) return aclDoubleFail(codes->invalid, "%s: the pointer is NULL", free_names[allocator]);
  return aclDoubleRelease(allocator, ptr) != 0 ? codes->foreign : 0;
}

// What aclrtMemset/aclrtMemcpy give on a thread with no device set.
static int no_thread_device(const char *name) {
  return aclDoubleFail(ACL_ERROR_RT_CONTEXT_NULL, "%s: no device is set in the calling thread (call aclrtSetDevice in it)", name);
}

// 1 when [ptr, ptr + count) lies inside one live allocation (of any of the three allocators).
static int inside_allocation(const void *ptr, size_t count) {
  uintptr_t start = (uintptr_t)ptr;
  pthread_mutex_lock(&lock);
  int inside = 0;
  for (size_t i = 0; i < allocation_count && !inside; i++) {
    const Allocation *a = &allocations[i];
    inside = start >= a->base && start - a->base <= a->size && count <= a->size - (start - a->base);
  }
  pthread_mutex_unlock(&lock);
  return inside;
}

aclError aclInit(const char *configPath) {
  int code = aclDoubleForcedError("ACL_DOUBLE_FAIL_INIT");
  if (code != 0) {
    aclDoubleFail(code, "aclInit failed (ACL_DOUBLE_FAIL_INIT)");
  } else {
    pthread_mutex_lock(&lock);
    // ACL_DOUBLE_PREINIT=1 plays an application that called aclInit before the pool did.
    if (!preinit_seen && getenv("ACL_DOUBLE_PREINIT") != NULL) initialized = 1;
    preinit_seen = 1;
    int again = initialized;
    initialized = 1;
    pthread_mutex_unlock(&lock);
    if (again) code = aclDoubleFail(ACL_ERROR_REPEAT_INITIALIZE, "aclInit can be called only once in a process");
  }
  aclDoubleLog("aclInit(%s) -> %d", configPath ? configPath : "NULL", code);
  return code;
}

aclError aclFinalize(void) {
  pthread_mutex_lock(&lock);
  int was = initialized;
  initialized = 0;
  pthread_mutex_unlock(&lock);
  int code = was ? 0 : aclDoubleFail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize without aclInit");
  aclDoubleLog("aclFinalize() -> %d", code);
  return code;
}

aclError aclrtSetDevice(int32_t deviceId) {
  int count = (int)env_size("ACL_DOUBLE_DEVICE_COUNT", 1);
  int code = 0;
  if (deviceId < 0 || deviceId >= count || deviceId >= ACL_DOUBLE_MAX_DEVICES) {
    code = aclDoubleFail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d does not exist (%d devices)", deviceId, count);
  } else {
    pthread_mutex_lock(&lock);
    int ready = initialized;
    if (ready) device_refs[deviceId]++;
    pthread_mutex_unlock(&lock);
    if (ready) thread_device_refs++;
    if (!ready) code = aclDoubleFail(ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
  }
  aclDoubleLog("aclrtSetDevice(%d) -> %d", deviceId, code);
  return code;
}

aclError aclrtResetDevice(int32_t deviceId) {
  int code = 0;
  pthread_mutex_lock(&lock);
  int valid = deviceId >= 0 && deviceId < ACL_DOUBLE_MAX_DEVICES && device_refs[deviceId] > 0;
  if (valid) device_refs[deviceId]--;
  pthread_mutex_unlock(&lock);
  // A reset on another thread than the set (a block freed at exit) leaves this thread's count.
  if (valid && thread_device_refs > 0) thread_device_refs--;
  if (!valid) code = aclDoubleFail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d was not set", deviceId);
  aclDoubleLog("aclrtResetDevice(%d) -> %d", deviceId, code);
  return code;
}

static const AclDoubleCodes rt_codes = {
    "ACL_DOUBLE_FAIL_RT_MALLOC",
    "ACL_DOUBLE_FAIL_RT_FREE",
    0,
    ACL_ERROR_RT_MEMORY_ALLOCATION,
    ACL_ERROR_RT_MEMORY_FREE,
    ACL_ERROR_INVALID_PARAM,
    ACL_ERROR_RT_MEMORY_FREE,
};

// aclrtMalloc: its own cap (ACL_DOUBLE_RT_LIMIT), not the DVPP one; sizes are not rounded.
aclError aclrtMalloc(void **devPtr, size_t size, int policy) {
  int fails = aclDoubleNthFails(rt_codes.fault_malloc);
  void *ptr = NULL;
  int code;
  if (devPtr == NULL || size == 0) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: devPtr is NULL or size is 0");
  } else if (policy < 0 || policy > 5) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: policy %d is not an aclrtMemMallocPolicy", policy);
  } else {
    code = aclDoubleMalloc(ACL_DOUBLE_RT, &rt_codes, fails, size, &ptr);
  }
  if (devPtr != NULL) *devPtr = ptr;
  aclDoubleLog("aclrtMalloc(size=%zu, policy=%d) -> %d devPtr=0x%" PRIxPTR, size, policy, code, (uintptr_t)ptr);
  return code;
}

#ifndef OMIT_aclrtFree
aclError aclrtFree(void *devPtr) {
  int code = aclDoubleFree(ACL_DOUBLE_RT, &rt_codes, devPtr);
  aclDoubleLog("aclrtFree(devPtr=0x%" PRIxPTR ") -> %d", (uintptr_t)devPtr, code);
  return code;
}
#endif

aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count) {
  int code = aclDoubleForcedError("ACL_DOUBLE_FAIL_MEMSET");
  if (code != 0) {
    aclDoubleFail(code, "aclrtMemset failed (ACL_DOUBLE_FAIL_MEMSET)");
  } else if (devPtr == NULL || count > maxCount) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtMemset: null devPtr or count %zu > maxCount %zu", count,
                         maxCount);
  } else if (thread_device_refs == 0) {
    code = no_thread_device("aclrtMemset");
  } else if (!inside_allocation(devPtr, count)) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtMemset: %zu bytes at %p leave every device allocation", count,
                         devPtr);
  } else {
    memset(devPtr, value, count);
  }
  aclDoubleLog("aclrtMemset(devPtr=0x%" PRIxPTR ", maxCount=%zu, value=%d, count=%zu) -> %d", (uintptr_t)devPtr,
               maxCount, value, count, code);
  return code;
}

aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind) {
  int code = aclDoubleForcedError("ACL_DOUBLE_FAIL_MEMCPY");
  if (code != 0) {
    aclDoubleFail(code, "aclrtMemcpy failed (ACL_DOUBLE_FAIL_MEMCPY)");
  } else if (dst == NULL || src == NULL || count > destMax || (int)kind < 0 || (int)kind > 3) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: bad pointer, kind %d or count %zu > destMax %zu",
                         (int)kind, count, destMax);
  } else if (thread_device_refs == 0) {
    code = no_thread_device("aclrtMemcpy");
  } else if (((kind == 1 || kind == 3) && !inside_allocation(dst, count)) ||
             ((kind == 2 || kind == 3) && !inside_allocation(src, count))) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: the device range of kind %d is not device memory",
                         (int)kind);
  } else {
    memmove(dst, src, count);
  }
  aclDoubleLog("aclrtMemcpy(dst=0x%" PRIxPTR ", destMax=%zu, src=0x%" PRIxPTR ", count=%zu, kind=%d) -> %d",
               (uintptr_t)dst, destMax, (uintptr_t)src, count, (int)kind, code);
  return code;
}

#ifndef OMIT_aclrtGetMemInfo
aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total) {
  int code = 0;
  if (free == NULL || total == NULL) {
    code = aclDoubleFail(ACL_ERROR_INVALID_PARAM, "aclrtGetMemInfo: null output");
  } else {
    // Plays an inference card: DVPP memory is DDR huge pages; it has no HBM.
    size_t limit = attr == ACL_DDR_MEM_HUGE ? env_size("ACL_DOUBLE_DVPP_LIMIT", ACL_DOUBLE_DEFAULT_LIMIT) : 0;
    pthread_mutex_lock(&lock);
    *total = limit;
    *free = dvpp_used >= limit ? 0 : limit - dvpp_used;  // the cap may shrink below what is in use
    pthread_mutex_unlock(&lock);
  }
  aclDoubleLog("aclrtGetMemInfo(attr=%d) -> %d free=%zu total=%zu", (int)attr, code, free ? *free : 0,
               total ? *total : 0);
  return code;
}
#endif

#ifndef OMIT_aclGetRecentErrMsg
const char *aclGetRecentErrMsg(void) {
  // A per-thread copy, so a failure on another thread cannot rewrite the text being read.
  static __thread char copy[sizeof recent_err];
  pthread_mutex_lock(&lock);
  const char *result = NULL;
  if (has_recent_err) {
    memcpy(copy, recent_err, sizeof copy);
    result = copy;
  }
  pthread_mutex_unlock(&lock);
  return result;
}
#endif
