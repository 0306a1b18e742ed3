#include "dll/runtime.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cwchar>
#include <mutex>

#include "dll/diagnostic_log.hpp"
#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/settings.hpp"
#include "win32/accounting_pipeline.hpp"
#include "win32/background_thread.hpp"
#include "win32/configuration_file.hpp"
#include "win32/file_security.hpp"
#include "win32/record_forwarder.hpp"
#include "win32/session_state_file.hpp"
#include "win32/system.hpp"

namespace raswarden::dll {

namespace {
constexpr const wchar_t* poll_variable = L"RASWARDEN_CONFIG_POLL_MS";  // tests shorten the 1 s check
constexpr std::chrono::milliseconds default_poll{1000};

HMODULE this_module = nullptr;
std::atomic<bool> failure_answer{true};

std::chrono::milliseconds configuration_poll_interval() {
  const std::wstring text = win32::environment_variable(poll_variable);
  const long value = text.empty() ? 0 : std::wcstol(text.c_str(), nullptr, 10);
  return value >= 10 && value <= 60000 ? std::chrono::milliseconds(value) : default_poll;
}

std::string problem_list(const std::vector<std::string>& problems) {
  std::string text;
  for (const std::string& problem : problems) text += "\n  " + problem;
  return text;
}
}  // namespace

// Everything one Initialize..Terminate span owns, destroyed together when the last callback
// holding it returns.
class instance {
 public:
  explicit instance(std::string_view callback) {
    const win32::loaded_configuration config = win32::load_configuration(win32::locate_configuration());
    const core::accounting_settings& accounting = config.settings.accounting;
    const std::wstring default_directory =
        win32::expand_environment(win32::to_wide(core::log_format::default_directory));
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
    if (config.rejected) {
      diag_->report(core::severity::error, core::topic::configuration,
                    fmt::format("the configuration {} cannot be used ({} problem(s)); until it is fixed every "
                                "decision answers policy.on_error ({}) and the accounting keys that are valid "
                                "apply:{}",
                                win32::to_utf8(config.location.path), config.problems.size(),
                                config.location.fail_closed              ? "reject, as FailClosed is set"
                                : config.settings.policy.accept_on_error ? "accept"
                                                                         : "reject",
                                problem_list(config.problems)));
    }
    warn_about_where_the_configuration_came_from(config);

    // What the previous run left open, and the store for this run's sessions.
    core::recovery previous;
    std::string store_error;
    std::string store_warning;
    // The folder is checked (and made, with the protected DACL) before anything in it is used.
    if (win32::ensure_trusted_folder(log_directory_, accounting.allow_remote_directory, store_error)) {
      store_ = win32::session_state_file::open(log_directory_ + L"\\sessions.state", clock_.now_unix_ms(), previous,
                                               store_error, store_warning);
    }
    if (!store_warning.empty()) diag_->report(core::severity::warning, store_warning);
    if (!store_) {
      diag_->report(core::severity::error,
                    "session state cannot be kept, so sessions open at a crash cannot be recovered: " + store_error);
    }

    core::engine_options options;
    options.server = win32::host_name();
    options_server_ = options.server;
    options.on_failure = accounting.on_failure;
    options.queue_limit = accounting.queue_limit;
    // Opening the pipeline publishes what a killed or crashed run journaled, before any record
    // of this run (service-start, session-recovered) is written.
    auto pipeline =
        std::make_unique<win32::accounting_pipeline>(log_directory_, pipeline_options(accounting), clock_, *diag_);
    pipeline_ = pipeline.get();
    std::unique_ptr<core::record_sink> sink = std::move(pipeline);
    engine_ =
        std::make_shared<core::engine>(std::move(options), std::move(sink), nullptr, clock_, *diag_, store_.get());
    apply(config, /*at_start=*/true);
    diag_->report(core::severity::info, core::topic::started,
                  fmt::format("RasWarden started by {} (module {}); accounting in {}", callback,
                              win32::to_utf8(win32::module_path(this_module)), win32::to_utf8(log_directory_)));
    // What initialization found is written before RRAS gets its answer (not a callback's path).
    diag_->flush();
    // The forwarder follows the public files from its cursor (on a first start, from here on, so
    // this run's service-start is its first record); it is not on any callback's path.
    if (accounting.forward.enabled) {
      core::syslog_identity identity{options_server_, "raswarden", ::GetCurrentProcessId(), 16};
      forwarder_ =
          std::make_unique<win32::record_forwarder>(accounting.forward, std::move(identity), log_directory_, *diag_);
    }
    engine_->start(callback);
    engine_->record_configuration(callback, win32::to_utf8(config.location.path), config.from_file, config.rejected,
                                  config.problems);
    engine_->recover(callback, previous);
    // Only now, with the session-recovered records in the journal, is the previous run's state
    // cleared: a crash before this line recovers the same sessions again rather than losing them.
    if (store_) {
      store_error.clear();
      if (!store_->start_afresh(store_error)) {
        // The store stays unmapped, and every use of it does nothing.
        diag_->report(core::severity::error,
                      "session state cannot be kept, so sessions open at a crash cannot be recovered: " + store_error);
      }
    }
    // Changes to the file are noticed here and swapped in; callbacks never wait for a reload.
    watched_ = config.location;
    loaded_text_ = config.text;
    seen_stamp_ = win32::stamp_of(watched_.path);
    running_accounting_ = config.settings.accounting;
    watcher_ = std::make_unique<win32::periodic_thread>(configuration_poll_interval(), [this] { check_for_changes(); });
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
    forwarder_.reset();
    watcher_.reset();
    flusher_.reset();
    engine_.reset();
  }

