// rrashost: loads RRAS admin DLLs as RRAS does and drives them through connection lifecycles.
// This first version runs the built-in demo; scenarios, generated load and the conformance
// check build on the same host library.
#include <cstdio>
#include <cwchar>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/xchar.h>

#include "host/admin_dll.hpp"
#include "host/ras_structs.hpp"
#include "win32/system.hpp"

namespace {

using raswarden::host::admin_dll;
using raswarden::host::connection_spec;
using raswarden::host::link_spec;
using raswarden::host::tunnel_type;

void usage() {
  std::fputs(
      "usage: rrashost --dll PATH --demo\n"
      "  --dll PATH   the admin DLL to load (as RRAS would from DLLPath)\n"
      "  --demo       drive a few realistic connection lifecycles and print each decision\n",
      stderr);
}

// "10.20.0.11" -> the DWORD RRAS passes: the address as it lies in memory, first octet lowest.
DWORD ipv4_of(const std::wstring& text) {
  unsigned parts[4] = {0, 0, 0, 0};
  if (std::swscanf(text.c_str(), L"%u.%u.%u.%u", &parts[0], &parts[1], &parts[2], &parts[3]) != 4) return 0;
  return (parts[0] & 0xFF) | ((parts[1] & 0xFF) << 8) | ((parts[2] & 0xFF) << 16) | ((parts[3] & 0xFF) << 24);
}

struct demo_session {
  connection_spec connection;
  std::vector<link_spec> links;
};

std::vector<demo_session> demo_sessions() {
  std::vector<demo_session> sessions;
  const auto add = [&](std::uintptr_t handle, tunnel_type tunnel, const wchar_t* user, const wchar_t* client,
                       const wchar_t* endpoint, DWORD duration, DWORD bytes_in, DWORD bytes_out, int links) {
    demo_session s;
    s.connection.handle = handle;
    s.connection.interface_handle = handle + 1;
    s.connection.guid = raswarden::host::make_guid(0xD3D0, handle);
    s.connection.tunnel = tunnel;
    s.connection.user = user;
    s.connection.domain = L"CONTOSO";
    s.connection.remote_computer = L"LAPTOP-" + std::wstring(user).substr(0, 5);
    s.connection.client_ipv4 = client;
    s.connection.server_ipv4 = L"10.20.0.1";
    s.connection.remote_endpoint = endpoint;
    s.connection.local_endpoint = L"198.51.100.10";
    s.connection.duration_s = duration;
    s.connection.counters = {bytes_in, bytes_out, bytes_in / 1200, bytes_out / 1200, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < links; ++i) {
      link_spec l;
      l.port = handle + 0x100 + static_cast<std::uintptr_t>(i);
      l.connection = handle;
      l.tunnel = tunnel;
      l.port_name = fmt::format(L"{}{}-{}", tunnel == tunnel_type::dialup ? L"COM" : L"VPN", i + 1, handle % 100);
      l.line_speed_bps = tunnel == tunnel_type::dialup ? 56000 : 1000000000;
      l.duration_s = duration;
      l.counters = {bytes_in / static_cast<DWORD>(links), bytes_out / static_cast<DWORD>(links), 0, 0, 0, 0, 0, 0, 0, 0};
      s.links.push_back(l);
    }
    sessions.push_back(std::move(s));
  };
  add(0x1000, tunnel_type::sstp, L"alice", L"10.20.0.11", L"203.0.113.7", 1834, 18'400'512, 240'118'272, 1);
  add(0x2000, tunnel_type::ikev2, L"bob", L"10.20.0.12", L"203.0.113.42", 95, 311'002, 2'048'100, 1);
  add(0x3000, tunnel_type::dialup, L"carol", L"10.20.0.13", L"", 620, 1'200'400, 3'400'800, 2);
  add(0x4000, tunnel_type::l2tp, L"dave", L"10.20.0.14", L"198.51.100.77", 12, 40'960, 81'920, 1);
  return sessions;
}

int run_demo(admin_dll& dll) {
  std::vector<demo_session> sessions = demo_sessions();
  for (demo_session& session : sessions) {
    const auto& c = session.connection;
    auto structs = raswarden::host::make_connection(c);
    const std::string user = raswarden::win32::to_utf8(c.user);
    DWORD assigned = 0;
    if (dll.has_ip_callbacks()) {
      std::wstring port = session.links.front().port_name;
      // RRAS proposes the address it picked; the DLL may keep or replace it.
      DWORD address = ipv4_of(c.client_ipv4);
      BOOL notify = FALSE;
      const DWORD result =
          dll.entry().callbacks.lpfnMprAdminGetIpAddressForUser(structs->c0.wszUserName, port.data(), &address, &notify);
      fmt::print("  GetIpAddressForUser   {:<6} -> {} {}.{}.{}.{} (notify release: {})\n", user,
                 result == NO_ERROR ? "NO_ERROR" : fmt::format("error {}", result), address & 0xFF,
                 (address >> 8) & 0xFF, (address >> 16) & 0xFF, address >> 24, notify != FALSE);
      assigned = address;
    }
    const bool accepted = dll.accept_connection(*structs);
    fmt::print("{} AcceptNewConnection   {:<6} {:<6} -> {}\n", dll.entry().ex_path ? "Ex" : "  ", user,
               raswarden::host::to_string(c.tunnel), accepted ? "ACCEPT" : "REJECT");
    if (!accepted) continue;
    std::vector<raswarden::host::port_structs> ports;
    for (const link_spec& l : session.links) {
      ports.push_back(raswarden::host::make_port(l));
      const bool link_ok = dll.accept_link(ports.back());
      fmt::print("   AcceptNewLink        {:<6} {:<8} -> {}\n", user, raswarden::win32::to_utf8(l.port_name),
                 link_ok ? "ACCEPT" : "REJECT");
    }
    for (auto& p : ports) {
      dll.hangup_link(p);
      fmt::print("   LinkHangup           {:<6} {}\n", user, raswarden::win32::to_utf8(p.p0.wszPortName));
    }
    dll.hangup_connection(*structs);
    fmt::print("   ConnectionHangup     {:<6} after {} s, {} bytes in, {} bytes out\n", user, c.duration_s,
               c.counters.bytes_in, c.counters.bytes_out);
    if (dll.has_ip_callbacks()) {
      std::wstring port = session.links.front().port_name;
      DWORD address = assigned;
      dll.entry().callbacks.lpfnMprAdminReleaseIpAddress(structs->c0.wszUserName, port.data(), &address);
    }
  }
  return 0;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  std::wstring dll_path;
  bool demo = false;
  for (int i = 1; i < argc; ++i) {
    const std::wstring arg = argv[i];
    if (arg == L"--dll" && i + 1 < argc) {
      dll_path = argv[++i];
    } else if (arg == L"--demo") {
      demo = true;
    } else {
      usage();
      return 2;
    }
  }
  if (dll_path.empty() || !demo) {
    usage();
    return 2;
  }
  std::string error;
  auto dll = admin_dll::load(dll_path, error);
  if (!dll) {
    fmt::print(stderr, "rrashost: {}\n", error);
    return 1;
  }
  const auto problems = dll->initialize();
  if (!problems.empty()) {
    fmt::print(stderr, "rrashost: RRAS would refuse {} and fail to start:\n", raswarden::win32::to_utf8(dll_path));
    for (const auto& p : problems) fmt::print(stderr, "  - {}\n", p);
    return 1;
  }
  fmt::print("Loaded {} through {} (callbacks revision {})\n", raswarden::win32::to_utf8(dll_path),
             dll->entry().ex_path ? "MprAdminInitializeDllEx" : "the legacy named exports",
             dll->entry().callbacks.revision);
  const int result = run_demo(*dll);
  const DWORD terminated = dll->terminate();
  fmt::print("MprAdminTerminateDll -> {}\n", terminated == NO_ERROR ? "NO_ERROR" : fmt::format("{}", terminated));
  return result;
}
