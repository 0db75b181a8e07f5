// A user's Halide Generator, built as a shared library the way htune expects to find one:
// compile with -fPIC against libHalide, register with HALIDE_REGISTER_GENERATOR, do NOT link
// GenGen. Then: htune ops --generator-lib ./libhtune_example_gen.so --generator sharpen_blend
#include <Halide.h>

namespace {

using namespace Halide;

// Unsharp-style sharpen of a float RGB image, blended with a second image: two inputs, a
// scalar weight, a GeneratorParam for the blur radius, and estimates on everything.
class SharpenBlend : public Generator<SharpenBlend> {
public:
    GeneratorParam<int> radius{"radius", 2, 1, 8};
    GeneratorParam<int> width{"width", 1536, 16, 16384};
    GeneratorParam<int> height{"height", 1024, 16, 16384};

    Input<Buffer<float, 3>> input{"input"};
    Input<Buffer<float, 3>> overlay{"overlay"};
    Input<float> weight{"weight"};
    Output<Buffer<float, 3>> output{"output"};

    void generate() {
        const int R = radius, W = width, H = height;
        Var x("x"), y("y"), c("c");
        Func clamped("clamped");
        clamped(x, y, c) = input(clamp(x, 0, W - 1), clamp(y, 0, H - 1), c);
        RDom r(-R, 2 * R + 1, "r");
        Func blur_x("blur_x"), blur_y("blur_y");
        blur_x(x, y, c) = 0.0f;
        blur_x(x, y, c) += clamped(x + r, y, c);
        blur_y(x, y, c) = 0.0f;
        blur_y(x, y, c) += blur_x(x, y + r, c);
        Expr n = (float)((2 * R + 1) * (2 * R + 1));
        Func sharp("sharp");
        sharp(x, y, c) = 2.0f * clamped(x, y, c) - blur_y(x, y, c) / n;
        output(x, y, c) = sharp(x, y, c) * (1.0f - weight) + overlay(x, y, c) * weight;

        input.set_estimates({{0, W}, {0, H}, {0, 3}});
        overlay.set_estimates({{0, W}, {0, H}, {0, 3}});
        weight.set_estimate(0.25f);
        output.set_estimates({{0, W}, {0, H}, {0, 3}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(SharpenBlend, sharpen_blend)
