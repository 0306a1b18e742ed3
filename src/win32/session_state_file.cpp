#include "win32/session_state_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "win32/file_security.hpp"
#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {

constexpr char magic[8] = {'R', 'W', 'S', 'T', 'A', 'T', 'E', '1'};
// 1 MiB: room for 4,096 live sessions before the file has to grow (and be remapped) on a
// callback, which only a server beyond that ever pays, once per doubling.
constexpr std::uint32_t initial_slots = 4096;
constexpr std::uint32_t max_slots = 1u << 22;  // 4M sessions, 1 GiB: beyond any RRAS server

struct header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t slot_size;
  std::uint32_t slot_count;
  std::uint32_t clean_shutdown;
  std::int64_t last_alive_unix_ms;
  std::int64_t created_unix_ms;
  char reserved[24];
};
static_assert(sizeof(header) == 64);

struct slot {
  std::uint32_t used;
  std::uint32_t reserved;
  std::int64_t started_unix_ms;
  char session_id[48];
  char user[96];
  char domain[32];
  char client_ip[48];
  char tunnel[16];
};
static_assert(sizeof(slot) == 256);

std::uint64_t file_bytes(std::uint32_t slots) {
  return sizeof(header) + std::uint64_t{slots} * sizeof(slot);
}

template <std::size_t N>
void put(char (&field)[N], const std::string& text) {
  const std::size_t n = std::min(text.size(), N - 1);
  std::memcpy(field, text.data(), n);
  std::memset(field + n, 0, N - n);
}

template <std::size_t N>
std::string get(const char (&field)[N]) {
  return std::string(field, strnlen(field, N));
}

// FNV-1a: ids are short and this runs once per accept and once per hangup.
std::uint32_t id_hash(const std::string& id) noexcept {
  std::uint32_t hash = 2166136261U;
  for (const char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619U;
  }
  return hash;
}

// Whether a slot holds the whole id (put() keeps N - 1 characters and a NUL).
bool fits_in_slot(const std::string& id) noexcept {
  return id.size() < sizeof(slot::session_id);
}

slot* slot_at(void* view, std::uint32_t index) noexcept {
  return reinterpret_cast<slot*>(static_cast<char*>(view) + sizeof(header)) + index;
}

// Allocates the file's blocks with real writes, so a full disk fails here, cleanly, instead of as
// a fault when a mapped page is first touched.
bool extend_with_zeros(HANDLE file, std::uint64_t from, std::uint64_t to) {
  static const std::vector<char> zeros(64 * 1024, 0);
  LARGE_INTEGER at{};
  at.QuadPart = static_cast<LONGLONG>(from);
  if (::SetFilePointerEx(file, at, nullptr, FILE_BEGIN) == 0) return false;
  while (from < to) {
    const auto chunk = static_cast<DWORD>(std::min<std::uint64_t>(zeros.size(), to - from));
    DWORD written = 0;
    if (::WriteFile(file, zeros.data(), chunk, &written, nullptr) == 0 || written != chunk) return false;
    from += chunk;
  }
  return true;
}

}  // namespace

