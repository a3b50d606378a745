// SPDX-License-Identifier: MIT
// Run-time loading of ACL; see acl_loader.h. Plain C++ over <dlfcn.h>, no JS types.
//
// The one piece of process-wide state in the addon lives here, on purpose: dlopen handles and
// aclInit are per process by ACL's own rules ("aclInit can be called only once in a process"), so
// every Node environment (main thread and workers) must share one record of what was loaded and
// whether dvpp-pool initialised ACL. It is a mutex-guarded AclProcessState, never destroyed
// (not to be confused with registry.h's Registry, which is per environment).
//
// It lasts as long as the process only because the addon is linked with -z nodelete
// (binding.gyp): Node dlcloses an addon when the last environment that loaded it ends, which
// would run this DSO's atexit handlers then and let the next worker call aclInit again.
//
// Exit order (atexit runs handlers in reverse order of registration). Each copy of the addon
// (two packages in one process load two .node files, each with its own AclProcessState) registers
// FinalizeAtExit only once its own aclInit returned 0, and ReleaseLiveAtExit (acl_memory.cc) at
// its first block, after its aclInit. A copy that got 100002 allocates only after the initialising
// copy's aclInit, so its handler is registered later and frees its blocks before that aclFinalize.
// The one gap: the initialiser registers just after aclInit returns, so a second copy racing on
// another thread could register in between. Registering before aclInit would close it, but would
// put aclFinalize after the handlers ACL itself registers during aclInit (plugins it loads).

#include "acl_loader.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <climits>
#include <initializer_list>
#include <cstdlib>
#include <sstream>
#include <utility>
#include <vector>

namespace dvpp_pool {
namespace {

struct AclProcessState {
  std::mutex mutex;
  std::vector<std::shared_ptr<AclLibrary>> libraries;
  std::once_flag finalize_registered;
};

// Leaked on purpose: FinalizeAtExit runs from std::atexit and must find it alive.
AclProcessState& TheProcessState() {
  static AclProcessState* state = new AclProcessState();
  return *state;
}

// A place to look, and what put it on the list (for the reason text).
struct Candidate {
  std::string dir;
  std::string source;
};

// Collects one clause per place looked at, so a failure says everything that was tried.
class Notes {
 public:
  void Add(const std::string& note) {
    if (!text_.empty()) text_ += "; ";
    text_ += note;
  }
  const std::string& Text() const { return text_; }

 private:
  std::string text_;
};

// True when a path component is `stub` or `devlib`: CANN's link-only stub libraries live there.
bool IsStubPath(const std::string& path) {
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part == "stub" || part == "devlib") return true;
  }
  return false;
}

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::string LastDlError() {
  const char* text = dlerror();
  return text != nullptr ? text : "unknown dlerror";
}

// The file the dynamic loader actually opened for `handle`.
std::string LoadedPath(void* handle, const std::string& fallback) {
  struct link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name != nullptr && *map->l_name) {
    return map->l_name;
  }
  return fallback;
}

std::vector<std::string> SplitPathList(const char* list) {
  std::vector<std::string> dirs;
  std::stringstream parts(list != nullptr ? list : "");
  std::string dir;
  while (std::getline(parts, dir, ':')) {
    if (!dir.empty()) dirs.push_back(dir);
  }
  return dirs;
}

std::vector<Candidate> Candidates(const std::string& library_dir, Notes* notes) {
  std::vector<Candidate> list;
  if (!library_dir.empty()) list.push_back({library_dir, "acl.libraryDir"});
  bool any_home = false;
  for (const char* variable : {"ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME"}) {
    const char* home = std::getenv(variable);
    if (home == nullptr || *home == '\0') continue;
    any_home = true;
    list.push_back({std::string(home) + "/lib64", std::string("$") + variable});
  }
  if (!any_home) notes->Add("ASCEND_HOME_PATH and ASCEND_TOOLKIT_HOME are not set (source CANN's set_env.sh)");
  for (const std::string& dir : SplitPathList(std::getenv("LD_LIBRARY_PATH"))) list.push_back({dir, "LD_LIBRARY_PATH"});
  return list;
}

