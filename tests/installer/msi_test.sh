#!/usr/bin/env bash
# The MSI installer under Wine (issue 6). Every scenario installs into a FRESH Wine prefix,
# <build>/msi-tests/<scenario>/prefix, created with wineboot and thrown away at the next run, so
# scenarios are independent and may run in parallel (each has its own wineserver).
#
#   msi_test.sh <scenario> <msi> <older-msi>
#
# Scenarios:
#   tables        the built MSI's tables (no Wine): sequencing, custom action types, component
#                 attributes, upgrade rows, registry rows; the things wixl gets wrong are fixed
#   clean         install on a clean system: files, DLLPath, DisplayName, logs, default config,
#                 Event Log source; add the Tools feature; rrashost --check loads RasWarden from
#                 the registry as RRAS does
#   other-vendor  another vendor's DLL in DLLPath is kept, first, on install and on uninstall
#   twice         install, repair (REINSTALL=ALL, as /fa), install again: one DLLPath entry, the
#                 config untouched
#   upgrade       older version, an edited config, this version: one product, one entry, config
#                 unchanged; installing the older version again is refused
#   uninstall     our entry, Program Files\RasWarden and the Event Log source go; logs and config
#                 stay
#
# Each failed check prints "FAIL: ..."; the script exits 1 if any check failed.
set -uo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 <scenario> <msi> <older-msi>" >&2
  exit 2
fi
scenario=$1
msi=$(realpath "$2")
old_msi=$(realpath "$3")
source_dir=$(realpath "$(dirname "$0")/../..")
default_config="$source_dir/installer/raswarden.json"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }
check_eq() { # <what> <actual> <expected>
  if [[ "$2" == "$3" ]]; then pass "$1 = \"$3\""; else fail "$1 is \"$2\", expected \"$3\""; fi
}
finish() {
  if ((failures > 0)); then
    echo "$scenario: $failures check(s) failed (msiexec logs in $work/logs)" >&2
    exit 1
  fi
  echo "$scenario: all checks passed"
  exit 0
}

# ---- tables: no Wine ----------------------------------------------------------------------------
table() { msiinfo export "$msi" "$1" | tail -n +4 | tr -d '\r'; }
# The row of table $1 whose first column is $2, columns separated by '|'.
row() { table "$1" | awk -F'\t' -v key="$2" '$1 == key { $1 = $1; print }' OFS='|'; }

