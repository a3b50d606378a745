// SPDX-License-Identifier: MIT
// The bench's C++ anchor: reads a dvpp-pool binary trace (src/trace/format.ts), sizes each
// request in 128-byte units as the pool does (ceil((len + 32) / 128)) and, as asked by flags,
// times replays through OffsetAllocator-design allocators and a no-op, the 1080p hot pair, the
// minimum block (src/trace/min-pool.ts's search) and an untimed no-overlap check. JSON on stdout.
// Usage: replay TRACE [--block-bytes B] [--reps N] [--warmups N] [--batch OPS] [--noop]
//                     [--hot-pairs N] [--min-pool] [--verify] [--max-allocs N]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "offset_allocator.h"

namespace {

using anchor::Allocation;
using anchor::NO_SPACE;
using anchor::OffsetAllocator;

constexpr uint32_t kMagic = 0x54524331;
constexpr uint64_t kUnit = 128;
constexpr uint64_t kPad = 32;
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint32_t kFrame1080pNv12 = 1920 * 1080 * 3 / 2;
constexpr uint32_t kOpAlloc = 0;

struct Trace {
  uint32_t nOps = 0;
  uint32_t nIds = 0;
  std::vector<uint32_t> ops;  // nOps records of {op, id, len}
};

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "replay: %s\n", message.c_str());
  std::exit(2);
}

// The pool's segment size in units: alignUp(len, 32) + 32 rounded to 128 is this one division.
inline uint32_t unitsFor(uint32_t len) { return static_cast<uint32_t>((len + kPad + kUnit - 1) / kUnit); }

Trace readTrace(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(std::string("cannot open ") + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 16 || bytes.size() % 4 != 0) fail("truncated trace");
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), bytes.size());  // the format is little-endian, as is x86
  Trace trace;
  trace.nOps = words[1];
  trace.nIds = words[2];
  if (words[0] != kMagic || words[3] != 0) fail("bad magic or reserved word: not a version-0 dvpp-pool trace");
  if (words.size() != 4 + 3 * static_cast<uint64_t>(trace.nOps)) fail("record count does not match the header");
  trace.ops.assign(words.begin() + 4, words.end());
  // The same rules as validateTrace, so a bad file fails here and not inside a timed loop.
  std::vector<uint8_t> live(trace.nIds, 0);
  for (uint32_t i = 0; i < trace.nOps; i++) {
    const uint32_t op = trace.ops[3 * i], id = trace.ops[3 * i + 1];
    if (id >= trace.nIds || op > 1 || live[id] == (op == kOpAlloc ? 1 : 0)) fail("invalid op " + std::to_string(i));
    live[id] = op == kOpAlloc ? 1 : 0;
  }
  return trace;
}

// Loop-cost calibration: the same replay loop over an allocator that does nothing. noinline
// keeps the loop from being folded away (V8 may inline the JS no-op contender's calls, so the two
// no-op figures bound each loop's own cost rather than match op for op).
struct NoopAllocator {
  __attribute__((noinline)) Allocation allocate(uint32_t size) { return {size, 0}; }
  __attribute__((noinline)) void free(Allocation) {}
};

struct Counts {
  uint64_t failures = 0;
  uint64_t skippedFrees = 0;
};

// Replays ops [from, to); a failed alloc leaves its id empty and its free is skipped, as in
// src/trace/replay.ts. Returns false when stopped at a failure.
template <class A>
bool replayRange(A& alloc, const Trace& trace, std::vector<Allocation>& table, uint32_t from, uint32_t to,
                 Counts& counts, bool stopOnFailure) {
  const uint32_t* ops = trace.ops.data();
  Allocation* slots = table.data();
  for (uint32_t i = from; i < to; i++) {
    const uint32_t* rec = ops + 3 * static_cast<size_t>(i);
    Allocation& slot = slots[rec[1]];
    if (rec[0] == kOpAlloc) {
      slot = alloc.allocate(unitsFor(rec[2]));
      if (slot.offset == NO_SPACE) {
        counts.failures++;
        if (stopOnFailure) return false;
      }
    } else if (slot.offset == NO_SPACE) {
      counts.skippedFrees++;
    } else {
      alloc.free(slot);
      slot = Allocation{};
    }
  }
  return true;
}

