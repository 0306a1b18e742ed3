// What rrashost drives: a scenario file (explicit sessions on a timeline) and/or a generated load.
// The format is documented in docs/rrashost.md; examples are in docs/scenarios/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/ras_structs.hpp"

namespace raswarden::host {

struct scenario_session {
  connection_spec connection;
  std::vector<link_spec> links;
  std::uint32_t start_ms = 0;   // when the connection arrives, from the start of the run
  std::uint32_t hold_ms = 0;    // how long it stays up before its links and then it hang up
  bool reauthenticate = false;  // a NAP reauthentication while it is up
  bool addresses = true;        // ask the IP callbacks (when a DLL has them) before accepting
};

struct load_options {
  std::uint64_t lifecycles = 0;   // connections to run through accept..hangup
  std::uint32_t concurrency = 1;  // connections held open at once (across all workers)
  std::uint32_t threads = 1;      // worker threads calling into the chain
  double arrival_per_s = 0;       // 0: as fast as possible
  std::uint32_t hold_ms = 0;      // minimum time a connection stays up
  std::uint64_t seed = 1;         // users, tunnels, counters and GUIDs derive from it
  std::uint32_t links_per_session = 1;
  bool addresses = false;  // include the IPv4 Get/Release pair in every lifecycle
};

struct scenario {
  std::string name;
  std::vector<scenario_session> sessions;
  std::optional<load_options> load;
};

// Parses a scenario file. Errors name the file, the JSON path and what was expected.
[[nodiscard]] std::optional<scenario> parse_scenario(std::string_view json_text, std::string_view source,
                                                     std::string& error);

// The deterministic session `index` of a generated load (handles unique per index).
[[nodiscard]] scenario_session generated_session(const load_options& options, std::uint64_t index);

}  // namespace raswarden::host