if [[ $scenario == tables ]]; then
  work=$(dirname "$msi")
  version=$(row Property ProductVersion | cut -d'|' -f2)
  check_eq "file name" "$(basename "$msi")" "raswarden-$version-x64.msi"
  check_eq "Property UpgradeCode" "$(row Property UpgradeCode)" "UpgradeCode|{4A222A77-15C1-4114-8C68-836F49AA53CC}"
  check_eq "Property ProductName" "$(row Property ProductName)" "ProductName|RasWarden"
  check_eq "Property Manufacturer" "$(row Property Manufacturer)" "Manufacturer|RasWarden"
  check_eq "old MSI version" "$(msiinfo export "$old_msi" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductVersion" { print $2 }')" "0.0.9"

  # Custom actions: 3090 = 18 (exe from an installed file) + in script + no impersonation;
  # 3410 = the same + rollback + ignore the exit code. wixl writes 2130 for rollback actions.
  check_eq "CustomAction RegisterAdminDll" "$(row CustomAction RegisterAdminDll)" \
    'RegisterAdminDll|3090|raswarden.exe|register --dll "[#raswarden.dll]"|'
  check_eq "CustomAction RegisterAdminDllRollback" "$(row CustomAction RegisterAdminDllRollback)" \
    'RegisterAdminDllRollback|3410|raswarden.exe|unregister --dll "[#raswarden.dll]"|'
  check_eq "CustomAction UnregisterAdminDll" "$(row CustomAction UnregisterAdminDll)" \
    'UnregisterAdminDll|3090|raswarden.exe|unregister --dll "[#raswarden.dll]"|'
  check_eq "CustomAction UnregisterAdminDllRollback" "$(row CustomAction UnregisterAdminDllRollback)" \
    'UnregisterAdminDllRollback|3410|raswarden.exe|register --dll "[#raswarden.dll]"|'

  # Sequencing: deferred actions inside the script, unregister before RemoveFiles (raswarden.exe
  # must still be there), register after InstallFiles, each rollback just before its action.
  seq() { row InstallExecuteSequence "$1" | awk -F'|' '{ print $3 }'; }
  cond() { row InstallExecuteSequence "$1" | awk -F'|' '{ print $2 }'; }
  order=(InstallValidate RemoveExistingProducts InstallInitialize UnregisterAdminDllRollback UnregisterAdminDll
         RemoveFiles InstallFiles RegisterAdminDllRollback RegisterAdminDll InstallFinalize)
  previous=0
  before=$failures
  for action in "${order[@]}"; do
    number=$(seq "$action")
    if [[ -z $number ]]; then
      fail "InstallExecuteSequence has no $action"
    elif ((number <= previous)); then
      fail "InstallExecuteSequence: $action ($number) is not after the action before it ($previous); expected order: ${order[*]}"
    else
      previous=$number
    fi
  done
  ((failures == before)) && pass "InstallExecuteSequence order: ${order[*]}"
  check_eq "condition RegisterAdminDll" "$(cond RegisterAdminDll)" 'NOT Installed OR REINSTALL'
  check_eq "condition RegisterAdminDllRollback" "$(cond RegisterAdminDllRollback)" 'NOT Installed AND NOT WIX_UPGRADE_DETECTED'
  check_eq "condition UnregisterAdminDll" "$(cond UnregisterAdminDll)" 'REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE'
  check_eq "condition UnregisterAdminDllRollback" "$(cond UnregisterAdminDllRollback)" 'REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE'

  # Components: 256 = 64-bit, 4 = registry key path, 16 = Permanent, 128 = NeverOverwrite.
  for expected in AdminDll:256 Cli:256 EventLogSource:260 RrasHost:256 DefaultConfig:400 LogFolder:272; do
    name=${expected%%:*}
    check_eq "Component $name attributes" "$(row Component "$name" | cut -d'|' -f4)" "${expected#*:}"
  done
  check_eq "Feature Main level" "$(row Feature Main | cut -d'|' -f6)" "1"
  check_eq "Feature Tools level" "$(row Feature Tools | cut -d'|' -f6)" "100"
  check_eq "FeatureComponents Tools" "$(table FeatureComponents | awk -F'\t' '$1 == "Tools" { print $2 }')" "RrasHost"

  # Major upgrade: every other version (same version included: 513 = migrate features + include
  # VersionMax) is removed; a newer one installed blocks this one.
  upgrade=$(table Upgrade | sort | tr '\t' '|' | tr '\n' ' ')
  check_eq "Upgrade rows" "$upgrade" \
    "{4A222A77-15C1-4114-8C68-836F49AA53CC}||$version||513||WIX_UPGRADE_DETECTED {4A222A77-15C1-4114-8C68-836F49AA53CC}|$version|||2||WIX_DOWNGRADE_DETECTED "
  check_eq "LaunchCondition" "$(table LaunchCondition | cut -f1)" "NOT WIX_DOWNGRADE_DETECTED"

  eventlog='SYSTEM\CurrentControlSet\Services\EventLog\Application\RasWarden'
  registry=$(table Registry | cut -f2- | sed 's/\\\t/\t/' | tr '\t' '|' | sort | tr '\n' ' ')
  check_eq "Registry rows" "$registry" \
    "2|$eventlog|*||EventLogSource 2|$eventlog|EventMessageFile|[#raswarden.dll]|EventLogSource 2|$eventlog|TypesSupported|#7|EventLogSource "
  check_eq "Directory INSTALLFOLDER" "$(row Directory INSTALLFOLDER)" "INSTALLFOLDER|ProgramFiles64Folder|RasWarden"
  check_eq "Directory LOGFOLDER" "$(row Directory LOGFOLDER)" "LOGFOLDER|DATAFOLDER|logs"
  check_eq "Directory JOURNALFOLDER" "$(row Directory JOURNALFOLDER)" "JOURNALFOLDER|LOGFOLDER|.journal"
  check_eq "CreateFolder" "$(table CreateFolder | sort | tr '\t' '|' | tr '\n' ' ')" \
    "DATAFOLDER|DataFolder INSTALLFOLDER|InstallFolderPermissions JOURNALFOLDER|JournalFolder LOGFOLDER|LogFolder "

  # Protected DACLs: SYSTEM and Administrators full control, nothing inherited, nobody else may
  # write; INSTALLFOLDER only when it is not under Program Files (Users may read and run there).
  folder_sddl='D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)'
  locks=$(table MsiLockPermissionsEx | sort | tr '\t' '|' | tr '\n' ' ')
  check_eq "MsiLockPermissionsEx rows" "$locks" \
    "DataFolderPermissions|DATAFOLDER|CreateFolder|$folder_sddl| DefaultConfigPermissions|raswarden.json|File|D:PAI(A;;FA;;;SY)(A;;FA;;;BA)| InstallFolderPermissions|INSTALLFOLDER|CreateFolder|$folder_sddl(A;OICI;0x1200a9;;;BU)|NOT (INSTALLFOLDER ~<< ProgramFiles64Folder) JournalFolderPermissions|JOURNALFOLDER|CreateFolder|$folder_sddl| LogFolderPermissions|LOGFOLDER|CreateFolder|$folder_sddl| "
  for expected in DataFolder:272 JournalFolder:272; do
    check_eq "Component ${expected%%:*} attributes" "$(row Component "${expected%%:*}" | cut -d'|' -f4)" "${expected#*:}"
  done
  # Folders someone else made before the install keep their owner: a deferred action as
  # LocalSystem (3154 = 3090 + ignore the exit code) resets them, after the files are in place.
  check_eq "CustomAction RepairPermissions" "$(row CustomAction RepairPermissions)" \
    'RepairPermissions|3154|raswarden.exe|repair-permissions --if-needed --reader "[LOGREADERS]"|'
  check_eq "condition RepairPermissions" "$(cond RepairPermissions)" 'NOT REMOVE="ALL"'
  if (($(seq RepairPermissions) > $(seq InstallFiles) && $(seq RepairPermissions) < $(seq InstallFinalize))); then
    pass "RepairPermissions runs in the script after InstallFiles"
  else
    fail "RepairPermissions ($(seq RepairPermissions)) is not between InstallFiles and InstallFinalize"
  fi
  case ",$(row Property SecureCustomProperties | cut -d'|' -f2)," in
    *LOGREADERS*) pass "LOGREADERS is a secure property" ;;
    *) fail "LOGREADERS is not in SecureCustomProperties: $(row Property SecureCustomProperties)" ;;
  esac
  finish
