// Sobel edge magnitude of an 8-bit gray image.
// Exercises: uint8 input, BoundaryConditions::repeat_edge, Halide::lambda, unnamed Vars and Funcs,
// uint16 intermediate magnitude saturated to a uint8 output; no schedule (Halide's default).
#include "Halide.h"

namespace {

using namespace Halide;

class Sobel : public Generator<Sobel> {
public:
    GeneratorParam<int> width{"width", 1920};
    GeneratorParam<int> height{"height", 1080};

    Input<Buffer<uint8_t, 2>> input{"input"};
    Output<Buffer<uint8_t, 2>> output{"output"};

    void generate() {
        Var x, y;

        Func clamped = BoundaryConditions::repeat_edge(input);
        Func in = lambda(x, y, cast<int16_t>(clamped(x, y)));

        Func gx, gy;
        gx(x, y) = (in(x + 1, y - 1) + 2 * in(x + 1, y) + in(x + 1, y + 1)) -
                   (in(x - 1, y - 1) + 2 * in(x - 1, y) + in(x - 1, y + 1));
        gy(x, y) = (in(x - 1, y + 1) + 2 * in(x, y + 1) + in(x + 1, y + 1)) -
                   (in(x - 1, y - 1) + 2 * in(x, y - 1) + in(x + 1, y - 1));

        Func mag;
        mag(x, y) = cast<uint16_t>(abs(gx(x, y))) + cast<uint16_t>(abs(gy(x, y)));

        output(x, y) = saturating_cast<uint8_t>(mag(x, y) / 4);

        input.set_estimates({{0, width}, {0, height}});
        output.set_estimates({{0, width}, {0, height}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Sobel, sobel)
