// src/win32/fault_guard.cpp under Wine: faults inside the guarded range end the guarded code and
// are reported (both kinds a mapped view raises), code that does not fault runs as usual, and the
// accounting pipeline turns a fault in its journal's view into the accounting-failure path.
#include "win32/fault_guard.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "win32/pipeline_fixture.hpp"

namespace raswarden::win32::testing {
namespace {

// Address space that is reserved but not committed: any access is an access violation, as with
// a view whose file was cut short (Wine reports that case the same way).
class reserved_region {
 public:
  reserved_region() : base_(::VirtualAlloc(nullptr, size, MEM_RESERVE, PAGE_NOACCESS)) {}
  ~reserved_region() { ::VirtualFree(base_, 0, MEM_RELEASE); }
  reserved_region(const reserved_region&) = delete;
  reserved_region& operator=(const reserved_region&) = delete;
  [[nodiscard]] std::byte* get() const { return static_cast<std::byte*>(base_); }
  static constexpr std::size_t size = 64 * 1024;

 private:
  void* base_;
};

TEST(win32_fault_guard, a_write_fault_inside_the_range_ends_the_guarded_code) {
  const fault_guard_registration registration;
  ASSERT_TRUE(registration.active());
  const reserved_region region;
  ASSERT_NE(region.get(), nullptr);
  for (int attempt = 0; attempt < 3; ++attempt) {  // and again: the guard is not used up
    bool after_the_fault = false;
    auto body = [&] {
      std::memset(region.get() + 100, 'x', 16);
      after_the_fault = true;
    };
    guarded_fault fault;
    EXPECT_FALSE(guarded_access(region.get(), region.size, body, fault));
    EXPECT_FALSE(after_the_fault);
    EXPECT_EQ(fault.code, static_cast<DWORD>(EXCEPTION_ACCESS_VIOLATION));
    EXPECT_GE(fault.address, static_cast<const void*>(region.get() + 100));
    EXPECT_LT(fault.address, static_cast<const void*>(region.get() + 116));
  }
}

TEST(win32_fault_guard, an_in_page_error_inside_the_range_is_caught_too) {
  const fault_guard_registration registration;
  const reserved_region region;
  auto body = [&] {
    // What a failing volume raises: write (1), the address, the I/O status.
    const ULONG_PTR information[3] = {1, reinterpret_cast<ULONG_PTR>(region.get() + 4096),
                                      static_cast<ULONG_PTR>(0xC000009CL)};  // STATUS_DEVICE_DATA_ERROR
    ::RaiseException(EXCEPTION_IN_PAGE_ERROR, 0, 3, information);
  };
  guarded_fault fault;
  EXPECT_FALSE(guarded_access(region.get(), region.size, body, fault));
  EXPECT_EQ(fault.code, static_cast<DWORD>(EXCEPTION_IN_PAGE_ERROR));
  EXPECT_EQ(fault.address, static_cast<const void*>(region.get() + 4096));
}

TEST(win32_fault_guard, code_that_does_not_fault_runs_to_its_end) {
  const fault_guard_registration registration;
  std::vector<std::byte> memory(256);
  int runs = 0;
  auto body = [&] {
    std::memset(memory.data(), 1, memory.size());
    ++runs;
  };
  guarded_fault fault;
  EXPECT_TRUE(guarded_access(memory.data(), memory.size(), body, fault));
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(fault.code, 0u);
  // Nested guards: the inner fault ends only the inner body.
  const reserved_region region;
  bool outer_went_on = false;
  auto outer = [&] {
    auto inner = [&] { std::memset(region.get(), 'x', 1); };
    guarded_fault inner_fault;
    EXPECT_FALSE(guarded_access(region.get(), region.size, inner, inner_fault));
    outer_went_on = true;
  };
  EXPECT_TRUE(guarded_access(memory.data(), memory.size(), outer, fault));
  EXPECT_TRUE(outer_went_on);
}

class win32_journal_fault : public pipeline_test {};

// The journal's view stops being accessible while callbacks append (as when its volume fails):
// append says no, which is the accounting-failure path, one error says why, and nothing crashes,
// not even stopping the pipeline.
TEST_F(win32_journal_fault, a_fault_in_the_journal_view_becomes_an_accounting_failure) {
  auto pipeline = start(options());
  const std::string first = record(1, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(first));
  pipeline->publish_now();
  void* view = const_cast<void*>(pipeline->journal_view());
  ASSERT_NE(view, nullptr);
  MEMORY_BASIC_INFORMATION region{};
  ASSERT_NE(::VirtualQuery(view, &region, sizeof region), 0u);
  DWORD previous = 0;
  ASSERT_NE(::VirtualProtect(view, region.RegionSize, PAGE_NOACCESS, &previous), 0) << ::GetLastError();

  EXPECT_FALSE(pipeline->append(record(2, clock.now_unix_ms())));
  EXPECT_FALSE(pipeline->append(record(3, clock.now_unix_ms())));
  pipeline->publish_now();
  pipeline.reset();
  const auto errors = reported({"the journal", "EXCEPTION_ACCESS_VIOLATION", "accounting.on_failure"});
  ASSERT_EQ(errors.size(), 1u) << all_reports();
  EXPECT_EQ(errors[0].about, core::topic::accounting_failure);
  EXPECT_EQ(read_bytes(public_path(last_day)), first);
}

}  // namespace
}  // namespace raswarden::win32::testing
