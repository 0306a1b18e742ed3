# cmake -DWINE=wine -DRRASHOST=rrashost.exe -DDLL=x.dll -DLIFECYCLES=N -DTHREADS=T [-DLOG=file]
#       -P check_baseline.cmake
# Runs rrashost's generated load over one baseline admin DLL under Wine (WINEPREFIX and WINEDEBUG
# come from the environment) and checks that it loaded and accepted every connection and link.
# With LOG (a Linux path), the naive DLL writes its log there (RASWARDEN_BASELINE_LOG) and the
# log must hold exactly one line per callback: four per lifecycle.
foreach(var WINE RRASHOST DLL LIFECYCLES THREADS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_baseline.cmake: -D${var}=... is required")
  endif()
endforeach()

if(LOG)
  file(REMOVE ${LOG})
  set(ENV{RASWARDEN_BASELINE_LOG} "Z:${LOG}")
endif()

execute_process(
  COMMAND ${WINE} ${RRASHOST} --dll "Z:${DLL}" --load ${LIFECYCLES} --threads ${THREADS} --concurrency 100 --json
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rrashost exited with ${rc} over ${DLL}\nstdout:\n${out}\nstderr:\n${err}")
endif()

function(expect key expected)
  string(JSON value ERROR_VARIABLE json_error GET "${out}" ${ARGN})
  if(json_error)
    message(FATAL_ERROR "rrashost's report has no ${ARGN}: ${json_error}\n${out}")
  endif()
  if(NOT value EQUAL expected)
    message(FATAL_ERROR "${key}: expected ${expected}, found ${value}\n${out}")
  endif()
endfunction()
expect("lifecycles" ${LIFECYCLES} lifecycles)
expect("connections accepted" ${LIFECYCLES} connections accepted)
expect("connections rejected" 0 connections rejected)
expect("links accepted" ${LIFECYCLES} links accepted)
expect("links rejected" 0 links rejected)

if(LOG)
  if(NOT EXISTS ${LOG})
    message(FATAL_ERROR "the naive DLL wrote no log at ${LOG}")
  endif()
  file(STRINGS ${LOG} lines)
  list(LENGTH lines total)
  math(EXPR expected_total "4 * ${LIFECYCLES}")
  if(NOT total EQUAL expected_total)
    message(FATAL_ERROR "${LOG}: expected ${expected_total} lines (4 per lifecycle), found ${total}")
  endif()
  foreach(event connection-accept link-accept link-stop connection-stop)
    set(matching ${lines})
    list(FILTER matching INCLUDE REGEX "^[0-9-]+ [0-9:.]+ ${event} ")
    list(LENGTH matching count)
    if(NOT count EQUAL LIFECYCLES)
      message(FATAL_ERROR "${LOG}: expected ${LIFECYCLES} ${event} lines, found ${count}")
    endif()
  endforeach()
  file(REMOVE ${LOG})
endif()
message(STATUS "baseline OK: ${DLL}, ${LIFECYCLES} lifecycles on ${THREADS} threads")
