// Address assignment (ip_assignment in the configuration): static addresses per user, named IPv4
// pools and a pool of IPv6 interface identifiers. An address is leased to one (user, port) until
// RRAS releases it, so no address is ever handed to two live sessions. Thread-safe; leases
// survive a configuration reload (a lease outside the new pools lasts until its release).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/types.hpp"

namespace raswarden::core {

struct lease_result {
  bool ok = true;
  std::uint64_t value = 0;  // IPv4: ipv4_to_number form; IPv6: the 64-bit interface identifier
  std::string source;       // "static", "pool", "rras" (RRAS's own proposal kept)
  std::string pool;         // the pool it came from
  std::string reason;       // why not, when !ok
};

class address_allocator {
 public:
  void configure(const ip_assignment_settings& settings);
  [[nodiscard]] bool enabled() const;

  // `pool` names the pool a rule selected ("" = the first pool). `proposed` is RRAS's own choice
  // (0 = none), kept when no static address or pool applies.
  [[nodiscard]] lease_result assign_ipv4(const address_request& request, std::uint32_t proposed, std::string_view pool);
  // True when the address was leased by us (and is now free).
  bool release_ipv4(std::uint32_t address);

  [[nodiscard]] lease_result assign_ipv6(const address_request& request, std::uint64_t proposed_interface_id);
  bool release_ipv6(std::uint64_t interface_id);

  [[nodiscard]] std::size_t ipv4_leases() const;
  [[nodiscard]] std::size_t ipv6_leases() const;

 private:
  // Addresses (or interface identifiers) leased, and to whom.
  struct lease_table {
    std::unordered_map<std::uint64_t, std::string> holder_of;  // value -> "user|port"
    std::unordered_map<std::string, std::uint64_t> value_of;   // "user|port" -> value
    void add(std::uint64_t value, const std::string& holder);
    bool remove(std::uint64_t value);
  };
  struct range_cursor {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t next = 0;  // where the next search starts, so addresses are reused last
  };
  // The first free value of a range, skipping `reserved`; nullopt when every one is taken.
  static std::optional<std::uint64_t> take_free(range_cursor& range, const lease_table& leases,
                                                const std::unordered_set<std::uint64_t>& reserved);
  [[nodiscard]] const static_address* static_for(const address_request& request) const;

  mutable adaptive_mutex mutex_;
  ip_assignment_settings settings_;
  std::map<std::string, range_cursor> pools_;  // by lower-case name
  std::unordered_set<std::uint64_t> static_values_;
  std::optional<range_cursor> ipv6_ids_;
  lease_table ipv4_;
  lease_table ipv6_;
};

}  // namespace raswarden::core
