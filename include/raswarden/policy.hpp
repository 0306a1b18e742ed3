// Admission policy: the question every accept callback asks. This issue ships accept-all; the
// rule engine replaces it behind the same interface.
#pragma once

#include <cstddef>
#include <string>

#include "raswarden/types.hpp"

namespace raswarden::core {

struct decision {
  bool accept = true;
  std::string rule = "default";  // name of the rule that decided, or "default"
  std::string reason;            // human-readable
  bool enforced = true;          // false in audit mode: recorded as decided, answered as accept

  // What RRAS is told.
  [[nodiscard]] bool answer() const noexcept { return accept || !enforced; }
};

// Counts the registry exposes to a policy while it decides (under the registry's lock, so a
// simultaneous-use limit sees every session admitted before it).
struct registry_counts {
  std::size_t live_connections = 0;
  std::size_t live_links = 0;
  std::size_t user_connections = 0;  // live connections of the user being decided
  std::size_t connection_links = 0;  // live links of the connection being decided
};

class admission_policy {
 public:
  virtual ~admission_policy() = default;
  [[nodiscard]] virtual decision decide_connection(const connection_info& connection,
                                                   const registry_counts& counts) const = 0;
  [[nodiscard]] virtual decision decide_link(const link_info& link, const connection_info* connection,
                                             const registry_counts& counts) const = 0;
  [[nodiscard]] virtual decision decide_reauthentication(const connection_info& connection) const = 0;
};

class accept_all_policy final : public admission_policy {
 public:
  [[nodiscard]] decision decide_connection(const connection_info&, const registry_counts&) const override;
  [[nodiscard]] decision decide_link(const link_info&, const connection_info*, const registry_counts&) const override;
  [[nodiscard]] decision decide_reauthentication(const connection_info&) const override;
};

}  // namespace raswarden::core
