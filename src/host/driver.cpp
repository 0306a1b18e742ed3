#include "host/driver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "win32/system.hpp"

namespace raswarden::host {

namespace {

using steady = std::chrono::steady_clock;
constexpr std::size_t kinds = static_cast<std::size_t>(callback_kind::count);
using sample_set = std::array<std::vector<std::uint32_t>, kinds>;
struct latency_samples {
  sample_set in_dlls;
  sample_set with_wait;
};

// Per-thread latency samples in nanoseconds, merged after the run: the callback's own time in the
// DLLs, and the time around the call into the chain, which adds the wait for the serialization
// lock while another thread's callback holds it.
class latency_recorder {
 public:
  template <typename Call>
  auto time(callback_kind kind, Call&& call) {
    const auto start = steady::now();
    if constexpr (std::is_void_v<decltype(call())>) {
      call();
      record(kind, start);
    } else {
      auto result = call();
      record(kind, start);
      return result;
    }
  }
  void merge_into(latency_samples& all) const {
    for (std::size_t k = 0; k < kinds; ++k) {
      all.in_dlls[k].insert(all.in_dlls[k].end(), in_dlls_[k].begin(), in_dlls_[k].end());
      all.with_wait[k].insert(all.with_wait[k].end(), with_wait_[k].begin(), with_wait_[k].end());
    }
  }
  void reserve(std::size_t per_kind) {
    for (std::size_t k = 0; k < kinds; ++k) {
      in_dlls_[k].reserve(per_kind);
      with_wait_[k].reserve(per_kind);
    }
  }

 private:
  static std::uint32_t clamp(std::int64_t ns) {
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(ns, 0, std::numeric_limits<std::uint32_t>::max()));
  }
  void record(callback_kind kind, steady::time_point start) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - start).count();
    const auto k = static_cast<std::size_t>(kind);
    with_wait_[k].push_back(clamp(ns));
    // With one thread nothing waits for the lock: the time around the call is the DLLs' time
    // (and the chain does not time it again).
    in_dlls_[k].push_back(admin_chain::timing_calls_in_dlls()
                              ? clamp(static_cast<std::int64_t>(admin_chain::last_call_in_dlls_ns()))
                              : clamp(ns));
  }
  sample_set in_dlls_;
  sample_set with_wait_;
};

