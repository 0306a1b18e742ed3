#include "raswarden/engine.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>

#include "raswarden/address.hpp"
#include "raswarden/text.hpp"

namespace raswarden::core {

std::string format_ipv4(std::uint32_t address) {
  // The 32-bit value holds the address as it lies in memory in an IN_ADDR: first octet in the lowest byte.
  return fmt::format("{}.{}.{}.{}", address & 0xFF, (address >> 8) & 0xFF, (address >> 16) & 0xFF,
                     (address >> 24) & 0xFF);
}

std::string format_ipv6(const std::array<std::uint8_t, 16>& address) {
  // RFC 5952: lower case, leading zeros dropped, the longest run (length >= 2) of zero groups
  // shortened to "::".
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) groups[i] = (unsigned{address[2 * i]} << 8) | address[2 * i + 1];
  int best_start = -1;
  int best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_length && j - i >= 2) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  // Into a stack buffer (at most 39 characters) with a format compiled at build time: every
  // connection callback that carries an IPv6 identifier formats one.
  char text[40];
  char* out = text;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      *out++ = ':';
      *out++ = ':';
      i += best_length - 1;
      continue;
    }
    if (out != text && out[-1] != ':') *out++ = ':';
    out = fmt::format_to(out, FMT_COMPILE("{:x}"), groups[static_cast<std::size_t>(i)]);
  }
  return std::string(text, out);
}

namespace {

void write_decision(json_line& line, const decision& d) {
  line.field("decision", d.accept ? "accept" : "reject")
      .field("rule", d.rule)
      .field_if("reason", d.reason)
      .field("enforced", d.enforced);
}

void write_traffic(json_line& line, const traffic_counters& t) {
  line.field("bytes_in", t.bytes_in)
      .field("bytes_out", t.bytes_out)
      .field("frames_in", t.frames_in)
      .field("frames_out", t.frames_out);
}

void write_errors(json_line& line, const error_counters& e) {
  line.begin_object("errors")
      .field("crc", e.crc)
      .field("timeout", e.timeout)
      .field("alignment", e.alignment)
      .field("hw_overrun", e.hw_overrun)
      .field("framing", e.framing)
      .field("buffer_overrun", e.buffer_overrun)
      .end_object();
}

void write_connection(json_line& line, const std::string& session_id, const connection_info& info,
                      tunnel_kind tunnel_from_links) {
  line.field("session_id", session_id)
      .field_if("user", info.user)
      .field_if("domain", info.domain)
      .field_if("interface", info.interface_name);
  if (info.if_type) line.field("interface_type", to_string(*info.if_type));
  line.field_if("remote_computer", info.remote_computer);
  const tunnel_kind tunnel = info.tunnel.value_or(tunnel_from_links);
  line.field("tunnel", to_string(tunnel))
      .field_if("client_ip", info.client_ipv4)
      .field_if("client_ipv6", info.client_ipv6)
      .field_if("remote_endpoint", info.remote_endpoint)
      .field_if("local_endpoint", info.local_endpoint);
  if (info.auth) line.field_if("auth_protocol", auth_protocol_name(*info.auth));
  if (info.id && !info.id->is_nil()) {
    const std::array<char, 36> id = info.id->text();
    line.field("guid", std::string_view(id.data(), id.size()));
  }
  if (info.quarantine) line.field("quarantine_state", to_string(*info.quarantine));
}

std::uint64_t elapsed_seconds(const timestamps& from, const timestamps& to) {
  return to.steady_ns > from.steady_ns ? (to.steady_ns - from.steady_ns) / 1000000000ULL : 0;
}

std::string terminate_reason(close_cause cause, const connection_info& info) {
  if (cause != close_cause::hangup) return std::string(to_string(cause));
  if (info.terminate_reason && *info.terminate_reason != 0) return fmt::format("ppp-{}", *info.terminate_reason);
  if (info.remote_terminate_reason && *info.remote_terminate_reason != 0) {
    return fmt::format("ppp-remote-{}", *info.remote_terminate_reason);
  }
  return {};
}

}  // namespace

// Turns registry transitions into accounting records, carrying which callback caused them.
class engine::recorder final : public registry_events {
 public:
  recorder(accounting_writer& writer, diagnostics& diag, session_store* store, std::string_view callback)
      : writer_(writer), diag_(diag), store_(store), callback_(callback) {}

