// SPDX-License-Identifier: MIT
// The Ascend memory kinds over the loaded ACL entry points; see acl_memory.h. Plain C++, no JS.
// Block has checked every range against the block's size before these run.

#include "acl_memory.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>

namespace dvpp_pool {
namespace {

// The Memory contract (memory.h): a base that is a multiple of 128, as acldvppMalloc and
// hi_mpi_dvpp_malloc document (aclrtMalloc's alignment is larger).
constexpr uintptr_t kBaseAlign = 128;  // DVPP_ADDR_ALIGN in src/constants.ts
// ACL_ERROR_BAD_ALLOC (acl_base.h): what a base breaking that contract is reported as.
constexpr int kAclErrorBadAlloc = 200000;

std::string Hex(uint64_t value) {
  char text[2 + 16 + 1];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// The failure of `op`, with aclGetRecentErrMsg() read right after the failing call.
Failure AclFailure(const AclLibrary& library, const char* op, int code, std::string message) {
  return Failure{op, code, std::move(message), library.RecentErrMsg()};
}

// "DDR huge pages 1024 of 2048 bytes free" for every huge-page attribute the device reports.
std::string HugePageReport(const AclApi& api) {
  if (api.get_mem_info == nullptr) return "aclrtGetMemInfo is not available";
  std::string report;
  for (const auto& [attr, name] : {std::pair{kAclDdrMemHuge, "DDR"}, std::pair{kAclHbmMemHuge, "HBM"}}) {
    size_t free = 0;
    size_t total = 0;
    const int code = api.get_mem_info(attr, &free, &total);
    if (code != kAclSuccess || total == 0) continue;
    report += (report.empty() ? "" : ", ") + std::string(name) + " huge pages " + std::to_string(free) + " of " +
              std::to_string(total) + " bytes free";
  }
  return report.empty() ? "aclrtGetMemInfo reported no huge-page memory" : "aclrtGetMemInfo: " + report;
}

class AclMemory;

// A borrowing thread's aclrtSetDevice of the block's device, undone by one aclrtResetDevice (the
// vendor counts both: "use them in pairs"). Threads that set the same device share its default
// context, so the owner's and the borrowers' calls reach the same memory.
class DeviceBinding final : public ThreadBinding {
 public:
  DeviceBinding(std::shared_ptr<AclLibrary> library, int32_t device_id)
      : library_(std::move(library)), device_id_(device_id) {}
  ~DeviceBinding() override { library_->Api().reset_device(device_id_); }

 private:
  const std::shared_ptr<AclLibrary> library_;
  const int32_t device_id_;
};

// Every unreleased AclMemory of the process. Node's cleanup hooks free each block at a normal end
// and at a worker's end, but process.exit(), an uncaught exception or an unhandled rejection reach
// exit() without running them: ReleaseLiveAtExit, registered with std::atexit after the first
// block (so it runs before aclFinalize's handler and any the ACL libraries registered
// while loading), frees what is left. Leaked on purpose: it must outlive static destructors.
struct LiveAclMemory {
  std::mutex mutex;
  std::unordered_set<AclMemory*> live;
  std::once_flag at_exit_registered;
};

LiveAclMemory& Live() {
  static LiveAclMemory* live = new LiveAclMemory();
  return *live;
}

void ReleaseLiveAtExit();

class AclMemory final : public Memory {
 public:
  AclMemory(std::shared_ptr<AclLibrary> library, const DeviceAllocator& allocator, int32_t device_id, void* base,
            DvppReservation reservation)
      : library_(std::move(library)),
        allocator_(allocator),
        device_id_(device_id),
        base_(static_cast<uint8_t*>(base)),
        reservation_(std::move(reservation)) {
    LiveAclMemory& all = Live();
    std::lock_guard<std::mutex> lock(all.mutex);
    all.live.insert(this);
    std::call_once(all.at_exit_registered, [] { std::atexit(ReleaseLiveAtExit); });
  }
  ~AclMemory() override {
    LiveAclMemory& all = Live();
    std::lock_guard<std::mutex> lock(all.mutex);
    all.live.erase(this);
  }

  uint64_t Base() const override { return reinterpret_cast<uintptr_t>(base_); }

  // Frees the block unless ReleaseLiveAtExit already did: whoever takes it out of the set frees it.
  Outcome Release() override {
    {
      LiveAclMemory& all = Live();
      std::lock_guard<std::mutex> lock(all.mutex);
      if (all.live.erase(this) == 0) return std::nullopt;
    }
    return FreeNow();
  }

  // The allocator's free of the base, then aclrtResetDevice. The caller has taken it out of the
  // live set.
  Outcome FreeNow() {
    const AclApi& api = library_->Api();
    // Only the base goes back: segments are bookkeeping in JS. No retry after a failed free.
    const int freed = allocator_.free(base_);
    Outcome outcome;
    if (freed == kAclSuccess) {
      reservation_.Release();
    } else {
      reservation_.Keep();
      outcome = AclFailure(*library_, allocator_.free_name, freed, "could not free the block at " + Hex(Base()));
    }
    // Balances the aclrtSetDevice of the allocation, whether or not the free succeeded.
    const int reset = api.reset_device(device_id_);
    if (reset != kAclSuccess && !outcome) {
      outcome = AclFailure(*library_, "aclrtResetDevice", reset, "device " + std::to_string(device_id_));
    }
    return outcome;
  }

  Outcome Memset(size_t offset, size_t length, uint8_t value) override {
    if (length == 0) return std::nullopt;
    const int code = library_->Api().memset(base_ + offset, length, value, length);
    if (code == kAclSuccess) return std::nullopt;
    return AclFailure(*library_, "aclrtMemset", code, Range(offset, length));
  }
  Outcome Write(size_t offset, const void* src, size_t length) override {
    if (length == 0) return std::nullopt;
    const int code = library_->Api().memcpy(base_ + offset, length, src, length, kAclMemcpyHostToDevice);
    if (code == kAclSuccess) return std::nullopt;
    return AclFailure(*library_, "aclrtMemcpy", code, "host to device, " + Range(offset, length));
  }
  Outcome Read(size_t offset, void* dst, size_t length) override {
    if (length == 0) return std::nullopt;
    const int code = library_->Api().memcpy(dst, length, base_ + offset, length, kAclMemcpyDeviceToHost);
    if (code == kAclSuccess) return std::nullopt;
    return AclFailure(*library_, "aclrtMemcpy", code, "device to host, " + Range(offset, length));
  }
  // One device-to-device aclrtMemcpy: the bytes never leave the device.
  Outcome Copy(size_t dst_offset, size_t src_offset, size_t length) override {
    if (length == 0) return std::nullopt;
    const int code =
        library_->Api().memcpy(base_ + dst_offset, length, base_ + src_offset, length, kAclMemcpyDeviceToDevice);
    if (code == kAclSuccess) return std::nullopt;
    return AclFailure(*library_, "aclrtMemcpy", code,
                      "device to device, " + std::to_string(length) + " bytes from offset " +
                          std::to_string(src_offset) + " to offset " + std::to_string(dst_offset));
  }

  std::unique_ptr<ThreadBinding> BindThread(Outcome* failure) override {
    if (const int code = library_->Api().set_device(device_id_); code != kAclSuccess) {
      *failure = AclFailure(*library_, "aclrtSetDevice", code,
                            "device " + std::to_string(device_id_) + ", for a borrowed block");
      return nullptr;
    }
    return std::make_unique<DeviceBinding>(library_, device_id_);
  }

 private:
  static std::string Range(size_t offset, size_t length) {
    return std::to_string(length) + " bytes at offset " + std::to_string(offset);
  }

  const std::shared_ptr<AclLibrary> library_;  // keeps the entry points valid while the block lives
  const DeviceAllocator& allocator_;            // the library's, alive as long as it is
  const int32_t device_id_;
  uint8_t* const base_;
  DvppReservation reservation_;
};

// "DVPP memory" or "device memory", for messages.
std::string MemoryName(const DeviceAllocator& allocator) {
  return allocator.CountsDvppSpace() ? "DVPP memory" : "device memory";
}

// Holds the lock throughout, so no other thread can free or destroy one of these meanwhile.
void ReleaseLiveAtExit() {
  LiveAclMemory& all = Live();
  std::lock_guard<std::mutex> lock(all.mutex);
  for (AclMemory* memory : all.live) memory->FreeNow();
  all.live.clear();
}

}  // namespace

std::unique_ptr<Memory> AllocateAclMemory(std::shared_ptr<AclLibrary> library, const DeviceAllocator& allocator,
                                          int32_t device_id, size_t size, DvppReservation reservation,
                                          Failure* failure) {
  const AclApi& api = library->Api();
  if (const int code = library->EnsureInitialized(); code != kAclSuccess) {
    *failure = AclFailure(*library, "aclInit", code, "could not initialise ACL (" + library->RuntimePath() + ")");
    return nullptr;
  }
  if (const int code = api.set_device(device_id); code != kAclSuccess) {
    *failure = AclFailure(*library, "aclrtSetDevice", code, "device " + std::to_string(device_id));
    return nullptr;
  }
  // Asked before, reported only on failure: the allocation is attempted whatever the figures say.
  const std::string huge_pages = HugePageReport(api);
  void* base = nullptr;
  if (const int code = allocator.Malloc(device_id, &base, size); code != kAclSuccess || base == nullptr) {
    // The recent-error text belongs to the malloc, so it is read before aclrtResetDevice runs.
    *failure = AclFailure(*library, allocator.malloc_name, code,
                          "could not allocate " + std::to_string(size) + " bytes of " + MemoryName(allocator) +
                              " on device " + std::to_string(device_id) + "; " + huge_pages);
    api.reset_device(device_id);
    return nullptr;
  }
  // Every segment offset is a multiple of 128, so the base must be one too for model inference.
  // The allocators promise it; a base that breaks the promise is given back, never used.
  if (const uintptr_t address = reinterpret_cast<uintptr_t>(base); address % kBaseAlign != 0) {
    const int freed = allocator.free(base);
    api.reset_device(device_id);
    *failure = Failure{allocator.malloc_name, kAclErrorBadAlloc,
                       "returned " + Hex(address) + " for " + std::to_string(size) + " bytes on device " +
                           std::to_string(device_id) + ", not the 128-byte aligned base " + MemoryName(allocator) +
                           " must have; " +
                           (freed == kAclSuccess ? std::string("the block was freed")
                                                 : std::string(allocator.free_name) + " of it failed with " +
                                                       std::to_string(freed))};
    // A base the vendor would not take back may still hold its address space.
    if (freed != kAclSuccess) reservation.Keep();
    return nullptr;
  }
  return std::make_unique<AclMemory>(std::move(library), allocator, device_id, base, std::move(reservation));
}

}  // namespace dvpp_pool