std::unique_ptr<session_state_file> session_state_file::open(const std::wstring& path, std::int64_t now_unix_ms,
                                                             core::recovery& previous, std::string& error,
                                                             std::string& warning) {
  std::unique_ptr<session_state_file> store(new session_state_file());
  // One writer (shared for reading only), and never a file someone else made or a link.
  std::string problem;
  store->file_ = open_owned_file(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, OPEN_ALWAYS, problem);
  if (!store->file_) {
    error = fmt::format("cannot open {}: {}", to_utf8(path), problem);
    return nullptr;
  }
  LARGE_INTEGER size{};
  ::GetFileSizeEx(store->file_.get(), &size);

  // What the previous run left: read with plain reads, so a damaged file cannot fault us.
  std::uint32_t slots = initial_slots;
  if (size.QuadPart >= static_cast<LONGLONG>(sizeof(header))) {
    header h{};
    DWORD read = 0;
    ::SetFilePointerEx(store->file_.get(), LARGE_INTEGER{}, nullptr, FILE_BEGIN);
    const bool header_ok = ::ReadFile(store->file_.get(), &h, sizeof h, &read, nullptr) != 0 && read == sizeof h &&
                           std::memcmp(h.magic, magic, sizeof magic) == 0 && h.version == 1 &&
                           h.slot_size == sizeof(slot) && h.slot_count <= max_slots &&
                           static_cast<std::uint64_t>(size.QuadPart) >= file_bytes(h.slot_count);
    if (!header_ok) {
      warning = fmt::format(
          "{} is not a RasWarden session state file of this version; started afresh (sessions "
          "left open by the previous run cannot be recovered)",
          to_utf8(path));
    } else {
      previous.clean_shutdown = h.clean_shutdown != 0;
      previous.last_alive_unix_ms = h.last_alive_unix_ms;
      slots = std::max(slots, h.slot_count);
      std::vector<slot> table(h.slot_count);
      if (h.slot_count > 0 && (::ReadFile(store->file_.get(), table.data(),
                                          static_cast<DWORD>(table.size() * sizeof(slot)), &read, nullptr) == 0 ||
                               read != table.size() * sizeof(slot))) {
        warning = fmt::format("{}: the session table could not be read completely", to_utf8(path));
        table.resize(read / sizeof(slot));
      }
      for (const slot& s : table) {
        if (s.used != 1) continue;
        previous.sessions.push_back(core::persisted_session{get(s.session_id), get(s.user), get(s.domain),
                                                            get(s.client_ip), get(s.tunnel), s.started_unix_ms});
      }
    }
  }

  // Left as it is until start_afresh(): the previous run's sessions stay on disk until their
  // session-recovered records are journaled.
  store->path_ = path;
  store->initial_slot_count_ = slots;
  store->created_unix_ms_ = now_unix_ms;
  return store;
}

bool session_state_file::start_afresh(std::string& error) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    if (view_ != nullptr) return true;
    const std::uint32_t slots = initial_slot_count_;
    // Start empty: zero the whole file, then map it.
    if (!extend_with_zeros(file_.get(), 0, file_bytes(slots)) || !map(slots)) {
      error = fmt::format("cannot prepare {}: {}", to_utf8(path_), describe_error(::GetLastError()));
      return false;
    }
    auto* h = static_cast<header*>(view_);
    std::memcpy(h->magic, magic, sizeof magic);
    h->version = 1;
    h->slot_size = sizeof(slot);
    h->slot_count = slots;
    h->clean_shutdown = 0;
    h->last_alive_unix_ms = created_unix_ms_;
    h->created_unix_ms = created_unix_ms_;
    free_slots_.reserve(slots);
    for (std::uint32_t i = slots; i > 0; --i) free_slots_.push_back(i - 1);
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

session_state_file::~session_state_file() {
  unmap();
}

bool session_state_file::map(std::uint32_t slots) noexcept {
  const std::uint64_t bytes = file_bytes(slots);
  mapping_.reset(::CreateFileMappingW(file_.get(), nullptr, PAGE_READWRITE, static_cast<DWORD>(bytes >> 32),
                                      static_cast<DWORD>(bytes), nullptr));
  if (!mapping_) return false;
  view_ = ::MapViewOfFile(mapping_.get(), FILE_MAP_WRITE, 0, 0, static_cast<SIZE_T>(bytes));
  if (view_ == nullptr) {
    mapping_.reset();
    return false;
  }
  slot_count_ = slots;
  return true;
}

void session_state_file::unmap() noexcept {
  if (view_ != nullptr) {
    ::FlushViewOfFile(view_, 0);
    ::UnmapViewOfFile(view_);
    view_ = nullptr;
  }
  mapping_.reset();
}

void session_state_file::opened(const core::persisted_session& session) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    if (view_ == nullptr) return;
    if (free_slots_.empty()) {
      // Grow: rare (the table doubles), so the remap cost is paid seldom.
      const std::uint32_t grown = slot_count_ * 2;
      if (grown > max_slots || !extend_with_zeros(file_.get(), file_bytes(slot_count_), file_bytes(grown))) {
        full_reported_ = true;
        return;
      }
      const std::uint32_t old = slot_count_;
      unmap();
      if (!map(grown)) {
        map(old);
        return;
      }
      static_cast<header*>(view_)->slot_count = grown;
      for (std::uint32_t i = grown; i > old; --i) free_slots_.push_back(i - 1);
    }
    const std::uint32_t index = free_slots_.back();
    slot* s = slot_at(view_, index);
    s->started_unix_ms = session.started_unix_ms;
    put(s->session_id, session.session_id);
    put(s->user, session.user);
    put(s->domain, session.domain);
    put(s->client_ip, session.client_ip);
    put(s->tunnel, session.tunnel);
    s->used = 1;  // last, so a half-written slot never counts as a session
    if (fits_in_slot(session.session_id)) {
      const std::uint32_t hash = id_hash(session.session_id);
      // The same id again (never, in practice) points at the newer slot, as before.
      if (const std::size_t at = find_index(session.session_id, hash); at != index_.size()) {
        index_[at].slot_plus_one = index + 1;
      } else {
        insert_index(hash, index);
      }
    } else {
      long_ids_.insert_or_assign(session.session_id, index);
    }
    free_slots_.pop_back();
  } catch (...) {
    // Without its slot this session cannot be recovered after a crash; nothing else is affected.
  }
}

