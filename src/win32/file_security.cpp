#include "win32/file_security.hpp"

#include <aclapi.h>
#include <sddl.h>

#include <fmt/format.h>

#include <vector>

#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {

std::string read_process_user_sid() {
  HANDLE raw = nullptr;
  if (::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw) == 0) return {};
  const unique_handle token(raw);
  DWORD size = 0;
  ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  if (size == 0) return {};
  std::vector<std::byte> buffer(size);
  if (::GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size) == 0) return {};
  wchar_t* text = nullptr;
  if (::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text) == 0) return {};
  const unique_local owned(text);
  return to_utf8(text);
}

core::security_verdict refused(std::string problem) {
  core::security_verdict verdict;
  verdict.problem = std::move(problem);
  return verdict;
}

}  // namespace

const std::string& process_user_sid() {
  static const std::string sid = read_process_user_sid();
  return sid;
}

core::security_verdict judge_security_descriptor(PSECURITY_DESCRIPTOR descriptor) {
  // A null DACL is read from the descriptor itself: not every SDDL conversion spells it out.
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  if (::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) == 0) {
    return refused(fmt::format("has a security descriptor that cannot be read: {}", describe_error(::GetLastError())));
  }
  if (present == FALSE || dacl == nullptr) return refused("has no DACL, so everyone has full control");
  wchar_t* text = nullptr;
  if (::ConvertSecurityDescriptorToStringSecurityDescriptorW(
          descriptor, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &text, nullptr) == 0) {
    return refused(fmt::format("has a security descriptor that cannot be read: {}", describe_error(::GetLastError())));
  }
  const unique_local owned(text);
  return core::judge_descriptor(to_utf8(text), process_user_sid());
}

core::security_verdict judge_handle(HANDLE handle, object_kind kind) {
  BY_HANDLE_FILE_INFORMATION information{};
  if (::GetFileInformationByHandle(handle, &information) == 0) {
    return refused(fmt::format("cannot be examined: {}", describe_error(::GetLastError())));
  }
  const DWORD attributes = information.dwFileAttributes;
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return refused("is a reparse point (a junction or a symbolic link), which could lead anywhere");
  }
  const bool is_folder = (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  if (kind == object_kind::file && is_folder) return refused("is a folder where a file belongs");
  if (kind == object_kind::folder && !is_folder) return refused("is a file where a folder belongs");
  if (kind == object_kind::file && information.nNumberOfLinks > 1) {
    return refused(fmt::format("has {} hard links, so it is also another file", information.nNumberOfLinks));
  }
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD error = ::GetSecurityInfo(handle, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                        nullptr, nullptr, nullptr, nullptr, &descriptor);
  if (error != ERROR_SUCCESS) {
    return refused(fmt::format("has a security descriptor that cannot be read: {}", describe_error(error)));
  }
  const unique_local owned(descriptor);
  return judge_security_descriptor(descriptor);
}

