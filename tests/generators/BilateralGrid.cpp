// Bilateral filter of a float gray image through a bilateral grid: scatter into a 4-D grid,
// blur the grid in z, x and y, slice it back with trilinear interpolation. Exercises: a 4-D Func
// with a data-dependent (clamped) scatter update, lerp, a scalar Input<float>, unnamed Vars.
#include "Halide.h"

namespace {

using namespace Halide;

class BilateralGrid : public Generator<BilateralGrid> {
public:
    GeneratorParam<int> s_sigma{"s_sigma", 8};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<float, 2>> input{"input"};
    Input<float> r_sigma{"r_sigma"};
    Output<Buffer<float, 2>> output{"output"};

    void generate() {
        Var x, y, z, c;
        const int s = s_sigma;

        Func clamped = BoundaryConditions::repeat_edge(input);

        // Scatter every pixel of an s x s cell into the grid: c = 0 sums values, c = 1 counts.
        RDom r(0, s, 0, s);
        Expr val = clamp(clamped(x * s + r.x - s / 2, y * s + r.y - s / 2), 0.0f, 1.0f);
        Expr zmax = cast<int>(ceil(1.0f / r_sigma));
        Expr zi = clamp(cast<int>(val * (1.0f / r_sigma) + 0.5f), 0, zmax);

        Func histogram;
        histogram(x, y, z, c) = 0.0f;
        histogram(x, y, zi, c) += select(c == 0, val, 1.0f);

        // Blur the grid with a 1 4 6 4 1 kernel along each axis.
        Func blurz, blurx, blury;
        blurz(x, y, z, c) = histogram(x, y, z - 2, c) + 4 * histogram(x, y, z - 1, c) +
                            6 * histogram(x, y, z, c) + 4 * histogram(x, y, z + 1, c) +
                            histogram(x, y, z + 2, c);
        blurx(x, y, z, c) = blurz(x - 2, y, z, c) + 4 * blurz(x - 1, y, z, c) + 6 * blurz(x, y, z, c) +
                            4 * blurz(x + 1, y, z, c) + blurz(x + 2, y, z, c);
        blury(x, y, z, c) = blurx(x, y - 2, z, c) + 4 * blurx(x, y - 1, z, c) + 6 * blurx(x, y, z, c) +
                            4 * blurx(x, y + 1, z, c) + blurx(x, y + 2, z, c);

        // Trilinear slice at each pixel's own position in the grid.
        Expr v = clamp(clamped(x, y), 0.0f, 1.0f);
        Expr zv = v * (1.0f / r_sigma);
        Expr zf = zv - floor(zv);
        Expr zl = cast<int>(floor(zv));
        Expr xf = cast<float>(x % s) / s, yf = cast<float>(y % s) / s;
        Expr xl = x / s, yl = y / s;

        Func interpolated;
        interpolated(x, y, c) =
            lerp(lerp(lerp(blury(xl, yl, zl, c), blury(xl + 1, yl, zl, c), xf),
                      lerp(blury(xl, yl + 1, zl, c), blury(xl + 1, yl + 1, zl, c), xf), yf),
                 lerp(lerp(blury(xl, yl, zl + 1, c), blury(xl + 1, yl, zl + 1, c), xf),
                      lerp(blury(xl, yl + 1, zl + 1, c), blury(xl + 1, yl + 1, zl + 1, c), xf), yf),
                 zf);

        output(x, y) = interpolated(x, y, 0) / interpolated(x, y, 1);

        input.set_estimates({{0, width}, {0, height}});
        r_sigma.set_estimate(0.1f);
        output.set_estimates({{0, width}, {0, height}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(BilateralGrid, bilateral_grid)
