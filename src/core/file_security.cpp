#include "raswarden/file_security.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

namespace raswarden::core {

namespace {

struct alias {
  std::string_view code;
  std::string_view sid;
  std::string_view name;
};

// The SDDL aliases that name a SID without a domain. Those relative to a domain (DA, DU, LA,
// ...) cannot be resolved here and make the text unreadable, which judges it unsafe.
constexpr std::array aliases{
    alias{"SY", "S-1-5-18", "NT AUTHORITY\\SYSTEM"},
    alias{"BA", "S-1-5-32-544", "BUILTIN\\Administrators"},
    alias{"BU", "S-1-5-32-545", "BUILTIN\\Users"},
    alias{"BG", "S-1-5-32-546", "BUILTIN\\Guests"},
    alias{"PU", "S-1-5-32-547", "BUILTIN\\Power Users"},
    alias{"AO", "S-1-5-32-548", "BUILTIN\\Account Operators"},
    alias{"SO", "S-1-5-32-549", "BUILTIN\\Server Operators"},
    alias{"PO", "S-1-5-32-550", "BUILTIN\\Print Operators"},
    alias{"BO", "S-1-5-32-551", "BUILTIN\\Backup Operators"},
    alias{"RE", "S-1-5-32-552", "BUILTIN\\Replicator"},
    alias{"RU", "S-1-5-32-554", "BUILTIN\\Pre-Windows 2000 Compatible Access"},
    alias{"RD", "S-1-5-32-555", "BUILTIN\\Remote Desktop Users"},
    alias{"NO", "S-1-5-32-556", "BUILTIN\\Network Configuration Operators"},
    alias{"MU", "S-1-5-32-558", "BUILTIN\\Performance Monitor Users"},
    alias{"LU", "S-1-5-32-559", "BUILTIN\\Performance Log Users"},
    alias{"IS", "S-1-5-32-568", "BUILTIN\\IIS_IUSRS"},
    alias{"CY", "S-1-5-32-569", "BUILTIN\\Cryptographic Operators"},
    alias{"ER", "S-1-5-32-573", "BUILTIN\\Event Log Readers"},
    alias{"RM", "S-1-5-32-580", "BUILTIN\\Remote Management Users"},
    alias{"WD", "S-1-1-0", "Everyone"},
    alias{"CO", "S-1-3-0", "CREATOR OWNER"},
    alias{"CG", "S-1-3-1", "CREATOR GROUP"},
    alias{"OW", "S-1-3-4", "OWNER RIGHTS"},
    alias{"NU", "S-1-5-2", "NT AUTHORITY\\NETWORK"},
    alias{"IU", "S-1-5-4", "NT AUTHORITY\\INTERACTIVE"},
    alias{"SU", "S-1-5-6", "NT AUTHORITY\\SERVICE"},
    alias{"AN", "S-1-5-7", "NT AUTHORITY\\ANONYMOUS LOGON"},
    alias{"ED", "S-1-5-9", "NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS"},
    alias{"PS", "S-1-5-10", "NT AUTHORITY\\SELF"},
    alias{"AU", "S-1-5-11", "NT AUTHORITY\\Authenticated Users"},
    alias{"RC", "S-1-5-12", "NT AUTHORITY\\RESTRICTED"},
    alias{"WR", "S-1-5-33", "NT AUTHORITY\\WRITE RESTRICTED"},
    alias{"LS", "S-1-5-19", "NT AUTHORITY\\LOCAL SERVICE"},
    alias{"NS", "S-1-5-20", "NT AUTHORITY\\NETWORK SERVICE"},
    alias{"AC", "S-1-15-2-1", "ALL APPLICATION PACKAGES"},
    alias{"LW", "S-1-16-4096", "Low Mandatory Level"},
    alias{"ME", "S-1-16-8192", "Medium Mandatory Level"},
    alias{"HI", "S-1-16-12288", "High Mandatory Level"},
    alias{"SI", "S-1-16-16384", "System Mandatory Level"},
};

struct right {
  std::string_view code;
  std::uint32_t mask;
};

constexpr std::array rights{
    right{"GA", 0x10000000u}, right{"GR", 0x80000000u}, right{"GW", 0x40000000u}, right{"GX", 0x20000000u},
    right{"RC", 0x00020000u}, right{"SD", 0x00010000u}, right{"WD", 0x00040000u}, right{"WO", 0x00080000u},
    right{"CC", 0x00000001u}, right{"DC", 0x00000002u}, right{"LC", 0x00000004u}, right{"SW", 0x00000008u},
    right{"RP", 0x00000010u}, right{"WP", 0x00000020u}, right{"DT", 0x00000040u}, right{"LO", 0x00000080u},
    right{"CR", 0x00000100u}, right{"FA", 0x001F01FFu}, right{"FR", 0x00120089u}, right{"FW", 0x00120116u},
    right{"FX", 0x001200A0u}, right{"KA", 0x000F003Fu}, right{"KR", 0x00020019u}, right{"KW", 0x00020006u},
    right{"KX", 0x00020019u}, right{"NR", 0x00000001u}, right{"NW", 0x00000002u}, right{"NX", 0x00000004u},
};

bool is_sid_string(std::string_view text) noexcept {
  if (text.size() < 5 || text.substr(0, 4) != "S-1-") return false;
  for (const char c : text.substr(4)) {
    if ((c < '0' || c > '9') && c != '-') return false;
  }
  return text.back() != '-';
}

std::optional<std::string> resolve_sid(std::string_view text) {
  if (is_sid_string(text)) return std::string(text);
  for (const alias& a : aliases) {
    if (a.code == text) return std::string(a.sid);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> parse_rights(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    std::uint32_t mask = 0;
    const auto [end, error] = std::from_chars(text.data() + 2, text.data() + text.size(), mask, 16);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return mask;
  }
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    std::uint32_t mask = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), mask, 10);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return mask;
  }
  if (text.size() % 2 != 0) return std::nullopt;
  std::uint32_t mask = 0;
  for (std::size_t at = 0; at < text.size(); at += 2) {
    bool known = false;
    for (const right& r : rights) {
      if (r.code == text.substr(at, 2)) {
        mask |= r.mask;
        known = true;
        break;
      }
    }
    if (!known) return std::nullopt;
  }
  return mask;
}