struct counters {
  std::atomic<std::uint64_t> lifecycles{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> links_accepted{0};
  std::atomic<std::uint64_t> links_rejected{0};
  std::atomic<std::uint64_t> address_refusals{0};
};

struct live_session {
  const scenario_session* spec = nullptr;
  std::unique_ptr<connection_structs> structs;
  std::vector<port_structs> ports;
  DWORD ipv4 = 0;
  BOOL release_ipv4 = FALSE;
  IN6_ADDR ipv6{};
  BOOL release_ipv6 = FALSE;
  bool accepted = false;
  steady::time_point opened;
};

std::string user_of(const scenario_session& s) {
  return win32::to_utf8(s.connection.user);
}

// RRAS's order (mprapi-reference.md 4.3): address, accept, first link right after, further links.
live_session open_session(admin_chain& chain, const scenario_session& spec, latency_recorder& timer, counters& count,
                          const decision_printer* print) {
  live_session live;
  live.spec = &spec;
  live.structs = make_connection(spec.connection);
  live.opened = steady::now();
  if (spec.addresses && chain.has_ipv4() && !spec.links.empty()) {
    // RRAS proposes the address it picked; the DLL may keep or replace it.
    std::wstring port = spec.links.front().port_name;
    unsigned octets[4] = {0, 0, 0, 0};
    if (std::swscanf(spec.connection.client_ipv4.c_str(), L"%u.%u.%u.%u", &octets[0], &octets[1], &octets[2],
                     &octets[3]) == 4) {
      live.ipv4 =
          (octets[0] & 0xFF) | ((octets[1] & 0xFF) << 8) | ((octets[2] & 0xFF) << 16) | ((octets[3] & 0xFF) << 24);
    }
    const DWORD proposed = live.ipv4;
    const DWORD result = timer.time(callback_kind::get_ipv4, [&] {
      return chain.get_ipv4(live.structs->c0.wszUserName, port.data(), live.ipv4, live.release_ipv4);
    });
    if (print != nullptr) {
      (*print)(fmt::format("{:<26}{:<10} -> {} {}.{}.{}.{}", "GetIpAddressForUser", user_of(spec),
                           result == NO_ERROR ? "NO_ERROR" : fmt::format("error {}", result), live.ipv4 & 0xFF,
                           (live.ipv4 >> 8) & 0xFF, (live.ipv4 >> 16) & 0xFF, live.ipv4 >> 24));
    }
    if (result != NO_ERROR) {
      // RRAS terminates the connection: it never reaches AcceptNewConnection.
      ++count.address_refusals;
      return live;
    }
    // IPCP then hands the client the address the DLL chose, and the connection callbacks carry it.
    if (live.ipv4 != 0 && live.ipv4 != proposed) {
      connection_spec assigned = spec.connection;
      assigned.client_ipv4 = win32::to_wide(fmt::format("{}.{}.{}.{}", live.ipv4 & 0xFF, (live.ipv4 >> 8) & 0xFF,
                                                        (live.ipv4 >> 16) & 0xFF, live.ipv4 >> 24));
      live.structs = make_connection(assigned);
    }
  }
  if (spec.addresses && chain.has_ipv6() && !spec.links.empty()) {
    // Only a 64-bit interface identifier is exchanged (mprapi-reference.md 1.6); RRAS's proposal
    // is the client's identifier, in the address's low half.
    std::wstring port = spec.links.front().port_name;
    const BYTE* identifier = live.structs->c3.PppInfo3.ipv6.bRemoteInterfaceIdentifier;
    std::copy(identifier, identifier + 8, live.ipv6.u.Byte + 8);
    const DWORD result = timer.time(callback_kind::get_ipv6, [&] {
      return chain.get_ipv6(live.structs->c0.wszUserName, port.data(), live.ipv6, live.release_ipv6);
    });
    if (print != nullptr) {
      (*print)(fmt::format("{:<26}{:<10} -> {}", "GetIpv6AddressForUser", user_of(spec),
                           result == NO_ERROR ? "NO_ERROR" : fmt::format("error {}", result)));
    }
    if (result != NO_ERROR) {
      ++count.address_refusals;
      return live;
    }
  }
  live.accepted = timer.time(callback_kind::accept_connection, [&] { return chain.accept_connection(*live.structs); });
  ++(live.accepted ? count.accepted : count.rejected);
  if (print != nullptr) {
    (*print)(fmt::format("{:<26}{:<10} {:<8} -> {}", "AcceptNewConnection", user_of(spec),
                         to_string(spec.connection.tunnel), live.accepted ? "ACCEPT" : "REJECT"));
  }
  if (!live.accepted) return live;
  live.ports.reserve(spec.links.size());
  for (const link_spec& l : spec.links) {
    live.ports.push_back(make_port(l));
    const bool ok = timer.time(callback_kind::accept_link, [&] { return chain.accept_link(live.ports.back()); });
    ++(ok ? count.links_accepted : count.links_rejected);
    if (print != nullptr) {
      (*print)(fmt::format("{:<26}{:<10} {:<8} -> {}", "  AcceptNewLink", user_of(spec), win32::to_utf8(l.port_name),
                           ok ? "ACCEPT" : "REJECT"));
    }
    if (!ok) live.ports.pop_back();  // a refused link gets no hangup (documented up to Windows 2000)
  }
  if (spec.reauthenticate) {
    const bool ok = timer.time(callback_kind::reauthenticate, [&] { return chain.reauthenticate(*live.structs); });
    if (print != nullptr) {
      (*print)(fmt::format("{:<26}{:<10} {:<8} -> {}", "  AcceptReauthentication", user_of(spec), "",
                           ok ? "ACCEPT" : "REJECT"));
    }
  }
  return live;
}

void close_session(admin_chain& chain, live_session& live, latency_recorder& timer, counters& count,
                   const decision_printer* print) {
  const scenario_session& spec = *live.spec;
  if (live.accepted) {
    for (auto& port : live.ports) {
      timer.time(callback_kind::hangup_link, [&] { chain.hangup_link(port); });
      if (print != nullptr) {
        (*print)(fmt::format("{:<26}{:<10} {}", "  LinkHangupNotification", user_of(spec),
                             win32::to_utf8(port.p0.wszPortName)));
      }
    }
    timer.time(callback_kind::hangup_connection, [&] { chain.hangup_connection(*live.structs); });
    ++count.lifecycles;
    if (print != nullptr) {
      (*print)(fmt::format("{:<26}{:<10} after {} s, {} bytes in, {} bytes out", "ConnectionHangup", user_of(spec),
                           spec.connection.duration_s, spec.connection.counters.bytes_in,
                           spec.connection.counters.bytes_out));
    }
  }
  if (live.release_ipv6 != FALSE && !spec.links.empty()) {
    std::wstring port = spec.links.front().port_name;
    timer.time(callback_kind::release_ipv6,
               [&] { chain.release_ipv6(live.structs->c0.wszUserName, port.data(), live.ipv6); });
  }
  if (live.release_ipv4 != FALSE && !spec.links.empty()) {
    std::wstring port = spec.links.front().port_name;
    timer.time(callback_kind::release_ipv4,
               [&] { chain.release_ipv4(live.structs->c0.wszUserName, port.data(), live.ipv4); });
  }
}

double percentile_us(const std::vector<std::uint32_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)] / 1000.0;
}