fi

# ---- Wine scenarios -----------------------------------------------------------------------------
work="$(dirname "$msi")/msi-tests/$scenario"
rm -rf "$work"
mkdir -p "$work/logs"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
unset RASWARDEN_CONFIG
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
started=$SECONDS
wineboot -i >/dev/null 2>&1
wineserver -w
echo "fresh prefix $WINEPREFIX in $((SECONDS - started)) s"

drive_c="$WINEPREFIX/drive_c"
install_dir="$drive_c/Program Files/RasWarden"
data_dir="$drive_c/ProgramData/RasWarden"
our_dll='C:\Program Files\RasWarden\raswarden.dll'
admin_key='HKLM\SOFTWARE\Microsoft\RAS\AdminDll'
eventlog_key='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\RasWarden'
windows_path() { echo "Z:${1//\//\\}"; }

# msiexec <log name> <arguments...>: runs it, logs to logs/<name>.log, returns its exit code.
msiexec() {
  local name=$1
  shift
  local t=$SECONDS
  wine msiexec "$@" /qn /l*v "$(windows_path "$work/logs/$name.log")"
  local rc=$?
  wineserver -w
  echo "msiexec $name: exit $rc in $((SECONDS - t)) s"
  return $rc
}
must() { # <what> <command...>: a step that must succeed
  local what=$1
  shift
  if ! "$@"; then
    fail "$what failed (log: $work/logs)"
    finish
  fi
}

