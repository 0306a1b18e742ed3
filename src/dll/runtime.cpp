#include "dll/runtime.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "dll/diagnostic_log.hpp"
#include "raswarden/settings.hpp"
#include "win32/accounting_files.hpp"
#include "win32/background_thread.hpp"
#include "win32/session_state_file.hpp"
#include "win32/syslog_forwarder.hpp"
#include "win32/system.hpp"

namespace raswarden::dll {

namespace {
constexpr const wchar_t* config_variable = L"RASWARDEN_CONFIG";
constexpr const wchar_t* default_config = L"%ProgramData%\\RasWarden\\raswarden.json";
constexpr const wchar_t* default_log_directory = L"%ProgramData%\\RasWarden\\logs";

HMODULE this_module = nullptr;
}  // namespace

namespace {

struct loaded_configuration {
  std::wstring path;
  core::settings settings;
  std::vector<std::string> problems;
  bool from_file = false;  // false: the defaults apply
  bool rejected = false;   // the file exists but could not be used at all
};

// RASWARDEN_CONFIG for tests and diagnostics, else the fixed location. A missing file means the
// defaults; a broken one means the defaults plus a report. Never fatal.
loaded_configuration load_configuration() {
  loaded_configuration loaded;
  loaded.path = win32::environment_variable(config_variable);
  const bool from_environment = !loaded.path.empty();
  if (!from_environment) loaded.path = win32::expand_environment(default_config);
  std::string text;
  DWORD read_error = ERROR_SUCCESS;
  if (win32::read_file(loaded.path, text, read_error)) {
    auto parsed = core::parse_settings(text, win32::to_utf8(loaded.path));
    loaded.settings = std::move(parsed.value);
    loaded.problems = std::move(parsed.problems);
    loaded.from_file = parsed.document_ok;
    loaded.rejected = !parsed.document_ok;
  } else if (from_environment || (read_error != ERROR_FILE_NOT_FOUND && read_error != ERROR_PATH_NOT_FOUND)) {
    loaded.problems.push_back(fmt::format("cannot read the configuration {}: {}; using defaults",
                                          win32::to_utf8(loaded.path), win32::describe_error(read_error)));
    loaded.rejected = true;
  }
  return loaded;
}

}  // namespace

// Everything one Initialize..Terminate span owns, destroyed together when the last callback
// holding it returns.
class instance {
 public:
  explicit instance(std::string_view callback) {
    const loaded_configuration config = load_configuration();
    const core::accounting_settings& accounting = config.settings.accounting;
    const std::wstring default_directory = win32::expand_environment(default_log_directory);
    log_directory_ = accounting.directory.empty() ? default_directory
                                                  : win32::expand_environment(win32::to_wide(accounting.directory));
    diag_ = std::make_unique<diagnostic_log>(std::vector<std::wstring>{log_directory_, default_directory});
    if (!diag_->open_error().empty()) {
      diag_->report(core::severity::error, core::topic::accounting_failure,
                    fmt::format("the accounting folder {} is not usable ({}); RasWarden keeps running and holds "
                                "records in memory until it is",
                                win32::to_utf8(log_directory_), diag_->open_error()));
    }
    diag_->set_event_log_rejections(config.settings.event_log.rejections);
    for (const std::string& problem : config.problems) {
      diag_->report(core::severity::warning, core::topic::configuration, "configuration: " + problem);
    }

    // What the previous run left open, and the store for this run's sessions.
    core::recovery previous;
    std::string store_error;
    std::string store_warning;
    store_ = win32::session_state_file::open(log_directory_ + L"\\sessions.state", clock_.now_unix_ms(), previous,
                                             store_error, store_warning);
    if (!store_warning.empty()) diag_->report(core::severity::warning, store_warning);
    if (!store_) {
      diag_->report(core::severity::error,
                    "session state cannot be kept, so sessions open at a crash cannot be recovered: " + store_error);
    }

    core::engine_options options;
    options.server = win32::host_name();
    options.on_failure = accounting.on_failure;
    options.queue_limit = accounting.queue_limit;
    win32::accounting_file_options files;
    files.rotate_bytes = std::uint64_t{accounting.rotate_mb} << 20;
    files.retention_days = accounting.retention_days;
    files.min_free_bytes = std::uint64_t{accounting.min_free_mb} << 20;
    std::unique_ptr<core::record_sink> sink =
        std::make_unique<win32::accounting_file_sink>(log_directory_, files, clock_, *diag_);
    if (accounting.forward.enabled) {
      core::syslog_identity identity{options.server, "raswarden", ::GetCurrentProcessId(), 16};
      sink = std::make_unique<win32::forwarding_sink>(
          std::move(sink), std::make_unique<win32::syslog_forwarder>(accounting.forward, identity, *diag_));
    }
    engine_ =
        std::make_shared<core::engine>(std::move(options), std::move(sink), nullptr, clock_, *diag_, store_.get());
    diag_->report(core::severity::info, core::topic::started,
                  fmt::format("RasWarden started by {} (module {}); accounting in {}", callback,
                              win32::to_utf8(win32::module_path(this_module)), win32::to_utf8(log_directory_)));
    engine_->start(callback);
    engine_->record_configuration(callback, win32::to_utf8(config.path), config.from_file, config.rejected,
                                  config.problems);
    engine_->recover(callback, previous);
    // Flushing, retries of held records and housekeeping happen here, never on RRAS's threads.
    flusher_ = std::make_unique<win32::periodic_thread>(std::chrono::milliseconds(accounting.flush_interval_ms),
                                                        [engine = engine_.get()] { engine->maintain(); });
    if (!flusher_->running()) {
      diag_->report(core::severity::error,
                    "the background flusher could not start: records reach the disk only "
                    "when Windows writes its cache");
    }
  }

