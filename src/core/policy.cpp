#include "raswarden/policy.hpp"

namespace raswarden::core {

namespace {
decision accepted_by_default() {
  return decision{true, "default", "no policy configured: accept all", true};
}
}  // namespace

decision accept_all_policy::decide_connection(const connection_info&, const registry_counts&) const {
  return accepted_by_default();
}

decision accept_all_policy::decide_link(const link_info&, const connection_info*, const registry_counts&) const {
  return accepted_by_default();
}

decision accept_all_policy::decide_reauthentication(const connection_info&) const {
  return accepted_by_default();
}

}  // namespace raswarden::core
