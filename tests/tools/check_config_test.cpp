// raswarden check-config run as an administrator would: the exit code, every problem with its
// file, line, column and JSON path, or the summary of a good file.
#include "host/host_test_support.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

process_result check_config(const std::vector<std::wstring>& arguments) {
  std::vector<std::wstring> all{L"check-config"};
  all.insert(all.end(), arguments.begin(), arguments.end());
  return run_program(L"raswarden.exe", all);
}

TEST(check_config, a_good_file_prints_the_effective_policy_and_exits_0) {
  const temp_directory folder("check-config");
  const std::wstring file = folder.path() + L"\\raswarden.json";
  write_text_file(file, R"({"schema": 1,
  "policy": {"max_sessions_per_user": 2, "default": "reject",
    "rules": [{"name": "night", "action": "accept",
               "match": {"users": ["ops-*"], "days": ["sun"], "hours": ["23:00-01:00"], "time_zone": "utc"}}]},
  "ip_assignment": {"enabled": true, "pools": [{"name": "staff", "range": "10.1.0.0/24"}]}})");
  const process_result result = check_config({file});
  EXPECT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.out.find(": OK"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Policy: enforce, default reject, on_error accept, reauthentication accept"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("Limits: sessions per user 2, links per connection unlimited"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("  1. night: accept users ops-*; days sun; hours 23:00-01:00 (past midnight); UTC"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("  pool staff: 10.1.0.1 - 10.1.0.254 (254 addresses), the default"), std::string::npos)
      << result.out;
}

TEST(check_config, problems_are_printed_with_their_positions_and_exit_1) {
  const temp_directory folder("check-config");
  const std::wstring file = folder.path() + L"\\raswarden.json";
  write_text_file(file,
                  "{\n  \"policy\": {\n    \"mode\": \"enforced\",\n    \"rules\": [{\"name\": \"x\", \"action\": "
                  "\"reject\", \"match\": {\"hours\": [\"25:00-01:00\"]}}]\n  }\n}\n");
  const process_result result = check_config({file});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  const std::string name = win32::to_utf8(file);
  EXPECT_NE(result.err.find(name + ":3:13: /policy/mode: expected one of \"enforce\", \"audit\", found \"enforced\""),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(name + ":4:69: /policy/rules/0/match/hours/0: expected \"HH:MM-HH:MM\" (00:00 to 24:00), "
                                   "found \"25:00-01:00\""),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("2 problem(s); RasWarden would not use this file"), std::string::npos) << result.err;
}

// A file built to exhaust the stack or memory gets one short line, not a crash or a screenful.
TEST(check_config, a_file_nested_100000_deep_or_of_100_mb_gets_one_short_error_and_exit_1) {
  const temp_directory folder("check-config");
  const std::wstring deep = folder.path() + L"\\deep.json";
  write_text_file(deep, "{\"policy\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  const std::wstring huge = folder.path() + L"\\huge.json";
  write_text_file(huge, "{\"x\": \"" + std::string(100u << 20, ' ') + "\"}");
  for (const auto& [file, expected] :
       {std::pair{deep, std::string(":1:75: objects and arrays nest more than 64 levels deep")},
        std::pair{huge, std::string("bytes; a configuration may be at most 1048576 bytes")}}) {
    const process_result result = check_config({file});
    EXPECT_EQ(result.exit_code, 1u) << result.all().substr(0, 500);
    EXPECT_NE(result.err.find(win32::to_utf8(file)), std::string::npos) << result.err.substr(0, 500);
    EXPECT_NE(result.err.find(expected), std::string::npos) << result.err.substr(0, 500);
    EXPECT_LT(result.err.size(), 600u) << result.err.substr(0, 600);
  }
}

TEST(check_config, a_named_file_that_does_not_exist_is_an_error) {
  const process_result result = check_config({L"Z:\\no\\such\\raswarden.json"});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.err.find("cannot read the configuration Z:\\no\\such\\raswarden.json"), std::string::npos)
      << result.err;
}

TEST(check_config, without_a_file_it_checks_the_one_the_dll_would_read) {
  const temp_directory folder("check-config");
  const std::wstring file = folder.path() + L"\\env.json";
  write_text_file(file, R"({"policy": {"mode": "audit"}})");
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", file.c_str());
  const process_result result = check_config({});
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", nullptr);
  EXPECT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.out.find(win32::to_utf8(file) + ": OK"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Policy: audit"), std::string::npos) << result.out;
}

TEST(check_config, usage_errors_exit_2) {
  EXPECT_EQ(run_program(L"raswarden.exe", {}).exit_code, 2u);
  EXPECT_EQ(run_program(L"raswarden.exe", {L"frobnicate"}).exit_code, 2u);
  EXPECT_EQ(check_config({L"a.json", L"b.json"}).exit_code, 2u);
}

}  // namespace
}  // namespace raswarden::testing
