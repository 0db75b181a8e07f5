// compare_outputs: exact integer / relative float comparison (see BufferCompare.h).
#include "ops/BufferCompare.h"

#include <cmath>
#include <sstream>

#include "ops/TypeDispatch.h"

namespace htune {

namespace {

template <typename T>
void compare_typed(Halide::Buffer<T> a, Halide::Buffer<T> b, double tol, double int_tol, size_t index,
                   Comparison &c) {
    // Scale: the largest reference magnitude, so tiny values near zero do not dominate.
    double scale = 0;
    b.for_each_value([&](const T &v) { scale = std::max(scale, std::abs((double)v)); });
    scale = std::max(scale, 1e-6);
    bool is_float = std::is_floating_point<T>::value;
    bool reported = false;
    a.for_each_element([&](const int *pos) {
        double x = (double)a(pos), y = (double)b(pos);
        double err = std::abs(x - y);
        if (std::isnan(x) != std::isnan(y)) err = INFINITY;
        c.max_abs_error = std::max(c.max_abs_error, err);
        c.max_rel_error = std::max(c.max_rel_error, err / scale);
        bool bad = is_float ? !(err / scale <= tol) : err > int_tol;
        if (bad && !reported) {
            reported = true;
            c.ok = false;
            std::ostringstream os;
            os << "output " << index << " differs at (";
            for (int d = 0; d < a.dimensions(); d++) os << (d ? "," : "") << pos[d];
            os << "): got " << x << ", expected " << y;
            c.message = os.str();
        }
    });
}

}  // namespace

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
