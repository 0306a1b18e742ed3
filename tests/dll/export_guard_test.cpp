// The guard every export runs its body in: an exception of any kind stops there, is reported
// with the export's name, and the export answers its fallback. Linked against stand-ins for the
// runtime's reporting functions, so the mechanism is tested without a running DLL.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dll/export_guard.hpp"

namespace {
std::vector<std::string> reported;
}

namespace raswarden::dll {
bool answer_on_failure() noexcept {
  return true;
}
void report_failure(std::string_view callback, std::string_view what) noexcept {
  reported.push_back(std::string(callback) + ": " + std::string(what));
}
}  // namespace raswarden::dll

namespace {

using raswarden::dll::guarded;
using raswarden::dll::guarded_notification;

TEST(export_guard, passes_the_body_result_through) {
  reported.clear();
  EXPECT_EQ(guarded("MprAdminAcceptNewLink", 7, [] { return 42; }), 42);
  EXPECT_TRUE(reported.empty());
}

TEST(export_guard, std_exception_becomes_the_fallback_and_is_reported) {
  reported.clear();
  const int answer = guarded("MprAdminAcceptNewConnectionEx", 1, []() -> int { throw std::runtime_error("boom"); });
  EXPECT_EQ(answer, 1);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], "MprAdminAcceptNewConnectionEx: boom");
}

TEST(export_guard, bad_alloc_and_non_standard_exceptions_are_caught) {
  reported.clear();
  EXPECT_EQ(guarded("MprAdminAcceptNewLink", 0, []() -> int { throw std::bad_alloc(); }), 0);
  EXPECT_EQ(guarded("MprAdminAcceptNewLink", 0, []() -> int { throw 17; }), 0);
  guarded_notification("MprAdminLinkHangupNotification", [] { throw std::logic_error("late"); });
  ASSERT_EQ(reported.size(), 3u);
  EXPECT_EQ(reported[1], "MprAdminAcceptNewLink: unknown exception");
  EXPECT_EQ(reported[2], "MprAdminLinkHangupNotification: late");
}

TEST(export_guard, is_noexcept_so_nothing_can_reach_rras) {
  EXPECT_TRUE(noexcept(guarded("x", 0, [] { return 0; })));
  EXPECT_TRUE(noexcept(guarded_notification("x", [] {})));
}

}  // namespace
