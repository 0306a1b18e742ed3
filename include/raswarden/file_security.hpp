// Who may write a file or folder RasWarden reads or writes, judged from its security descriptor in
// SDDL (the text form Windows converts descriptors to and from). Portable: the Win32 edge reads
// the descriptor of an open handle, converts it, and asks here. docs/security.md describes the
// rule and why each part of it is there.
//
// Trusted are SYSTEM, Administrators, TrustedInstaller and the process's own token user (the
// service's account). A descriptor is safe when a trusted principal owns the object and its DACL
// lets no one else write, delete, or change its permissions or owner. Deny entries only take
// rights away, so they never make a descriptor unsafe; inherit-only entries do not apply to the
// object itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raswarden::core {

namespace well_known_sid {
inline constexpr std::string_view local_system = "S-1-5-18";
inline constexpr std::string_view administrators = "S-1-5-32-544";
inline constexpr std::string_view trusted_installer = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";
inline constexpr std::string_view creator_owner = "S-1-3-0";
inline constexpr std::string_view owner_rights = "S-1-3-4";
}  // namespace well_known_sid

// Access-mask bits that let a principal change what an object holds or who controls it: write
// or append data (for folders: create files or subfolders), write extended attributes or
// attributes, delete children, delete, change the DACL or the owner, and the generic rights that
// include writing.
inline constexpr std::uint32_t write_access_mask = 0x00000002u | 0x00000004u | 0x00000010u | 0x00000040u | 0x00000100u |
                                                   0x00010000u | 0x00040000u | 0x00080000u | 0x10000000u | 0x40000000u;

struct access_entry {
  char kind = 'A';  // 'A' allow, 'D' deny, 'U' audit or alarm (ignored), 'O' anything else
  bool inherit_only = false;
  std::uint32_t mask = 0;
  std::string sid;   // "S-1-5-18"
  std::string text;  // the entry as written, for messages: "(A;OICI;FA;;;BU)"
};

struct parsed_descriptor {
  std::optional<std::string> owner;  // SID string
  bool has_dacl = false;             // no "D:" part, or D:NO_ACCESS_CONTROL: a null DACL
  bool dacl_protected = false;       // "P": inherits nothing from the parent
  std::vector<access_entry> dacl;
};

// Parses owner, group, DACL and SACL parts; the aliases Windows uses for well-known SIDs (SY,
// BA, BU, WD, AU, CO, ...) become SID strings. nullopt with `problem` set for text that is not
// SDDL or names an alias that cannot be resolved without a domain (DA, DU, ...).
[[nodiscard]] std::optional<parsed_descriptor> parse_sddl(std::string_view sddl, std::string& problem);

struct security_verdict {
  bool trusted = false;
  std::string problem;  // why not: "is owned by S-1-5-21-1-2-3-1001", "grants (A;;FA;;;BU) ..."
};

// `self_sid` is the process's token user; empty when unknown.
[[nodiscard]] bool is_trusted_sid(std::string_view sid, std::string_view self_sid) noexcept;
[[nodiscard]] security_verdict judge_descriptor(std::string_view sddl, std::string_view self_sid);

// "S-1-5-32-545 (BUILTIN\Users)" for well-known SIDs, the SID alone otherwise.
[[nodiscard]] std::string describe_sid(std::string_view sid);

// The DACL RasWarden gives folders and files it creates, and that repair-permissions applies: a
// protected DACL granting full control to SYSTEM, Administrators and the process's own account,
// inherited by files and subfolders; with `reader_sid`, read and traverse for that group as
// well. No owner: a new object's owner is the creator's (trusted) default owner.
[[nodiscard]] std::string protected_dacl_sddl(std::string_view self_sid, std::string_view reader_sid = {});

}  // namespace raswarden::core