  void connection_opened(const connection_state& c) override {
    // The store learns of a session before its record is written and forgets it after its stop
    // is written, so a crash at any point leaves no recorded session unrecoverable.
    if (store_ != nullptr && c.admission.answer()) {
      const tunnel_kind tunnel = c.info.tunnel.value_or(c.tunnel);
      store_->opened(persisted_session{c.session_id, c.info.user, c.info.domain, c.info.client_ipv4,
                                       tunnel == tunnel_kind::unknown ? std::string() : std::string(to_string(tunnel)),
                                       c.started.unix_ms});
    }
    json_line& line = writer_.begin(c.admission.accept ? "connection-accept" : "connection-reject", callback_);
    write_connection(line, c.session_id, c.info, c.tunnel);
    write_decision(line, c.admission);
    writer_.commit(line);
    if (!c.admission.accept) {
      diag_.report(severity::info, topic::connection_rejected,
                   fmt::format("user \"{}\" (domain \"{}\", session {}) was refused by rule \"{}\": {}{}",
                               printable(c.info.user), printable(c.info.domain), c.session_id, c.admission.rule,
                               c.admission.reason, c.admission.enforced ? "" : " (audit mode: admitted anyway)"));
    }
  }

  void connection_closed(const connection_state& c, close_cause cause, const timestamps& at) override {
    json_line& line = writer_.begin("connection-stop", callback_);
    write_connection(line, c.session_id, c.info, c.tunnel);
    const std::uint64_t duration = c.info.duration_s ? *c.info.duration_s : elapsed_seconds(c.started, at);
    line.field("duration_s", duration);
    if (c.info.traffic) {
      write_traffic(line, *c.info.traffic);
      write_errors(line, c.info.traffic->errors);
    }
    line.field("links", c.links_total).field("start_seen", c.start_seen);
    line.field_if("terminate_reason", terminate_reason(cause, c.info));
    if (!c.admission.accept) write_decision(line, c.admission);
    writer_.commit(line);
    if (store_ != nullptr) store_->closed(c.session_id);
  }

  void link_opened(const link_state& l) override {
    json_line& line = writer_.begin(l.admission.accept ? "link-accept" : "link-reject", callback_);
    write_link(line, l);
    write_decision(line, l.admission);
    writer_.commit(line);
  }

  void link_closed(const link_state& l, close_cause cause, const timestamps& at) override {
    json_line& line = writer_.begin("link-stop", callback_);
    write_link(line, l);
    const std::uint64_t duration = l.info.duration_s ? *l.info.duration_s : elapsed_seconds(l.started, at);
    line.field("duration_s", duration);
    if (l.info.traffic) write_traffic(line, *l.info.traffic);
    line.field("start_seen", l.start_seen);
    if (cause != close_cause::hangup) line.field("terminate_reason", to_string(cause));
    writer_.commit(line);
  }

  void duplicate(std::string_view what, const session_key& key) override {
    diag_.report(severity::debug,
                 fmt::format("{}: repeated {} for key {:#x} ignored (already recorded)", callback_, what, key.value));
  }

 private:
  static void write_link(json_line& line, const link_state& l) {
    line.field_if("session_id", l.session_id)
        .field("link_id", l.link_id)
        .field_if("port", l.info.port_name)
        .field_if("device", l.info.device)
        .field_if("device_type", l.info.device_type)
        .field_if("media", l.info.media)
        .field_if("line_speed_bps", l.info.line_speed_bps);
  }

  accounting_writer& writer_;
  diagnostics& diag_;
  session_store* store_;
  std::string_view callback_;
};

engine::engine(engine_options options, std::unique_ptr<record_sink> sink, std::unique_ptr<admission_policy> policy,
               const clock& time, diagnostics& diag, session_store* store)
    : options_(std::move(options)),
      clock_(time),
      diag_(diag),
      policy_(policy ? std::shared_ptr<const admission_policy>(std::move(policy))
                     : std::make_shared<accept_all_policy>()),
      writer_(options_.server, std::move(sink), time, diag, options_.queue_limit),
      store_(store),
      registry_(ids_),
      connection_decider_(
          [this](const connection_info& c, const registry_counts& counts) { return decide_connection(c, counts); }),
      link_decider_([this](const link_info& l, const connection_info* c, const registry_counts& counts) {
        return guarded_decision("link", [&](const admission_policy& p) { return p.decide_link(l, c, counts); });
      }) {}

std::shared_ptr<const admission_policy> engine::current_policy() const {
  const std::lock_guard lock(policy_mutex_);
  return policy_;
}