template <class A>
void drain(A& alloc, std::vector<Allocation>& table) {
  for (Allocation& slot : table) {
    if (slot.offset != NO_SPACE) alloc.free(slot);
    slot = Allocation{};
  }
}

using Clock = std::chrono::steady_clock;
double nsSince(Clock::time_point t0) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

// Nearest-rank quantile, as bench/timing.ts's quantile().
double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(q * static_cast<double>(values.size())) - 1;
  const size_t i = static_cast<size_t>(std::min(static_cast<double>(values.size() - 1), std::max(0.0, rank)));
  return values[i];
}

struct Series {
  std::vector<double> batches;  // ns per op (or pair) of each timed batch
  std::vector<double> reps;     // ns per op of each timed rep as a whole
  uint64_t failures = 0;
};

template <class A, class Make>
void timeRep(const Trace& trace, Make make, uint32_t batch, bool timed, Series& out) {
  A alloc = make();  // construction (node array, bins) is not timed
  std::vector<Allocation> table(trace.nIds);
  Counts counts;
  double total = 0;
  for (uint32_t from = 0; from < trace.nOps; from += batch) {
    const uint32_t to = std::min(trace.nOps, from + batch);
    const auto t0 = Clock::now();
    replayRange(alloc, trace, table, from, to, counts, false);
    const double ns = nsSince(t0);
    total += ns;
    if (timed) out.batches.push_back(ns / (to - from));
  }
  if (timed) out.reps.push_back(total / trace.nOps);
  out.failures = counts.failures;
  drain(alloc, table);
}

void printSeries(const char* name, const Series& s, const char* unit) {
  std::printf("\"%s\":{\"median%s\":%.3f,\"p99%s\":%.3f,\"failures\":%llu,\"batches\":[", name, unit, quantile(s.batches, 0.5),
              unit, quantile(s.batches, 0.99), static_cast<unsigned long long>(s.failures));
  for (size_t i = 0; i < s.batches.size(); i++) std::printf("%s%.3f", i ? "," : "", s.batches[i]);
  std::printf("],\"reps\":[");
  for (size_t i = 0; i < s.reps.size(); i++) std::printf("%s%.3f", i ? "," : "", s.reps[i]);
  std::printf("]}");
}

uint64_t peakLiveBytes(const Trace& trace) {
  std::vector<uint64_t> sizeOf(trace.nIds, 0);
  uint64_t live = 0, peak = 0;
  for (uint32_t i = 0; i < trace.nOps; i++) {
    const uint32_t* rec = &trace.ops[3 * static_cast<size_t>(i)];
    if (rec[0] == kOpAlloc) {
      sizeOf[rec[1]] = unitsFor(rec[2]) * kUnit;
      live += sizeOf[rec[1]];
      peak = std::max(peak, live);
    } else {
      live -= sizeOf[rec[1]];
    }
  }
  return peak;
}

bool fitsIn(const Trace& trace, uint64_t blockBytes, uint32_t maxAllocs) {
  OffsetAllocator alloc(static_cast<uint32_t>(blockBytes / kUnit), maxAllocs);
  std::vector<Allocation> table(trace.nIds);
  Counts counts;
  return replayRange(alloc, trace, table, 0, trace.nOps, counts, true);
}

