#include "raswarden/journal.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "raswarden/crc32c.hpp"

namespace raswarden::core {

namespace {

constexpr std::array<char, 8> magic = {'R', 'W', 'J', 'O', 'U', 'R', 'N', 'L'};
constexpr std::uint32_t kind_record = 0x314A5752;  // "RWJ1": zero-filled bytes are never a record
constexpr std::uint32_t kind_skip = 0x534A5752;    // "RWJS"

// Header offsets.
constexpr std::size_t at_version = 8;
constexpr std::size_t at_header_bytes = 12;
constexpr std::size_t at_capacity = 16;
constexpr std::size_t at_epoch = 24;
constexpr std::size_t at_static_crc = 32;  // over [0, 32)
constexpr std::size_t at_tail = 40;
constexpr std::size_t at_public_day = 48;
constexpr std::size_t at_public_index = 56;
constexpr std::size_t at_public_valid = 60;
constexpr std::size_t at_created = 64;
constexpr std::size_t at_closed_cleanly = 72;
constexpr std::uint32_t closed_cleanly = 0x434C4F53;  // "CLOS"

// Record header offsets.
constexpr std::size_t at_position = 8;
constexpr std::size_t at_stamp = 16;
constexpr std::size_t at_crc = 24;

template <typename T>
T load(const std::byte* p) noexcept {
  T value{};
  std::memcpy(&value, p, sizeof value);
  return value;
}

template <typename T>
void store(std::byte* p, T value) noexcept {
  std::memcpy(p, &value, sizeof value);
}

constexpr std::uint64_t align8(std::uint64_t n) noexcept {
  return (n + 7) & ~std::uint64_t{7};
}

std::uint32_t static_crc(const std::byte* header) noexcept {
  return crc32c(std::span<const std::byte>(header, at_static_crc));
}

// CRC-32C over a record's length, kind, position and stamp, the journal's epoch, and its payload.
std::uint32_t record_checksum(std::uint64_t first_word, std::uint64_t position, std::int64_t stamp,
                              std::uint64_t epoch, std::string_view payload) noexcept {
  std::array<std::byte, 32> covered{};
  store(covered.data(), first_word);
  store(covered.data() + 8, position);
  store(covered.data() + 16, stamp);
  store(covered.data() + 24, epoch);
  return crc32c(std::as_bytes(std::span<const char>(payload.data(), payload.size())), crc32c(covered));
}

constexpr std::uint64_t first_word(std::uint32_t length, std::uint32_t kind) noexcept {
  return std::uint64_t{length} | std::uint64_t{kind} << 32;
}

}  // namespace

journal_ring::journal_ring(std::span<std::byte> memory) noexcept
    : memory_(memory), capacity_(load<std::uint64_t>(memory.data() + at_capacity)),
      epoch_(load<std::uint64_t>(memory.data() + at_epoch)) {}

journal_ring::journal_ring(journal_ring&& other) noexcept
    : memory_(other.memory_), capacity_(other.capacity_), epoch_(other.epoch_), head_(other.head_.load()) {}

journal_ring journal_ring::create(std::span<std::byte> memory, std::uint64_t epoch, std::int64_t now_unix_ms) noexcept {
  std::byte* header = memory.data();
  std::memset(header, 0, journal_header_bytes);
  std::memcpy(header, magic.data(), magic.size());
  store<std::uint32_t>(header + at_version, journal_version);
  store<std::uint32_t>(header + at_header_bytes, journal_header_bytes);
  store<std::uint64_t>(header + at_capacity, (memory.size() - journal_header_bytes) & ~std::uint64_t{7});
  store<std::uint64_t>(header + at_epoch, epoch);
  store<std::uint32_t>(header + at_static_crc, static_crc(header));
  store<std::int64_t>(header + at_created, now_unix_ms);
  journal_ring ring(memory);
  // Whatever the data held belongs to no lap of this epoch, but the first record's place is
  // cleared anyway so that an empty journal reads as empty at a glance.
  std::memset(ring.data(), 0, static_cast<std::size_t>(std::min<std::uint64_t>(journal_record_header_bytes, ring.capacity_)));
  return ring;
}

journal_state journal_ring::inspect(std::span<const std::byte> memory, std::string& problem) noexcept {
  if (memory.size() < journal_header_bytes + journal_min_capacity) {
    problem = "the file is too small to be a journal";
    return journal_state::not_a_journal;
  }
  const std::byte* header = memory.data();
  if (std::memcmp(header, magic.data(), magic.size()) != 0) {
    const bool blank = std::all_of(header, header + journal_header_bytes, [](std::byte b) { return b == std::byte{0}; });
    problem = blank ? "the journal's header is blank" : "the file does not start with a journal header";
    return blank ? journal_state::not_a_journal : journal_state::damaged_header;
  }
  const auto version = load<std::uint32_t>(header + at_version);
  if (version > journal_version) {
    problem = "the journal was written by a newer version of RasWarden (journal format " + std::to_string(version) +
              ", this version reads " + std::to_string(journal_version) + ")";
    return journal_state::newer_version;
  }
  const auto capacity = load<std::uint64_t>(header + at_capacity);
  if (version == 0 || load<std::uint32_t>(header + at_static_crc) != static_crc(header) ||
      load<std::uint32_t>(header + at_header_bytes) != journal_header_bytes || capacity % 8 != 0 ||
      capacity < journal_min_capacity || capacity > memory.size() - journal_header_bytes) {
    problem = "the journal's header is damaged (checksum or sizes do not agree)";
    return journal_state::damaged_header;
  }
  return journal_state::usable;
}

std::optional<journal_entry> journal_ring::valid_at(std::uint64_t position, bool& skip) const noexcept {
  skip = false;
  const std::uint64_t offset = position % capacity_;
  const std::uint64_t room = capacity_ - offset;
  if (room < journal_record_header_bytes) {
    skip = true;  // too little room for a header: the next lap starts here, implicitly
    return journal_entry{position, position + room, 0, {}};
  }
  const std::byte* header = data() + offset;
  // The first word is stored last (release), so it is read first (acquire).
  const std::uint64_t first = std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(
                                                                 const_cast<std::byte*>(header)))
                                  .load(std::memory_order_acquire);
  const auto length = static_cast<std::uint32_t>(first);
  const auto kind = static_cast<std::uint32_t>(first >> 32);
  if ((kind != kind_record && kind != kind_skip) || load<std::uint64_t>(header + at_position) != position ||
      length > room - journal_record_header_bytes) {
    return std::nullopt;
  }
  const std::string_view payload(reinterpret_cast<const char*>(header + journal_record_header_bytes), length);
  if (load<std::uint32_t>(header + at_crc) != record_checksum(first, position, load<std::int64_t>(header + at_stamp),
                                                              epoch_, kind == kind_skip ? std::string_view{} : payload)) {
    return std::nullopt;
  }
  skip = kind == kind_skip;
  const std::uint64_t next = position + align8(journal_record_header_bytes + length);
  return journal_entry{position, next, load<std::int64_t>(header + at_stamp), skip ? std::string_view{} : payload};
}