void session_state_file::closed(const std::string& session_id) noexcept {
  const std::lock_guard lock(mutex_);
  if (view_ == nullptr) return;
  std::uint32_t index = 0;
  if (fits_in_slot(session_id)) {
    const std::size_t at = find_index(session_id, id_hash(session_id));
    if (at == index_.size()) return;
    index = index_[at].slot_plus_one - 1;
    erase_index(at);
  } else {
    const auto found = long_ids_.find(session_id);
    if (found == long_ids_.end()) return;
    index = found->second;
    long_ids_.erase(found);
  }
  slot_at(view_, index)->used = 0;
  free_slots_.push_back(index);
}

std::size_t session_state_file::find_index(const std::string& session_id, std::uint32_t hash) const noexcept {
  if (indexed_ == 0 || view_ == nullptr) return index_.size();
  const std::size_t mask = index_.size() - 1;
  for (std::size_t at = hash & mask;; at = (at + 1) & mask) {
    const index_entry& e = index_[at];
    if (e.slot_plus_one == 0) return index_.size();
    if (e.hash != hash) continue;
    const slot* s = slot_at(view_, e.slot_plus_one - 1);
    if (std::memcmp(s->session_id, session_id.data(), session_id.size()) == 0 &&
        s->session_id[session_id.size()] == '\0') {
      return at;
    }
  }
}

void session_state_file::insert_index(std::uint32_t hash, std::uint32_t slot_index) {
  if (index_.empty() || (indexed_ + 1) * 2 > index_.size()) {
    // Doubles (from 4,096 entries, enough for 2,048 live sessions) and puts every entry back.
    std::vector<index_entry> old(index_.empty() ? 4096 : index_.size() * 2);
    old.swap(index_);
    indexed_ = 0;
    for (const index_entry& e : old) {
      if (e.slot_plus_one != 0) insert_index(e.hash, e.slot_plus_one - 1);
    }
  }
  const std::size_t mask = index_.size() - 1;
  std::size_t at = hash & mask;
  while (index_[at].slot_plus_one != 0) at = (at + 1) & mask;
  index_[at] = index_entry{hash, slot_index + 1};
  ++indexed_;
}

void session_state_file::erase_index(std::size_t at) noexcept {
  // Backward-shift deletion: later members of the probe run move up, so no tombstones build up.
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = at;
  for (std::size_t next = (hole + 1) & mask; index_[next].slot_plus_one != 0; next = (next + 1) & mask) {
    const std::size_t home = index_[next].hash & mask;
    // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
    if (((next - home) & mask) >= ((next - hole) & mask)) {
      index_[hole] = index_[next];
      hole = next;
    }
  }
  index_[hole] = index_entry{};
  --indexed_;
}

void session_state_file::heartbeat(std::int64_t now_unix_ms) noexcept {
  void* view = nullptr;
  {
    const std::lock_guard lock(mutex_);
    if (view_ == nullptr) return;
    static_cast<header*>(view_)->last_alive_unix_ms = now_unix_ms;
    view = view_;
  }
  // Outside the lock, so RRAS's threads never wait for the disk. (A remap in between makes this
  // flush a harmless no-op on a released range; the next heartbeat flushes the new view.)
  ::FlushViewOfFile(view, 0);
}

void session_state_file::mark_clean_shutdown(std::int64_t now_unix_ms) noexcept {
  const std::lock_guard lock(mutex_);
  if (view_ == nullptr) return;
  auto* h = static_cast<header*>(view_);
  h->last_alive_unix_ms = now_unix_ms;
  h->clean_shutdown = 1;
  ::FlushViewOfFile(view_, 0);
}

}  // namespace raswarden::win32