// src/trace/min-pool.ts: gallop up from ceil(peak / 1 MiB), bisect, then try every smaller
// size down to that bound (success need not be monotone); each size replayed at most once.
void printMinPool(const Trace& trace, uint32_t maxAllocs) {
  const uint64_t peak = peakLiveBytes(trace);
  const uint64_t lower = std::max<uint64_t>(1, (peak + kMiB - 1) / kMiB);
  const uint64_t maxSteps = lower * 64;
  std::map<uint64_t, bool> tried;
  auto fits = [&](uint64_t steps) {
    auto it = tried.find(steps);
    if (it == tried.end()) it = tried.emplace(steps, fitsIn(trace, steps * kMiB, maxAllocs)).first;
    return it->second;
  };
  uint64_t lastFail = lower - 1, hi = lower;
  for (uint64_t jump = 1; !fits(hi); jump *= 2) {
    lastFail = hi;
    hi = lower + jump;
    if (hi > maxSteps) fail("the trace does not fit even in " + std::to_string(maxSteps) + " MiB");
  }
  while (hi - lastFail > 1) {
    const uint64_t mid = lastFail + (hi - lastFail) / 2;
    if (fits(mid)) hi = mid;
    else lastFail = mid;
  }
  const uint64_t bisected = hi;
  uint64_t best = hi;
  for (uint64_t s = hi - 1; s >= lower; s--) {
    if (fits(s)) best = s;
  }
  std::printf("\"minPool\":{\"bytes\":%llu,\"peakLiveBytes\":%llu,\"ratio\":%.6f,\"bisectedBytes\":%llu,\"replays\":%zu}",
              static_cast<unsigned long long>(best * kMiB), static_cast<unsigned long long>(peak),
              static_cast<double>(best * kMiB) / static_cast<double>(peak), static_cast<unsigned long long>(bisected * kMiB),
              tried.size());
}

// Untimed: replays the whole trace keeping every live range in an offset-ordered map, and
// counts allocations that overlap a live one or run past the block.
void printVerify(const Trace& trace, uint64_t blockBytes, uint32_t maxAllocs) {
  const uint32_t capacity = static_cast<uint32_t>(blockBytes / kUnit);
  OffsetAllocator alloc(capacity, maxAllocs);
  std::vector<Allocation> table(trace.nIds);
  std::map<uint32_t, uint32_t> live;  // offset -> end, in units
  uint64_t failures = 0, overlaps = 0, outOfBounds = 0, allocs = 0;
  for (uint32_t i = 0; i < trace.nOps; i++) {
    const uint32_t* rec = &trace.ops[3 * static_cast<size_t>(i)];
    Allocation& slot = table[rec[1]];
    if (rec[0] == kOpAlloc) {
      allocs++;
      const uint32_t units = unitsFor(rec[2]);
      slot = alloc.allocate(units);
      if (slot.offset == NO_SPACE) {
        failures++;
        continue;
      }
      const uint64_t end = static_cast<uint64_t>(slot.offset) + units;
      if (end > capacity) outOfBounds++;
      auto next = live.lower_bound(slot.offset);
      if (next != live.end() && next->first < end) overlaps++;
      if (next != live.begin() && std::prev(next)->second > slot.offset) overlaps++;
      live[slot.offset] = static_cast<uint32_t>(end);
    } else if (slot.offset != NO_SPACE) {
      live.erase(slot.offset);
      alloc.free(slot);
      slot = Allocation{};
    }
  }
  std::printf("\"verify\":{\"blockBytes\":%llu,\"allocs\":%llu,\"failures\":%llu,\"overlaps\":%llu,\"outOfBounds\":%llu}",
              static_cast<unsigned long long>(blockBytes), static_cast<unsigned long long>(allocs),
              static_cast<unsigned long long>(failures), static_cast<unsigned long long>(overlaps),
              static_cast<unsigned long long>(outOfBounds));
}

// After the first half of the trace (untimed, so the bins hold a realistic state), times
// allocate + free of one 1080p NV12 frame in batches of `batch` pairs.
Series hotPair(const Trace& trace, uint64_t blockBytes, uint32_t maxAllocs, uint64_t pairs, uint32_t batch) {
  OffsetAllocator alloc(static_cast<uint32_t>(blockBytes / kUnit), maxAllocs);
  std::vector<Allocation> table(trace.nIds);
  Counts counts;
  replayRange(alloc, trace, table, 0, trace.nOps / 2, counts, false);
  const uint32_t units = unitsFor(kFrame1080pNv12);
  Series out;
  for (uint64_t done = 0; done < pairs; done += batch) {
    const auto t0 = Clock::now();
    for (uint32_t k = 0; k < batch; k++) {
      const Allocation a = alloc.allocate(units);
      if (a.offset == NO_SPACE) {
        out.failures++;
        continue;
      }
      alloc.free(a);
    }
    out.batches.push_back(nsSince(t0) / batch);
  }
  return out;
}

