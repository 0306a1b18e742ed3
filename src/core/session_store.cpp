#include "raswarden/session_store.hpp"

namespace raswarden::core {

void memory_session_store::opened(const persisted_session& session) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    sessions_.insert_or_assign(session.session_id, session);
  } catch (...) {
    // Losing one entry only loses its recovery record; never let it reach RRAS.
  }
}

void memory_session_store::closed(const std::string& session_id) noexcept {
  const std::lock_guard lock(mutex_);
  sessions_.erase(session_id);
}

void memory_session_store::heartbeat(std::int64_t now_unix_ms) noexcept {
  const std::lock_guard lock(mutex_);
  last_alive_ = now_unix_ms;
}

void memory_session_store::mark_clean_shutdown(std::int64_t now_unix_ms) noexcept {
  const std::lock_guard lock(mutex_);
  last_alive_ = now_unix_ms;
  clean_ = true;
}

recovery memory_session_store::snapshot() const {
  const std::lock_guard lock(mutex_);
  recovery r;
  r.clean_shutdown = clean_;
  r.last_alive_unix_ms = last_alive_;
  for (const auto& [id, session] : sessions_) r.sessions.push_back(session);
  return r;
}

}  // namespace raswarden::core