void engine::replace_policy(std::shared_ptr<const admission_policy> policy, const ip_assignment_settings& addresses) {
  if (!policy) policy = std::make_shared<accept_all_policy>();
  addresses_.configure(addresses);
  std::shared_ptr<const admission_policy> previous;  // released outside the lock
  const std::lock_guard lock(policy_mutex_);
  previous = std::exchange(policy_, std::move(policy));
}

bool engine::accept_on_internal_error() const {
  return current_policy()->accept_on_error();
}

template <typename Question>
decision engine::guarded_decision(std::string_view what, const Question& question) const {
  const std::shared_ptr<const admission_policy> policy = current_policy();
  try {
    return question(*policy);
  } catch (const std::exception& e) {
    const bool accept = policy->accept_on_error();
    diag_.report(severity::error, topic::internal_error,
                 fmt::format("deciding a {} failed ({}); answered {} as policy.on_error says", what, e.what(),
                             accept ? "accept" : "reject"));
    return decision{accept, "policy.on_error", fmt::format("deciding failed: {}", e.what()), true};
  }
}

timestamps engine::now() const {
  return timestamps{clock_.now_unix_ms(), clock_.steady_ns()};
}

bool engine::malformed_call(std::string_view callback, std::string_view problem) {
  const bool accept = accept_on_internal_error();
  diag_.report(severity::error, topic::internal_error,
               fmt::format("{} called with unusable arguments ({}); answered {}", callback, problem,
                           accept ? "accept" : "reject"));
  return accept;
}

void engine::start(std::string_view callback) {
  json_line& line = writer_.begin("service-start", callback);
  writer_.commit(line);
}

void engine::record_configuration(std::string_view callback, std::string_view path, bool from_file, bool rejected,
                                  const std::vector<std::string>& problems) {
  json_line& line = writer_.begin(rejected ? "config-rejected" : "config-loaded", callback);
  line.field("path", path).field("source", from_file ? "file" : "defaults");
  if (!problems.empty()) {
    line.begin_array("problems");
    for (const std::string& problem : problems) line.element(problem);
    line.end_array();
  }
  writer_.commit(line);
}

void engine::recover(std::string_view callback, const recovery& previous) {
  const std::string_view cause = previous.clean_shutdown ? "service-restart" : "unclean-shutdown";
  for (const persisted_session& s : previous.sessions) {
    json_line& line = writer_.begin("session-recovered", callback);
    line.field("session_id", s.session_id)
        .field_if("user", s.user)
        .field_if("domain", s.domain)
        .field_if("client_ip", s.client_ip)
        .field_if("tunnel", s.tunnel)
        .field("cause", cause)
        .field("started", format_timestamp(s.started_unix_ms));
    // The best known end is the last moment the previous run was known alive; a session that
    // started after that moment ends where it started.
    const std::int64_t last_seen = std::max(previous.last_alive_unix_ms, s.started_unix_ms);
    line.field("last_seen", format_timestamp(last_seen))
        .field("duration_s", static_cast<std::uint64_t>((last_seen - s.started_unix_ms) / 1000));
    line.field("start_seen", true);
    writer_.commit(line);
  }
  if (!previous.sessions.empty()) {
    diag_.report(
        severity::warning, topic::sessions_recovered,
        fmt::format("closed {} session(s) left open by the previous run ({})", previous.sessions.size(), cause));
  }
}

void engine::maintain() {
  writer_.maintain();
  if (store_ != nullptr) store_->heartbeat(clock_.now_unix_ms());
}

void engine::stop(std::string_view callback, const stop_details& details) {
  const auto stats = registry_.snapshot();
  json_line& line = writer_.begin("service-stop", callback);
  line.field("open_sessions", std::uint64_t{stats.live_connections})
      .field("open_links", std::uint64_t{stats.live_links})
      .field("records_failed", writer_.records_failed())
      .field("records_lost", writer_.records_lost())
      .field("diagnostics_written", details.diagnostics.written)
      .field("diagnostics_suppressed", details.diagnostics.suppressed)
      .field("diagnostics_dropped", details.diagnostics.dropped);
  if (details.published) {
    line.field("publish_p50_ms", std::uint64_t{details.publish_p50_ms})
        .field("publish_p99_ms", std::uint64_t{details.publish_p99_ms})
        .field("publish_max_ms", std::uint64_t{details.publish_max_ms});
  }
  if (details.forward.enabled) {
    line.field("forward_lag_records", details.forward.records)
        .field("forward_lag_bytes", details.forward.bytes)
        .field("forward_resent", details.forward.resent);
  }
  writer_.commit(line);
  if (store_ != nullptr) store_->mark_clean_shutdown(clock_.now_unix_ms());
}

