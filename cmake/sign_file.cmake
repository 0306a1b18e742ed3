# cmake -DOSSLSIGNCODE=... -DCERT=... -DKEY=... [-DTIMESTAMP=url] -DFILE=... -P sign_file.cmake
# Signs FILE (a PE or an MSI) in place with an Authenticode SHA-256 signature.
set(signed "${FILE}.signing")
file(REMOVE "${signed}")
set(timestamp)
if(TIMESTAMP)
  set(timestamp -ts "${TIMESTAMP}")
endif()
execute_process(
  COMMAND "${OSSLSIGNCODE}" sign -certs "${CERT}" -key "${KEY}" -h sha256 -n "RasWarden"
          ${timestamp} -in "${FILE}" -out "${signed}"
  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  file(REMOVE "${signed}")
  message(FATAL_ERROR "osslsigncode could not sign ${FILE}:\n${output}")
endif()
file(RENAME "${signed}" "${FILE}")
