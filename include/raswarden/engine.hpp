// The policy-and-accounting core behind every export. One engine lives from MprAdminInitializeDll
// to MprAdminTerminateDll. Each method is what one callback family means, stated in core types;
// the DLL's adapters only translate structs into these calls.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/forwarding.hpp"
#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/address_pool.hpp"
#include "raswarden/platform.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/diagnostic_queue.hpp"
#include "raswarden/session_registry.hpp"
#include "raswarden/session_store.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/types.hpp"

namespace raswarden::core {

// What the edges add to the service-stop record: how long records took to reach the public
// file, and what the forwarder had not delivered when it stopped.
struct stop_details {
  bool published = false;  // the publication fields below are known
  std::uint32_t publish_p50_ms = 0;
  std::uint32_t publish_p99_ms = 0;
  std::uint32_t publish_max_ms = 0;
  forward_lag forward;
  diagnostic_counts diagnostics;  // what raswarden.log and the Event Log were told, held back, dropped
};

struct engine_options {
  std::string server;  // host name written into every record
  // accounting.on_failure: while records cannot be written, keep admitting (records are held in
  // memory, up to queue_limit) or refuse new connections.
  failure_mode on_failure = failure_mode::continue_admitting;
  std::size_t queue_limit = 100000;
};

struct ipv4_assignment {
  std::uint32_t address = 0;  // in the byte order RRAS uses (first octet in the lowest byte)
  bool notify_release = true;
  bool ok = true;  // false makes RRAS terminate the connection
};

struct ipv6_assignment {
  std::array<std::uint8_t, 16> address{};
  bool notify_release = true;
  bool ok = true;
};

// The NT 4.0 callbacks identify a port by name and the connection by who and when.
struct legacy_port {
  link_info link;                        // port_name, device, media, line speed, this port's counters
  connection_info connection;            // user, domain, computer, connection-wide counters
  std::uint32_t start_session_time = 0;  // seconds since 1970, from RAS_PORT_0
};

class engine {
 public:
  // `store` (optional, not owned) remembers live sessions for crash recovery. A null policy
  // accepts everything.
  engine(engine_options options, std::unique_ptr<record_sink> sink, std::unique_ptr<admission_policy> policy,
         const clock& time, diagnostics& diag, session_store* store = nullptr);

  // Swaps in a new policy and address settings (a reload). Callbacks already deciding finish with
  // the policy they started with; none waits for the swap. Live sessions, their counts and the
  // address leases are kept.
  void replace_policy(std::shared_ptr<const admission_policy> policy, const ip_assignment_settings& addresses);

  // service-start / service-stop records.
  void start(std::string_view callback);
  void stop(std::string_view callback, const stop_details& details = {});
  // config-loaded (with the problems found, each naming its JSON path) or config-rejected (the
  // file was unusable and defaults apply).
  void record_configuration(std::string_view callback, std::string_view path, bool from_file, bool rejected,
                            const std::vector<std::string>& problems);
  // Closes, with a `session-recovered` record, every session the previous run left open.
  void recover(std::string_view callback, const recovery& previous);
  // From the background thread: retries held records, flushes, and records that we are alive.
  void maintain();

  [[nodiscard]] bool accept_connection(std::string_view callback, const connection_info& info);
  void connection_hangup(std::string_view callback, const connection_info& info);
  [[nodiscard]] bool accept_link(std::string_view callback, const link_info& info);
  void link_hangup(std::string_view callback, const link_info& info);
  [[nodiscard]] bool accept_reauthentication(std::string_view callback, const connection_info& info);

  [[nodiscard]] ipv4_assignment assign_ipv4(std::string_view callback, const address_request& request,
                                            std::uint32_t proposed);
  void release_ipv4(std::string_view callback, const address_request& request, std::uint32_t address);
  [[nodiscard]] ipv6_assignment assign_ipv6(std::string_view callback, const address_request& request,
                                            const std::array<std::uint8_t, 16>& proposed);
  void release_ipv6(std::string_view callback, const address_request& request,
                    const std::array<std::uint8_t, 16>& address);

  // NT 4.0: one call per port; the first port of a connection opens it, the last closes it.
  [[nodiscard]] bool legacy_accept(std::string_view callback, const legacy_port& port);
  void legacy_hangup(std::string_view callback, const legacy_port& port);

  // A callback whose arguments identify nothing (null pointers, a bad object header): reported,
  // nothing recorded, and answered with the failure default.
  bool malformed_call(std::string_view callback, std::string_view problem);

  // policy.on_error of the policy in force: what a callback answers when handling it failed.
  [[nodiscard]] bool accept_on_internal_error() const;
  [[nodiscard]] session_registry::stats registry_stats() const { return registry_.snapshot(); }
  [[nodiscard]] const accounting_writer& writer() const noexcept { return writer_; }
  [[nodiscard]] accounting_writer& writer() noexcept { return writer_; }

 private:
  class recorder;
  [[nodiscard]] timestamps now() const;
  [[nodiscard]] std::shared_ptr<const admission_policy> current_policy() const;
  [[nodiscard]] bool audit_mode() const { return current_policy()->audit(); }
  [[nodiscard]] decision decide_connection(const connection_info& info, const registry_counts& counts) const;
  // Runs one policy question; a failure inside it answers policy.on_error and is reported.
  template <typename Question>
  [[nodiscard]] decision guarded_decision(std::string_view what, const Question& question) const;

  engine_options options_;
  const clock& clock_;
  diagnostics& diag_;
  mutable adaptive_mutex policy_mutex_;  // held only to copy or swap the pointer
  std::shared_ptr<const admission_policy> policy_;
  address_allocator addresses_;
  accounting_writer writer_;
  session_store* store_;
  id_generator ids_;
  session_registry registry_;
  // Built once: every accept asks the registry to decide through these.
  session_registry::connection_decider connection_decider_;
  session_registry::link_decider link_decider_;
};

[[nodiscard]] std::string format_ipv4(std::uint32_t address);
[[nodiscard]] std::string format_ipv6(const std::array<std::uint8_t, 16>& address);

}  // namespace raswarden::core
