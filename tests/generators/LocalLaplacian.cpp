// Local Laplacian filter (detail/tone manipulation) of a 16-bit RGB image: a Gaussian pyramid of
// `levels` remapped copies, their Laplacian pyramids, a per-pixel blend, and collapse.
// Exercises: uint16 in/out, arrays of Funcs built in loops (count set by pyramid_levels), unnamed
// Funcs from helper functions with the implicit `_`, a remap LUT Func, float math cast back to uint16.
#include <vector>

#include "Halide.h"

namespace {

using namespace Halide;

Var x("x"), y("y"), c("c"), k("k");

// 1 3 3 1 downsample in x then y (works on any Func with x, y first).
Func downsample(Func f) {
    Func downx, downy;
    downx(x, y, _) =
        (f(2 * x - 1, y, _) + 3.0f * (f(2 * x, y, _) + f(2 * x + 1, y, _)) + f(2 * x + 2, y, _)) / 8.0f;
    downy(x, y, _) = (downx(x, 2 * y - 1, _) + 3.0f * (downx(x, 2 * y, _) + downx(x, 2 * y + 1, _)) +
                      downx(x, 2 * y + 2, _)) /
                     8.0f;
    return downy;
}

Func upsample(Func f) {
    Func upx, upy;
    upx(x, y, _) = lerp(f((x + 1) / 2 - 1, y, _), f((x + 1) / 2, y, _), 0.25f + 0.5f * (x % 2));
    upy(x, y, _) = lerp(upx(x, (y + 1) / 2 - 1, _), upx(x, (y + 1) / 2, _), 0.25f + 0.5f * (y % 2));
    return upy;
}

class LocalLaplacian : public Generator<LocalLaplacian> {
public:
    GeneratorParam<int> pyramid_levels{"pyramid_levels", 8, 1, 12};
    GeneratorParam<int> levels{"levels", 8, 2, 32};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<uint16_t, 3>> input{"input"};
    Input<float> alpha{"alpha"};
    Input<float> beta{"beta"};
    Output<Buffer<uint16_t, 3>> output{"output"};

    void generate() {
        const int J = pyramid_levels;
        const int K = levels;

        Func clamped = BoundaryConditions::repeat_edge(input);
        Func floating("floating");
        floating(x, y, c) = clamped(x, y, c) / 65535.0f;

        Func gray("gray");
        gray(x, y) = 0.299f * floating(x, y, 0) + 0.587f * floating(x, y, 1) + 0.114f * floating(x, y, 2);

        // Detail-enhancing curve, sampled 256 entries per intensity level.
        Func remap("remap");
        Expr fx = cast<float>(x) / 256.0f;
        remap(x) = alpha * fx * exp(-fx * fx / 2.0f);

        // Gaussian pyramid of the image processed at each of the K intensity levels.
        Expr level = k * (1.0f / (K - 1));
        Expr idx = clamp(cast<int>(gray(x, y) * (K - 1) * 256), 0, (K - 1) * 256);
        std::vector<Func> gPyramid(J);
        gPyramid[0](x, y, k) = beta * (gray(x, y) - level) + level + remap(idx - 256 * k);
        for (int j = 1; j < J; j++) gPyramid[j](x, y, k) = downsample(gPyramid[j - 1])(x, y, k);

        Func lPyramid[16];
        lPyramid[J - 1](x, y, k) = gPyramid[J - 1](x, y, k);
        for (int j = J - 2; j >= 0; j--)
            lPyramid[j](x, y, k) = gPyramid[j](x, y, k) - upsample(gPyramid[j + 1])(x, y, k);

        Func inGPyramid[16];
        inGPyramid[0](x, y) = gray(x, y);
        for (int j = 1; j < J; j++) inGPyramid[j](x, y) = downsample(inGPyramid[j - 1])(x, y);

        // Blend the two nearest intensity levels' Laplacians at every pyramid level.
        Func outLPyramid[16];
        for (int j = 0; j < J; j++) {
            Expr lvl = inGPyramid[j](x, y) * (K - 1);
            Expr li = clamp(cast<int>(lvl), 0, K - 2);
            Expr lf = lvl - li;
            outLPyramid[j](x, y) = lerp(lPyramid[j](x, y, li), lPyramid[j](x, y, li + 1), lf);
        }

        Func outGPyramid[16];
        outGPyramid[J - 1](x, y) = outLPyramid[J - 1](x, y);
        for (int j = J - 2; j >= 0; j--)
            outGPyramid[j](x, y) = upsample(outGPyramid[j + 1])(x, y) + outLPyramid[j](x, y);

        // Reintroduce color by scaling each channel by the luma change.
        Func color("color");
        color(x, y, c) = outGPyramid[0](x, y) * (floating(x, y, c) + 0.01f) / (gray(x, y) + 0.01f);

        output(x, y, c) = cast<uint16_t>(clamp(color(x, y, c), 0.0f, 1.0f) * 65535.0f);

        input.set_estimates({{0, width}, {0, height}, {0, 3}});
        alpha.set_estimate(1.0f / (K - 1));
        beta.set_estimate(1.0f);
        output.set_estimates({{0, width}, {0, height}, {0, 3}});

        if (!auto_schedule) {
            Var yo("yo"), yi("yi");
            const int vec = natural_vector_size<float>();
            remap.compute_root();
            output.split(y, yo, yi, 8).parallel(yo).vectorize(x, vec);
            gray.compute_root().parallel(y, 8).vectorize(x, vec);
            for (int j = 0; j < J; j++) {
                Func g = gPyramid[j], in_g = inGPyramid[j], out_g = outGPyramid[j];
                if (j > 0) in_g.compute_root().parallel(y, 8).vectorize(x, vec);
                g.compute_root().reorder(k, x, y).parallel(y, 8).vectorize(x, vec);
                if (j > 0) out_g.compute_root().parallel(y, 8).vectorize(x, vec);
            }
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(LocalLaplacian, local_laplacian)
