// Google Benchmark helpers shared by the benchmark executables: allocation counters per
// iteration, and checks that turn a wrong result into an error instead of a number.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "alloc_counter.hpp"
#include "bench_data.hpp"

namespace raswarden::bench {

// Counts what the timed loop allocates: construct it just before the loop, call `report` after.
// allocs_per_op and bytes_per_op are operator new calls and requested bytes per iteration.
class alloc_meter {
 public:
  alloc_meter() noexcept : start_(alloc_snapshot()) {}

  void report(benchmark::State& state) const {
    const alloc_totals used = alloc_snapshot() - start_;
    state.counters["allocs_per_op"] =
        benchmark::Counter(static_cast<double>(used.allocations), benchmark::Counter::kAvgIterations);
    state.counters["bytes_per_op"] =
        benchmark::Counter(static_cast<double>(used.bytes), benchmark::Counter::kAvgIterations);
  }

 private:
  alloc_totals start_;
};

// False (and the benchmark reports `what` as its error, with no timing) unless `ok`.
inline bool check(benchmark::State& state, bool ok, const std::string& what) {
  if (!ok) state.SkipWithError(what.c_str());
  return ok;
}

}  // namespace raswarden::bench
