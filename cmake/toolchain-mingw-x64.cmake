# Cross-compiles for 64-bit Windows with Debian's mingw-w64 (posix thread model, needed for
# std::thread and std::mutex) and runs test executables under Wine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(RASWARDEN_MINGW_TRIPLE x86_64-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