std::uint64_t count_over(const std::vector<std::uint32_t>& sorted, std::uint32_t ns) {
  return static_cast<std::uint64_t>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), ns));
}

latency_summary summarize_sorted(callback_kind kind, const std::vector<std::uint32_t>& sorted) {
  latency_summary l;
  l.kind = kind;
  l.calls = sorted.size();
  if (sorted.empty()) return l;
  l.p50_us = percentile_us(sorted, 0.50);
  l.p99_us = percentile_us(sorted, 0.99);
  l.p999_us = percentile_us(sorted, 0.999);
  l.p9999_us = percentile_us(sorted, 0.9999);
  l.max_us = sorted.back() / 1000.0;
  l.over_1ms = count_over(sorted, 1'000'000);
  l.over_10ms = count_over(sorted, 10'000'000);
  return l;
}

// The kinds that were called, in callback_kind order, and every call pooled into `overall`. All
// of it after the run: nothing here costs the calls anything.
std::vector<latency_summary> summarize(sample_set& samples, latency_summary& overall) {
  std::vector<latency_summary> out;
  std::size_t total = 0;
  for (const auto& s : samples) total += s.size();
  std::vector<std::uint32_t> all;
  all.reserve(total);
  for (std::size_t k = 0; k < kinds; ++k) {
    auto& s = samples[k];
    if (s.empty()) continue;
    std::sort(s.begin(), s.end());
    out.push_back(summarize_sorted(static_cast<callback_kind>(k), s));
    const auto middle = all.insert(all.end(), s.begin(), s.end());
    std::inplace_merge(all.begin(), middle, all.end());
  }
  overall = summarize_sorted(callback_kind::count, all);
  return out;
}

run_report finish(const counters& count, latency_samples& samples, double seconds, std::uint32_t threads,
                  bool serialized) {
  run_report report;
  report.lifecycles = count.lifecycles;
  report.connections_accepted = count.accepted;
  report.connections_rejected = count.rejected;
  report.links_accepted = count.links_accepted;
  report.links_rejected = count.links_rejected;
  report.address_refusals = count.address_refusals;
  report.seconds = seconds;
  report.threads = threads;
  report.serialized = serialized;
  report.lifecycles_per_s = seconds > 0 ? static_cast<double>(report.lifecycles) / seconds : 0;
  report.latency = summarize(samples.in_dlls, report.latency_overall);
  report.latency_with_wait = summarize(samples.with_wait, report.latency_with_wait_overall);
  return report;
}

}  // namespace

latency_summary summarize_latency(callback_kind kind, std::vector<std::uint32_t>& samples_ns) {
  std::sort(samples_ns.begin(), samples_ns.end());
  return summarize_sorted(kind, samples_ns);
}

run_report run_sessions(admin_chain& chain, const std::vector<scenario_session>& sessions,
                        const decision_printer& print) {
  // A timeline of arrivals and hangups; overlapping sessions are open at the same time.
  struct event {
    std::uint64_t at_ms;
    std::size_t order;
    bool open;
    std::size_t session;
  };
  std::vector<event> timeline;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    timeline.push_back({sessions[i].start_ms, 2 * i, true, i});
    timeline.push_back({std::uint64_t{sessions[i].start_ms} + sessions[i].hold_ms, 2 * i + 1, false, i});
  }
  std::sort(timeline.begin(), timeline.end(),
            [](const event& a, const event& b) { return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.order < b.order; });
  latency_recorder timer;
  counters count;
  std::map<std::size_t, live_session> open;
  const decision_printer* printer = print ? &print : nullptr;
  const auto start = steady::now();
  for (const event& e : timeline) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(e.at_ms));
    if (e.open) {
      open.emplace(e.session, open_session(chain, sessions[e.session], timer, count, printer));
    } else if (auto it = open.find(e.session); it != open.end()) {
      close_session(chain, it->second, timer, count, printer);
      open.erase(it);
    }
  }
  const double seconds = std::chrono::duration<double>(steady::now() - start).count();
  latency_samples samples;
  timer.merge_into(samples);
  return finish(count, samples, seconds, 1, true);
}

