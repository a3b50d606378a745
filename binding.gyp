# SPDX-License-Identifier: MIT
# The dvpp_pool addon: every native/*.cc (so a new memory kind only adds files), Node-API 8.
# `node-gyp rebuild` builds it for this machine (the install's fallback and development);
# scripts/prebuild.mjs builds the shipped prebuilds with `--prebuild=true` (see 'Packaging' in
# docs/architecture.md): libstdc++ linked in, no glibc symbol version newer than 2.28.
{
  'variables': {
    'prebuild%': 'false',
  },
  'targets': [
    {
      'target_name': 'dvpp_pool',
      'sources': ["<!@(node -p \"require('fs').readdirSync('native').filter((f) => f.endsWith('.cc')).map((f) => 'native/' + f).join(' ')\")"],
      # node-addon-api's headers and its C++-exceptions settings (its except.gypi), set here rather
      # than through its gyp target, whose makefiles gyp would write beside the installed package.
      # C++ exceptions: argument checks throw from any depth, and every failed Node-API call
      # becomes a JS exception without a status check after each call.
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'cflags!': ['-fno-exceptions'],
      'cflags_cc!': ['-fno-exceptions'],
      # SWALLOW_UNTHROWABLE_EXCEPTIONS: when a worker is terminated inside a call, the env can no
      # longer take a JS exception; without it node-addon-api rethrows and aborts the process.
      'defines': ['NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      'cflags': ['-fvisibility=hidden', '-Wall', '-Wextra'],
      'libraries': ['-ldl'],
      # Resident until the process ends: Node dlcloses an addon when the last environment that
      # loaded it ends (a worker), and that would run its atexit handlers (free the ACL blocks,
      # aclFinalize) mid-process and forget that ACL was initialised. See native/acl_loader.cc.
      'ldflags': ['-Wl,-z,nodelete'],
      'conditions': [
        ['prebuild=="true"', {
          # scripts/prebuild/glibc-floor.c takes every reference to a glibc symbol whose default
          # version is newer than 2.28 (--wrap) and calls a version that 2.28 has. libstdc++ is
          # linked in and kept hidden, so no GLIBCXX or CXXABI version is needed at run time;
          # libgcc_s stays shared (static libgcc's unwinder would need _dl_find_object, 2.35).
          'sources': ['scripts/prebuild/glibc-floor.c'],
          'ldflags': [
            '-static-libstdc++', '-Wl,--exclude-libs,ALL', '-Wl,--hash-style=both', '-s',
            # Relative to build/, where make links (node-gyp runs `make -C build`): an absolute
            # path would be split at a space in the checkout's path.
            '-Wl,--version-script=../scripts/prebuild/exports.map',
            '-Wl,--wrap=dlopen', '-Wl,--wrap=dlsym', '-Wl,--wrap=dlerror', '-Wl,--wrap=dlclose',
            '-Wl,--wrap=dlinfo', '-Wl,--wrap=pthread_once', '-Wl,--wrap=__pthread_key_create',
            '-Wl,--wrap=pthread_key_create', '-Wl,--wrap=pthread_key_delete', '-Wl,--wrap=pthread_getspecific',
            '-Wl,--wrap=pthread_setspecific', '-Wl,--wrap=fstat64',
            '-Wl,--wrap=__libc_single_threaded', '-Wl,--wrap=arc4random',
          ],
          # Below glibc 2.34 the old dlopen and pthread_once versions live in these two.
          'libraries': ['-Wl,--no-as-needed', '-l:libdl.so.2', '-l:libpthread.so.0'],
        }],
      ],
    },
  ],
}
