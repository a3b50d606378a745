// SPDX-License-Identifier: MIT
// Finds and loads the ACL libraries at run time (dlopen/dlsym, never vendor headers, only -ldl),
// and owns the one process-wide fact ACL imposes: aclInit runs once per process. Search order:
// the `libraryDir` option, $ASCEND_HOME_PATH/lib64, $ASCEND_TOOLKIT_HOME/lib64, then the default
// loader search; never a path with a `stub` or `devlib` component (CANN's link-only stubs).
// A failed load returns nullptr and a reason that keeps every dlerror() text.
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
using AcldvppMallocFn = int (*)(void** dev_ptr, size_t size);
using AcldvppFreeFn = int (*)(void* dev_ptr);

// aclError values this layer interprets (acl_base.h).
constexpr int kAclSuccess = 0;
constexpr int kAclErrorRepeatInitialize = 100002;
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
  AcldvppMallocFn dvpp_malloc = nullptr;
  AcldvppFreeFn dvpp_free = nullptr;
};

// One loaded pair of ACL libraries. Shared by every block that uses it and kept for the life of
// the process (ACL is never dlclosed: its runtime owns threads and device contexts).
class AclLibrary {
 public:
  // Loads the libraries for `library_dir` (empty: not given), or returns the pair already loaded
  // for the same runtime library. On failure returns nullptr and sets `reason`.
  static std::shared_ptr<AclLibrary> Load(const std::string& library_dir, std::string* reason);

  AclLibrary(void* runtime, std::string runtime_path, std::string dvpp_path, AclApi api);
  AclLibrary(const AclLibrary&) = delete;
  AclLibrary& operator=(const AclLibrary&) = delete;

  const AclApi& Api() const { return api_; }
  const std::string& RuntimePath() const { return runtime_path_; }
  const std::string& DvppPath() const { return dvpp_path_; }

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
  const std::string dvpp_path_;
  const AclApi api_;
  std::mutex init_mutex_;
  bool initialized_ = false;
  bool owns_init_ = false;
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ACL_LOADER_H_