  [[nodiscard]] core::engine& engine() noexcept { return *engine_; }

  // Terminate: the last records are published so the forwarder can still deliver them, and the
  // service-stop record says how publication went.
  void stop(std::string_view callback) {
    pipeline_->publish_now();
    core::stop_details details;
    // At most this long for the collector to take what is published; the rest is delivered
    // after the next start, from the saved cursor.
    if (forwarder_) details.forward = forwarder_->stop(std::chrono::seconds(2));
    const win32::publication_latency latency = pipeline_->latency();
    details.published = latency.records > 0;
    details.publish_p50_ms = latency.p50_ms;
    details.publish_p99_ms = latency.p99_ms;
    details.publish_max_ms = latency.max_ms;
    details.diagnostics = diag_->counts();
    engine_->stop(callback, details);
  }
  [[nodiscard]] core::diagnostics& diagnostics() noexcept { return *diag_; }

 private:
  // An administrator should know when the policy is not theirs: built-in defaults (no file, so
  // everyone is accepted), or a file named by an environment variable meant for tests.
  // What is in force but worth a look: a name written in one form only, a configuration folder
  // that others may write.
  void report_warnings(const win32::loaded_configuration& config) {
    if (config.rejected) return;  // reported as the reason it is not used
    std::vector<std::string> all = config.problems;
    all.insert(all.end(), config.warnings.begin(), config.warnings.end());
    if (all.empty()) return;
    diag_->report(core::severity::warning, core::topic::configuration,
                  fmt::format("the configuration {} is in force with {} warning(s):{}",
                              win32::to_utf8(config.location.path), all.size(), problem_list(all)));
  }

  void warn_about_where_the_configuration_came_from(const win32::loaded_configuration& config) {
    report_warnings(config);
    if (config.location.origin == win32::configuration_origin::environment) {
      diag_->report(core::severity::warning, core::topic::configuration,
                    fmt::format("the configuration is taken from {} as the environment variable {} says, not from "
                                "HKLM\\SOFTWARE\\RasWarden ConfigPath or the default location; that override is "
                                "meant for tests and diagnostics",
                                win32::to_utf8(config.location.path), win32::to_utf8(win32::configuration_variable)));
    }
    if (!config.location.fail_closed_problem.empty()) {
      diag_->report(core::severity::warning, core::topic::configuration, config.location.fail_closed_problem);
    }
    if (config.fails_closed()) {
      diag_->report(core::severity::error, core::topic::configuration,
                    fmt::format("HKLM\\SOFTWARE\\RasWarden FailClosed is set and there is no usable configuration "
                                "({}): every connection is refused until a valid file is there",
                                win32::to_utf8(config.location.path)));
      return;  // the defaults are not in force
    }
    if (!config.from_file && !config.rejected) {
      diag_->report(core::severity::warning, core::topic::configuration,
                    fmt::format("there is no configuration file at {} ({}): RasWarden runs on its built-in defaults, "
                                "which accept every connection and keep accounting in {}",
                                win32::to_utf8(config.location.path), win32::describe(config.location.origin),
                                win32::to_utf8(log_directory_)));
    }
  }

