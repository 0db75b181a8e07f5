// Unsharp mask of a float RGB image: a separable gaussian blur of the luma, the detail added back
// to every channel scaled by a runtime amount. Exercises: scalar Input<float>, a kernel Func, an
// unnamed RDom over the taps, repeat_edge, and the apps/ idiom of schedule-or-estimates on auto_schedule.
#include "Halide.h"

namespace {

using namespace Halide;

class Unsharp : public Generator<Unsharp> {
public:
    GeneratorParam<float> sigma{"sigma", 1.5f};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<float, 3>> input{"input"};
    Input<float> amount{"amount"};
    Output<Buffer<float, 3>> output{"output"};

    void generate() {
        Var x("x"), y("y"), c("c"), i("i");

        const int radius = (int)(3 * sigma + 0.5f);
        const float two_sigma_sq = 2.0f * sigma * sigma;

        Func kernel("kernel");
        kernel(i) = exp(-(i * i) / two_sigma_sq);

        Func clamped = BoundaryConditions::repeat_edge(input);

        Func gray("gray");
        gray(x, y) = 0.299f * clamped(x, y, 0) + 0.587f * clamped(x, y, 1) + 0.114f * clamped(x, y, 2);

        RDom r(-radius, 2 * radius + 1);
        Func norm("norm");
        norm() = sum(kernel(r));

        Func blur_y("blur_y");
        blur_y(x, y) = sum(kernel(r) * gray(x, y + r));

        Func blur_x("blur_x");
        blur_x(x, y) = sum(kernel(r) * blur_y(x + r, y)) / (norm() * norm());

        Func detail("detail");
        detail(x, y) = amount * (gray(x, y) - blur_x(x, y));

        output(x, y, c) = clamped(x, y, c) + detail(x, y);

        if (!auto_schedule) {
            Var yo("yo"), yi("yi");
            const int vec = natural_vector_size<float>();
            kernel.compute_root();
            norm.compute_root();
            output.reorder(c, x, y).bound(c, 0, 3).unroll(c);
            output.split(y, yo, yi, 32).parallel(yo).vectorize(x, vec);
            gray.compute_at(output, yo).vectorize(x, vec);
            blur_y.compute_at(output, yi).vectorize(x, vec);
        } else {
            input.set_estimates({{0, width}, {0, height}, {0, 3}});
            amount.set_estimate(1.0f);
            output.set_estimates({{0, width}, {0, height}, {0, 3}});
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Unsharp, unsharp)
