# SPDX-License-Identifier: MIT
# The dvpp_pool addon: every native/*.cc (so a new memory kind only adds files), Node-API 8.
{
  'targets': [
    {
      'target_name': 'dvpp_pool',
      'sources': ["<!@(node -p \"require('fs').readdirSync('native').filter((f) => f.endsWith('.cc')).map((f) => 'native/' + f).join(' ')\")"],
      # C++ exceptions: argument checks throw from any depth, and every failed Node-API call
      # becomes a JS exception without a status check after each call.
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      # SWALLOW_UNTHROWABLE_EXCEPTIONS: when a worker is terminated inside a call, the env can no
      # longer take a JS exception; without it node-addon-api rethrows and aborts the process.
      'defines': ['NAPI_VERSION=8', 'NODE_ADDON_API_DISABLE_DEPRECATED', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      'cflags': ['-fvisibility=hidden', '-Wall', '-Wextra'],
      'libraries': ['-ldl'],
      # Resident until the process ends: Node dlcloses an addon when the last environment that
      # loaded it ends (a worker), and that would run its atexit handlers (free the ACL blocks,
      # aclFinalize) mid-process and forget that ACL was initialised. See native/acl_loader.cc.
      'ldflags': ['-Wl,-z,nodelete'],
    },
  ],
}