// Opens the first of `names` found in the candidates, then by the loader's default search.
// Returns the handle and sets `path`, or nullptr with one note per place tried.
void* OpenFirst(const std::vector<const char*>& names, const std::vector<Candidate>& candidates, int flags,
                Notes* notes, std::string* path) {
  std::vector<std::string> stub_dirs;
  for (const Candidate& candidate : candidates) {
    const std::string where = candidate.source + " " + candidate.dir;
    if (IsStubPath(candidate.dir)) {
      notes->Add(where + ": skipped, a stub folder holds link-only libraries");
      if (candidate.source == "LD_LIBRARY_PATH") stub_dirs.push_back(candidate.dir);
      continue;
    }
    bool present = false;
    for (const char* name : names) {
      const std::string file = candidate.dir + "/" + name;
      if (access(file.c_str(), F_OK) != 0) continue;
      present = true;
      const std::string real = RealPath(file);
      if (IsStubPath(real)) {
        notes->Add(file + ": skipped, it resolves to the stub " + real);
        continue;
      }
      if (void* handle = dlopen(file.c_str(), flags)) {
        *path = file;
        return handle;
      }
      notes->Add(LastDlError());
    }
    if (!present) {
      std::string missing;
      for (const char* name : names) missing += (missing.empty() ? "" : " or ") + std::string(name);
      notes->Add(where + ": no " + missing);
    }
  }
  for (const char* name : names) {
    // The default search reads LD_LIBRARY_PATH too and would open a stub listed there.
    bool shadowed = false;
    for (const std::string& dir : stub_dirs) shadowed |= access((dir + "/" + name).c_str(), F_OK) == 0;
    if (shadowed) {
      notes->Add(std::string("default search for ") + name + ": skipped, LD_LIBRARY_PATH lists a stub folder");
      continue;
    }
    void* handle = dlopen(name, flags);
    if (handle == nullptr) {
      notes->Add("default search: " + LastDlError());
      continue;
    }
    const std::string loaded = LoadedPath(handle, name);
    if (IsStubPath(RealPath(loaded))) {
      dlclose(handle);
      notes->Add("default search found the stub " + loaded + ", not used");
      continue;
    }
    *path = loaded;
    return handle;
  }
  return nullptr;
}

template <typename Fn>
void Resolve(void* handle, const char* name, Fn* out) {
  *out = reinterpret_cast<Fn>(dlsym(handle, name));
}

// "a, b" for the names whose symbol was not found; empty when all were.
std::string Missing(std::initializer_list<std::pair<const char*, bool>> symbols) {
  std::string missing;
  for (const auto& [name, found] : symbols) {
    if (!found) missing += (missing.empty() ? "" : ", ") + std::string(name);
  }
  return missing;
}

}  // namespace

AclLibrary::AclLibrary(void* runtime, std::string runtime_path, AclApi api)
    : runtime_(runtime), runtime_path_(std::move(runtime_path)), api_(api) {}

std::shared_ptr<AclLibrary> AclLibrary::Load(const std::string& library_dir, std::string* reason) {
  AclProcessState& state = TheProcessState();
  std::lock_guard<std::mutex> lock(state.mutex);
  Notes notes;
  const std::vector<Candidate> candidates = Candidates(library_dir, &notes);

  std::string runtime_path;
  // RTLD_GLOBAL: the media libraries and ACL's own plugins resolve runtime symbols through it.
  void* runtime = OpenFirst({"libascendcl.so", "libacl_rt.so"}, candidates, RTLD_NOW | RTLD_GLOBAL, &notes,
                            &runtime_path);
  if (runtime == nullptr) {
    *reason = "no ACL runtime library (libascendcl.so or libacl_rt.so) could be loaded: " + notes.Text();
    return nullptr;
  }
  for (const std::shared_ptr<AclLibrary>& library : state.libraries) {
    if (library->runtime_ == runtime) return library;  // dlopen returned the loaded object again
  }

  AclApi api;
  Resolve(runtime, "aclInit", &api.init);
  Resolve(runtime, "aclFinalize", &api.finalize);
  Resolve(runtime, "aclrtSetDevice", &api.set_device);
  Resolve(runtime, "aclrtResetDevice", &api.reset_device);
  Resolve(runtime, "aclrtMemset", &api.memset);
  Resolve(runtime, "aclrtMemcpy", &api.memcpy);
  Resolve(runtime, "aclrtGetMemInfo", &api.get_mem_info);
  Resolve(runtime, "aclGetRecentErrMsg", &api.recent_err_msg);

  const std::string missing = Missing({
      {"aclInit", api.init != nullptr},
      {"aclFinalize", api.finalize != nullptr},
      {"aclrtSetDevice", api.set_device != nullptr},
      {"aclrtResetDevice", api.reset_device != nullptr},
      {"aclrtMemset", api.memset != nullptr},
      {"aclrtMemcpy", api.memcpy != nullptr},
  });
  if (!missing.empty()) {
    *reason = "the ACL runtime library lacks " + missing + " (" + runtime_path + ")";
    dlclose(runtime);
    return nullptr;
  }
  auto library = std::make_shared<AclLibrary>(runtime, runtime_path, api);
  state.libraries.push_back(library);
  return library;
}

