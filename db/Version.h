// The version strings stamped on every record: htune's own and the Halide it was built with.
// Both come from CMake (db/CMakeLists.txt), so there is exactly one place to change them.
#pragma once

namespace htune {

const char *htune_version();   // e.g. "0.1.0" (project() VERSION)
const char *halide_version();  // e.g. "14.0.0" (Halide's CMake package version)

}  // namespace htune
