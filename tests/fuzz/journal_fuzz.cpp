// A journal left on disk by a crash, a failing volume or anything else: a valid journal built
// from the input's lines, then damaged by the input's byte flips (header included), then read as
// the next start reads it. inspect() must classify it, attach() must find where the records end
// and step over damage, read() must only return records inside the ring, and resume_point() must
// handle any public-file tail.
//
// Input: a byte of flips n, then n flips of (2-byte offset, 1-byte xor), a byte of records to
// release (published), then text whose lines become records and which is also the file tail.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/journal.hpp"

namespace {

using namespace raswarden;

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const std::size_t flips = static_cast<unsigned char>(input[0]) % 16;
  input.remove_prefix(1);
  std::vector<std::pair<std::size_t, std::uint8_t>> damage;
  for (std::size_t i = 0; i < flips && input.size() >= 3; ++i) {
    const std::size_t offset = static_cast<unsigned char>(input[0]) | static_cast<std::size_t>(static_cast<unsigned char>(input[1])) << 8;
    damage.emplace_back(offset * 3, static_cast<std::uint8_t>(input[2]));  // reaches the whole 64 KiB + header
    input.remove_prefix(3);
  }
  std::size_t release = 0;
  if (!input.empty()) {
    release = static_cast<unsigned char>(input[0]);
    input.remove_prefix(1);
  }

  std::vector<std::byte> memory(core::journal_header_bytes + core::journal_min_capacity, std::byte{0});
  core::journal_ring ring = core::journal_ring::create(memory, 0x5eed, 1);
  std::size_t appended = 0;
  for (std::size_t start = 0; start < input.size();) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    const std::string line = std::string(input.substr(start, end - start)) + "\n";
    if (ring.append(line, static_cast<std::int64_t>(appended))) ++appended;
    start = end + 1;
  }
  std::uint64_t at = ring.tail();
  for (std::size_t i = 0; i < release; ++i) {
    const auto entry = ring.read(at);
    if (!entry) break;
    at = entry->next;
  }
  ring.release(at);
  for (const auto& [offset, bits] : damage) {
    if (offset < memory.size()) memory[offset] ^= std::byte{bits};
  }

  std::string problem;
  if (core::journal_ring::inspect(memory, problem) != core::journal_state::usable) {
    check(!problem.empty());
    return 0;
  }
  core::journal_scan scan;
  core::journal_ring again = core::journal_ring::attach(memory, scan);
  std::uint64_t records = 0;
  const char* begin = reinterpret_cast<const char*>(memory.data()) + core::journal_header_bytes;
  const char* finish = begin + again.capacity();
  for (auto entry = again.read(again.tail()); entry; entry = again.read(entry->next)) {
    check(entry->next > entry->position);
    check(entry->line.data() >= begin && entry->line.data() + entry->line.size() <= finish);
    ++records;
    check(records <= again.capacity() / core::journal_record_header_bytes);
  }
  check(records == scan.records);
  if (damage.empty()) check(records <= appended);
  const core::publish_resume resume = core::resume_point(again, input);
  check(resume.completion.empty() || resume.torn_bytes > 0);
  check(again.append("{\"after\":true}\n", 0) || again.used() > again.capacity() / 2);
  return 0;
}