namespace {
// `open_error` is 0, or the error of opening the path (then the verdict says it cannot be opened).
core::security_verdict judge_opened(const std::wstring& path, object_kind kind, DWORD& open_error) {
  const unique_hfile handle(::CreateFileW(
      path.c_str(), READ_CONTROL | FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      nullptr, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  open_error = handle ? ERROR_SUCCESS : ::GetLastError();
  if (!handle) {
    auto verdict = refused(fmt::format("cannot be opened: {}", describe_error(open_error)));
    ::SetLastError(open_error);
    return verdict;
  }
  return judge_handle(handle.get(), kind);
}
}  // namespace

core::security_verdict judge_path(const std::wstring& path, object_kind kind) {
  DWORD open_error = ERROR_SUCCESS;
  return judge_opened(path, kind, open_error);
}

std::optional<core::security_verdict> judge_if_present(const std::wstring& path, object_kind kind) {
  DWORD open_error = ERROR_SUCCESS;
  core::security_verdict verdict = judge_opened(path, kind, open_error);
  if (open_error == ERROR_FILE_NOT_FOUND || open_error == ERROR_PATH_NOT_FOUND) return std::nullopt;
  return verdict;
}

protected_attributes::protected_attributes() {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const std::wstring sddl = to_wide(core::protected_dacl_sddl(process_user_sid()));
  if (::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr) ==
      0) {
    return;  // get() is null: the object inherits, and is judged like any other before use
  }
  descriptor_.reset(descriptor);
  attributes_.nLength = sizeof attributes_;
  attributes_.lpSecurityDescriptor = descriptor;
  attributes_.bInheritHandle = FALSE;
  valid_ = true;
}

bool is_remote_path(const std::wstring& path) {
  std::wstring full(MAX_PATH, L'\0');
  for (;;) {
    const DWORD length = ::GetFullPathNameW(path.c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
    if (length == 0) {
      full = path;
      break;
    }
    if (length < full.size()) {
      full.resize(length);
      break;
    }
    full.resize(length);
  }
  const auto starts = [&full](std::wstring_view prefix) {
    return full.size() >= prefix.size() && _wcsnicmp(full.c_str(), prefix.data(), prefix.size()) == 0;
  };
  if (starts(L"\\\\?\\UNC\\")) return true;
  std::wstring_view rest = full;
  if (starts(L"\\\\?\\") || starts(L"\\\\.\\")) {
    rest.remove_prefix(4);
  } else if (starts(L"\\\\")) {
    return true;  // \\server\share
  }
  if (rest.size() < 2 || rest[1] != L':') return false;
  const std::wstring root{rest[0], L':', L'\\'};
  return ::GetDriveTypeW(root.c_str()) == DRIVE_REMOTE;
}

bool ensure_trusted_folder(const std::wstring& path, bool allow_remote, std::string& problem) {
  if (!allow_remote && is_remote_path(path)) {
    problem = fmt::format(
        "{} is on another computer; RasWarden writes only to local folders unless "
        "accounting.allow_remote_directory is true",
        to_utf8(path));
    ::SetLastError(ERROR_ACCESS_DENIED);
    return false;
  }
  protected_attributes security;
  if (const DWORD error = create_directories(path, security.get()); error != ERROR_SUCCESS) {
    problem = fmt::format("cannot create the folder {}: {}", to_utf8(path), describe_error(error));
    ::SetLastError(error);
    return false;
  }
  const core::security_verdict verdict = judge_path(path, object_kind::folder);
  if (!verdict.trusted) {
    problem = fmt::format("the folder {} {}", to_utf8(path), verdict.problem);
    ::SetLastError(ERROR_ACCESS_DENIED);
    return false;
  }
  return true;
}

unique_hfile open_owned_file(const std::wstring& path, DWORD access, DWORD share, DWORD disposition,
                             std::string& problem) {
  protected_attributes security;
  unique_hfile file(::CreateFileW(path.c_str(), access | READ_CONTROL | FILE_READ_ATTRIBUTES, share, security.get(),
                                  disposition, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!file) {
    const DWORD error = ::GetLastError();
    const DWORD attributes = ::GetFileAttributesW(path.c_str());
    problem = attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0
                  ? "it is a folder where a file belongs"
                  : describe_error(error);
    ::SetLastError(error);
    return file;
  }
  const bool created = disposition == CREATE_NEW || (disposition == OPEN_ALWAYS && ::GetLastError() == 0);
  if (!created) {
    const core::security_verdict verdict = judge_handle(file.get(), object_kind::file);
    if (!verdict.trusted) {
      problem = fmt::format("it {}; a file someone else could have planted is never adopted", verdict.problem);
      file.reset();
      ::SetLastError(ERROR_ACCESS_DENIED);
    }
  }
  return file;
}

DWORD read_owned_file(const std::wstring& path, std::size_t most, std::string& contents, std::uint64_t& size,
                      std::string& problem) {
  contents.clear();
  size = 0;
  const unique_hfile file = open_owned_file(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                            OPEN_EXISTING, problem);
  if (!file) return ::GetLastError();
  DWORD error = ERROR_SUCCESS;
  if (!read_handle_range(file.get(), 0, most, false, contents, error, &size)) {
    problem = describe_error(error);
    return error;
  }
  return ERROR_SUCCESS;
}

DWORD apply_protected_dacl(const std::wstring& path, const std::string& reader_sid) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const std::wstring sddl = to_wide("O:BA" + core::protected_dacl_sddl(process_user_sid(), reader_sid));
  if (::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr) ==
      0) {
    return ::GetLastError();
  }
  const unique_local owned(descriptor);
  PACL dacl = nullptr;
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PSID owner = nullptr;
  if (::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) == 0 ||
      ::GetSecurityDescriptorOwner(descriptor, &owner, &defaulted) == 0) {
    return ::GetLastError();
  }
  std::wstring target = path;
  return ::SetNamedSecurityInfoW(
      target.data(), SE_FILE_OBJECT,
      OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, owner, nullptr,
      dacl, nullptr);
}

}  // namespace raswarden::win32
