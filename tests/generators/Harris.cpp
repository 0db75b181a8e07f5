// Harris corner response of a float RGB image (same size 2-D float output).
// Exercises: repeat_edge before the gradients, Sobel-style Ix/Iy, a 3x3 structure-tensor box as
// explicit taps, named Vars, and a hand schedule applied unconditionally with a sliding window
// (Ix/Iy stored per strip, computed per row: store_at + compute_at).
#include "Halide.h"

namespace {

using namespace Halide;

Expr box3x3(Func f, Var x, Var y) {
    return f(x - 1, y - 1) + f(x, y - 1) + f(x + 1, y - 1) + f(x - 1, y) + f(x, y) + f(x + 1, y) +
           f(x - 1, y + 1) + f(x, y + 1) + f(x + 1, y + 1);
}

class Harris : public Generator<Harris> {
public:
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};
    GeneratorParam<float> k{"k", 0.04f};

    Input<Buffer<float, 3>> input{"input"};
    Output<Buffer<float, 2>> output{"output"};

    void generate() {
        Var x("x"), y("y");

        Func clamped = BoundaryConditions::repeat_edge(input);

        Func gray("gray");
        gray(x, y) = 0.299f * clamped(x, y, 0) + 0.587f * clamped(x, y, 1) + 0.114f * clamped(x, y, 2);

        Func Ix("Ix"), Iy("Iy");
        Ix(x, y) = (gray(x + 1, y - 1) + 2.0f * gray(x + 1, y) + gray(x + 1, y + 1) - gray(x - 1, y - 1) -
                    2.0f * gray(x - 1, y) - gray(x - 1, y + 1)) /
                   8.0f;
        Iy(x, y) = (gray(x - 1, y + 1) + 2.0f * gray(x, y + 1) + gray(x + 1, y + 1) - gray(x - 1, y - 1) -
                    2.0f * gray(x, y - 1) - gray(x + 1, y - 1)) /
                   8.0f;

        Func Ixx("Ixx"), Iyy("Iyy"), Ixy("Ixy");
        Ixx(x, y) = Ix(x, y) * Ix(x, y);
        Iyy(x, y) = Iy(x, y) * Iy(x, y);
        Ixy(x, y) = Ix(x, y) * Iy(x, y);

        Func Sxx("Sxx"), Syy("Syy"), Sxy("Sxy");
        Sxx(x, y) = box3x3(Ixx, x, y);
        Syy(x, y) = box3x3(Iyy, x, y);
        Sxy(x, y) = box3x3(Ixy, x, y);

        Func det("det"), trace("trace");
        det(x, y) = Sxx(x, y) * Syy(x, y) - Sxy(x, y) * Sxy(x, y);
        trace(x, y) = Sxx(x, y) + Syy(x, y);

        output(x, y) = det(x, y) - k * trace(x, y) * trace(x, y);

        input.set_estimates({{0, width}, {0, height}, {0, 3}});
        output.set_estimates({{0, width}, {0, height}});

        // Schedule: strips of 32 rows in parallel; the gradients slide down each strip.
        Var yo("yo"), yi("yi");
        const int vec = natural_vector_size<float>();
        output.split(y, yo, yi, 32).parallel(yo).vectorize(x, vec);
        gray.store_at(output, yo).compute_at(output, yi).vectorize(x, vec);
        Ix.store_at(output, yo).compute_at(output, yi).vectorize(x, vec);
        Iy.store_at(output, yo).compute_at(output, yi).vectorize(x, vec);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Harris, harris)
