// Loads the built raswarden.dll as RRAS would (LoadLibrary, GetProcAddress by plain name) and
// gives each test a fresh accounting folder through RASWARDEN_CONFIG, then reads back the
// records the DLL wrote. Deliberately free of mprapi.h so the NT 4.0 tests (rassapi.h) can use it.
#pragma once

#include <windows.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "win32/unique_handle.hpp"

namespace raswarden::testing {

class dll_test : public ::testing::Test {
 public:
  // raswarden.dll next to the test executable.
  [[nodiscard]] static std::wstring dll_path();

 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  // An export by name, as RRAS resolves it. Fails the test when missing.
  template <typename Fn>
  static Fn fn(const char* name) {
    const FARPROC proc = ::GetProcAddress(module_, name);
    EXPECT_NE(proc, nullptr) << name << " is not exported";
    return reinterpret_cast<Fn>(reinterpret_cast<void*>(proc));
  }

  // MprAdminInitializeDll / MprAdminTerminateDll.
  void initialize();
  void terminate();

  // The accounting files in write order (day, then rotation index).
  [[nodiscard]] std::vector<std::wstring> accounting_files() const;
  // Every record written so far, parsed; a line that is not a JSON object fails the test. While
  // the DLL runs, the publisher may be in the middle of an append, so an unterminated last line
  // is left for a later read, as a follower does; once terminated, every line must be complete.
  [[nodiscard]] std::vector<nlohmann::json> records() const;
  [[nodiscard]] std::vector<nlohmann::json> records_of(std::string_view event) const;
  // The records of the first run of the folder (up to the second service-start), checking that
  // their seq runs 1, 2, 3, ... with no gap and no repeat.
  [[nodiscard]] std::vector<nlohmann::json> records_of_first_run() const;
  // Lines of the DLL's own log (raswarden.log).
  [[nodiscard]] std::string diagnostic_log() const;
  // The config-rejected records about this test's configuration file in the default accounting
  // folder, where they go when nothing in the file could be used (other tests write there too).
  [[nodiscard]] std::vector<nlohmann::json> rejections_in_default_folder() const;

  // A process a test starts and must not outlive: ended (TerminateProcess) when this goes out of
  // scope on every path, a failed assertion's early return included, and, through a job object
  // that kills on close, also when the test process itself is killed (a CTest timeout). Without
  // that, an endless load keeps running with both cores after its test is gone.
  class owned_process {
   public:
    owned_process() = default;
    owned_process(win32::unique_handle job, win32::unique_handle process)
        : job_(std::move(job)), process_(std::move(process)) {}
    owned_process(owned_process&&) noexcept = default;
    owned_process& operator=(owned_process&&) noexcept = default;
    ~owned_process();
    [[nodiscard]] HANDLE get() const noexcept { return process_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(process_); }

   private:
    win32::unique_handle job_;
    win32::unique_handle process_;
  };

  // rrashost.exe (beside the tests) in a process of its own, driving this DLL with an endless
  // generated load (2 threads, 300 concurrent sessions) and acknowledging every callback in
  // `ack_journal`, for a test to kill. Invalid (with GetLastError set) when it cannot start.
  [[nodiscard]] static owned_process start_endless_load(const std::wstring& ack_journal);
  // The whole lines of an acknowledgement journal, parsed: the last may have been cut by a kill.
  [[nodiscard]] static std::vector<nlohmann::json> complete_lines(const std::string& text);

  // Points RASWARDEN_CONFIG at a file with this text (for configuration tests).
  void write_config(const std::string& text);
  [[nodiscard]] const std::wstring& directory() const noexcept { return directory_; }
  static HMODULE module_;

 private:
  std::wstring directory_;
  std::wstring config_path_;
  bool terminated_ = true;
};

}  // namespace raswarden::testing
