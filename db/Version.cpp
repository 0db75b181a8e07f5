// Version strings (see Version.h); the values are compile definitions set by db/CMakeLists.txt.
#include "db/Version.h"

#ifndef HTUNE_VERSION_STRING
#define HTUNE_VERSION_STRING "unknown"
#endif
#ifndef HTUNE_HALIDE_VERSION_STRING
#define HTUNE_HALIDE_VERSION_STRING "unknown"
#endif

namespace htune {

const char *htune_version() { return HTUNE_VERSION_STRING; }
const char *halide_version() { return HTUNE_HALIDE_VERSION_STRING; }

}  // namespace htune