// "(type;flags;rights;object_guid;inherit_object_guid;sid[;attributes])" without the brackets.
std::optional<access_entry> parse_entry(std::string_view body, std::string& problem) {
  std::array<std::string_view, 6> fields;
  std::size_t field = 0;
  std::size_t start = 0;
  for (std::size_t at = 0; at <= body.size() && field < fields.size(); ++at) {
    if (at == body.size() || body[at] == ';') {
      fields[field++] = body.substr(start, at - start);
      start = at + 1;
    }
  }
  const std::string text = fmt::format("({})", body);
  if (field < fields.size()) {
    problem = fmt::format("the entry {} has fewer than six fields", text);
    return std::nullopt;
  }
  access_entry entry;
  entry.text = text;
  const std::string_view type = fields[0];
  if (type == "A" || type == "OA" || type == "XA" || type == "ZA") {
    entry.kind = 'A';
  } else if (type == "D" || type == "OD" || type == "XD") {
    entry.kind = 'D';
  } else if (type == "AU" || type == "AL" || type == "OU" || type == "OL" || type == "XU" || type == "ML" ||
             type == "RA" || type == "SP" || type == "SC") {
    entry.kind = 'U';
  } else {
    problem = fmt::format("the entry {} has an unknown type", text);
    return std::nullopt;
  }
  const std::string_view flags = fields[1];
  if (flags.size() % 2 != 0) {
    problem = fmt::format("the entry {} has unreadable flags", text);
    return std::nullopt;
  }
  for (std::size_t at = 0; at < flags.size(); at += 2) {
    if (flags.substr(at, 2) == "IO") entry.inherit_only = true;
  }
  const auto mask = parse_rights(fields[2]);
  if (!mask) {
    problem = fmt::format("the entry {} has unreadable rights", text);
    return std::nullopt;
  }
  entry.mask = *mask;
  // The SID field ends at the next ';' (conditional and resource-attribute entries go on).
  const auto sid = resolve_sid(fields[5]);
  if (!sid) {
    problem = fmt::format("the entry {} names a principal that cannot be resolved here", text);
    return std::nullopt;
  }
  entry.sid = *sid;
  return entry;
}

// The entries and flags of a "D:" or "S:" part.
bool parse_acl(std::string_view text, bool& is_protected, bool& null_acl, std::vector<access_entry>* entries,
               std::string& problem) {
  std::size_t at = 0;
  while (at < text.size() && text[at] != '(') ++at;
  is_protected = false;
  null_acl = false;
  for (std::string_view flags = text.substr(0, at); !flags.empty();) {
    if (flags.starts_with("NO_ACCESS_CONTROL")) {
      null_acl = true;
      flags.remove_prefix(17);
    } else if (flags.starts_with("AI") || flags.starts_with("AR")) {
      flags.remove_prefix(2);
    } else if (flags.starts_with("P")) {
      is_protected = true;
      flags.remove_prefix(1);
    } else {
      problem = fmt::format("unknown ACL flags '{}'", flags);
      return false;
    }
  }
  while (at < text.size()) {
    if (text[at] != '(') {
      problem = fmt::format("unexpected '{}' between entries", text[at]);
      return false;
    }
    int depth = 0;
    std::size_t end = at;
    for (; end < text.size(); ++end) {
      if (text[end] == '(') ++depth;
      if (text[end] == ')' && --depth == 0) break;
    }
    if (end == text.size()) {
      problem = "an entry is not closed";
      return false;
    }
    auto entry = parse_entry(text.substr(at + 1, end - at - 1), problem);
    if (!entry) return false;
    if (entries != nullptr) entries->push_back(std::move(*entry));
    at = end + 1;
  }
  return true;
}

}  // namespace

