// SPDX-License-Identifier: MIT
// Finds and loads the ACL libraries at run time (dlopen/dlsym, never vendor headers, only -ldl),
// and owns the one process-wide fact ACL imposes: aclInit runs once per process. Search order:
// the `libraryDir` option, $ASCEND_HOME_PATH/lib64, $ASCEND_TOOLKIT_HOME/lib64, then the default
// loader search; never a path with a `stub` or `devlib` component (CANN's link-only stubs).
// A failed load returns nullptr and a reason that keeps every dlerror() text. The runtime is
// loaded first; each device allocator's library (libacl_dvpp.so for V1, libacl_dvpp_mpi.so for
// V2) only when that allocator is first asked for, so a V2 application never loads V1's library
// and the reverse (the vendor forbids mixing the two in one application).
#ifndef DVPP_POOL_ACL_LOADER_H_
#define DVPP_POOL_ACL_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace dvpp_pool {

// The C prototypes of acl.h / acl_rt.h / acl_dvpp.h, restated (aclError is int; C enums are int).
using AclInitFn = int (*)(const char* config_path);
using AclFinalizeFn = int (*)();
using AclrtSetDeviceFn = int (*)(int32_t device_id);
using AclrtResetDeviceFn = int (*)(int32_t device_id);
using AclrtMemsetFn = int (*)(void* dev_ptr, size_t max_count, int32_t value, size_t count);
using AclrtMemcpyFn = int (*)(void* dst, size_t dest_max, const void* src, size_t count, int kind);
using AclrtGetMemInfoFn = int (*)(int attr, size_t* free, size_t* total);
using AclGetRecentErrMsgFn = const char* (*)();
using AclrtMallocFn = int (*)(void** dev_ptr, size_t size, int policy);
using AcldvppMallocFn = int (*)(void** dev_ptr, size_t size);
// hi_dvpp.h: hi_s32 hi_mpi_dvpp_malloc(hi_u32 dev_id, hi_void** dev_ptr, hi_u64 size).
using HiMpiDvppMallocFn = int32_t (*)(uint32_t dev_id, void** dev_ptr, uint64_t size);
// aclrtFree, acldvppFree and hi_mpi_dvpp_free share one shape (hi_s32 is int32_t, an int).
using DeviceFreeFn = int (*)(void* dev_ptr);

// aclError values this layer interprets (acl_base.h).
constexpr int kAclSuccess = 0;
constexpr int kAclErrorRepeatInitialize = 100002;
// aclrtMemMallocPolicy (acl_rt.h): huge pages first, normal pages when they run out.
constexpr int kAclMemMallocHugeFirst = 0;
// aclrtMemcpyKind (acl_rt.h).
constexpr int kAclMemcpyHostToDevice = 1;
constexpr int kAclMemcpyDeviceToHost = 2;
constexpr int kAclMemcpyDeviceToDevice = 3;
// aclrtMemAttr (acl_rt.h): free huge-page memory is DDR on Atlas inference cards, HBM on
// training/A2/A3 parts; both are asked and whichever the device has is reported.
constexpr int kAclDdrMemHuge = 2;
constexpr int kAclHbmMemHuge = 4;

// Resolved entry points. get_mem_info and recent_err_msg may be null ("where available").
struct AclApi {
  AclInitFn init = nullptr;
  AclFinalizeFn finalize = nullptr;
  AclrtSetDeviceFn set_device = nullptr;
  AclrtResetDeviceFn reset_device = nullptr;
  AclrtMemsetFn memset = nullptr;
  AclrtMemcpyFn memcpy = nullptr;
  AclrtGetMemInfoFn get_mem_info = nullptr;
  AclGetRecentErrMsgFn recent_err_msg = nullptr;
};

// The device allocators a block can come from: acldvppMalloc (DVPP V1, backend `acl`),
// hi_mpi_dvpp_malloc (DVPP V2, `himpi`) and aclrtMalloc (runtime device memory, `rt`).
enum class AllocatorKind { kDvppV1, kDvppV2, kRuntime };

// One resolved allocator: its malloc (one of three shapes, by kind) and its free.
struct DeviceAllocator {
  AllocatorKind kind;
  const char* malloc_name;
  const char* free_name;
  std::string path;  // the library both came from
  AcldvppMallocFn dvpp_malloc = nullptr;     // kDvppV1
  HiMpiDvppMallocFn himpi_malloc = nullptr;  // kDvppV2
  AclrtMallocFn rt_malloc = nullptr;         // kRuntime
  DeviceFreeFn free = nullptr;

  // DVPP memory (V1 and V2) counts against the process's DVPP address space; aclrtMalloc's does not.
  bool CountsDvppSpace() const { return kind != AllocatorKind::kRuntime; }
  // The allocator's own call for `size` bytes on the current device: 0 or its error code.
  int Malloc(int32_t device_id, void** out, size_t size) const;
};

// One loaded pair of ACL libraries. Shared by every block that uses it and kept for the life of
// the process (ACL is never dlclosed: its runtime owns threads and device contexts).
class AclLibrary {
 public:
  // Loads the libraries for `library_dir` (empty: not given), or returns the pair already loaded
  // for the same runtime library. On failure returns nullptr and sets `reason`.
  static std::shared_ptr<AclLibrary> Load(const std::string& library_dir, std::string* reason);

  AclLibrary(void* runtime, std::string runtime_path, AclApi api);
  AclLibrary(const AclLibrary&) = delete;
  AclLibrary& operator=(const AclLibrary&) = delete;

  const AclApi& Api() const { return api_; }
  const std::string& RuntimePath() const { return runtime_path_; }
  // The allocator of `kind`, loading its library on the first call (looked for next to the
  // runtime, then where Load looks for `library_dir`). Kept for the life of the process once
  // found; on failure returns nullptr and sets `reason`, and the next call looks again.
  const DeviceAllocator* Allocator(AllocatorKind kind, const std::string& library_dir, std::string* reason);

  // aclInit(NULL) unless it already succeeded in this process: returns 0, or the aclError of a
  // failed aclInit (retried on the next call). 100002 counts as success: the application
  // initialised ACL itself, so dvpp-pool never calls aclFinalize. When dvpp-pool's own aclInit
  // succeeded, aclFinalize runs once at process exit (std::atexit), after every block is freed.
  int EnsureInitialized();
  // "by dvpp-pool" or "by the application" once initialised; empty before.
  std::string InitializedBy();
  // aclGetRecentErrMsg() as a string; empty where the library lacks it or has no text.
  std::string RecentErrMsg() const;

 private:
  static void FinalizeAtExit();

  void* const runtime_;  // identifies the loaded runtime: dlopen hands back the same handle
  const std::string runtime_path_;
  const AclApi api_;
  std::mutex allocators_mutex_;
  std::unique_ptr<DeviceAllocator> allocators_[3];  // by AllocatorKind
  std::mutex init_mutex_;
  bool initialized_ = false;
  bool owns_init_ = false;
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ACL_LOADER_H_
