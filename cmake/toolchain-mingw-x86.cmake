# Cross-compiles for 32-bit Windows. Only the DLL is built this way, to prove that its export
# names stay undecorated when __stdcall would otherwise decorate them (Name@N).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR X86)
set(RASWARDEN_MINGW_TRIPLE i686-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
