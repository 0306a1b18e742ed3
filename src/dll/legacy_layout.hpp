// The structs the NT 4.0 admin callbacks (rassapi.h) receive, spelled with fixed-width types so
// they exist without <windows.h>: the DLL reads RRAS's memory through them on Windows, and the
// fuzzer (tests/fuzz/legacy_port_fuzz.cpp) builds and feeds them natively, so both run the same
// conversion code (legacy_conversion.cpp). They live apart from ras_layout.hpp because rassapi.h
// and mprapi.h cannot share a translation unit, and so neither can their checks.
//
// Each struct mirrors the SDK struct of the same name member for member, with the SDK's member
// names and ras_layout.hpp's spelling (WCHAR -> char16_t, DWORD -> std::uint32_t, WORD ->
// std::uint16_t, BOOL -> std::int32_t, CHAR -> char). On Windows, legacy_exports.cpp
// static_asserts that the size and alignment of every struct and the offset and size of every
// member the conversion reads are the SDK's (for x64 and x86); natively the sizes are pinned
// below (they hold no pointer, so they are the same on both).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dll/ras_layout.hpp"

namespace raswarden::dll::legacy_layout {

// Array bounds (rassapi.h, lmcons.h): the values of mprapi.h's, so ras_layout.hpp's names; and
// the longest bare names RasAdminGetIpAddressForUser and RasAdminReleaseIpAddress read
// (max_address_user, max_address_port), those of the mprapi address callbacks.
// legacy_exports.cpp checks them against RASSAPI_MAX_*.
using layout::dnlen;
using layout::ip_address_len;
using layout::max_address_port;
using layout::max_address_user;
using layout::max_device_name;
using layout::max_device_type_name;
using layout::max_media_name;
using layout::max_port_name;
using layout::netbios_name_len;
using layout::unlen;

struct ras_port_0 {
  char16_t wszPortName[max_port_name];
  char16_t wszDeviceType[max_device_type_name];
  char16_t wszDeviceName[max_device_name];
  char16_t wszMediaName[max_media_name];
  std::uint32_t reserved;
  std::uint32_t Flags;
  char16_t wszUserName[unlen + 1];
  char16_t wszComputer[netbios_name_len];
  std::uint32_t dwStartSessionTime;  // seconds since 1970
  char16_t wszLogonDomain[dnlen + 1];
  std::int32_t fAdvancedServer;
};

struct ras_ppp_nbfcp_result {
  std::uint32_t dwError;
  std::uint32_t dwNetBiosError;
  char szName[netbios_name_len + 1];
  char16_t wszWksta[netbios_name_len + 1];
};

struct ras_ppp_ipcp_result {
  std::uint32_t dwError;
  char16_t wszAddress[ip_address_len + 1];  // the client's address
};

// RAS_PPP_IPXCP_RESULT and RAS_PPP_ATCP_RESULT are mprapi.h's PPP_IPXCP_INFO and PPP_ATCP_INFO.
using ras_ppp_ipxcp_result = layout::ppp_ipxcp_info;
using ras_ppp_atcp_result = layout::ppp_atcp_info;

struct ras_ppp_projection_result {
  ras_ppp_nbfcp_result nbf;
  ras_ppp_ipcp_result ip;
  ras_ppp_ipxcp_result ipx;
  ras_ppp_atcp_result at;
};

struct ras_port_1 {
  ras_port_0 rasport0;
  std::uint32_t LineCondition;
  std::uint32_t HardwareCondition;
  std::uint32_t LineSpeed;  // bits per second
  std::uint16_t NumStatistics;
  std::uint16_t NumMediaParms;
  std::uint32_t SizeMediaParms;
  ras_ppp_projection_result ProjResult;
};

// The connection's counters (all its ports), then this port's.
struct ras_port_statistics {
  std::uint32_t dwBytesXmited;
  std::uint32_t dwBytesRcved;
  std::uint32_t dwFramesXmited;
  std::uint32_t dwFramesRcved;
  std::uint32_t dwCrcErr;
  std::uint32_t dwTimeoutErr;
  std::uint32_t dwAlignmentErr;
  std::uint32_t dwHardwareOverrunErr;
  std::uint32_t dwFramingErr;
  std::uint32_t dwBufferOverrunErr;
  std::uint32_t dwBytesXmitedUncompressed;
  std::uint32_t dwBytesRcvedUncompressed;
  std::uint32_t dwBytesXmitedCompressed;
  std::uint32_t dwBytesRcvedCompressed;
  std::uint32_t dwPortBytesXmited;
  std::uint32_t dwPortBytesRcved;
  std::uint32_t dwPortFramesXmited;
  std::uint32_t dwPortFramesRcved;
  std::uint32_t dwPortCrcErr;
  std::uint32_t dwPortTimeoutErr;
  std::uint32_t dwPortAlignmentErr;
  std::uint32_t dwPortHardwareOverrunErr;
  std::uint32_t dwPortFramingErr;
  std::uint32_t dwPortBufferOverrunErr;
  std::uint32_t dwPortBytesXmitedUncompressed;
  std::uint32_t dwPortBytesRcvedUncompressed;
  std::uint32_t dwPortBytesXmitedCompressed;
  std::uint32_t dwPortBytesRcvedCompressed;
};

// The SDK's sizes (no pointers, so x64 and x86 agree).
static_assert(sizeof(ras_port_0) == 948 && alignof(ras_port_0) == 4);
static_assert(sizeof(ras_ppp_projection_result) == 220);
static_assert(sizeof(ras_port_1) == 1188 && alignof(ras_port_1) == 4);
static_assert(sizeof(ras_port_statistics) == 112);

}  // namespace raswarden::dll::legacy_layout
