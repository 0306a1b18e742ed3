// The structs RRAS passes to the connection, link and address callbacks, spelled with fixed-width
// types so they exist without <windows.h>: the DLL reads RRAS's memory through them on Windows,
// and the fuzzers (tests/fuzz) build and feed them natively on Linux, so both run the same
// conversion code (ras_conversion.cpp).
//
// Each struct mirrors the Windows SDK struct of the same name member for member, with the SDK's
// member names: WCHAR arrays are char16_t arrays, DWORD is std::uint32_t, BOOL and enums are
// std::int32_t (an enum read as an integer cannot hold a value outside its range), HANDLE is
// void*, BYTE/UCHAR std::uint8_t, ULONG64 std::uint64_t. On Windows, ras_conversion.cpp
// static_asserts that the size of every struct and the offset and size of every member the
// conversion reads are the SDK's (for x64 and x86); natively the x64 sizes are pinned below.
#pragma once

#include <cstddef>
#include <cstdint>

namespace raswarden::dll::layout {

// Array bounds (mprapi.h, lmcons.h): the arrays hold one more WCHAR than these.
inline constexpr std::size_t max_interface_name_len = 256;  // MAX_INTERFACE_NAME_LEN
inline constexpr std::size_t unlen = 256;                   // UNLEN
inline constexpr std::size_t dnlen = 15;                    // DNLEN (= CNLEN)
inline constexpr std::size_t netbios_name_len = 16;         // NETBIOS_NAME_LEN
inline constexpr std::size_t ip_address_len = 15;           // IPADDRESSLEN
inline constexpr std::size_t ipx_address_len = 22;          // IPXADDRESSLEN
inline constexpr std::size_t at_address_len = 32;           // ATADDRESSLEN
inline constexpr std::size_t max_ip_address_len = 64;       // MAXIPADRESSLEN
inline constexpr std::size_t max_port_name = 16;            // MAX_PORT_NAME
inline constexpr std::size_t max_media_name = 16;           // MAX_MEDIA_NAME
inline constexpr std::size_t max_device_name = 128;         // MAX_DEVICE_NAME
inline constexpr std::size_t max_device_type_name = 16;     // MAX_DEVICETYPE_NAME

// MPRAPI_OBJECT_HEADER values a RAS_CONNECTION_EX must carry, and PROJECTION_INFO's types.
inline constexpr std::uint8_t object_type_ras_connection = 0x1;  // MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT
inline constexpr std::uint8_t ras_connection_revision_1 = 0x1;   // MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1
inline constexpr std::uint8_t ppp_projection_info_type = 0x1;    // MPRAPI_PPP_PROJECTION_INFO_TYPE
inline constexpr std::uint8_t ikev2_projection_info_type = 0x2;  // MPRAPI_IKEV2_PROJECTION_INFO_TYPE

struct win_guid {
  std::uint32_t Data1;
  std::uint16_t Data2;
  std::uint16_t Data3;
  std::uint8_t Data4[8];
};

struct win_filetime {
  std::uint32_t dwLowDateTime;
  std::uint32_t dwHighDateTime;
};

// ---- PPP projection results (RAS_CONNECTION_1/2/3) ----------------------------------------------

struct ppp_nbfcp_info {
  std::uint32_t dwError;
  char16_t wszWksta[netbios_name_len + 1];
};

struct ppp_ipcp_info {
  std::uint32_t dwError;
  char16_t wszAddress[ip_address_len + 1];
  char16_t wszRemoteAddress[ip_address_len + 1];
};

struct ppp_ipcp_info2 {
  std::uint32_t dwError;
  char16_t wszAddress[ip_address_len + 1];
  char16_t wszRemoteAddress[ip_address_len + 1];
  std::uint32_t dwOptions;
  std::uint32_t dwRemoteOptions;
};

struct ppp_ipxcp_info {
  std::uint32_t dwError;
  char16_t wszAddress[ipx_address_len + 1];
};

struct ppp_atcp_info {
  std::uint32_t dwError;
  char16_t wszAddress[at_address_len + 1];
};

struct ppp_ipv6_cp_info {
  std::uint32_t dwVersion;
  std::uint32_t dwSize;
  std::uint32_t dwError;
  std::uint8_t bInterfaceIdentifier[8];
  std::uint8_t bRemoteInterfaceIdentifier[8];
  std::uint32_t dwOptions;
  std::uint32_t dwRemoteOptions;
  std::uint8_t bPrefix[8];
  std::uint32_t dwPrefixLength;
};

struct ppp_ccp_info {
  std::uint32_t dwError;
  std::uint32_t dwCompressionAlgorithm;
  std::uint32_t dwOptions;
  std::uint32_t dwRemoteCompressionAlgorithm;
  std::uint32_t dwRemoteOptions;
};

struct ppp_lcp_info {
  std::uint32_t dwError;
  std::uint32_t dwAuthenticationProtocol;
  std::uint32_t dwAuthenticationData;
  std::uint32_t dwRemoteAuthenticationProtocol;
  std::uint32_t dwRemoteAuthenticationData;
  std::uint32_t dwTerminateReason;
  std::uint32_t dwRemoteTerminateReason;
  std::uint32_t dwOptions;
  std::uint32_t dwRemoteOptions;
  std::uint32_t dwEapTypeId;
  std::uint32_t dwRemoteEapTypeId;
};

struct ppp_info {
  ppp_nbfcp_info nbf;
  ppp_ipcp_info ip;
  ppp_ipxcp_info ipx;
  ppp_atcp_info at;
};

struct ppp_info_2 {
  ppp_nbfcp_info nbf;
  ppp_ipcp_info2 ip;
  ppp_ipxcp_info ipx;
  ppp_atcp_info at;
  ppp_ccp_info ccp;
  ppp_lcp_info lcp;
};

struct ppp_info_3 {
  ppp_nbfcp_info nbf;
  ppp_ipcp_info2 ip;
  ppp_ipv6_cp_info ipv6;
  ppp_ccp_info ccp;
  ppp_lcp_info lcp;
};

// ---- The connection families 1/2/3 ----------------------------------------------------------------

struct ras_connection_0 {
  void* hConnection;
  void* hInterface;
  std::uint32_t dwConnectDuration;
  std::int32_t dwInterfaceType;  // ROUTER_INTERFACE_TYPE
  std::uint32_t dwConnectionFlags;
  char16_t wszInterfaceName[max_interface_name_len + 1];
  char16_t wszUserName[unlen + 1];
  char16_t wszLogonDomain[dnlen + 1];
  char16_t wszRemoteComputer[netbios_name_len + 1];
};

struct ras_connection_1 {
  void* hConnection;
  void* hInterface;
  ppp_info PppInfo;
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
  std::uint32_t dwCompressionRatioIn;
  std::uint32_t dwCompressionRatioOut;
};

struct ras_connection_2 {
  void* hConnection;
  char16_t wszUserName[unlen + 1];
  std::int32_t dwInterfaceType;  // ROUTER_INTERFACE_TYPE
  win_guid guid;
  ppp_info_2 PppInfo2;
};

struct ras_connection_3 {
  std::uint32_t dwVersion;
  std::uint32_t dwSize;
  void* hConnection;
  char16_t wszUserName[unlen + 1];
  std::int32_t dwInterfaceType;  // ROUTER_INTERFACE_TYPE
  win_guid guid;
  ppp_info_3 PppInfo3;
  std::int32_t rasQuarState;  // RAS_QUARANTINE_STATE
  win_filetime timer;
};

// ---- RAS_CONNECTION_EX (Windows 7 / 2008 R2) ------------------------------------------------------

struct mprapi_object_header {
  std::uint8_t revision;
  std::uint8_t type;
  std::uint16_t size;
};

struct ppp_projection_info {
  std::uint32_t dwIPv4NegotiationError;
  char16_t wszAddress[ip_address_len + 1];
  char16_t wszRemoteAddress[ip_address_len + 1];
  std::uint32_t dwIPv4Options;
  std::uint32_t dwIPv4RemoteOptions;
  std::uint64_t IPv4SubInterfaceIndex;
  std::uint32_t dwIPv6NegotiationError;
  std::uint8_t bInterfaceIdentifier[8];
  std::uint8_t bRemoteInterfaceIdentifier[8];
  std::uint8_t bPrefix[8];
  std::uint32_t dwPrefixLength;
  std::uint64_t IPv6SubInterfaceIndex;
  std::uint32_t dwLcpError;
  std::uint32_t dwAuthenticationProtocol;
  std::uint32_t dwAuthenticationData;
  std::uint32_t dwRemoteAuthenticationProtocol;
  std::uint32_t dwRemoteAuthenticationData;
  std::uint32_t dwLcpTerminateReason;
  std::uint32_t dwLcpRemoteTerminateReason;
  std::uint32_t dwLcpOptions;
  std::uint32_t dwLcpRemoteOptions;
  std::uint32_t dwEapTypeId;
  std::uint32_t dwRemoteEapTypeId;
  std::uint32_t dwCcpError;
  std::uint32_t dwCompressionAlgorithm;
  std::uint32_t dwCcpOptions;
  std::uint32_t dwRemoteCompressionAlgorithm;
  std::uint32_t dwCcpRemoteOptions;
};

struct ikev2_projection_info {
  std::uint32_t dwIPv4NegotiationError;
  char16_t wszAddress[ip_address_len + 1];
  char16_t wszRemoteAddress[ip_address_len + 1];
  std::uint64_t IPv4SubInterfaceIndex;
  std::uint32_t dwIPv6NegotiationError;
  std::uint8_t bInterfaceIdentifier[8];
  std::uint8_t bRemoteInterfaceIdentifier[8];
  std::uint8_t bPrefix[8];
  std::uint32_t dwPrefixLength;
  std::uint64_t IPv6SubInterfaceIndex;
  std::uint32_t dwOptions;
  std::uint32_t dwAuthenticationProtocol;
  std::uint32_t dwEapTypeId;
  std::uint32_t dwCompressionAlgorithm;
  std::uint32_t dwEncryptionMethod;
};

struct projection_info {
  std::uint8_t projectionInfoType;  // which member of the union is meant
  union {
    ikev2_projection_info Ikev2ProjectionInfo;
    ppp_projection_info PppProjectionInfo;
  };
};

struct ras_connection_ex {
  mprapi_object_header Header;
  std::uint32_t dwConnectDuration;
  std::int32_t dwInterfaceType;  // ROUTER_INTERFACE_TYPE
  std::uint32_t dwConnectionFlags;
  char16_t wszInterfaceName[max_interface_name_len + 1];
  char16_t wszUserName[unlen + 1];
  char16_t wszLogonDomain[dnlen + 1];
  char16_t wszRemoteComputer[netbios_name_len + 1];
  win_guid guid;
  std::int32_t rasQuarState;  // RAS_QUARANTINE_STATE
  win_filetime probationTime;
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
  std::uint32_t dwCompressionRatioIn;
  std::uint32_t dwCompressionRatioOut;
  std::uint32_t dwNumSwitchOvers;
  char16_t wszRemoteEndpointAddress[max_ip_address_len + 1];
  char16_t wszLocalEndpointAddress[max_ip_address_len + 1];
  projection_info ProjectionInfo;
  void* hConnection;
  void* hInterface;
};

// ---- Links ----------------------------------------------------------------------------------------

struct ras_port_0 {
  void* hPort;
  void* hConnection;
  std::int32_t dwPortCondition;  // RAS_PORT_CONDITION
  std::uint32_t dwTotalNumberOfCalls;
  std::uint32_t dwConnectDuration;
  char16_t wszPortName[max_port_name + 1];
  char16_t wszMediaName[max_media_name + 1];
  char16_t wszDeviceName[max_device_name + 1];
  char16_t wszDeviceType[max_device_type_name + 1];
};

struct ras_port_1 {
  void* hPort;
  void* hConnection;
  std::int32_t dwHardwareCondition;  // RAS_HARDWARE_CONDITION
  std::uint32_t dwLineSpeed;
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
  std::uint32_t dwCompressionRatioIn;
  std::uint32_t dwCompressionRatioOut;
};

// ---- Address callbacks ----------------------------------------------------------------------------

// The IP callbacks pass bare WCHAR pointers; a name is read up to the longest RRAS can hold. A
// user name can carry its domain ("DOMAIN\user"): UNLEN + DNLEN + separator + NUL.
inline constexpr std::size_t max_address_user = unlen + dnlen + 2;
inline constexpr std::size_t max_address_port = max_port_name + 1;

// The x64 sizes (mprapi-reference.md section 2), pinned for the native builds too. The Windows
// builds compare every struct with the SDK's own, for x64 and x86 (ras_conversion.cpp).
static_assert(sizeof(void*) != 8 || sizeof(ras_connection_0) == 1128);
static_assert(sizeof(void*) != 8 || sizeof(ras_connection_1) == 296);
static_assert(sizeof(void*) != 8 || sizeof(ras_connection_2) == 848);
static_assert(sizeof(void*) != 8 || sizeof(ras_connection_3) == 792);
static_assert(sizeof(void*) != 8 || sizeof(ras_connection_ex) == 1672);
static_assert(sizeof(void*) != 8 || offsetof(ras_connection_ex, hConnection) == 1656);
static_assert(sizeof(void*) != 8 || sizeof(ras_port_0) == 392);
static_assert(sizeof(void*) != 8 || sizeof(ras_port_1) == 72);

}  // namespace raswarden::dll::layout
