// Runs connection lifecycles through an admin_chain and measures every callback: a scenario's
// timeline on one thread (deterministic, printable), or a generated load on worker threads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "host/admin_chain.hpp"
#include "host/scenario.hpp"

namespace raswarden::host {

// Exact order statistics of one set of calls: every call's time is kept (nanoseconds, as read
// from steady_clock) and the set sorted after the run, so pN is the sample at rank
// round(N/100 * (calls - 1)), not a histogram bucket. The counts are of calls that took strictly
// more than 1 ms and 10 ms.
struct latency_summary {
  callback_kind kind = callback_kind::accept_connection;  // callback_kind::count in the overall summaries
  std::uint64_t calls = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double p9999_us = 0;
  double max_us = 0;
  std::uint64_t over_1ms = 0;
  std::uint64_t over_10ms = 0;
};

// Summarizes samples in nanoseconds (sorted here, in place); `kind` is copied into the result.
[[nodiscard]] latency_summary summarize_latency(callback_kind kind, std::vector<std::uint32_t>& samples_ns);

struct run_report {
  std::uint64_t lifecycles = 0;  // connections that went through hangup
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;
  std::uint64_t links_accepted = 0;
  std::uint64_t links_rejected = 0;
  std::uint64_t address_refusals = 0;
  std::uint32_t threads = 1;
  bool serialized = true;
  double seconds = 0;
  double lifecycles_per_s = 0;
  // Callbacks that were called, in callback_kind order: the time spent in the DLLs, and the time
  // around each call, which adds the wait for the serialization lock (more than one thread).
  std::vector<latency_summary> latency;
  std::vector<latency_summary> latency_with_wait;
  // Every call of every kind above pooled into one set (calls is the sum of the kinds' calls).
  latency_summary latency_overall;
  latency_summary latency_with_wait_overall;
};

// One line per callback as it happens ("AcceptNewConnection alice sstp -> ACCEPT").
using decision_printer = std::function<void(std::string_view line)>;

[[nodiscard]] run_report run_sessions(admin_chain& chain, const std::vector<scenario_session>& sessions,
                                      const decision_printer& print);
[[nodiscard]] run_report run_load(admin_chain& chain, const load_options& options, bool serialized);

// Aligned text table and JSON (the --json output).
[[nodiscard]] std::string format_report(const run_report& report);
[[nodiscard]] std::string report_json(const run_report& report);

}  // namespace raswarden::host