# reg_value <key> <name>: prints "<type> <data>" of a 64-bit registry value; fails if absent.
reg_value() {
  local out
  out=$(wine reg query "$1" /v "$2" /reg:64 2>/dev/null | tr -d '\r') || return 1
  printf '%s\n' "$out" | sed -nE "s/^ +$2 +(REG_[A-Z_]+) {4}(.*)$/\1 \2/p; s/^ +$2 +(REG_[A-Z_]+) *$/\1 /p" | head -n 1 | grep .
}
reg_key_exists() { wine reg query "$1" /reg:64 >/dev/null 2>&1; }
check_value() { # <key> <name> <expected "TYPE data">
  local actual
  actual=$(reg_value "$1" "$2") || actual="(missing)"
  check_eq "$1 $2" "$actual" "$3"
}
check_no_value() {
  local actual
  if actual=$(reg_value "$1" "$2"); then fail "$1 $2 still exists ($actual)"; else pass "$1 $2 does not exist"; fi
}
check_file() { if [[ -f $1 ]]; then pass "file $1"; else fail "$1 does not exist"; fi; }
check_no_path() { if [[ -e $1 ]]; then fail "$1 still exists"; else pass "$1 does not exist"; fi; }
check_dir() { if [[ -d $1 ]]; then pass "folder $1"; else fail "folder $1 does not exist"; fi; }
check_same() { # <file> <expected file>
  if cmp -s "$1" "$2"; then pass "$1 has the expected content"; else fail "$1 differs from $2: $(head -c 200 "$1" 2>&1)"; fi
}
# The installed products (Add/Remove Programs) named RasWarden, one "version" per line.
products() {
  local file
  file=$(windows_path "$work/uninstall.reg")
  wine reg export 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' "$file" /reg:64 /y >/dev/null 2>&1
  iconv -f utf-16 -t utf-8 "$work/uninstall.reg" 2>/dev/null | tr -d '\r' | awk '
    /^\[/ { name = ""; version = "" }
    /^"DisplayName"=/ { name = $0 }
    /^"DisplayVersion"=/ { version = $0 }
    name == "\"DisplayName\"=\"RasWarden\"" && version != "" { split(version, v, "\""); print v[4]; name = "" }'
}
check_products() { # <expected versions, space separated>
  check_eq "installed RasWarden products" "$(products | tr '\n' ' ' | sed 's/ $//')" "$1"
}
our_entries() { # how many DLLPath entries name our DLL (any case)
  reg_value "$admin_key" DLLPath | cut -d' ' -f2- | tr ';' '\n' | grep -ciF -x "$our_dll"
}
admin_config='{"schema":1,"policy":{"max_sessions_per_user":1,"rules":[{"name":"admin-edited","action":"reject","match":{"users":["nobody"]}}]}}'
write_admin_config() {
  mkdir -p "$data_dir"
  printf '%s\n' "$admin_config" >"$data_dir/raswarden.json"
  printf '%s\n' "$admin_config" >"$work/admin-config.json"
}

case $scenario in
  clean)
    must "install" msiexec install /i "$(windows_path "$msi")"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    check_value "$admin_key" DisplayName "REG_SZ RasWarden"
    check_file "$install_dir/raswarden.dll"
    check_file "$install_dir/raswarden.exe"
    check_no_path "$install_dir/rrashost.exe" # the Tools feature is not installed by default
    check_dir "$data_dir/logs"
    check_dir "$data_dir/logs/.journal"
    check_file "$data_dir/raswarden.json"
    check_same "$data_dir/raswarden.json" "$default_config"
    check_value "$eventlog_key" EventMessageFile "REG_SZ $our_dll"
    check_value "$eventlog_key" TypesSupported "REG_DWORD 0x7"
    check_products "$(row Property ProductVersion | cut -d'|' -f2)"
    # The installed CLI finds and accepts the installed default configuration.
    out=$(wine "$install_dir/raswarden.exe" check-config 2>&1 | tr -d '\r')
    if grep -q 'raswarden.json: OK' <<<"$out"; then pass "raswarden check-config: OK"; else fail "raswarden check-config: $out"; fi

    # Add the Tools feature to the installed product (maintenance install).
    must "adding Tools" msiexec add-tools /i "$(windows_path "$msi")" ADDLOCAL=Tools
    check_file "$install_dir/rrashost.exe"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    # rrashost without --dll loads what DLLPath lists, as RRAS does.
    out=$(wine "$install_dir/rrashost.exe" --check 2>&1 | tr -d '\r')
    rc=$?
    if [[ $rc -eq 0 ]] && grep -qi 'raswarden.dll' <<<"$out"; then
      pass "rrashost --check loaded RasWarden from DLLPath"
    else
      fail "rrashost --check (exit $rc) did not load RasWarden from DLLPath:"$'\n'"$out"
    fi
    ;;

  other-vendor)
    wine reg add "$admin_key" /v DLLPath /t REG_SZ /d 'C:\Vendor\other.dll' /f /reg:64 >/dev/null
    wine reg add "$admin_key" /v DisplayName /t REG_SZ /d 'Other' /f /reg:64 >/dev/null
    check_value "$admin_key" DLLPath 'REG_SZ C:\Vendor\other.dll'
    must "install" msiexec install /i "$(windows_path "$msi")"
    check_value "$admin_key" DLLPath "REG_SZ C:\\Vendor\\other.dll;$our_dll"
    check_value "$admin_key" DisplayName "REG_SZ Other"
    must "uninstall" msiexec uninstall /x "$(windows_path "$msi")"
    check_value "$admin_key" DLLPath 'REG_SZ C:\Vendor\other.dll'
    check_value "$admin_key" DisplayName "REG_SZ Other"
    check_no_path "$install_dir"
    ;;

  twice)
    must "install" msiexec install /i "$(windows_path "$msi")"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    write_admin_config
    rm -f "$install_dir/raswarden.exe" # a repair must bring it back
    # A repair that reinstalls every file ("a") and rewrites the registry ("mus"). Windows'
    # msiexec /famus <msi> sets exactly these properties; Wine's msiexec does not implement /f
    # (a package path gives 1605, a product code "not implemented yet").
    must "repair (REINSTALL=ALL REINSTALLMODE=amus)" msiexec repair /i "$(windows_path "$msi")" REINSTALL=ALL REINSTALLMODE=amus
    check_file "$install_dir/raswarden.exe"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    check_same "$data_dir/raswarden.json" "$work/admin-config.json"
    must "second install" msiexec install-again /i "$(windows_path "$msi")"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    check_eq "RasWarden entries in DLLPath" "$(our_entries)" 1
    check_value "$admin_key" DisplayName "REG_SZ RasWarden"
    check_same "$data_dir/raswarden.json" "$work/admin-config.json"
    check_products "$(row Property ProductVersion | cut -d'|' -f2)"
    ;;

  upgrade)
    new_version=$(row Property ProductVersion | cut -d'|' -f2)
    must "install 0.0.9" msiexec install-old /i "$(windows_path "$old_msi")"
    check_products "0.0.9"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    write_admin_config
    echo '{"event":"service-stop"}' >"$data_dir/logs/accounting-20250101.jsonl"
    must "upgrade to $new_version" msiexec upgrade /i "$(windows_path "$msi")"
    check_products "$new_version"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    check_eq "RasWarden entries in DLLPath" "$(our_entries)" 1
    check_value "$admin_key" DisplayName "REG_SZ RasWarden"
    check_same "$data_dir/raswarden.json" "$work/admin-config.json"
    check_file "$data_dir/logs/accounting-20250101.jsonl"
    check_file "$install_dir/raswarden.dll"
    check_file "$install_dir/raswarden.exe"
    check_value "$eventlog_key" EventMessageFile "REG_SZ $our_dll"
    # A downgrade is refused (LaunchCondition NOT WIX_DOWNGRADE_DETECTED) and changes nothing.
    if msiexec downgrade /i "$(windows_path "$old_msi")"; then
      fail "installing 0.0.9 over $new_version succeeded; it must be refused"
    else
      pass "installing 0.0.9 over $new_version is refused"
    fi
    check_products "$new_version"
    check_value "$admin_key" DLLPath "REG_SZ $our_dll"
    ;;

  uninstall)
    must "install" msiexec install /i "$(windows_path "$msi")" ADDLOCAL=ALL
    check_file "$install_dir/rrashost.exe"
    echo '{"event":"service-stop"}' >"$data_dir/logs/accounting-20250101.jsonl"
    must "uninstall" msiexec uninstall /x "$(windows_path "$msi")"
    check_no_value "$admin_key" DLLPath
    check_no_value "$admin_key" DisplayName
    check_no_path "$install_dir"
    check_file "$data_dir/logs/accounting-20250101.jsonl"
    check_same "$data_dir/raswarden.json" "$default_config"
    if reg_key_exists "$eventlog_key"; then fail "$eventlog_key still exists"; else pass "$eventlog_key does not exist"; fi
    check_products ""
    ;;

  fail-closed)
    # HKLM\SOFTWARE\RasWarden FailClosed: without a usable configuration at start, RRAS (here
    # rrashost loading DLLPath, as RRAS does) is told to refuse every connection.
    must "install" msiexec install /i "$(windows_path "$msi")" ADDLOCAL=ALL
    answers() { # connections accepted and rejected over 20 generated lifecycles, as "A R"
      wine "$install_dir/rrashost.exe" --load 20 --json 2>/dev/null | tr -d '\r' |
        python3 -c 'import json, sys; c = json.load(sys.stdin)["connections"]; print(c["accepted"], c["rejected"])'
    }
    check_eq "the installed configuration accepts" "$(answers)" "20 0"
    echo '{ "schema": 1, "policy": ' >"$data_dir/raswarden.json"
    check_eq "an unusable file without FailClosed answers on_error (accept)" "$(answers)" "20 0"
    wine reg add 'HKLM\SOFTWARE\RasWarden' /v FailClosed /t REG_DWORD /d 1 /reg:64 /f >/dev/null 2>&1
    check_eq "an unusable file with FailClosed rejects" "$(answers)" "0 20"
    rm -f "$data_dir/raswarden.json"
    check_eq "no file with FailClosed rejects" "$(answers)" "0 20"
    if grep -q "FailClosed is set and there is no usable configuration" "$data_dir/logs/raswarden.log"; then
      pass "the log says why every connection is refused"
    else
      fail "no FailClosed message in $data_dir/logs/raswarden.log"
    fi
    cp "$default_config" "$data_dir/raswarden.json"
    check_eq "a valid file with FailClosed accepts" "$(answers)" "20 0"
    ;;

  *)
    echo "unknown scenario \"$scenario\"" >&2
    exit 2
    ;;
esac
finish
