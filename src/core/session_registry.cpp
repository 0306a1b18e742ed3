#include "raswarden/session_registry.hpp"

#include <fmt/compile.h>

#include <algorithm>
#include <random>

#include "raswarden/text.hpp"

namespace raswarden::core {

id_generator::id_generator() {
  std::random_device entropy;
  prefix_ = (std::uint64_t{entropy()} << 32) ^ std::uint64_t{entropy()};
}

std::string id_generator::next() {
  const std::uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed) + 1;
  // A format compiled at build time: every accept mints an id, and parsing the format string at
  // run time cost more than the id.
  return fmt::format(FMT_COMPILE("{:016x}-{:012x}"), prefix_, n);
}

std::string_view to_string(close_cause cause) noexcept {
  switch (cause) {
    case close_cause::hangup: return "hangup";
    case close_cause::handle_reused: return "handle-reused";
    case close_cause::connection_closed: return "connection-closed";
  }
  return "unknown";
}

void session_registry::key_memory::remember(const session_key& key) {
  if (capacity_ == 0) return;
  // Remembering a key again makes it the most recent; its older place in order_ goes stale.
  const std::uint64_t generation = ++next_generation_;
  index_.insert_or_assign(key, generation);
  order_.emplace_back(key, generation);
  const auto is_current = [this](const std::pair<session_key, std::uint64_t>& e) {
    const auto found = index_.find(e.first);
    return found != index_.end() && found->second == e.second;
  };
  // Every key in index_ has exactly one current entry in order_, so this ends.
  while (index_.size() > capacity_) {
    if (is_current(order_.front())) index_.erase(order_.front().first);
    order_.pop_front();
  }
  // Keys forgotten early (reused for a new session) or remembered again leave stale entries in
  // order_; drop them now and then so order_ stays bounded (amortised O(1) per call).
  if (order_.size() > index_.size() * 2 + 16) {
    std::erase_if(order_, [&is_current](const auto& e) { return !is_current(e); });
  }
}

session_registry::session_registry(id_generator& ids, std::size_t remembered)
    : ids_(ids), closed_connections_(remembered), closed_links_(remembered), remembered_(remembered) {}

namespace {
bool guids_conflict(const connection_info& a, const connection_info& b) {
  return a.id && b.id && !a.id->is_nil() && !b.id->is_nil() && *a.id != *b.id;
}

// `order` holds exactly the keys of `map`, oldest first: entries leave both together.
template <typename Map, typename Order>
void remember_rejected(Map& map, Order& order, const session_key& key, typename Map::mapped_type state,
                       std::size_t capacity) {
  if (capacity == 0) return;
  if (map.insert_or_assign(key, std::move(state)).second) order.push_back(key);
  while (order.size() > capacity) {
    map.erase(order.front());
    order.pop_front();
  }
}

// Removes a rejected entry before its turn (its hangup arrived, or the key was reused). Only the
// rejected sessions still waiting for their hangup are in `order`, so the scan is short.
template <typename Map, typename Order>
void forget_rejected(Map& map, Order& order, typename Map::iterator entry) {
  std::erase(order, entry->first);
  map.erase(entry);
}

// A copy whose strings are allocated to their size. Copy-assigning into an empty std::string
// reserves at least twice the inline capacity (30 characters with libstdc++), which a live session
// would hold for its lifetime (a 20-character device name took 40 bytes instead of 24); a copy
// constructed and then moved in keeps the exact size.
template <typename Info>
Info exact_copy(const Info& info) {
  return info;
}

// A decision without its reason, once the record that carries it is written: live sessions do
// not keep text they never write again (memory per live session, docs/performance.md). A repeated accept
// of the live session answers the same decision, rule included, without the reason.
decision without_reason(const decision& d) {
  return decision{d.accept, d.rule, {}, d.enforced};
}

// The per-user connection count is keyed by the lower-cased user a connection was counted under;
// when a later callback changes a live connection's user, the count moves with it.
void release_user(std::unordered_map<std::string, std::size_t>& per_user, const std::string& user_lower) {
  if (auto count = per_user.find(user_lower); count != per_user.end()) {
    if (--count->second == 0) per_user.erase(count);
  }
}

void move_user(std::unordered_map<std::string, std::size_t>& per_user, const std::string& from_lower,
               const std::string& to_user) {
  std::string to_lower = user_count_key(to_user);
  if (to_lower == from_lower) return;
  release_user(per_user, from_lower);
  ++per_user[std::move(to_lower)];
}
}  // namespace

registry_counts session_registry::counts_for(const std::string& user_lower, const connection_state* connection) const {
  registry_counts counts;
  counts.live_connections = connections_.size();
  counts.live_links = links_.size();
  if (const auto it = connections_per_user_.find(user_lower); it != connections_per_user_.end()) {
    counts.user_connections = it->second;
  }
  if (connection != nullptr) counts.connection_links = connection->live_links.size();
  return counts;
}

