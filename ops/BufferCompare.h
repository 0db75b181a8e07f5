// Output comparison against a workload's reference, element by element: floats within
// atol + rtol*|want| (atol scaled to the output's magnitude) or a few ulps, NaN and Inf only as
// themselves; integers exact, or within an absolute tolerance (Workload::integer_tolerance).
// Used by measure/ (the worker's correctness check) and tests.
#pragma once

#include <Halide.h>

#include <cstddef>
#include <string>
#include <vector>

namespace htune {

// A float element matches when |got - want| <= atol + rtol*|want| with rtol = the tolerance the
// caller passes (Algorithm::tolerance(), default 1e-3) and atol = rtol * kAbsToleranceFraction *
// (the largest finite |want| of that output): an element that is a sum of many terms which
// cancel is near zero with an error of the size of its terms, not of itself, so a purely
// relative test would fail it, and the output's magnitude is what its terms are commensurate
// with. It also matches within kMaxUlps units in the last place of its type, so that an
// algorithm whose tolerance is 0 (or an output that is all zeros or denormals) still allows the
// rounding of a different but legal evaluation order. NaN matches only NaN, +-Inf only itself.
constexpr double kAbsToleranceFraction = 0.1;
constexpr int kMaxUlps = 4;

struct Comparison {
    bool ok = true;
    double max_abs_error = 0;  // largest |candidate - reference| (inf for a NaN or Inf mismatch)
    double max_rel_error = 0;  // max_abs_error / (largest |reference| of that output, at least 1e-6)
    size_t mismatches = 0;     // elements outside their tolerance, over all outputs
    size_t elements = 0;       // elements compared
    std::string message;       // empty when ok, else the worst element: buffer, coordinates, got vs want
};

// Compares each candidate buffer with the reference buffer of the same index. Shapes and types
// must match. `rel_tolerance` is the rtol of float outputs (see above), `int_tolerance` the
// allowed absolute difference of integer outputs (0 = exact).
Comparison compare_outputs(const std::vector<Halide::Buffer<>> &candidate,
                           const std::vector<Halide::Buffer<>> &reference, double rel_tolerance,
                           double int_tolerance = 0);

// Units in the last place between two finite values of float type T (float or double): 0 when
// equal (+0 and -0 too), 1 between neighbours. Exposed for tests.
template <typename T>
double ulp_distance(T a, T b);

}  // namespace htune
