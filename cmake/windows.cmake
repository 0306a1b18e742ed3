# The Windows edge: Win32 helpers, the admin DLL, and the tools. Included only when targeting
# Windows (the mingw presets).

add_library(raswarden_win32 STATIC
  src/win32/accounting_pipeline.cpp
  src/win32/background_thread.cpp
  src/win32/collector_connection.cpp
  src/win32/configuration_file.cpp
  src/win32/event_log.cpp
  src/win32/fault_guard.cpp
  src/win32/file_security.cpp
  src/win32/journal_file.cpp
  src/win32/log_folder.cpp
  src/win32/log_publisher.cpp
  src/win32/public_log_reader.cpp
  src/win32/record_forwarder.cpp
  src/win32/registry.cpp
  src/win32/session_state_file.cpp
  src/win32/system.cpp)
target_include_directories(raswarden_win32 PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(raswarden_win32 PUBLIC UNICODE _UNICODE NOMINMAX _WIN32_WINNT=0x0A00)
# The RELP client names itself (relp_software=raswarden,<version>).
set_source_files_properties(src/win32/record_forwarder.cpp PROPERTIES
  COMPILE_DEFINITIONS RASWARDEN_VERSION="${PROJECT_VERSION}")
target_link_libraries(raswarden_win32 PUBLIC raswarden_core ws2_32 advapi32)
raswarden_set_warnings(raswarden_win32)

# raswarden.dll: thin exports over the core. Linked statically so it needs only system DLLs, and
# with exports.def so every name is exported undecorated (also on x86, where __stdcall would
# otherwise export Name@N).
add_library(raswarden SHARED
  src/dll/address_exports.cpp
  src/dll/connection_exports.cpp
  src/dll/diagnostic_log.cpp
  src/dll/dllmain.cpp
  src/dll/legacy_conversion.cpp
  src/dll/legacy_exports.cpp
  src/dll/lifecycle_exports.cpp
  src/dll/link_exports.cpp
  src/dll/memory_primitives.cpp
  src/dll/pooled_heap.cpp
  src/dll/ras_conversion.cpp
  src/dll/runtime.cpp
  ${PROJECT_SOURCE_DIR}/exports.def)
set_target_properties(raswarden PROPERTIES PREFIX "" OUTPUT_NAME raswarden)

# The Event Log message table, compiled into the DLL so Event Viewer shows real text.
enable_language(RC)
set(raswarden_messages ${CMAKE_CURRENT_BINARY_DIR}/messages)
add_custom_command(
  OUTPUT ${raswarden_messages}/messages.rc ${raswarden_messages}/messages.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${raswarden_messages}
  COMMAND ${CMAKE_MC_COMPILER} -h ${raswarden_messages} -r ${raswarden_messages} ${PROJECT_SOURCE_DIR}/src/dll/messages.mc
  DEPENDS ${PROJECT_SOURCE_DIR}/src/dll/messages.mc
  COMMENT "Compiling the Event Log message table")
target_sources(raswarden PRIVATE ${raswarden_messages}/messages.rc)

# Every shipped binary carries a version resource and an Authenticode signature.
include(${PROJECT_SOURCE_DIR}/cmake/signing.cmake)
raswarden_version_resource(raswarden "RasWarden RRAS administration DLL: admission policy and accounting"
                           raswarden.dll DLL)
raswarden_sign(raswarden)
target_include_directories(raswarden PRIVATE ${raswarden_messages})
target_link_libraries(raswarden PRIVATE raswarden_win32 raswarden::spdlog)
if(CMAKE_SIZEOF_VOID_P EQUAL 4)
  # The .def lists plain names; let ld bind each to its Name@N symbol (that binding is the point,
  # so its per-symbol warning is switched off) and export it undecorated.
  target_link_options(raswarden PRIVATE -Wl,--enable-stdcall-fixup -Wl,--kill-at)
endif()
raswarden_set_warnings(raswarden)

if(NOT RASWARDEN_DLL_ONLY)
  # Loads and drives admin DLLs the way RRAS does; shared by rrashost and the DLL tests.
  add_library(raswarden_host STATIC
    src/host/admin_chain.cpp
    src/host/admin_dll.cpp
    src/host/conformance.cpp
    src/host/driver.cpp
    src/host/ras_structs.cpp
    src/host/registry_dlls.cpp
    src/host/scenario.cpp)
  target_include_directories(raswarden_host PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(raswarden_host PUBLIC raswarden_win32 raswarden_common PRIVATE raswarden::json)
  raswarden_set_warnings(raswarden_host)

  add_executable(rrashost src/tools/rrashost/main.cpp)
  target_link_libraries(rrashost PRIVATE raswarden_host)
  target_link_options(rrashost PRIVATE -municode)
  raswarden_set_warnings(rrashost)
  raswarden_version_resource(rrashost "RasWarden rrashost: loads and drives RRAS admin DLLs as RRAS does" rrashost.exe
                             APP)
  raswarden_sign(rrashost)

  # The administrator's CLI: raswarden.exe beside raswarden.dll.
  add_executable(raswarden_cli src/tools/raswarden/main.cpp src/tools/raswarden/permissions.cpp
                              src/tools/raswarden/registration.cpp src/tools/raswarden/report_commands.cpp)
  set_target_properties(raswarden_cli PROPERTIES OUTPUT_NAME raswarden)
  target_include_directories(raswarden_cli PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(raswarden_cli PRIVATE raswarden_win32 raswarden_common raswarden::json)
  target_link_options(raswarden_cli PRIVATE -municode)
  raswarden_set_warnings(raswarden_cli)
  target_compile_definitions(raswarden_cli PRIVATE RASWARDEN_VERSION="${PROJECT_VERSION}")
  raswarden_version_resource(raswarden_cli "RasWarden administration tool" raswarden.exe APP)
  raswarden_sign(raswarden_cli)
endif()

# ---- The MSI installer (installer/raswarden.wxs, docs/installer.md) -------------------------------
# Built with wixl (Debian package wixl) from the binaries above; cmake/wixl_msi.cmake also writes
# the table entries wixl 0.101 drops. Without wixl the installer is skipped, not an error.
if(NOT RASWARDEN_DLL_ONLY)
  find_program(RASWARDEN_WIXL wixl)
  find_program(RASWARDEN_MSIBUILD msibuild)
  find_program(RASWARDEN_MSIINFO msiinfo)
  if(RASWARDEN_WIXL AND RASWARDEN_MSIBUILD AND RASWARDEN_MSIINFO)
    # raswarden_add_msi(<target> <version>): <build>/raswarden-<version>-x64.msi, built by ALL.
    function(raswarden_add_msi target version)
      set(msi ${CMAKE_BINARY_DIR}/raswarden-${version}-x64.msi)
      set(wxs ${PROJECT_SOURCE_DIR}/installer/raswarden.wxs)
      set(config ${PROJECT_SOURCE_DIR}/installer/raswarden.json)
      set(script ${PROJECT_SOURCE_DIR}/cmake/wixl_msi.cmake)
      add_custom_command(
        OUTPUT ${msi}
        COMMAND ${CMAKE_COMMAND} -DWIXL=${RASWARDEN_WIXL} -DMSIBUILD=${RASWARDEN_MSIBUILD}
                -DMSIINFO=${RASWARDEN_MSIINFO} -DWXS=${wxs} -DOUTPUT=${msi} -DVERSION=${version}
                -DDLL=$<TARGET_FILE:raswarden> -DEXE=$<TARGET_FILE:raswarden_cli>
                -DHOST=$<TARGET_FILE:rrashost> -DCONFIG=${config} -P ${script}
        COMMAND ${CMAKE_COMMAND} -DOSSLSIGNCODE=${RASWARDEN_OSSLSIGNCODE} -DCERT=${RASWARDEN_SIGN_CERT}
                -DKEY=${RASWARDEN_SIGN_KEY} -DTIMESTAMP=${RASWARDEN_TIMESTAMP_URL} -DFILE=${msi}
                -P ${PROJECT_SOURCE_DIR}/cmake/sign_file.cmake
        DEPENDS ${wxs} ${config} ${script} raswarden raswarden_cli rrashost
                $<TARGET_FILE:raswarden> $<TARGET_FILE:raswarden_cli> $<TARGET_FILE:rrashost>
        COMMENT "Building raswarden-${version}-x64.msi with wixl"
        VERBATIM)
      add_custom_target(${target} ALL DEPENDS ${msi})
      set_target_properties(${target} PROPERTIES RASWARDEN_MSI ${msi})
    endfunction()
    raswarden_add_msi(raswarden_msi ${PROJECT_VERSION})
  else()
    message(STATUS "wixl, msibuild or msiinfo not found (Debian: wixl msitools): the MSI is not built")
  endif()
endif()