journal_ring journal_ring::attach(std::span<std::byte> memory, journal_scan& scan) noexcept {
  journal_ring ring(memory);
  scan = {};
  const bool clean = load<std::uint32_t>(memory.data() + at_closed_cleanly) == closed_cleanly;
  store<std::uint32_t>(memory.data() + at_closed_cleanly, 0);
  std::uint64_t position = ring.tail();
  if (position % 8 != 0) {
    // Records start at multiples of 8: a tail elsewhere was damaged; the record before it is
    // published, so going back to the boundary repeats nothing that is whole.
    position -= position % 8;
    ring.release(position);
  }
  const std::uint64_t limit = position + ring.capacity_;
  while (position < limit) {
    bool skip = false;
    if (const auto entry = ring.valid_at(position, skip)) {
      if (!skip) {
        ++scan.records;
        scan.bytes += entry->line.size();
      }
      position = entry->next;
      continue;
    }
    // Not a record: the end, unless readable records follow a damaged stretch. Only a record
    // written in this lap and epoch can be found here, so stale bytes never are.
    if (clean) break;
    std::uint64_t resumed = 0;
    for (std::uint64_t candidate = position + journal_record_header_bytes; candidate < limit; candidate += 8) {
      bool candidate_skip = false;
      const bool implicit_wrap = ring.capacity_ - candidate % ring.capacity_ < journal_record_header_bytes;
      if (!implicit_wrap && ring.valid_at(candidate, candidate_skip)) {
        resumed = candidate;
        break;
      }
    }
    if (resumed == 0) break;
    ++scan.damaged_ranges;
    scan.damaged_bytes += resumed - position;
    // A damaged stretch that crosses the end of the data is stepped over in two skips.
    std::uint64_t at = position;
    while (at < resumed) {
      const std::uint64_t room = ring.capacity_ - at % ring.capacity_;
      const std::uint64_t length = std::min(room, resumed - at);
      if (length >= journal_record_header_bytes) ring.write_skip(at, length);
      at += length;
    }
    position = resumed;
  }
  ring.head_.store(position, std::memory_order_release);
  return ring;
}

