// What the DLL's exports share to read RRAS's structs through the portable mirrors
// (ras_layout.hpp, legacy_layout.hpp): the static_assert macros that pin each mirror to the SDK
// struct, and the cast. Windows only; include after the SDK headers, with `layout` naming the
// mirrors' namespace in the including file.
#pragma once

#include <cstddef>

// The SDK struct and its mirror agree on size and alignment.
#define RASWARDEN_SAME_STRUCT(sdk, mirror)                                                        \
  static_assert(sizeof(sdk) == sizeof(layout::mirror) && alignof(sdk) == alignof(layout::mirror), \
                #sdk " and layout::" #mirror " differ in size or alignment")
// The member is where the mirror reads it, and as large.
#define RASWARDEN_SAME_MEMBER(sdk, mirror, member)                           \
  static_assert(offsetof(sdk, member) == offsetof(layout::mirror, member) && \
                    sizeof(sdk::member) == sizeof(layout::mirror::member),   \
                #sdk "." #member " is not where layout::" #mirror " reads it")
#define RASWARDEN_SAME_MEMBERS_2(sdk, mirror, a, b) \
  RASWARDEN_SAME_MEMBER(sdk, mirror, a);            \
  RASWARDEN_SAME_MEMBER(sdk, mirror, b)

namespace raswarden::dll {

// RRAS's memory, read through the mirror of its struct. The struct comes from another module, so
// no type-based aliasing assumption of this one can see the stores that filled it.
template <typename Mirror, typename Sdk>
const Mirror* mirror_of(const Sdk* sdk) noexcept {
  static_assert(sizeof(Mirror) == sizeof(Sdk) && alignof(Mirror) == alignof(Sdk));
  return reinterpret_cast<const Mirror*>(sdk);
}

}  // namespace raswarden::dll