  // Puts a configuration's policy and address settings in force. An unusable file at start has
  // nothing earlier to keep, so every decision answers its policy.on_error.
  void apply(const win32::loaded_configuration& config, bool at_start) {
    std::shared_ptr<const core::admission_policy> policy;
    if (at_start && config.fails_closed()) {
      policy = std::make_shared<core::unusable_policy>(
          false, fmt::format("there is no usable configuration ({}) and HKLM\\SOFTWARE\\RasWarden FailClosed is set",
                             win32::to_utf8(config.location.path)));
      engine_->replace_policy(std::move(policy), core::ip_assignment_settings{});
    } else if (config.rejected && at_start) {
      policy = std::make_shared<core::unusable_policy>(
          config.settings.policy.accept_on_error,
          fmt::format("the configuration {} cannot be used (see its config-rejected record)",
                      win32::to_utf8(config.location.path)));
      engine_->replace_policy(std::move(policy), core::ip_assignment_settings{});
    } else {
      engine_->replace_policy(std::make_shared<core::rule_policy>(config.settings.policy, clock_),
                              config.settings.ip_assignment);
    }
    failure_answer.store(engine_->accept_on_internal_error(), std::memory_order_relaxed);
  }

  // From the watcher thread. A change is loaded once the file has stopped changing for one
  // interval, so a file caught half-written by an editor is not reported as broken.
  void check_for_changes() {
    const win32::file_stamp stamp = win32::stamp_of(watched_.path);
    if (stamp == seen_stamp_) {
      if (!pending_) return;
      pending_ = false;
    } else {
      seen_stamp_ = stamp;
      pending_ = true;
      return;
    }
    if (!stamp.exists) {
      diag_->report(core::severity::warning, core::topic::configuration,
                    fmt::format("the configuration {} was removed; the running configuration stays in force",
                                win32::to_utf8(watched_.path)));
      return;
    }
    win32::loaded_configuration config = win32::load_configuration(watched_);
    if (config.text == loaded_text_ && !config.rejected) return;  // touched, not changed
    const std::string path = win32::to_utf8(watched_.path);
    if (config.rejected) {
      engine_->record_configuration("configuration-reload", path, config.from_file, true, config.problems);
      diag_->report(core::severity::error, core::topic::configuration,
                    fmt::format("the changed configuration {} was not applied ({} problem(s)); the running "
                                "configuration stays in force:{}",
                                path, config.problems.size(), problem_list(config.problems)));
      return;
    }
    apply(config, /*at_start=*/false);
    report_warnings(config);
    loaded_text_ = std::move(config.text);
    diag_->set_event_log_rejections(config.settings.event_log.rejections);
    engine_->record_configuration("configuration-reload", path, true, false, config.problems);
    diag_->report(core::severity::info, core::topic::configuration,
                  fmt::format("the configuration {} was reloaded: {} rule(s), policy.mode {}", path,
                              config.settings.policy.rules.size(),
                              config.settings.policy.mode == core::policy_mode::audit ? "audit" : "enforce"));
    if (!(config.settings.accounting == running_accounting_)) {
      diag_->report(core::severity::warning, core::topic::configuration,
                    "the accounting settings changed; they take effect when the Routing and Remote Access service "
                    "restarts");
    }
  }

  static win32::pipeline_options pipeline_options(const core::accounting_settings& accounting) {
    win32::pipeline_options options;
    options.journal_bytes = std::uint64_t{accounting.journal_mb} << 20;
    options.rotate_bytes = std::uint64_t{accounting.rotate_mb} << 20;
    options.publish_interval = std::chrono::milliseconds(accounting.publish_interval_ms);
    options.flush_interval = std::chrono::milliseconds(accounting.flush_interval_ms);
    options.retention.retention_days = accounting.retention_days;
    options.retention.min_free_bytes = std::uint64_t{accounting.min_free_mb} << 20;
    options.allow_remote_directory = accounting.allow_remote_directory;
    return options;
  }

  core::system_clock clock_;
  std::wstring log_directory_;
  std::unique_ptr<diagnostic_log> diag_;
  std::unique_ptr<win32::session_state_file> store_;
  std::shared_ptr<core::engine> engine_;
  win32::accounting_pipeline* pipeline_ = nullptr;  // owned by the engine's writer
  std::string options_server_;
  std::unique_ptr<win32::record_forwarder> forwarder_;
  std::unique_ptr<win32::periodic_thread> flusher_;
  // Used only by the watcher thread (and the constructor, before it starts).
  win32::configuration_location watched_;
  std::string loaded_text_;
  win32::file_stamp seen_stamp_;
  bool pending_ = false;
  core::accounting_settings running_accounting_;
  std::unique_ptr<win32::periodic_thread> watcher_;
};

namespace {
core::adaptive_mutex instance_mutex;  // taken by every callback to find the instance
std::shared_ptr<instance> running;    // guarded by instance_mutex

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
    previous->stop(callback);
    previous.reset();
  }
  auto fresh = std::make_shared<instance>(callback);
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
    previous->stop(callback);
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
