// The Win32 side of "only administrators and the service's account may write what RasWarden
// reads or writes" (docs/security.md): reading an object's descriptor and asking the core's
// verdict, creating folders and files with a protected DACL, and opening only what may be
// adopted. Every failure is a sentence for a message (`problem`), with GetLastError set.
#pragma once

#include <windows.h>

#include <optional>
#include <string>

#include "raswarden/file_security.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

// The SID of the process's token user ("S-1-5-18" for LocalSystem); empty if it cannot be read.
[[nodiscard]] const std::string& process_user_sid();

// The verdict on a descriptor (its owner and DACL).
[[nodiscard]] core::security_verdict judge_security_descriptor(PSECURITY_DESCRIPTOR descriptor);

enum class object_kind : std::uint8_t { file, folder };

// The verdict on an open handle (opened with READ_CONTROL and FILE_FLAG_OPEN_REPARSE_POINT):
// also refuses a reparse point (junction, symbolic link), a folder where a file belongs (and the
// reverse) and a file with more than one hard link.
[[nodiscard]] core::security_verdict judge_handle(HANDLE handle, object_kind kind);

// The verdict on an existing path, without following a final reparse point; a missing path is
// "not trusted" with ERROR_FILE_NOT_FOUND or ERROR_PATH_NOT_FOUND as the last error.
[[nodiscard]] core::security_verdict judge_path(const std::wstring& path, object_kind kind);
// The same, nullopt when there is nothing at `path` (yet).
[[nodiscard]] std::optional<core::security_verdict> judge_if_present(const std::wstring& path, object_kind kind);

// Security attributes that give a new object the protected DACL (core::protected_dacl_sddl).
class protected_attributes {
 public:
  protected_attributes();
  [[nodiscard]] SECURITY_ATTRIBUTES* get() noexcept { return valid_ ? &attributes_ : nullptr; }

 private:
  unique_local descriptor_;
  SECURITY_ATTRIBUTES attributes_{};
  bool valid_ = false;
};

// Whether a path is on another computer: a UNC path, or a drive letter mapped to a share.
[[nodiscard]] bool is_remote_path(const std::wstring& path);

// Creates the folder (and its missing parents) with the protected DACL, then checks the folder
// found there: a real, local folder (unless `allow_remote`) that only trusted principals own
// and may write. False with `problem` set ("C:\...\logs is owned by ...") when it is not.
bool ensure_trusted_folder(const std::wstring& path, bool allow_remote, std::string& problem);

// CreateFileW for a file RasWarden writes: new files get the protected DACL, and an existing
// one is adopted only if judge_handle trusts it. `disposition` is OPEN_EXISTING, OPEN_ALWAYS or
// CREATE_NEW; (CREATE_ALWAYS would truncate whatever a planted link points at, so callers delete
// first and create anew). Without a handle, `problem` says why.
[[nodiscard]] unique_hfile open_owned_file(const std::wstring& path, DWORD access, DWORD share, DWORD disposition,
                                           std::string& problem);

// Reads at most `most` bytes of a file that open_owned_file would adopt (shared, so writers may
// go on); `size` receives its whole size. Returns the Win32 error, with `problem` set: 0 when
// read, ERROR_FILE_NOT_FOUND or ERROR_PATH_NOT_FOUND when it is not there, ERROR_ACCESS_DENIED
// also when it is refused.
DWORD read_owned_file(const std::wstring& path, std::size_t most, std::string& contents, std::uint64_t& size,
                      std::string& problem);

// Applies the protected DACL (with read for `reader_sid`, if given) and makes Administrators the
// owner, for `raswarden repair-permissions`. Returns the Win32 error, 0 on success.
DWORD apply_protected_dacl(const std::wstring& path, const std::string& reader_sid);

}  // namespace raswarden::win32
