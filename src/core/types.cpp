#include "raswarden/types.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "raswarden/text.hpp"

namespace raswarden::core {

bool guid::is_nil() const noexcept {
  return data1 == 0 && data2 == 0 && data3 == 0 &&
         std::all_of(data4.begin(), data4.end(), [](std::uint8_t b) { return b == 0; });
}

std::array<char, 36> guid::text() const noexcept {
  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case, without allocating: every record has one.
  static constexpr std::string_view hex = "0123456789abcdef";
  std::array<char, 36> out{};
  std::size_t at = 0;
  const auto put = [&](std::uint64_t value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out[at++] = hex[(value >> shift) & 0xF];
  };
  put(data1, 8);
  out[at++] = '-';
  put(data2, 4);
  out[at++] = '-';
  put(data3, 4);
  out[at++] = '-';
  put(data4[0], 2);
  put(data4[1], 2);
  out[at++] = '-';
  for (std::size_t i = 2; i < data4.size(); ++i) put(data4[i], 2);
  return out;
}

std::string guid::to_string() const {
  const std::array<char, 36> chars = text();
  return {chars.data(), chars.size()};
}

interface_type interface_type_from_raw(std::uint32_t raw) noexcept {
  return raw <= static_cast<std::uint32_t>(interface_type::dialout) ? static_cast<interface_type>(raw)
                                                                    : interface_type::unknown;
}

std::string_view to_string(interface_type type) noexcept {
  switch (type) {
    case interface_type::client: return "client";
    case interface_type::home_router: return "home-router";
    case interface_type::full_router: return "full-router";
    case interface_type::dedicated: return "dedicated";
    case interface_type::internal: return "internal";
    case interface_type::loopback: return "loopback";
    case interface_type::tunnel: return "tunnel";
    case interface_type::dialout: return "dialout";
    case interface_type::unknown: break;
  }
  return "unknown";
}

std::string_view to_string(tunnel_kind kind) noexcept {
  switch (kind) {
    case tunnel_kind::pptp: return "pptp";
    case tunnel_kind::l2tp: return "l2tp";
    case tunnel_kind::sstp: return "sstp";
    case tunnel_kind::ikev2: return "ikev2";
    case tunnel_kind::ppp: return "ppp";
    case tunnel_kind::unknown: break;
  }
  return "unknown";
}

namespace {
char lower_ascii(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
// `word` is lower case; `text` may be any case. No copies: this runs for every link.
bool contains_word(std::string_view text, std::string_view word) noexcept {
  if (word.size() > text.size()) return false;
  for (std::size_t start = 0; start + word.size() <= text.size(); ++start) {
    std::size_t i = 0;
    while (i < word.size() && lower_ascii(text[start + i]) == word[i]) ++i;
    if (i == word.size()) return true;
  }
  return false;
}
bool equals_word(std::string_view text, std::string_view word) noexcept {
  return text.size() == word.size() && contains_word(text, word);
}
}  // namespace

tunnel_kind tunnel_from_device(std::string_view device_type, std::string_view device_name) noexcept {
  // RRAS names its WAN miniports "WAN Miniport (PPTP)" and so on; dial-up devices are modems or
  // ISDN adapters whose device type says so.
  if (contains_word(device_name, "pptp")) return tunnel_kind::pptp;
  if (contains_word(device_name, "l2tp")) return tunnel_kind::l2tp;
  if (contains_word(device_name, "sstp")) return tunnel_kind::sstp;
  if (contains_word(device_name, "ikev2")) return tunnel_kind::ikev2;
  for (const std::string_view dial_up : {"modem", "isdn", "serial", "pad", "x25", "parallel"}) {
    if (equals_word(device_type, dial_up)) return tunnel_kind::ppp;
  }
  if (contains_word(device_name, "modem")) return tunnel_kind::ppp;
  return tunnel_kind::unknown;
}

quarantine_state quarantine_state_from_raw(std::uint32_t raw) noexcept {
  return raw <= static_cast<std::uint32_t>(quarantine_state::not_capable) ? static_cast<quarantine_state>(raw)
                                                                          : quarantine_state::unknown;
}

std::string_view to_string(quarantine_state state) noexcept {
  switch (state) {
    case quarantine_state::normal: return "normal";
    case quarantine_state::quarantine: return "quarantine";
    case quarantine_state::probation: return "probation";
    case quarantine_state::not_capable: return "not-capable";
    case quarantine_state::unknown: break;
  }
  return "unknown";
}

std::string auth_protocol_name(const authentication& auth) {
  if (auth.ikev2) {
    switch (auth.protocol) {
      case 1: return "ikev2-cert";
      case 2: return auth.eap_type != 0 ? fmt::format("ikev2-eap-{}", auth.eap_type) : "ikev2-eap";
      default: return auth.protocol == 0 ? "" : fmt::format("ikev2-{}", auth.protocol);
    }
  }
  switch (auth.protocol) {
    case 0: return "";
    case 0xC023: return "pap";
    case 0xC027: return "spap";
    case 0xC223:
      switch (auth.data) {
        case 0x05: return "chap-md5";
        case 0x80: return "mschap";
        case 0x81: return "mschapv2";
        default: return "chap";
      }
    case 0xC227:
      switch (auth.eap_type) {
        case 13: return "eap-tls";
        case 25: return "peap";
        case 26: return "eap-mschapv2";
        default: return fmt::format("eap-{}", auth.eap_type);
      }
    default: return fmt::format("0x{:04x}", auth.protocol);
  }
}

namespace {
template <typename T>
void fill(std::optional<T>& mine, const std::optional<T>& theirs) {
  if (!mine && theirs) mine = theirs;
}
void fill(std::string& mine, const std::string& theirs) {
  if (mine.empty() && !theirs.empty()) mine = theirs;
}
}  // namespace

namespace {
template <typename T>
void take(std::optional<T>& mine, const std::optional<T>& theirs) {
  if (theirs) mine = theirs;
}
void take(std::string& mine, const std::string& theirs) {
  // Assigning into the existing string reuses its buffer: no allocation for the same text.
  if (!theirs.empty()) mine = theirs;
}
}  // namespace

void connection_info::update_from(const connection_info& latest) {
  if (latest.interface_handle != 0) interface_handle = latest.interface_handle;
  take(id, latest.id);
  take(user, latest.user);
  take(domain, latest.domain);
  take(interface_name, latest.interface_name);
  take(if_type, latest.if_type);
  take(remote_computer, latest.remote_computer);
  take(flags, latest.flags);
  take(duration_s, latest.duration_s);
  take(traffic, latest.traffic);
  take(client_ipv4, latest.client_ipv4);
  take(server_ipv4, latest.server_ipv4);
  take(client_ipv6, latest.client_ipv6);
  take(remote_endpoint, latest.remote_endpoint);
  take(local_endpoint, latest.local_endpoint);
  take(auth, latest.auth);
  take(quarantine, latest.quarantine);
  take(probation_until_unix_ms, latest.probation_until_unix_ms);
  take(terminate_reason, latest.terminate_reason);
  take(remote_terminate_reason, latest.remote_terminate_reason);
  take(switch_overs, latest.switch_overs);
  take(tunnel, latest.tunnel);
}

void connection_info::merge_missing_from(const connection_info& other) {
  if (interface_handle == 0) interface_handle = other.interface_handle;
  fill(id, other.id);
  fill(user, other.user);
  fill(domain, other.domain);
  fill(interface_name, other.interface_name);
  fill(if_type, other.if_type);
  fill(remote_computer, other.remote_computer);
  fill(flags, other.flags);
  fill(duration_s, other.duration_s);
  fill(traffic, other.traffic);
  fill(client_ipv4, other.client_ipv4);
  fill(server_ipv4, other.server_ipv4);
  fill(client_ipv6, other.client_ipv6);
  fill(remote_endpoint, other.remote_endpoint);
  fill(local_endpoint, other.local_endpoint);
  fill(auth, other.auth);
  fill(quarantine, other.quarantine);
  fill(probation_until_unix_ms, other.probation_until_unix_ms);
  fill(terminate_reason, other.terminate_reason);
  fill(remote_terminate_reason, other.remote_terminate_reason);
  fill(switch_overs, other.switch_overs);
  fill(tunnel, other.tunnel);
}

}  // namespace raswarden::core
