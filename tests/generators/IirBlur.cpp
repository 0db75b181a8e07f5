// Two-pass first-order IIR (exponential) blur of a float RGB image: a causal and an anticausal
// scan down the columns, a transpose, and the same again. Exercises: RDom scans whose extents come
// from the input's shape, a scalar Input<float>, named Vars, schedule-or-estimates on auto_schedule.
#include "Halide.h"

namespace {

using namespace Halide;

// Blurs the columns of `in` (causal then anticausal) and returns the result transposed.
Func blur_cols_transpose(Func in, Expr height, Expr alpha, bool schedule) {
    Var x("x"), y("y"), c("c");

    Func blur("blur");
    blur(x, y, c) = in(x, y, c);

    RDom ry(1, height - 1);
    blur(x, ry, c) = (1 - alpha) * blur(x, ry - 1, c) + alpha * in(x, ry, c);

    RDom ry_up(0, height - 1);
    Expr flip_y = height - 2 - ry_up;
    blur(x, flip_y, c) = (1 - alpha) * blur(x, flip_y + 1, c) + alpha * blur(x, flip_y, c);

    Func transpose("transpose");
    transpose(x, y, c) = blur(y, x, c);

    if (schedule) {
        const int vec = 8;
        blur.compute_root().parallel(c).vectorize(x, vec);
        blur.update(0).parallel(c).vectorize(x, vec);
        blur.update(1).parallel(c).vectorize(x, vec);
        transpose.compute_root().parallel(c).parallel(y).vectorize(x, vec);
    }
    return transpose;
}

class IirBlur : public Generator<IirBlur> {
public:
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<float, 3>> input{"input"};
    Input<float> alpha{"alpha"};
    Output<Buffer<float, 3>> output{"output"};

    void generate() {
        Var x("x"), y("y"), c("c");

        Func in("in");
        in(x, y, c) = input(x, y, c);

        Func blur_y = blur_cols_transpose(in, input.height(), alpha, !auto_schedule);
        Func blur = blur_cols_transpose(blur_y, input.width(), alpha, !auto_schedule);

        output(x, y, c) = blur(x, y, c);

        if (auto_schedule) {
            input.set_estimates({{0, width}, {0, height}, {0, 3}});
            alpha.set_estimate(0.1f);
            output.set_estimates({{0, width}, {0, height}, {0, 3}});
        } else {
            output.vectorize(x, 8).parallel(y);
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(IirBlur, iir_blur)