decision engine::decide_connection(const connection_info& info, const registry_counts& counts) const {
  if (options_.on_failure == failure_mode::reject_new && !writer_.healthy()) {
    return decision{false, "accounting.on_failure",
                    "accounting records cannot be written and accounting.on_failure is \"reject\"", true};
  }
  return guarded_decision("connection", [&](const admission_policy& p) { return p.decide_connection(info, counts); });
}

bool engine::accept_connection(std::string_view callback, const connection_info& info) {
  recorder events(writer_, diag_, store_, callback);
  return registry_
      .open_connection(session_key{key_origin::handle, info.handle}, info, now(), connection_decider_, events)
      .answer();
}

void engine::connection_hangup(std::string_view callback, const connection_info& info) {
  recorder events(writer_, diag_, store_, callback);
  registry_.close_connection(session_key{key_origin::handle, info.handle}, info, now(), events);
}

bool engine::accept_link(std::string_view callback, const link_info& info) {
  recorder events(writer_, diag_, store_, callback);
  return registry_
      .open_link(session_key{key_origin::handle, info.port}, session_key{key_origin::handle, info.connection}, info,
                 now(), link_decider_, events)
      .answer();
}

void engine::link_hangup(std::string_view callback, const link_info& info) {
  recorder events(writer_, diag_, store_, callback);
  registry_.close_link(session_key{key_origin::handle, info.port}, info, now(), events);
}

bool engine::accept_reauthentication(std::string_view callback, const connection_info& info) {
  const decision verdict =
      guarded_decision("reauthentication", [&](const admission_policy& p) { return p.decide_reauthentication(info); });
  const std::string session_id = registry_.update_connection(session_key{key_origin::handle, info.handle}, info);
  json_line& line = writer_.begin(verdict.accept ? "reauth-accept" : "reauth-reject", callback);
  line.field_if("session_id", session_id).field_if("user", info.user).field_if("domain", info.domain);
  if (info.id && !info.id->is_nil()) line.field("guid", info.id->to_string());
  if (info.quarantine) line.field("quarantine_state", to_string(*info.quarantine));
  if (info.probation_until_unix_ms) line.field("probation_until", format_timestamp(*info.probation_until_unix_ms));
  write_decision(line, verdict);
  writer_.commit(line);
  return verdict.answer();
}

namespace {
void write_address_request(json_line& line, const address_request& request) {
  line.field_if("user", request.user).field_if("port", request.port_name);
}
}  // namespace

namespace {
// What an address callback answers, and the ip-assign record that says why.
void write_lease(json_line& line, const lease_result& lease, bool enforced) {
  line.field("source", lease.source).field_if("pool", lease.pool);
  if (!lease.ok) {
    line.field("decision", "reject").field("rule", "ip_assignment").field("reason", lease.reason);
    line.field("enforced", enforced);
  }
}
}  // namespace

ipv4_assignment engine::assign_ipv4(std::string_view callback, const address_request& request, std::uint32_t proposed) {
  ipv4_assignment result{proposed, true, true};
  json_line& line = writer_.begin("ip-assign", callback);
  write_address_request(line, request);
  line.field("family", "ipv4");
  if (!addresses_.enabled()) {
    // RRAS's own choice passes through unchanged.
    line.field("source", proposed != 0 ? "rras" : "none");
  } else {
    const std::string pool = current_policy()->pool_for(request);
    const lease_result lease = addresses_.assign_ipv4(request, proposed, pool);
    // In audit mode an address RasWarden cannot give does not stop RRAS from giving its own.
    const bool enforced = lease.ok || proposed == 0 || !audit_mode();
    write_lease(line, lease, enforced);
    if (lease.ok) {
      result.address = rras_from_number(static_cast<std::uint32_t>(lease.value));
    } else if (enforced) {
      result = ipv4_assignment{0, false, false};
      diag_.report(severity::warning, topic::connection_rejected,
                   fmt::format("no IPv4 address for user \"{}\" on port \"{}\": {}", printable(request.user),
                               printable(request.port_name), lease.reason));
    }
  }
  if (result.address != 0) line.field("address", format_ipv4(result.address));
  writer_.commit(line);
  return result;
}

void engine::release_ipv4(std::string_view callback, const address_request& request, std::uint32_t address) {
  const bool ours = addresses_.release_ipv4(number_from_rras(address));
  json_line& line = writer_.begin("ip-release", callback);
  write_address_request(line, request);
  line.field("family", "ipv4").field("address", format_ipv4(address)).field("source", ours ? "raswarden" : "rras");
  writer_.commit(line);
}