decision session_registry::open_connection(const session_key& key, const connection_info& info, const timestamps& now,
                                           const connection_decider& decide, registry_events& events) {
  const std::lock_guard lock(mutex_);
  if (auto live = connections_.find(key); live != connections_.end()) {
    if (!guids_conflict(live->second.info, info)) {
      const std::string counted_as = user_count_key(live->second.info.user);
      live->second.info.merge_missing_from(info);
      move_user(connections_per_user_, counted_as, live->second.info.user);
      ++stats_.duplicates;
      events.duplicate("connection accept", key);
      return live->second.admission;
    }
    // Same handle, different GUID: RRAS reused the handle and we never saw the old hangup.
    ++stats_.reused_handles;
    close_connection_locked(live, nullptr, close_cause::handle_reused, now, events);
  }
  if (auto rejected = rejected_connections_.find(key); rejected != rejected_connections_.end()) {
    if (!guids_conflict(rejected->second.info, info)) {
      rejected->second.info.merge_missing_from(info);
      ++stats_.duplicates;
      events.duplicate("connection accept (rejected)", key);
      return rejected->second.admission;
    }
    forget_rejected(rejected_connections_, rejected_connection_order_, rejected);
  }
  closed_connections_.forget(key);

  connection_state state;
  state.session_id = ids_.next();
  state.key = key;
  state.info = exact_copy(info);
  state.started = now;
  const std::string user = user_count_key(info.user);
  state.admission = decide(info, counts_for(user, nullptr));
  events.connection_opened(state);
  decision result;
  if (state.admission.answer()) {
    ++connections_per_user_[user];
    // An accepted connection's reason is in its accept record and in no later one (its stop
    // record repeats the decision only when it was a reject): not kept while it is live, so it
    // is moved to the caller instead of copied.
    if (state.admission.accept) {
      result = std::move(state.admission);
      state.admission = without_reason(result);
    } else {
      result = state.admission;
    }
    connections_.emplace(key, std::move(state));
  } else {
    result = state.admission;
    remember_rejected(rejected_connections_, rejected_connection_order_, key, std::move(state), remembered_);
  }
  return result;
}

void session_registry::close_links_of(connection_state& connection, const timestamps& now, registry_events& events) {
  for (const session_key& link_key : connection.live_links) {
    const auto link = links_.find(link_key);
    if (link == links_.end()) continue;
    events.link_closed(link->second, close_cause::connection_closed, now);
    closed_links_.remember(link_key);
    links_.erase(link);
  }
  connection.live_links.clear();
}

void session_registry::close_connection_locked(
    std::unordered_map<session_key, connection_state, session_key_hash>::iterator it, const connection_info* final_info,
    close_cause cause, const timestamps& now, registry_events& events) {
  connection_state& connection = it->second;
  const std::string counted_as = user_count_key(connection.info.user);  // before the hangup's fields
  // The hangup's counters and duration are final; the accept-time fields it lacks stay.
  if (final_info != nullptr) connection.info.update_from(*final_info);
  close_links_of(connection, now, events);
  events.connection_closed(connection, cause, now);
  release_user(connections_per_user_, counted_as);
  closed_connections_.remember(it->first);
  connections_.erase(it);
}

void session_registry::close_connection(const session_key& key, const connection_info& final_info,
                                        const timestamps& now, registry_events& events) {
  const std::lock_guard lock(mutex_);
  if (auto live = connections_.find(key); live != connections_.end()) {
    close_connection_locked(live, &final_info, close_cause::hangup, now, events);
    return;
  }
  if (auto rejected = rejected_connections_.find(key); rejected != rejected_connections_.end()) {
    rejected->second.info.update_from(final_info);
    events.connection_closed(rejected->second, close_cause::hangup, now);
    closed_connections_.remember(key);
    forget_rejected(rejected_connections_, rejected_connection_order_, rejected);
    return;
  }
  if (closed_connections_.contains(key)) {
    ++stats_.duplicates;
    events.duplicate("connection hangup", key);
    return;
  }
  // Never accepted here (RRAS restarted us mid-session, or the accept went to another family we
  // did not see): record the stop anyway, back-computing the start from RRAS's duration.
  ++stats_.unknown_hangups;
  connection_state state;
  state.session_id = ids_.next();
  state.key = key;
  state.info = final_info;
  state.start_seen = false;
  state.started = now;
  if (final_info.duration_s) {
    state.started.unix_ms -= std::int64_t{*final_info.duration_s} * 1000;
    state.started.steady_ns -=
        std::min<std::uint64_t>(state.started.steady_ns, std::uint64_t{*final_info.duration_s} * 1000000000ULL);
  }
  state.admission = decision{true, "default", "hangup without a seen accept", true};
  events.connection_closed(state, close_cause::hangup, now);
  closed_connections_.remember(key);
}