std::optional<parsed_descriptor> parse_sddl(std::string_view sddl, std::string& problem) {
  problem.clear();
  parsed_descriptor out;
  // Split into tagged parts "X:..." with X one of O, G, D, S, found outside brackets.
  std::vector<std::size_t> starts;
  int depth = 0;
  for (std::size_t at = 0; at < sddl.size(); ++at) {
    const char c = sddl[at];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && at + 1 < sddl.size() && sddl[at + 1] == ':' && (c == 'O' || c == 'G' || c == 'D' || c == 'S')) {
      starts.push_back(at);
      ++at;
    } else if (starts.empty()) {
      problem = "it does not start with O:, G:, D: or S:";
      return std::nullopt;
    }
  }
  if (starts.empty()) {
    problem = "it is empty";
    return std::nullopt;
  }
  std::vector<std::pair<char, std::string_view>> parts;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::size_t end = i + 1 < starts.size() ? starts[i + 1] : sddl.size();
    parts.emplace_back(sddl[starts[i]], sddl.substr(starts[i] + 2, end - starts[i] - 2));
  }
  for (const auto& [tag, value] : parts) {
    switch (tag) {
      case 'O': {
        auto sid = resolve_sid(value);
        if (!sid) {
          problem = fmt::format("its owner '{}' cannot be resolved here", value);
          return std::nullopt;
        }
        out.owner = std::move(*sid);
        break;
      }
      case 'G': break;
      case 'D': {
        bool null_acl = false;
        if (!parse_acl(value, out.dacl_protected, null_acl, &out.dacl, problem)) return std::nullopt;
        out.has_dacl = !null_acl;
        break;
      }
      case 'S': {
        bool ignored = false;
        if (!parse_acl(value, ignored, ignored, nullptr, problem)) return std::nullopt;
        break;
      }
      default: break;
    }
  }
  return out;
}

bool is_trusted_sid(std::string_view sid, std::string_view self_sid) noexcept {
  return sid == well_known_sid::local_system || sid == well_known_sid::administrators ||
         sid == well_known_sid::trusted_installer || (!self_sid.empty() && sid == self_sid);
}

std::string describe_sid(std::string_view sid) {
  if (sid == well_known_sid::trusted_installer) return fmt::format("{} (NT SERVICE\\TrustedInstaller)", sid);
  for (const alias& a : aliases) {
    if (a.sid == sid) return fmt::format("{} ({})", sid, a.name);
  }
  return std::string(sid);
}

security_verdict judge_descriptor(std::string_view sddl, std::string_view self_sid) {
  security_verdict verdict;
  std::string problem;
  const auto descriptor = parse_sddl(sddl, problem);
  if (!descriptor) {
    verdict.problem = fmt::format("has a security descriptor that cannot be judged ({})", problem);
    return verdict;
  }
  if (!descriptor->owner) {
    verdict.problem = "has no owner";
    return verdict;
  }
  if (!is_trusted_sid(*descriptor->owner, self_sid)) {
    verdict.problem = fmt::format(
        "is owned by {}, who is not SYSTEM, Administrators, TrustedInstaller or this "
        "service's account",
        describe_sid(*descriptor->owner));
    return verdict;
  }
  if (!descriptor->has_dacl) {
    verdict.problem = "has no DACL, so everyone has full control";
    return verdict;
  }
  for (const access_entry& entry : descriptor->dacl) {
    if (entry.kind != 'A' || entry.inherit_only || (entry.mask & write_access_mask) == 0) continue;
    if (is_trusted_sid(entry.sid, self_sid)) continue;
    // OWNER RIGHTS is the (trusted) owner; CREATOR OWNER on the object itself matches no one.
    if (entry.sid == well_known_sid::owner_rights || entry.sid == well_known_sid::creator_owner) continue;
    verdict.problem =
        fmt::format("lets {} write or change it through the entry {}", describe_sid(entry.sid), entry.text);
    return verdict;
  }
  verdict.trusted = true;
  return verdict;
}

std::string protected_dacl_sddl(std::string_view self_sid, std::string_view reader_sid) {
  std::string sddl = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
  if (!self_sid.empty() && self_sid != well_known_sid::local_system && self_sid != well_known_sid::administrators) {
    sddl += fmt::format("(A;OICI;FA;;;{})", self_sid);
  }
  // Read, list and traverse: 0x1200a9 (FILE_GENERIC_READ | FILE_GENERIC_EXECUTE).
  if (!reader_sid.empty()) sddl += fmt::format("(A;OICI;0x1200a9;;;{})", reader_sid);
  return sddl;
}

}  // namespace raswarden::core