namespace {
std::uint64_t interface_id_of(const std::array<std::uint8_t, 16>& address) {
  std::uint64_t id = 0;
  for (std::size_t i = 8; i < 16; ++i) id = (id << 8) | address[i];
  return id;
}
void set_interface_id(std::array<std::uint8_t, 16>& address, std::uint64_t id) {
  for (std::size_t i = 16; i-- > 8;) {
    address[i] = static_cast<std::uint8_t>(id & 0xFF);
    id >>= 8;
  }
}
}  // namespace

ipv6_assignment engine::assign_ipv6(std::string_view callback, const address_request& request,
                                    const std::array<std::uint8_t, 16>& proposed) {
  ipv6_assignment result{proposed, true, true};
  const bool has_proposal = proposed != std::array<std::uint8_t, 16>{};
  json_line& line = writer_.begin("ip-assign", callback);
  write_address_request(line, request);
  line.field("family", "ipv6");
  if (!addresses_.enabled()) {
    line.field("source", has_proposal ? "rras" : "none");
  } else {
    // RRAS supports only the 64-bit interface identifier (the low half); the prefix is RRAS's.
    const lease_result lease = addresses_.assign_ipv6(request, interface_id_of(proposed));
    const bool enforced = lease.ok || !has_proposal || !audit_mode();
    write_lease(line, lease, enforced);
    if (lease.ok) {
      set_interface_id(result.address, lease.value);
    } else if (enforced) {
      result = ipv6_assignment{{}, false, false};
      diag_.report(severity::warning, topic::connection_rejected,
                   fmt::format("no IPv6 interface identifier for user \"{}\" on port \"{}\": {}",
                               printable(request.user), printable(request.port_name), lease.reason));
    }
  }
  if (result.address != std::array<std::uint8_t, 16>{}) line.field("address", format_ipv6(result.address));
  writer_.commit(line);
  return result;
}

void engine::release_ipv6(std::string_view callback, const address_request& request,
                          const std::array<std::uint8_t, 16>& address) {
  const bool ours = addresses_.release_ipv6(interface_id_of(address));
  json_line& line = writer_.begin("ip-release", callback);
  write_address_request(line, request);
  line.field("family", "ipv6").field("address", format_ipv6(address)).field("source", ours ? "raswarden" : "rras");
  writer_.commit(line);
}

namespace {
// NT 4.0 passes no handles: a connection is who connected and when, a port is its name.
std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 14695981039346656037ULL) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

session_key legacy_connection_key(const legacy_port& port) {
  std::uint64_t h = fnv1a(ascii_lower(port.connection.user));
  h = fnv1a("\\", h);
  h = fnv1a(ascii_lower(port.connection.domain), h);
  h = fnv1a("@", h);
  h = fnv1a(ascii_lower(port.connection.remote_computer), h);
  h = fnv1a(fmt::format("#{}", port.start_session_time), h);
  return session_key{key_origin::legacy, h};
}

session_key legacy_port_key(const legacy_port& port) {
  return session_key{key_origin::legacy, fnv1a(ascii_lower(port.link.port_name))};
}
}  // namespace

bool engine::legacy_accept(std::string_view callback, const legacy_port& port) {
  recorder events(writer_, diag_, store_, callback);
  const session_key connection = legacy_connection_key(port);
  connection_info info = port.connection;
  info.handle = connection.value;
  const timestamps at = now();
  // Every port of a multilink connection calls in; the first opens the connection, the others
  // are duplicates of that accept and only add their link.
  if (!registry_.open_connection(connection, info, at, connection_decider_, events).answer()) return false;
  link_info link = port.link;
  link.connection = connection.value;
  return registry_.open_link(legacy_port_key(port), connection, link, at, link_decider_, events).answer();
}

void engine::legacy_hangup(std::string_view callback, const legacy_port& port) {
  recorder events(writer_, diag_, store_, callback);
  const session_key connection = legacy_connection_key(port);
  link_info link = port.link;
  link.connection = connection.value;
  const timestamps at = now();
  registry_.close_link(legacy_port_key(port), link, at, events);
  // The connection ends with its last port.
  connection_info info = port.connection;
  info.handle = connection.value;
  if (registry_.live_links_of(connection) == 0) registry_.close_connection(connection, info, at, events);
}

}  // namespace raswarden::core
