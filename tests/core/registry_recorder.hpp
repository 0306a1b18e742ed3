// A registry_events implementation that keeps everything it was told, for the registry tests.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/session_registry.hpp"

namespace raswarden::core::testing {

enum class event_kind { connection_opened, connection_closed, link_opened, link_closed, duplicate };

struct recorded_event {
  event_kind kind{};
  std::optional<connection_state> connection;
  std::optional<link_state> link;
  std::optional<close_cause> cause;
  timestamps at{};
  std::string what;  // for duplicates
  session_key key{};
};

class recording_events final : public registry_events {
 public:
  void connection_opened(const connection_state& connection) override {
    push(recorded_event{event_kind::connection_opened, connection, std::nullopt, std::nullopt, {}, {}, connection.key});
  }
  void connection_closed(const connection_state& connection, close_cause cause, const timestamps& at) override {
    push(recorded_event{event_kind::connection_closed, connection, std::nullopt, cause, at, {}, connection.key});
  }
  void link_opened(const link_state& link) override {
    push(recorded_event{event_kind::link_opened, std::nullopt, link, std::nullopt, {}, {}, link.key});
  }
  void link_closed(const link_state& link, close_cause cause, const timestamps& at) override {
    push(recorded_event{event_kind::link_closed, std::nullopt, link, cause, at, {}, link.key});
  }
  void duplicate(std::string_view what, const session_key& key) override {
    push(recorded_event{event_kind::duplicate, std::nullopt, std::nullopt, std::nullopt, {}, std::string(what), key});
  }

  [[nodiscard]] std::vector<recorded_event> events() const {
    const std::lock_guard lock(mutex_);
    return events_;
  }
  [[nodiscard]] std::size_t count(event_kind kind) const {
    const std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }
  void clear() {
    const std::lock_guard lock(mutex_);
    events_.clear();
  }

 private:
  void push(recorded_event e) {
    const std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
  }
  mutable std::mutex mutex_;
  std::vector<recorded_event> events_;
};

}  // namespace raswarden::core::testing
