// The session state file (src/win32/session_state_file.cpp) across runs: what one run leaves open
// is what the next start reads, and that stays on disk until the next start has journaled it
// (start_afresh), so a crash during recovery recovers the same sessions again instead of losing
// them.
#include "win32/session_state_file.hpp"

#include <algorithm>

#include "win32/pipeline_fixture.hpp"

namespace raswarden::win32::testing {
namespace {

class session_state_file_test : public pipeline_test {
 protected:
  [[nodiscard]] std::wstring state_path() const { return folder() + L"\\sessions.state"; }
  std::unique_ptr<session_state_file> open(core::recovery& previous) {
    std::string error;
    std::string warning;
    auto store = session_state_file::open(state_path(), clock.now_unix_ms(), previous, error, warning);
    EXPECT_NE(store, nullptr) << error;
    EXPECT_TRUE(warning.empty()) << warning;
    return store;
  }
  static std::vector<std::string> ids(const core::recovery& r) {
    std::vector<std::string> out;
    for (const core::persisted_session& s : r.sessions) out.push_back(s.session_id);
    std::sort(out.begin(), out.end());
    return out;
  }
};

core::persisted_session session(std::string id, std::string user) {
  return core::persisted_session{std::move(id), std::move(user), "CONTOSO", "10.0.0.7", "sstp", 1'700'000'000'000};
}

TEST_F(session_state_file_test, sessions_left_open_stay_until_the_next_start_has_journaled_them) {
  {
    core::recovery none;
    auto first = open(none);
    EXPECT_TRUE(none.sessions.empty());
    std::string error;
    ASSERT_TRUE(first->start_afresh(error)) << error;
    first->opened(session("s-1", "alice"));
    first->opened(session("s-2", "bob"));
    first->opened(session("s-3", "carol"));
    first->closed("s-2");
  }  // the run ends without a clean shutdown: killed
  {
    core::recovery previous;
    auto second = open(previous);
    EXPECT_EQ(ids(previous), (std::vector<std::string>{"s-1", "s-3"}));
    EXPECT_FALSE(previous.clean_shutdown);
    // Killed again while recovering, before start_afresh: nothing was forgotten.
  }
  core::recovery again;
  auto third = open(again);
  EXPECT_EQ(ids(again), (std::vector<std::string>{"s-1", "s-3"}));
  ASSERT_EQ(again.sessions.size(), 2u);
  std::string error;
  ASSERT_TRUE(third->start_afresh(error)) << error;
  third->opened(session("s-4", "dave"));
  third.reset();
  // Once cleared, only this run's session is left.
  core::recovery last;
  auto fourth = open(last);
  EXPECT_EQ(ids(last), (std::vector<std::string>{"s-4"}));
}

TEST_F(session_state_file_test, nothing_is_kept_before_start_afresh) {
  core::recovery none;
  auto store = open(none);
  store->opened(session("early", "eve"));  // no callback arrives before start_afresh; if one did
  store->heartbeat(clock.now_unix_ms());
  store.reset();
  core::recovery previous;
  auto next = open(previous);
  EXPECT_TRUE(previous.sessions.empty());
}

}  // namespace
}  // namespace raswarden::win32::testing
