// Synthetic depth-of-field from a stereo pair: block-matching costs over `slices` disparities, the
// best disparity by argmin, then a gather blur whose radius grows with distance from the focal plane.
// Exercises: uint8 3-D inputs, argmin (a Tuple result), a 3-D cost volume, an RDom with where(),
// float output, scalar Input<float>s, unnamed Vars; no schedule.
#include "Halide.h"

namespace {

using namespace Halide;

class LensBlur : public Generator<LensBlur> {
public:
    GeneratorParam<int> slices{"slices", 32};
    GeneratorParam<int> max_radius{"max_radius", 8};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<uint8_t, 3>> left{"left"};
    Input<Buffer<uint8_t, 3>> right{"right"};
    Input<float> focus_depth{"focus_depth"};
    Input<float> blur_radius_scale{"blur_radius_scale"};
    Output<Buffer<float, 3>> output{"output"};

    void generate() {
        Var x, y, z, c;

        Func left_im = BoundaryConditions::repeat_edge(left);
        Func right_im = BoundaryConditions::repeat_edge(right);

        // Matching cost of disparity z, truncated so occlusions don't dominate.
        Func diff;
        diff(x, y, z, c) = min(absd(left_im(x, y, c), right_im(x - z, y, c)), (uint8_t)50);

        Func cost_c;
        cost_c(x, y, z) = cast<float>(diff(x, y, z, 0)) + diff(x, y, z, 1) + diff(x, y, z, 2);

        // 5x5 box of costs, separably.
        Func cost_y, cost;
        cost_y(x, y, z) = cost_c(x, y - 2, z) + cost_c(x, y - 1, z) + cost_c(x, y, z) + cost_c(x, y + 1, z) +
                          cost_c(x, y + 2, z);
        cost(x, y, z) = cost_y(x - 2, y, z) + cost_y(x - 1, y, z) + cost_y(x, y, z) + cost_y(x + 1, y, z) +
                        cost_y(x + 2, y, z);

        RDom rz(0, slices);
        Func best;
        best(x, y) = argmin(cost(x, y, rz));

        Func depth;
        depth(x, y) = cast<float>(best(x, y)[0]) / slices;

        Func radius;
        radius(x, y) = clamp(abs(depth(x, y) - focus_depth) * blur_radius_scale, 0.0f, (float)max_radius);

        Func color;
        color(x, y, c) = left_im(x, y, c) / 255.0f;

        // Gather: a neighbour contributes if its own blur disk reaches this pixel.
        const int R = max_radius;
        RDom s(-R, 2 * R + 1, -R, 2 * R + 1);
        s.where(s.x * s.x + s.y * s.y <= R * R);
        Expr dist_sq = cast<float>(s.x * s.x + s.y * s.y);
        Expr reaches = dist_sq <= radius(x + s.x, y + s.y) * radius(x + s.x, y + s.y) + 0.5f;

        Func blurred, weight;
        blurred(x, y, c) = 0.0f;
        blurred(x, y, c) += select(reaches, color(x + s.x, y + s.y, c), 0.0f);
        weight(x, y) = 0.0f;
        weight(x, y) += select(reaches, 1.0f, 0.0f);

        output(x, y, c) = blurred(x, y, c) / weight(x, y);

        left.set_estimates({{0, width}, {0, height}, {0, 3}});
        right.set_estimates({{0, width}, {0, height}, {0, 3}});
        focus_depth.set_estimate(0.5f);
        blur_radius_scale.set_estimate(16.0f);
        output.set_estimates({{0, width}, {0, height}, {0, 3}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(LensBlur, lens_blur)
