// What the fuzz targets share: reading values and whole structs out of libFuzzer's bytes, and a
// core engine (memory sink, a rule policy with limits, time rules and small address pools) that
// the converted values are pushed through, with every record it wrote checked at the end.
//
// Every check here stands for a promise the code makes; a failure aborts, and libFuzzer keeps the
// input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>

#include "core/fakes.hpp"
#include "raswarden/engine.hpp"
#include "raswarden/settings.hpp"

namespace raswarden::fuzz {

// Prints `what` and aborts: a fuzz finding.
[[noreturn]] void fail(std::string_view what);

// The front of the fuzzer's input, taken piece by piece; past its end, zeros.
class byte_source {
 public:
  byte_source(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  [[nodiscard]] std::uint8_t byte();
  [[nodiscard]] std::uint16_t u16();
  [[nodiscard]] std::uint32_t u32();
  void fill(void* out, std::size_t n);
  // A T on the heap of exactly sizeof(T) bytes (a read past its end is an ASan report), holding
  // the next sizeof(T) bytes of the input.
  template <typename T>
  [[nodiscard]] std::unique_ptr<T> object() {
    static_assert(std::is_trivially_copyable_v<T>);
    auto out = std::make_unique<T>();
    fill(out.get(), sizeof(T));
    return out;
  }
  // What is left, consumed.
  [[nodiscard]] std::string_view rest();
  [[nodiscard]] std::size_t remaining() const noexcept { return size_ - used_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t used_ = 0;
};

// The configuration the struct targets decide with (see fuzz_support.cpp), enforcing or in audit
// mode.
[[nodiscard]] const core::settings& fuzz_settings(bool audit);

// The moment the engine's clock starts at, from three input bytes: a minute of the week (from a
// Monday, so day and hour rules are crossed) and the server's UTC offset.
struct start_time {
  std::int64_t unix_ms = 0;
  std::int32_t utc_offset_minutes = 0;
};
[[nodiscard]] start_time start_time_from(byte_source& in);

// An engine over a memory sink, deciding with `config` (its policy and ip_assignment). The
// destructor stops the engine and checks every record: one line, one JSON object (valid UTF-8),
// with the common fields. With RASWARDEN_FUZZ_PRINT set it also prints them.
class engine_harness {
 public:
  engine_harness(const core::settings& config, start_time at);
  ~engine_harness();
  engine_harness(const engine_harness&) = delete;
  engine_harness& operator=(const engine_harness&) = delete;

  [[nodiscard]] core::engine& engine() noexcept { return *engine_; }
  [[nodiscard]] const core::admission_policy& policy() const noexcept { return *policy_; }
  [[nodiscard]] const core::clock& clock() const noexcept { return clock_; }

 private:
  // Aborts on an internal error other than a call whose arguments identify nothing: a decision
  // that throws on hostile values is a bug.
  class checking_diagnostics final : public core::diagnostics {
   public:
    using core::diagnostics::report;
    void report(core::severity level, core::topic about, std::string_view message) noexcept override;
  };

  core::testing::fake_clock clock_;
  checking_diagnostics diag_;
  core::memory_sink* sink_ = nullptr;
  std::shared_ptr<const core::admission_policy> policy_;
  std::unique_ptr<core::engine> engine_;
};

}  // namespace raswarden::fuzz
