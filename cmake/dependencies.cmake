# Third-party libraries, all from Debian packages.
#
# Natively they are found as installed. A cross build must not see /usr/include (it would pull
# in Linux headers), so the three header-only trees are staged into the build tree and fmt is
# used header-only (Debian's spdlog is configured for an external fmt).
if(CMAKE_CROSSCOMPILING)
  set(RASWARDEN_STAGED_INCLUDE ${CMAKE_BINARY_DIR}/_staged/include)
  file(MAKE_DIRECTORY ${RASWARDEN_STAGED_INCLUDE})
  foreach(tree fmt spdlog nlohmann)
    if(NOT EXISTS /usr/include/${tree})
      message(FATAL_ERROR "/usr/include/${tree} is missing: run scripts/install-deps.sh")
    endif()
    file(CREATE_LINK /usr/include/${tree} ${RASWARDEN_STAGED_INCLUDE}/${tree} SYMBOLIC)
  endforeach()

  add_library(raswarden_fmt INTERFACE)
  target_include_directories(raswarden_fmt SYSTEM INTERFACE ${RASWARDEN_STAGED_INCLUDE})
  target_compile_definitions(raswarden_fmt INTERFACE FMT_HEADER_ONLY)

  add_library(raswarden_spdlog INTERFACE)
  target_link_libraries(raswarden_spdlog INTERFACE raswarden_fmt)

  add_library(raswarden_json INTERFACE)
  target_include_directories(raswarden_json SYSTEM INTERFACE ${RASWARDEN_STAGED_INCLUDE})
else()
  find_package(fmt REQUIRED)
  find_package(spdlog REQUIRED)
  find_package(nlohmann_json 3 REQUIRED)
  add_library(raswarden_fmt INTERFACE)
  target_link_libraries(raswarden_fmt INTERFACE fmt::fmt)
  add_library(raswarden_spdlog INTERFACE)
  target_link_libraries(raswarden_spdlog INTERFACE spdlog::spdlog)
  add_library(raswarden_json INTERFACE)
  target_link_libraries(raswarden_json INTERFACE nlohmann_json::nlohmann_json)
endif()
add_library(raswarden::fmt ALIAS raswarden_fmt)
add_library(raswarden::spdlog ALIAS raswarden_spdlog)
add_library(raswarden::json ALIAS raswarden_json)

# GoogleTest: the packaged library natively; compiled from /usr/src/googletest with the cross
# compiler otherwise.
macro(raswarden_find_gtest)
  if(CMAKE_CROSSCOMPILING)
    if(NOT TARGET gtest)
      set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
      set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
      add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/_googletest EXCLUDE_FROM_ALL)
    endif()
    set(RASWARDEN_GTEST gtest)
  else()
    find_package(GTest REQUIRED)
    set(RASWARDEN_GTEST GTest::gtest)
  endif()
endmacro()