decision session_registry::open_link(const session_key& key, const session_key& connection, const link_info& info,
                                     const timestamps& now, const link_decider& decide, registry_events& events) {
  const std::lock_guard lock(mutex_);
  if (auto live = links_.find(key); live != links_.end()) {
    if (live->second.connection == connection) {
      ++stats_.duplicates;
      events.duplicate("link accept", key);
      return live->second.admission;
    }
    // The port now serves another connection: the old link ended without a hangup.
    ++stats_.reused_handles;
    events.link_closed(live->second, close_cause::handle_reused, now);
    if (auto owner = connections_.find(live->second.connection); owner != connections_.end()) {
      std::erase(owner->second.live_links, key);
    }
    links_.erase(live);
  }
  if (auto rejected = rejected_links_.find(key); rejected != rejected_links_.end()) {
    forget_rejected(rejected_links_, rejected_link_order_, rejected);
  }
  closed_links_.forget(key);

  const auto owner = connections_.find(connection);
  connection_state* owner_state = owner == connections_.end() ? nullptr : &owner->second;
  link_state state;
  state.link_id = ids_.next();
  state.key = key;
  state.connection = connection;
  state.info = exact_copy(info);
  state.started = now;
  if (owner_state != nullptr) state.session_id = owner_state->session_id;
  const std::string user = owner_state != nullptr ? user_count_key(owner_state->info.user) : std::string{};
  state.admission = decide(info, owner_state != nullptr ? &owner_state->info : nullptr, counts_for(user, owner_state));
  events.link_opened(state);
  decision result;
  if (state.admission.answer()) {
    // The reason is in the link's accept record and no later link record repeats it.
    result = std::move(state.admission);
    state.admission = without_reason(result);
    if (owner_state != nullptr) {
      owner_state->live_links.push_back(key);
      ++owner_state->links_total;
      if (owner_state->tunnel == tunnel_kind::unknown) {
        owner_state->tunnel = tunnel_from_device(info.device_type, info.device);
      }
    }
    links_.emplace(key, std::move(state));
  } else {
    result = state.admission;
    remember_rejected(rejected_links_, rejected_link_order_, key, std::move(state), remembered_);
  }
  return result;
}

void session_registry::close_link(const session_key& key, const link_info& final_info, const timestamps& now,
                                  registry_events& events) {
  const std::lock_guard lock(mutex_);
  // The hangup's fields replace the accept's, in place (reusing the strings' buffers); the
  // names and speed it lacks stay from the accept.
  const auto with_final = [&final_info](link_state& link) {
    link_info& info = link.info;
    const auto keep_or_take = [](std::string& mine, const std::string& theirs) {
      if (!theirs.empty()) mine = theirs;
    };
    info.port = final_info.port;
    info.connection = final_info.connection;
    keep_or_take(info.port_name, final_info.port_name);
    keep_or_take(info.media, final_info.media);
    keep_or_take(info.device, final_info.device);
    keep_or_take(info.device_type, final_info.device_type);
    if (final_info.line_speed_bps) info.line_speed_bps = final_info.line_speed_bps;
    info.duration_s = final_info.duration_s;
    info.total_calls = final_info.total_calls;
    info.traffic = final_info.traffic;
  };
  if (auto live = links_.find(key); live != links_.end()) {
    with_final(live->second);
    events.link_closed(live->second, close_cause::hangup, now);
    if (auto owner = connections_.find(live->second.connection); owner != connections_.end()) {
      std::erase(owner->second.live_links, key);
    }
    closed_links_.remember(key);
    links_.erase(live);
    return;
  }
  if (auto rejected = rejected_links_.find(key); rejected != rejected_links_.end()) {
    with_final(rejected->second);
    events.link_closed(rejected->second, close_cause::hangup, now);
    closed_links_.remember(key);
    forget_rejected(rejected_links_, rejected_link_order_, rejected);
    return;
  }
  if (closed_links_.contains(key)) {
    ++stats_.duplicates;
    events.duplicate("link hangup", key);
    return;
  }
  ++stats_.unknown_hangups;
  link_state state;
  state.link_id = ids_.next();
  state.key = key;
  state.connection = session_key{key.origin, final_info.connection};
  if (auto owner = connections_.find(state.connection); owner != connections_.end()) {
    state.session_id = owner->second.session_id;
  }
  state.info = final_info;
  state.start_seen = false;
  state.started = now;
  state.admission = decision{true, "default", "hangup without a seen accept", true};
  events.link_closed(state, close_cause::hangup, now);
  closed_links_.remember(key);
}

std::string session_registry::update_connection(const session_key& key, const connection_info& info) {
  const std::lock_guard lock(mutex_);
  const auto live = connections_.find(key);
  if (live == connections_.end()) return {};
  const std::string counted_as = user_count_key(live->second.info.user);
  connection_info merged = info;
  merged.merge_missing_from(live->second.info);
  live->second.info = std::move(merged);
  move_user(connections_per_user_, counted_as, live->second.info.user);
  return live->second.session_id;
}

std::size_t session_registry::live_links_of(const session_key& connection) const {
  const std::lock_guard lock(mutex_);
  const auto live = connections_.find(connection);
  return live == connections_.end() ? 0 : live->second.live_links.size();
}

session_registry::stats session_registry::snapshot() const {
  const std::lock_guard lock(mutex_);
  stats result = stats_;
  result.live_connections = connections_.size();
  result.live_links = links_.size();
  return result;
}

std::vector<std::string> session_registry::live_session_ids() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  ids.reserve(connections_.size());
  for (const auto& [key, connection] : connections_) ids.push_back(connection.session_id);
  return ids;
}

}  // namespace raswarden::core
