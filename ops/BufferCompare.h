// Output comparison against a workload's reference: exact for integer types (or within an
// absolute tolerance, see Workload::integer_tolerance), relative tolerance (scaled by the
// reference's magnitude) for floats. Used by measure/ and tests.
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

namespace htune {

struct Comparison {
    bool ok = true;
    double max_abs_error = 0;  // largest |candidate - reference|
    double max_rel_error = 0;  // max_abs_error / max(|reference|, 1e-6 scale floor)
    std::string message;       // empty when ok, else names the buffer and first bad element
};

// Compares each candidate buffer with the reference buffer of the same index. Shapes and types
// must match. `rel_tolerance` applies to float outputs, `int_tolerance` (an absolute
// difference, 0 = exact) to integer outputs.
Comparison compare_outputs(const std::vector<Halide::Buffer<>> &candidate,
                           const std::vector<Halide::Buffer<>> &reference, double rel_tolerance,
                           double int_tolerance = 0);

}  // namespace htune
