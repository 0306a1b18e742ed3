# Version resources and Authenticode signatures for the binaries RasWarden ships (docs/signing.md).
#
# raswarden_version_resource(<target> <description> <file name> <APP|DLL>) compiles a
# VERSIONINFO from the project version into <target>.
#
# raswarden_sign(<target>) signs <target>'s file after each link with osslsigncode. The
# certificate and key are RASWARDEN_SIGNING_CERT and RASWARDEN_SIGNING_KEY (PEM); left empty, a
# throwaway self-signed test certificate is made once in <build>/signing, so every build signs and
# the tests can verify against it. RASWARDEN_TIMESTAMP_URL, when set, adds an RFC 3161 timestamp.

set(RASWARDEN_SIGNING_CERT "" CACHE FILEPATH "PEM certificate (chain) to sign the binaries with; empty: a test certificate")
set(RASWARDEN_SIGNING_KEY "" CACHE FILEPATH "PEM private key of RASWARDEN_SIGNING_CERT")
set(RASWARDEN_TIMESTAMP_URL "" CACHE STRING "RFC 3161 timestamp server for the signatures (none by default)")

function(raswarden_version_resource target description file_name type)
  set(RASWARDEN_VERSION_DESCRIPTION "${description}")
  set(RASWARDEN_VERSION_FILE "${file_name}")
  get_filename_component(RASWARDEN_VERSION_INTERNAL "${file_name}" NAME_WE)
  set(RASWARDEN_VERSION_FILETYPE "VFT_${type}")
  set(rc ${CMAKE_CURRENT_BINARY_DIR}/version/${target}.rc)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/version.rc.in ${rc} @ONLY)
  target_sources(${target} PRIVATE ${rc})
endfunction()

find_program(RASWARDEN_OSSLSIGNCODE osslsigncode)
find_program(RASWARDEN_OPENSSL openssl)
if(NOT RASWARDEN_OSSLSIGNCODE)
  message(FATAL_ERROR "osslsigncode not found (Debian: osslsigncode; scripts/install-deps.sh installs it)")
endif()

if(RASWARDEN_SIGNING_CERT)
  set(RASWARDEN_SIGN_CERT ${RASWARDEN_SIGNING_CERT})
  set(RASWARDEN_SIGN_KEY ${RASWARDEN_SIGNING_KEY})
else()
  set(RASWARDEN_SIGN_CERT ${CMAKE_BINARY_DIR}/signing/test-signing.crt)
  set(RASWARDEN_SIGN_KEY ${CMAKE_BINARY_DIR}/signing/test-signing.key)
  if(NOT EXISTS ${RASWARDEN_SIGN_CERT})
    if(NOT RASWARDEN_OPENSSL)
      message(FATAL_ERROR "openssl not found: it makes the test signing certificate (Debian: openssl)")
    endif()
    file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/signing)
    execute_process(
      COMMAND ${RASWARDEN_OPENSSL} req -x509 -newkey rsa:2048 -nodes -days 3650
              -subj "/CN=RasWarden test code signing (not trusted)" -addext "extendedKeyUsage=codeSigning"
              -keyout ${RASWARDEN_SIGN_KEY} -out ${RASWARDEN_SIGN_CERT}
      RESULT_VARIABLE made OUTPUT_QUIET ERROR_QUIET)
    if(NOT made EQUAL 0)
      message(FATAL_ERROR "openssl could not make the test signing certificate")
    endif()
  endif()
endif()

function(raswarden_sign target)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DOSSLSIGNCODE=${RASWARDEN_OSSLSIGNCODE} -DCERT=${RASWARDEN_SIGN_CERT}
            -DKEY=${RASWARDEN_SIGN_KEY} -DTIMESTAMP=${RASWARDEN_TIMESTAMP_URL} -DFILE=$<TARGET_FILE:${target}>
            -P ${PROJECT_SOURCE_DIR}/cmake/sign_file.cmake
    COMMENT "Signing $<TARGET_FILE_NAME:${target}>"
    VERBATIM)
endfunction()