void journal_ring::write_skip(std::uint64_t position, std::uint64_t length) noexcept {
  write_at(position, kind_skip, {}, static_cast<std::uint32_t>(length - journal_record_header_bytes), 0);
}

void journal_ring::write_at(std::uint64_t position, std::uint32_t kind, std::string_view payload,
                            std::uint32_t length, std::int64_t unix_ms) noexcept {
  std::byte* header = data() + position % capacity_;
  if (!payload.empty()) std::memcpy(header + journal_record_header_bytes, payload.data(), payload.size());
  const std::uint64_t first = first_word(length, kind);
  store<std::uint64_t>(header + at_position, position);
  store<std::int64_t>(header + at_stamp, unix_ms);
  store<std::uint32_t>(header + at_crc, record_checksum(first, position, unix_ms, epoch_, payload));
  store<std::uint32_t>(header + at_crc + 4, 0);
  // Stored last: a reader that sees the length and kind sees the rest of the record too.
  std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(header)).store(first, std::memory_order_release);
}

bool journal_ring::append(std::string_view line, std::int64_t unix_ms) noexcept {
  if (line.empty() || line.size() > capacity_ / 4) return false;
  std::uint64_t position = head_.load(std::memory_order_relaxed);
  const std::uint64_t need = align8(journal_record_header_bytes + line.size());
  const std::uint64_t room = capacity_ - position % capacity_;
  const std::uint64_t wrap = room < need ? room : 0;
  if (position + wrap + need - tail() > capacity_) return false;
  if (wrap != 0) {
    if (wrap >= journal_record_header_bytes) write_skip(position, wrap);
    position += wrap;
  }
  write_at(position, kind_record, line, static_cast<std::uint32_t>(line.size()), unix_ms);
  head_.store(position + need, std::memory_order_release);
  return true;
}

std::optional<journal_entry> journal_ring::read(std::uint64_t position) const noexcept {
  for (;;) {
    if (position >= head()) return std::nullopt;
    bool skip = false;
    const auto entry = valid_at(position, skip);
    if (!entry) return std::nullopt;  // cannot happen below head; stop rather than guess
    if (!skip) return entry;
    position = entry->next;
  }
}

std::uint64_t journal_ring::tail() const noexcept {
  return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(memory_.data() + at_tail))
      .load(std::memory_order_acquire);
}

void journal_ring::release(std::uint64_t position) noexcept {
  std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(memory_.data() + at_tail))
      .store(position, std::memory_order_release);
}

void journal_ring::mark_closed_cleanly() noexcept {
  store<std::uint32_t>(memory_.data() + at_closed_cleanly, closed_cleanly);
}

std::int64_t journal_ring::created_unix_ms() const noexcept {
  return load<std::int64_t>(memory_.data() + at_created);
}

std::optional<log_format::file_id> journal_ring::public_file() const noexcept {
  if (load<std::uint32_t>(memory_.data() + at_public_valid) != 1) return std::nullopt;
  return log_format::file_id{load<std::int64_t>(memory_.data() + at_public_day),
                             load<std::uint32_t>(memory_.data() + at_public_index)};
}

void journal_ring::set_public_file(log_format::file_id id) noexcept {
  store<std::int64_t>(memory_.data() + at_public_day, id.day);
  store<std::uint32_t>(memory_.data() + at_public_index, id.index);
  store<std::uint32_t>(memory_.data() + at_public_valid, 1);
}

publish_resume resume_point(const journal_ring& journal, std::string_view file_tail) {
  publish_resume resume;
  resume.position = journal.tail();
  const std::size_t end = log_format::records_end(file_tail);
  if (end > 0) {
    const std::size_t previous = file_tail.substr(0, end - 1).rfind('\n');
    const std::size_t start = previous == std::string_view::npos ? 0 : previous + 1;
    const std::string_view last = file_tail.substr(start, end - start);
    for (auto entry = journal.read(journal.tail()); entry; entry = journal.read(entry->next)) {
      if (entry->line == last) {
        resume.position = entry->next;
        resume.last_line_found = true;
        break;
      }
    }
  }
  const std::string_view torn = file_tail.substr(end);
  resume.torn_bytes = torn.size();
  if (!torn.empty()) {
    const auto next = journal.read(resume.position);
    if (next && next->line.size() > torn.size() && next->line.starts_with(torn)) {
      resume.completion = std::string(next->line.substr(torn.size()));
      resume.position = next->next;
      resume.torn_completed = true;
    } else {
      resume.completion = "\n";
    }
  }
  return resume;
}

}  // namespace raswarden::core
