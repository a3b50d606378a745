#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Memory safety of the native addon: runs test/leak/native-exercise.cjs (every native entry
# point, host and ACL-double blocks, GC finalizers, a worker, live blocks at the end) under
# valgrind memcheck in three endings: normal end, process.exit(), uncaught exception.
# Fails on any memcheck error or any definite leak. Part of `npm run test:stress`.
# valgrind's own exit code for errors is 99, so the exercise's exit codes stay readable
# (0, or 1 for the deliberate uncaught exception). Skips, saying so, without valgrind.
set -uo pipefail
cd "$(dirname "$0")/../.."

if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind.sh: SKIPPED: valgrind is not installed (e.g. apt-get install valgrind); the addon's memcheck run did not happen."
  exit 0
fi

double="$(node test/acl-double/build.mjs)" || { echo "valgrind.sh: could not build the ACL test double"; exit 1; }
logs="$(mktemp -d)"
failed=0
for mode in main exit throw; do
  expected=0
  [ "$mode" = throw ] && expected=1
  log="$logs/$mode.log"
  start=$SECONDS
  valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --suppressions=test/leak/node.supp --log-file="$log" \
    node --expose-gc test/leak/native-exercise.cjs "$mode" "$double/lib64" >"$logs/$mode.out" 2>&1
  rc=$?
  errors="$(grep -o 'ERROR SUMMARY: [0-9]* errors from [0-9]* contexts (suppressed: [0-9]* from [0-9]*)' "$log" | tail -1)"
  definite="$(grep -o 'definitely lost: [0-9,]* bytes in [0-9,]* blocks' "$log" | tail -1)"
  echo "valgrind.sh: $mode: exit $rc (expected $expected), ${errors:-no summary}, ${definite:-definitely lost: 0 bytes}, $((SECONDS - start)) s"
  if [ "$rc" -ne "$expected" ]; then
    failed=1
    echo "--- exercise output ($mode) ---"; tail -n 30 "$logs/$mode.out"
    echo "--- valgrind log ($mode): first errors ---"; grep -v '^==[0-9]*== *$' "$log" | head -n 80
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "valgrind.sh: FAILED (logs in $logs)"
  exit 1
fi
echo "valgrind.sh: passed: 0 errors, 0 definite leaks in 3 runs (logs in $logs)"
