// Circular max filter (grayscale dilation with a disk) of a float RGB image.
// Exercises: a 2-D RDom restricted with where() to a disk, the inline reduction maximum(),
// repeat_edge on a 3-D input, unnamed Vars, a radius GeneratorParam; no schedule.
#include "Halide.h"

namespace {

using namespace Halide;

class MaxFilter : public Generator<MaxFilter> {
public:
    GeneratorParam<int> radius{"radius", 13, 1, 64};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};
    GeneratorParam<int> channels{"channels", 3};

    Input<Buffer<float, 3>> input{"input"};
    Output<Buffer<float, 3>> output{"output"};

    void generate() {
        Var x, y, c;
        const int R = radius;

        Func clamped = BoundaryConditions::repeat_edge(input);

        RDom r(-R, 2 * R + 1, -R, 2 * R + 1);
        r.where(r.x * r.x + r.y * r.y <= R * R);

        Func dilated;
        dilated(x, y, c) = maximum(clamped(x + r.x, y + r.y, c));

        output(x, y, c) = dilated(x, y, c);

        input.set_estimates({{0, width}, {0, height}, {0, channels}});
        output.set_estimates({{0, width}, {0, height}, {0, channels}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(MaxFilter, max_filter)