  instance(const instance&) = delete;
  instance& operator=(const instance&) = delete;
  // The flusher uses the engine, and the engine refers to the clock, the log and the store.
  ~instance() {
    flusher_.reset();
    engine_.reset();
  }

  [[nodiscard]] core::engine& engine() noexcept { return *engine_; }
  [[nodiscard]] core::diagnostics& diagnostics() noexcept { return *diag_; }

 private:
  core::system_clock clock_;
  std::wstring log_directory_;
  std::unique_ptr<diagnostic_log> diag_;
  std::unique_ptr<win32::session_state_file> store_;
  std::shared_ptr<core::engine> engine_;
  std::unique_ptr<win32::periodic_thread> flusher_;
};

namespace {
std::mutex instance_mutex;
std::shared_ptr<instance> running;  // guarded by instance_mutex
std::atomic<bool> failure_answer{true};

std::shared_ptr<instance> current_instance() {
  const std::lock_guard lock(instance_mutex);
  return running;
}
}  // namespace

std::shared_ptr<core::engine> engine_for(std::string_view callback) {
  std::shared_ptr<instance> active = current_instance();
  if (!active) {
    const std::lock_guard lock(instance_mutex);
    if (!running) {
      running = std::make_shared<instance>(callback);
      running->diagnostics().report(
          core::severity::warning,
          fmt::format("{} arrived before MprAdminInitializeDll (or after MprAdminTerminateDll); started implicitly",
                      callback));
    }
    active = running;
    failure_answer.store(active->engine().accept_on_internal_error(), std::memory_order_relaxed);
  }
  // Aliasing constructor: the caller holds the whole instance alive through its engine.
  return std::shared_ptr<core::engine>(active, &active->engine());
}

void start(std::string_view callback) {
  std::shared_ptr<instance> previous;
  {
    const std::lock_guard lock(instance_mutex);
    previous = std::exchange(running, nullptr);
  }
  if (previous) {
    // A second Initialize without Terminate: close the old span first so its records come first.
    previous->diagnostics().report(core::severity::warning,
                                   fmt::format("{} called while already initialized; restarting", callback));
    previous->engine().stop(callback);
    previous.reset();
  }
  auto fresh = std::make_shared<instance>(callback);
  // Set once per instance, not on every callback: all RRAS threads read it, none need write it.
  failure_answer.store(fresh->engine().accept_on_internal_error(), std::memory_order_relaxed);
  const std::lock_guard lock(instance_mutex);
  running = std::move(fresh);
}

void stop(std::string_view callback) {
  std::shared_ptr<instance> previous;
  {
    const std::lock_guard lock(instance_mutex);
    previous = std::exchange(running, nullptr);
  }
  if (previous) {
    previous->engine().stop(callback);
    previous->diagnostics().report(core::severity::info, core::topic::stopped,
                                   fmt::format("RasWarden stopped by {}", callback));
  }
}

bool answer_on_failure() noexcept {
  return failure_answer.load(std::memory_order_relaxed);
}

void report_failure(std::string_view callback, std::string_view what) noexcept {
  try {
    const std::shared_ptr<instance> active = current_instance();
    const std::string message = fmt::format("{} failed: {}; answered with the failure default ({})", callback, what,
                                            answer_on_failure() ? "accept" : "reject");
    if (active) {
      active->diagnostics().report(core::severity::error, core::topic::internal_error, message);
    } else {
      win32::event_log().report(core::severity::error, core::topic::internal_error, message);
    }
  } catch (...) {
    // Nothing left to tell; the export still returns its fallback.
  }
}

void set_module(HMODULE module) noexcept {
  this_module = module;
}

}  // namespace raswarden::dll
