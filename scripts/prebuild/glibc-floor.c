// SPDX-License-Identifier: MIT
// Linked into the prebuilt addons only (binding.gyp with prebuild=true, which also passes
// -Wl,--wrap=<name> for every __wrap_<name> below): every reference to <name>, from the addon's
// own objects and from the static libstdc++ alike, lands here instead of on the default
// version that Debian 12's glibc (2.36) would record. Each wrapper calls the version that glibc
// 2.28 and older already export, or does the job with functions they have, so the addon asks no
// symbol version newer than GLIBC_2.28 (test/package/symbols.test.ts checks the built files).
// A symbol missing here shows up in that test by name; add it here and in binding.gyp.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define FLOOR "GLIBC_2.2.5"
#define FLOOR_DLINFO "GLIBC_2.3.3"
#define STAT_VER 1 /* _STAT_VER_LINUX of x86_64's old struct-stat ABI */
#elif defined(__aarch64__)
#define FLOOR "GLIBC_2.17"
#define FLOOR_DLINFO "GLIBC_2.17"
#define STAT_VER 0 /* _STAT_VER of the generic (asm-generic) stat ABI */
#else
#error "scripts/prebuild/glibc-floor.c knows the old glibc versions of x86_64 and aarch64 only"
#endif

#define WRAP __attribute__((visibility("hidden")))
/* floor_<name> is an undefined reference that the assembler renames to <name>@<version>. */
#define PIN(name, version) __asm__(".symver floor_" #name "," #name "@" version)

/* glibc 2.34 moved these from libdl and libpthread into libc under new default versions; the
 * old versions stay exported (from libdl.so.2 and libpthread.so.0 before 2.34, which the
 * prebuild names as needed libraries, and from libc.so.6 since). */
extern void *floor_dlopen(const char *, int);
PIN(dlopen, FLOOR);
WRAP void *__wrap_dlopen(const char *file, int mode) { return floor_dlopen(file, mode); }

extern void *floor_dlsym(void *, const char *);
PIN(dlsym, FLOOR);
WRAP void *__wrap_dlsym(void *handle, const char *name) { return floor_dlsym(handle, name); }

extern char *floor_dlerror(void);
PIN(dlerror, FLOOR);
WRAP char *__wrap_dlerror(void) { return floor_dlerror(); }

extern int floor_dlclose(void *);
PIN(dlclose, FLOOR);
WRAP int __wrap_dlclose(void *handle) { return floor_dlclose(handle); }

extern int floor_dlinfo(void *, int, void *);
PIN(dlinfo, FLOOR_DLINFO);
WRAP int __wrap_dlinfo(void *handle, int request, void *arg) { return floor_dlinfo(handle, request, arg); }

extern int floor_pthread_once(pthread_once_t *, void (*)(void));
PIN(pthread_once, FLOOR);
WRAP int __wrap_pthread_once(pthread_once_t *once, void (*init)(void)) { return floor_pthread_once(once, init); }

extern int floor___pthread_key_create(pthread_key_t *, void (*)(void *));
PIN(__pthread_key_create, FLOOR);
WRAP int __wrap___pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
  return floor___pthread_key_create(key, destructor);
}

extern int floor_pthread_key_create(pthread_key_t *, void (*)(void *));
PIN(pthread_key_create, FLOOR);
WRAP int __wrap_pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
  return floor_pthread_key_create(key, destructor);
}

/* The thread-specific data std::condition_variable's object file (notify_all_at_thread_exit)
 * brings in with the static libstdc++ (native/shared_blocks.cc waits on one). */
extern int floor_pthread_key_delete(pthread_key_t);
PIN(pthread_key_delete, FLOOR);
WRAP int __wrap_pthread_key_delete(pthread_key_t key) { return floor_pthread_key_delete(key); }

extern void *floor_pthread_getspecific(pthread_key_t);
PIN(pthread_getspecific, FLOOR);
WRAP void *__wrap_pthread_getspecific(pthread_key_t key) { return floor_pthread_getspecific(key); }

extern int floor_pthread_setspecific(pthread_key_t, const void *);
PIN(pthread_setspecific, FLOOR);
WRAP int __wrap_pthread_setspecific(pthread_key_t key, const void *value) { return floor_pthread_setspecific(key, value); }

/* fstat64 became a libc export in 2.33; before, <sys/stat.h> made it a call of __fxstat64. */
extern int floor___fxstat64(int, int, struct stat64 *);
PIN(__fxstat64, FLOOR);
WRAP int __wrap_fstat64(int fd, struct stat64 *buf) { return floor___fxstat64(STAT_VER, fd, buf); }

/* glibc 2.32's flag that lets libstdc++ skip atomic reference counts in a single-threaded
 * process. 0 says "may be multi-threaded": always atomic, which is what older glibc meant. */
WRAP char __wrap___libc_single_threaded = 0;

/* arc4random (glibc 2.36), which libstdc++'s std::random_device may use: the same kernel
 * entropy through getentropy (glibc 2.25), which does not fail for 4 bytes on Linux >= 3.17 (Node 20 needs 4.18). */
WRAP uint32_t __wrap_arc4random(void) {
  uint32_t value;
  if (getentropy(&value, sizeof value) != 0) abort();
  return value;
}