const DeviceAllocator* AclLibrary::Allocator(AllocatorKind kind, const std::string& library_dir,
                                             std::string* reason) {
  std::lock_guard<std::mutex> lock(allocators_mutex_);
  std::unique_ptr<DeviceAllocator>& slot = allocators_[static_cast<int>(kind)];
  if (slot) return slot.get();

  auto allocator = std::make_unique<DeviceAllocator>();
  allocator->kind = kind;
  allocator->path = runtime_path_;
  if (kind == AllocatorKind::kRuntime) {
    allocator->malloc_name = "aclrtMalloc";
    allocator->free_name = "aclrtFree";
    Resolve(runtime_, allocator->malloc_name, &allocator->rt_malloc);
    Resolve(runtime_, allocator->free_name, &allocator->free);
    const std::string missing = Missing({{"aclrtMalloc", allocator->rt_malloc != nullptr},
                                         {"aclrtFree", allocator->free != nullptr}});
    if (!missing.empty()) {
      *reason = "the ACL runtime library lacks " + missing + " (" + runtime_path_ + ")";
      return nullptr;
    }
    slot = std::move(allocator);
    return slot.get();
  }

  const bool v1 = kind == AllocatorKind::kDvppV1;
  const char* file = v1 ? "libacl_dvpp.so" : "libacl_dvpp_mpi.so";
  allocator->malloc_name = v1 ? "acldvppMalloc" : "hi_mpi_dvpp_malloc";
  allocator->free_name = v1 ? "acldvppFree" : "hi_mpi_dvpp_free";
  // The media library is looked for next to the runtime first.
  Notes ignored;
  std::vector<Candidate> candidates{{runtime_path_.substr(0, runtime_path_.rfind('/')), "the runtime's folder"}};
  const std::vector<Candidate> rest = Candidates(library_dir, &ignored);
  candidates.insert(candidates.end(), rest.begin(), rest.end());
  Notes notes;
  std::string path;
  void* media = OpenFirst({file}, candidates, RTLD_NOW | RTLD_GLOBAL, &notes, &path);
  // The symbols come from the media library; the runtime is the fallback.
  void* source = media != nullptr ? media : runtime_;
  if (v1) {
    Resolve(source, allocator->malloc_name, &allocator->dvpp_malloc);
  } else {
    Resolve(source, allocator->malloc_name, &allocator->himpi_malloc);
  }
  Resolve(source, allocator->free_name, &allocator->free);
  const std::string missing =
      Missing({{allocator->malloc_name, allocator->dvpp_malloc != nullptr || allocator->himpi_malloc != nullptr},
               {allocator->free_name, allocator->free != nullptr}});
  if (!missing.empty()) {
    *reason = "the ACL libraries lack " + missing + " (runtime " + runtime_path_ + ", " + (v1 ? "DVPP " : "DVPP V2 ") +
              (media != nullptr ? path : "not found: " + notes.Text()) + ")";
    if (media != nullptr) dlclose(media);
    return nullptr;
  }
  allocator->path = media != nullptr ? path : runtime_path_;
  slot = std::move(allocator);
  return slot.get();
}

int DeviceAllocator::Malloc(int32_t device_id, void** out, size_t size) const {
  switch (kind) {
    case AllocatorKind::kDvppV1:
      return dvpp_malloc(out, size);
    case AllocatorKind::kDvppV2:
      // dev_id is "reserved and invalid" (the memory goes to the device aclrtSetDevice set);
      // the device id is passed anyway, as pyACL code does.
      return himpi_malloc(static_cast<uint32_t>(device_id), out, size);
    case AllocatorKind::kRuntime:
      return rt_malloc(out, size, kAclMemMallocHugeFirst);
  }
  return -1;  // unreachable: every kind is handled above
}

int AclLibrary::EnsureInitialized() {
  std::lock_guard<std::mutex> lock(init_mutex_);
  if (initialized_) return kAclSuccess;
  const int code = api_.init(nullptr);
  if (code != kAclSuccess && code != kAclErrorRepeatInitialize) return code;
  initialized_ = true;
  owns_init_ = code == kAclSuccess;
  if (owns_init_) std::call_once(TheProcessState().finalize_registered, [] { std::atexit(FinalizeAtExit); });
  return kAclSuccess;
}

std::string AclLibrary::InitializedBy() {
  std::lock_guard<std::mutex> lock(init_mutex_);
  if (!initialized_) return "";
  return owns_init_ ? "by dvpp-pool" : "by the application";
}

std::string AclLibrary::RecentErrMsg() const {
  if (api_.recent_err_msg == nullptr) return "";
  const char* text = api_.recent_err_msg();
  return text != nullptr ? text : "";
}

// Runs after every block was freed: by Node's environment cleanup hooks, or, when exit() came
// without them (process.exit, an uncaught exception), by acl_memory.cc's ReleaseLiveAtExit.
void AclLibrary::FinalizeAtExit() {
  AclProcessState& state = TheProcessState();
  std::lock_guard<std::mutex> lock(state.mutex);
  for (const std::shared_ptr<AclLibrary>& library : state.libraries) {
    std::lock_guard<std::mutex> init_lock(library->init_mutex_);
    if (library->owns_init_) library->api_.finalize();
    library->initialized_ = false;
  }
}

}  // namespace dvpp_pool
