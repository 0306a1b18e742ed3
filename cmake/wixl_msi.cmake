# Builds installer/raswarden.wxs into an MSI with wixl (msitools), then writes into the MSI's
# tables what the .wxs says but wixl 0.101 silently drops (it warns "no property named ..." and
# carries on), so the package behaves as the WiX Toolset would build it from the same source:
#
#   Component DefaultConfig   Permanent + NeverOverwrite   (wixl ignores both attributes)
#   Component LogFolder       Permanent
#   CustomAction *Rollback    Execute="rollback": wixl encodes it as an immediate action
#                             (type 2130, which would run at once, outside the script); the
#                             correct type is 3410 (rollback, in script, no impersonation)
#   Upgrade                   AllowSameVersionUpgrades="yes" (VersionMaxInclusive, 512)
#   Registry                  RegistryKey Action="createAndRemoveOnUninstall" (Name "*")
#   Component DataFolder, JournalFolder   Permanent
#   Property LOGREADERS       Secure="yes" (SecureCustomProperties), so a value given on the
#                             command line reaches the deferred action
#   MsiLockPermissionsEx      PermissionEx (wixl cannot parse it; -D Wixl=1 leaves it out):
#                             protected DACLs for the data, log and journal folders, the default
#                             configuration, and INSTALLFOLDER when it is outside Program Files
#
# tests/installer/msi_test.sh "tables" checks every one of these in the built MSI.
#
# cmake -DWIXL=... -DMSIBUILD=... -DMSIINFO=... -DWXS=... -DOUTPUT=... -DVERSION=...
#       -DDLL=... -DEXE=... -DHOST=... -DCONFIG=... -P wixl_msi.cmake
foreach(var WIXL MSIBUILD MSIINFO WXS OUTPUT VERSION DLL EXE HOST CONFIG)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "wixl_msi.cmake: ${var} is not set")
  endif()
endforeach()

set(temporary "${OUTPUT}.tmp")
file(REMOVE "${temporary}")

function(run)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${work}" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    file(REMOVE "${temporary}")
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${result}): ${command}\n${out}${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# wixl 0.101 finds a File's Source only by a relative path (an absolute one fails with "Couldn't
# find file"), so it runs in the output's folder with paths relative to it.
get_filename_component(work "${OUTPUT}" DIRECTORY)
foreach(var DLL EXE HOST CONFIG)
  file(RELATIVE_PATH relative_${var} "${work}" "${${var}}")
endforeach()
run("${WIXL}" -a x64 -D Wixl=1 -D "Version=${VERSION}" -D "RasWardenDll=${relative_DLL}" -D "RasWardenExe=${relative_EXE}"
    -D "RrasHostExe=${relative_HOST}" -D "DefaultConfig=${relative_CONFIG}" -o "${temporary}" "${WXS}")

# Component attributes: 256 = 64-bit, 16 = Permanent, 128 = NeverOverwrite.
run("${MSIBUILD}" "${temporary}" -q "UPDATE Component SET Attributes = 400 WHERE Component = 'DefaultConfig'")
foreach(component LogFolder DataFolder JournalFolder)
  run("${MSIBUILD}" "${temporary}" -q "UPDATE Component SET Attributes = 272 WHERE Component = '${component}'")
endforeach()

run("${MSIBUILD}" "${temporary}" -q
    "UPDATE Property SET Value = 'LOGREADERS\;WIX_DOWNGRADE_DETECTED\;WIX_UPGRADE_DETECTED' WHERE Property = 'SecureCustomProperties'")

# Protected DACLs (SDDL, applied by the CreateFolders and InstallFiles actions): SYSTEM and
# Administrators have full control, nobody else may write, nothing is inherited from above. The
# rows say what installer/raswarden.wxs says in its PermissionEx elements.
set(folder_sddl "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)")
set(idt "${OUTPUT}.MsiLockPermissionsEx.idt")
file(WRITE "${idt}"
  "MsiLockPermissionsEx\tLockObject\tTable\tSDDL\tCondition\n"
  "s72\ts72\ts32\ts0\tS255\n"
  "MsiLockPermissionsEx\tMsiLockPermissionsEx\n"
  "DataFolderPermissions\tDATAFOLDER\tCreateFolder\t${folder_sddl}\t\n"
  "LogFolderPermissions\tLOGFOLDER\tCreateFolder\t${folder_sddl}\t\n"
  "JournalFolderPermissions\tJOURNALFOLDER\tCreateFolder\t${folder_sddl}\t\n"
  "DefaultConfigPermissions\traswarden.json\tFile\tD:PAI(A;;FA;;;SY)(A;;FA;;;BA)\t\n"
  "InstallFolderPermissions\tINSTALLFOLDER\tCreateFolder\t${folder_sddl}(A;OICI;0x1200a9;;;BU)\tNOT (INSTALLFOLDER ~<< ProgramFiles64Folder)\n")
run("${MSIBUILD}" "${temporary}" -i "${idt}")
file(REMOVE "${idt}")

# Rollback custom actions: 18 (exe from an installed file) + 64 (ignore the exit code)
# + 256 (rollback) + 1024 (in script) + 2048 (no impersonation).
foreach(action RegisterAdminDllRollback UnregisterAdminDllRollback)
  run("${MSIBUILD}" "${temporary}" -q "UPDATE CustomAction SET Type = 3410 WHERE Action = '${action}'")
endforeach()

# The event log source key itself is removed on uninstall.
run("${MSIBUILD}" "${temporary}" -q
    "INSERT INTO Registry (Registry, Root, `Key`, Name, Component_) VALUES ('EventLogSourceKey', 2, 'SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\RasWarden', '*', 'EventLogSource')")

# The upgrade row (a key column, so the table is rewritten): 1 = migrate feature states,
# + 512 = include VersionMax, so a rebuilt package of the same version replaces the installed one
# instead of installing beside it.
run("${MSIINFO}" export "${temporary}" Upgrade)
string(REPLACE "\t1\t\tWIX_UPGRADE_DETECTED" "\t513\t\tWIX_UPGRADE_DETECTED" upgrade "${run_output}")
if(upgrade STREQUAL run_output)
  file(REMOVE "${temporary}")
  message(FATAL_ERROR "wixl_msi.cmake: the Upgrade table has no WIX_UPGRADE_DETECTED row with attributes 1:\n${run_output}")
endif()
set(idt "${OUTPUT}.Upgrade.idt")
file(WRITE "${idt}" "${upgrade}")
run("${MSIBUILD}" "${temporary}" -i "${idt}")
file(REMOVE "${idt}")

file(RENAME "${temporary}" "${OUTPUT}")