uint64_t number(int argc, char** argv, int& i) {
  if (i + 1 >= argc) fail(std::string(argv[i]) + " needs a value");
  char* end = nullptr;
  const unsigned long long value = std::strtoull(argv[++i], &end, 10);
  if (*end != '\0') fail(std::string("not a number: ") + argv[i]);
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) fail("usage: replay TRACE [--block-bytes B] [--reps N] [--warmups N] [--batch OPS] [--noop] [--hot-pairs N] [--min-pool] [--verify] [--max-allocs N]");
  uint64_t blockBytes = 256 * kMiB, reps = 0, warmups = 1, batch = 10000, hotPairs = 0, maxAllocs = 128 * 1024;
  bool noop = false, minPool = false, verify = false;
  for (int i = 2; i < argc; i++) {
    const std::string flag = argv[i];
    if (flag == "--block-bytes") blockBytes = number(argc, argv, i);
    else if (flag == "--reps") reps = number(argc, argv, i);
    else if (flag == "--warmups") warmups = number(argc, argv, i);
    else if (flag == "--batch") batch = number(argc, argv, i);
    else if (flag == "--hot-pairs") hotPairs = number(argc, argv, i);
    else if (flag == "--max-allocs") maxAllocs = number(argc, argv, i);
    else if (flag == "--noop") noop = true;
    else if (flag == "--min-pool") minPool = true;
    else if (flag == "--verify") verify = true;
    else fail("unknown flag " + flag);
  }
  if (blockBytes / kUnit > 0xfffffffeull || batch == 0 || maxAllocs == 0 || maxAllocs > 0xfffffffeull) fail("flag out of range");
  const Trace trace = readTrace(argv[1]);
  const uint32_t capacity = static_cast<uint32_t>(blockBytes / kUnit);
  const uint32_t nodes = static_cast<uint32_t>(maxAllocs);

  std::printf("{\"anchor\":\"C++ TLSF-class offset allocator (OffsetAllocator's published design, independent implementation)\","
              "\"unitBytes\":%llu,\"blockBytes\":%llu,\"nOps\":%u,\"nIds\":%u,\"opsPerBatch\":%llu",
              static_cast<unsigned long long>(kUnit), static_cast<unsigned long long>(blockBytes), trace.nOps, trace.nIds,
              static_cast<unsigned long long>(batch));
  if (reps > 0) {
    Series real, calib;
    // Warm-ups first, then allocator and no-op rep by rep, so that noise hits both alike.
    for (int64_t rep = -static_cast<int64_t>(warmups); rep < static_cast<int64_t>(reps); rep++) {
      timeRep<OffsetAllocator>(trace, [&] { return OffsetAllocator(capacity, nodes); }, static_cast<uint32_t>(batch), rep >= 0, real);
      if (noop) timeRep<NoopAllocator>(trace, [] { return NoopAllocator(); }, static_cast<uint32_t>(batch), rep >= 0, calib);
    }
    std::printf(",");
    printSeries("replay", real, "NsPerOp");
    if (noop) {
      std::printf(",");
      printSeries("noop", calib, "NsPerOp");
    }
  }
  if (hotPairs > 0) {
    std::printf(",");
    printSeries("hotPair", hotPair(trace, blockBytes, nodes, hotPairs, static_cast<uint32_t>(std::min<uint64_t>(batch * 10, hotPairs))), "NsPerPair");
  }
  if (minPool) {
    std::printf(",");
    printMinPool(trace, nodes);
  }
  if (verify) {
    std::printf(",");
    printVerify(trace, blockBytes, nodes);
  }
  std::printf("}\n");
  return 0;
}
