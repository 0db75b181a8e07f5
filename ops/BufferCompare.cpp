// compare_outputs: per-element tolerances for floats, exact (or +-1) integers (see BufferCompare.h).
#include "ops/BufferCompare.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>

#include "ops/TypeDispatch.h"

namespace htune {

namespace {

// The bits of a float as an integer that orders like the float (-0 and +0 are both 0).
template <typename T>
int64_t ordered_bits(T v) {
    if constexpr (sizeof(T) == 4) {
        int32_t i;
        std::memcpy(&i, &v, sizeof i);
        return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
    } else {
        int64_t i;
        std::memcpy(&i, &v, sizeof i);
        return i < 0 ? -(i & 0x7fffffffffffffffll) : i;
    }
}

// The worst element of one output so far: the largest |got - want| / allowed.
struct Worst {
    double excess = -1;
    std::vector<int> pos;
    double got = 0, want = 0, diff = 0, allowed = 0;
};

template <typename T>
void compare_typed(Halide::Buffer<T> a, Halide::Buffer<T> b, double rtol, double int_tol, size_t index,
                   Comparison &c) {
    constexpr bool is_float = std::is_floating_point<T>::value;
    double scale = 0;  // the output's magnitude: largest finite |want|
    b.for_each_value([&](const T &v) {
        if (std::isfinite((double)v)) scale = std::max(scale, std::abs((double)v));
    });
    const double atol = rtol * kAbsToleranceFraction * scale;
    Worst worst;
    size_t bad = 0;
    a.for_each_element([&](const int *pos) {
        T got = a(pos), want = b(pos);
        double x = (double)got, y = (double)want;
        double diff, allowed;
        bool match;
        if constexpr (is_float) {
            allowed = atol + rtol * std::abs(y);
            if (std::isnan(y) || std::isnan(x)) {
                match = std::isnan(x) && std::isnan(y);
                diff = match ? 0 : INFINITY;
            } else if (std::isinf(y) || std::isinf(x)) {
                match = x == y;
                diff = match ? 0 : INFINITY;
            } else {
                diff = std::abs(x - y);
                match = diff <= allowed || ulp_distance<T>(got, want) <= kMaxUlps;
            }
        } else {
            diff = std::abs(x - y);
            allowed = int_tol;
            match = diff <= int_tol;
        }
        c.max_abs_error = std::max(c.max_abs_error, diff);
        c.max_rel_error = std::max(c.max_rel_error, diff / std::max(scale, 1e-6));
        c.elements++;
        if (match) return;
        bad++;
        double excess = allowed > 0 ? diff / allowed : INFINITY;
        if (excess > worst.excess) {
            worst.excess = excess;
            worst.pos.assign(pos, pos + a.dimensions());
            worst.got = x;
            worst.want = y;
            worst.diff = diff;
            worst.allowed = allowed;
        }
    });
    if (bad == 0) return;
    c.mismatches += bad;
    if (!c.ok) return;  // the first output that differs is the one reported
    c.ok = false;
    std::ostringstream os;
    os.precision(is_float ? std::numeric_limits<T>::max_digits10 : 20);
    os << "output " << index << " differs at " << bad << " of " << a.number_of_elements()
       << " elements; worst at (";
    for (size_t d = 0; d < worst.pos.size(); d++) os << (d ? "," : "") << worst.pos[d];
    os << "): got " << worst.got << ", expected " << worst.want;
    os.precision(3);
    if (is_float)
        os << " (|diff| " << worst.diff << " > allowed " << worst.allowed << " = " << atol << " + " << rtol
           << "*|expected|)";
    else
        os << " (|diff| " << worst.diff << " > allowed " << worst.allowed << ")";
    c.message = os.str();
}

}  // namespace

template <typename T>
double ulp_distance(T a, T b) {
    int64_t x = ordered_bits(a), y = ordered_bits(b);
    // In unsigned arithmetic: the distance between -max and +max does not fit an int64.
    return (double)(x > y ? (uint64_t)x - (uint64_t)y : (uint64_t)y - (uint64_t)x);
}
template double ulp_distance<float>(float, float);
template double ulp_distance<double>(double, double);

Comparison compare_outputs(const std::vector<Halide::Buffer<>> &candidate,
                           const std::vector<Halide::Buffer<>> &reference, double tol, double int_tol) {
    Comparison c;
    if (candidate.size() != reference.size()) {
        c.ok = false;
        c.message = "expected " + std::to_string(reference.size()) + " outputs, got " +
                    std::to_string(candidate.size());
        return c;
    }
    for (size_t i = 0; i < candidate.size(); i++) {
        const Halide::Buffer<> &a = candidate[i], &b = reference[i];
        bool same_shape = a.type() == b.type() && a.dimensions() == b.dimensions();
        for (int d = 0; same_shape && d < a.dimensions(); d++)
            same_shape = a.dim(d).min() == b.dim(d).min() && a.dim(d).extent() == b.dim(d).extent();
        if (!same_shape) {
            c.ok = false;
            c.message = "output " + std::to_string(i) + " has a different shape or type";
            return c;
        }
        Halide::Type t = a.type();
        bool known = visit_type(t, [&](auto v) { compare_typed<decltype(v)>(a, b, tol, int_tol, i, c); });
        if (!known) {
            c.ok = false;
            c.message = "output " + std::to_string(i) + " has an unsupported element type";
        }
    }
    return c;
}

}  // namespace htune
