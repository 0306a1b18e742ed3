// What the forwarder reports about its delivery, portable so the engine can put it in the
// service-stop record and `raswarden status` can show the same numbers.
#pragma once

#include <cstdint>

namespace raswarden::core {

struct forward_lag {
  bool enabled = false;
  std::uint64_t records = 0;  // published records not yet delivered (acknowledged, for RELP)
  std::uint64_t bytes = 0;    // their bytes in the public files
  std::uint64_t resent = 0;   // records this run sent more than once (after a reconnect)
};

}  // namespace raswarden::core
