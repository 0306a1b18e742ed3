// An engine over a memory sink with a controllable clock, and the records it wrote, parsed: the
// base of the engine tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/fakes.hpp"
#include "raswarden/engine.hpp"

namespace raswarden::core::testing {

class engine_fixture : public ::testing::Test {
 protected:
  void SetUp() override { make_engine(nullptr); }

  void make_engine(std::unique_ptr<admission_policy> policy) {
    auto owned = std::make_unique<memory_sink>();
    sink = owned.get();
    eng = std::make_unique<engine>(engine_options{"vpn-gw1"}, std::move(owned), std::move(policy), time, diag);
  }

  // Every record so far; each must be exactly one line.
  [[nodiscard]] std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    for (const auto& line : sink->lines()) {
      EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  [[nodiscard]] std::vector<nlohmann::json> records_of(std::string_view event) const {
    std::vector<nlohmann::json> out;
    for (const auto& r : records()) {
      if (r["event"] == event) out.push_back(r);
    }
    return out;
  }
  [[nodiscard]] std::vector<std::string> event_names() const {
    std::vector<std::string> out;
    for (const auto& r : records()) out.push_back(r["event"].get<std::string>());
    return out;
  }

  fake_clock time{1709210096789};
  recording_diagnostics diag;
  memory_sink* sink = nullptr;
  std::unique_ptr<engine> eng;
};

}  // namespace raswarden::core::testing