run_report run_load(admin_chain& chain, const load_options& options, bool serialized) {
  const std::uint32_t threads = std::max<std::uint32_t>(1, options.threads);
  const std::size_t per_worker_open = std::max<std::size_t>(1, options.concurrency / threads);
  counters count;
  std::atomic<std::uint64_t> next_index{0};
  std::vector<latency_recorder> timers(threads);
  admin_chain::time_calls_in_dlls(threads > 1);
  const auto start = steady::now();
  const auto arrival_time = [&](std::uint64_t index) {
    return start + std::chrono::duration_cast<steady::duration>(
                       std::chrono::duration<double>(static_cast<double>(index) / options.arrival_per_s));
  };
  std::vector<std::thread> workers;
  for (std::uint32_t w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      latency_recorder& timer = timers[w];
      timer.reserve(options.lifecycles / threads + 16);
      // Sessions stay open (the oldest closes first) so `concurrency` connections are live.
      std::deque<std::pair<scenario_session, live_session>> open;
      const auto close_oldest = [&] {
        auto& [spec, live] = open.front();
        if (options.hold_ms > 0)
          std::this_thread::sleep_until(live.opened + std::chrono::milliseconds(options.hold_ms));
        close_session(chain, live, timer, count, nullptr);
        open.pop_front();
      };
      for (;;) {
        const std::uint64_t index = next_index.fetch_add(1);
        if (index >= options.lifecycles) break;
        if (options.arrival_per_s > 0) std::this_thread::sleep_until(arrival_time(index));
        open.emplace_back(generated_session(options, index), live_session{});
        auto& [spec, live] = open.back();
        live = open_session(chain, spec, timer, count, nullptr);
        if (open.size() > per_worker_open) close_oldest();
      }
      while (!open.empty()) close_oldest();
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(steady::now() - start).count();
  latency_samples samples;
  for (const auto& timer : timers) timer.merge_into(samples);
  return finish(count, samples, seconds, threads, serialized);
}

std::string format_report(const run_report& r) {
  std::string out = fmt::format(
      "{} lifecycles in {:.3f} s: {:.0f} lifecycles/s ({} thread{}, {})\n"
      "connections: {} accepted, {} rejected; links: {} accepted, {} rejected; address refusals: {}\n\n",
      r.lifecycles, r.seconds, r.lifecycles_per_s, r.threads, r.threads == 1 ? "" : "s",
      r.serialized ? "serialized as RRAS does" : "not serialized (--stress)", r.connections_accepted,
      r.connections_rejected, r.links_accepted, r.links_rejected, r.address_refusals);
  const auto table = [&out](std::string_view title, const std::vector<latency_summary>& rows,
                            const latency_summary& overall) {
    out += fmt::format("{}\n{:<30} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9}\n", title, "callback", "calls",
                       "p50 us", "p99 us", "p99.9 us", "p99.99 us", "max us", "> 1 ms", "> 10 ms");
    const auto row = [&out](std::string_view name, const latency_summary& l) {
      out += fmt::format("{:<30} {:>10} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f} {:>9} {:>9}\n", name, l.calls,
                         l.p50_us, l.p99_us, l.p999_us, l.p9999_us, l.max_us, l.over_1ms, l.over_10ms);
    };
    for (const auto& l : rows) row(to_string(l.kind), l);
    if (rows.size() > 1) row("all callbacks", overall);
  };
  table("latency in the DLLs (the callbacks' own time):", r.latency, r.latency_overall);
  if (r.threads > 1) {
    out += "\n";
    table("latency around each call, with the wait for RRAS's serialization lock:", r.latency_with_wait,
          r.latency_with_wait_overall);
  }
  return out;
}

std::string report_json(const run_report& r) {
  nlohmann::ordered_json j;
  j["lifecycles"] = r.lifecycles;
  j["seconds"] = r.seconds;
  j["lifecycles_per_s"] = r.lifecycles_per_s;
  j["threads"] = r.threads;
  j["serialized"] = r.serialized;
  j["connections"] = {{"accepted", r.connections_accepted}, {"rejected", r.connections_rejected}};
  j["links"] = {{"accepted", r.links_accepted}, {"rejected", r.links_rejected}};
  j["address_refusals"] = r.address_refusals;
  const auto summary = [](const latency_summary& l) {
    return nlohmann::ordered_json{{"calls", l.calls},       {"p50_us", l.p50_us},      {"p99_us", l.p99_us},
                                  {"p99_9_us", l.p999_us},  {"p99_99_us", l.p9999_us}, {"max_us", l.max_us},
                                  {"over_1ms", l.over_1ms}, {"over_10ms", l.over_10ms}};
  };
  const auto table = [&summary](const std::vector<latency_summary>& rows) {
    nlohmann::ordered_json latency = nlohmann::ordered_json::object();
    for (const auto& l : rows) latency[std::string(to_string(l.kind))] = summary(l);
    return latency;
  };
  j["latency"] = table(r.latency);
  j["latency_with_wait"] = table(r.latency_with_wait);
  j["latency_overall"] = summary(r.latency_overall);
  j["latency_with_wait_overall"] = summary(r.latency_with_wait_overall);
  return j.dump(2);
}

}  // namespace raswarden::host
