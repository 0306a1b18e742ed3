#include "raswarden/settings.hpp"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

namespace raswarden::core {

namespace {

using json = nlohmann::ordered_json;  // problems are reported in file order

// Reads one object's keys into settings, recording a problem (and keeping the default) for every
// unknown key or wrong value.
class object_reader {
 public:
  object_reader(const json& object, std::string path, std::string_view source, std::vector<std::string>& problems)
      : object_(object), path_(std::move(path)), source_(source), problems_(problems) {}

  void problem(const std::string& key, const std::string& what) const {
    problems_.push_back(fmt::format("{}: {}/{}: {}", source_, path_, key, what));
  }

  // Calls the handler for each known key; reports the unknown ones.
  void each(const std::map<std::string, std::function<void(const std::string&, const json&)>>& handlers) const {
    for (const auto& [key, value] : object_.items()) {
      const auto handler = handlers.find(key);
      if (handler == handlers.end()) {
        problem(key, "unknown key");
      } else {
        handler->second(key, value);
      }
    }
  }

  void read(const std::string& key, const json& value, std::uint32_t& out, std::uint32_t min, std::uint32_t max) const {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() >= min && value.get<std::uint64_t>() <= max) {
      out = static_cast<std::uint32_t>(value.get<std::uint64_t>());
    } else {
      problem(key, fmt::format("expected an integer from {} to {}, found {}", min, max, value.dump()));
    }
  }
  void read(const std::string& key, const json& value, std::string& out) const {
    if (value.is_string() && !value.get<std::string>().empty()) {
      out = value.get<std::string>();
    } else {
      problem(key, fmt::format("expected a non-empty string, found {}", value.dump()));
    }
  }
  void read(const std::string& key, const json& value, bool& out) const {
    if (value.is_boolean()) {
      out = value.get<bool>();
    } else {
      problem(key, fmt::format("expected true or false, found {}", value.dump()));
    }
  }
  template <typename Choice>
  void read_choice(const std::string& key, const json& value, Choice& out,
                   const std::vector<std::pair<std::string, Choice>>& choices) const {
    std::string names;
    for (const auto& [name, choice] : choices) {
      if (value.is_string() && value.get<std::string>() == name) {
        out = choice;
        return;
      }
      names += (names.empty() ? "\"" : ", \"") + name + "\"";
    }
    problem(key, fmt::format("expected one of {}, found {}", names, value.dump()));
  }
  [[nodiscard]] bool require_object(const std::string& key, const json& value) const {
    if (value.is_object()) return true;
    problem(key, fmt::format("expected an object, found {}", value.type_name()));
    return false;
  }
  [[nodiscard]] std::string child(const std::string& key) const { return path_ + "/" + key; }

 private:
  const json& object_;
  std::string path_;
  std::string_view source_;
  std::vector<std::string>& problems_;
};

void read_forward(const object_reader& parent, const std::string& key, const json& value, forward_settings& out,
                  std::string_view source, std::vector<std::string>& problems) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), source, problems);
  std::uint32_t port = out.port;
  r.each({
      {"enabled", [&](const std::string& k, const json& v) { r.read(k, v, out.enabled); }},
      {"transport",
       [&](const std::string& k, const json& v) {
         r.read_choice<std::string>(k, v, out.transport, {{"tcp", "tcp"}, {"udp", "udp"}});
       }},
      {"host", [&](const std::string& k, const json& v) { r.read(k, v, out.host); }},
      {"port", [&](const std::string& k, const json& v) { r.read(k, v, port, 1, 65535); }},
  });
  out.port = static_cast<std::uint16_t>(port);
  if (out.enabled && out.host.empty()) r.problem("host", "required when forwarding is enabled; forwarding stays off");
  if (out.enabled && out.host.empty()) out.enabled = false;
}

void read_accounting(const object_reader& parent, const std::string& key, const json& value, accounting_settings& out,
                     std::string_view source, std::vector<std::string>& problems) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), source, problems);
  r.each({
      {"directory", [&](const std::string& k, const json& v) { r.read(k, v, out.directory); }},
      {"rotate_mb", [&](const std::string& k, const json& v) { r.read(k, v, out.rotate_mb, 1, 4096); }},
      {"retention_days", [&](const std::string& k, const json& v) { r.read(k, v, out.retention_days, 0, 36500); }},
      {"min_free_mb", [&](const std::string& k, const json& v) { r.read(k, v, out.min_free_mb, 0, 1048576); }},
      {"flush_interval_ms",
       [&](const std::string& k, const json& v) { r.read(k, v, out.flush_interval_ms, 10, 60000); }},
      {"queue_limit", [&](const std::string& k, const json& v) { r.read(k, v, out.queue_limit, 0, 10000000); }},
      {"on_failure",
       [&](const std::string& k, const json& v) {
         r.read_choice<failure_mode>(
             k, v, out.on_failure,
             {{"continue", failure_mode::continue_admitting}, {"reject", failure_mode::reject_new}});
       }},
      {"forward", [&](const std::string& k, const json& v) { read_forward(r, k, v, out.forward, source, problems); }},
  });
}

}  // namespace

settings_result parse_settings(std::string_view json_text, std::string_view source_name) {
  settings_result result;
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::parse_error& e) {
    result.problems.push_back(fmt::format("{}: not valid JSON at byte {}: {}", source_name, e.byte, e.what()));
    result.document_ok = false;
    return result;
  }
  if (!document.is_object()) {
    result.problems.push_back(fmt::format("{}: /: expected an object, found {}", source_name, document.type_name()));
    result.document_ok = false;
    return result;
  }
  const object_reader root(document, "", source_name, result.problems);
  root.each({
      {"schema",
       [&](const std::string& k, const json& v) {
         if (!v.is_number_unsigned() || v.get<std::uint64_t>() != 1)
           root.problem(k, fmt::format("expected 1, found {}", v.dump()));
       }},
      {"accounting",
       [&](const std::string& k, const json& v) {
         read_accounting(root, k, v, result.value.accounting, source_name, result.problems);
       }},
      {"event_log",
       [&](const std::string& k, const json& v) {
         if (!root.require_object(k, v)) return;
         const object_reader r(v, root.child(k), source_name, result.problems);
         r.each({{"rejections", [&](const std::string& key, const json& value) {
                    r.read(key, value, result.value.event_log.rejections);
                  }}});
       }},
  });
  return result;
}

}  // namespace raswarden::core
