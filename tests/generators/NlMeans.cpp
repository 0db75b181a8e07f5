// Non-local means denoising of a float RGB image: patch distances for every offset in a search
// window as a 4-D Func d(x, y, dx, dy), box-filtered over the patch, turned into weights.
// Exercises: 4-D intermediates (2.66 GB each if compute_root at bench size), inline sum() over
// unnamed RDoms, a Tuple-valued (weighted sum, weight) update, a scalar Input<float>, unnamed Vars.
#include "Halide.h"

namespace {

using namespace Halide;

class NlMeans : public Generator<NlMeans> {
public:
    GeneratorParam<int> patch_size{"patch_size", 7};
    GeneratorParam<int> search_area{"search_area", 13};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<float, 3>> input{"input"};
    Input<float> sigma{"sigma"};
    Output<Buffer<float, 3>> output{"output"};

    void generate() {
        Var x, y, c, dx, dy;
        const int P = patch_size, S = search_area;

        Func clamped = BoundaryConditions::repeat_edge(input);

        // Squared color difference between each pixel and its neighbour at offset (dx, dy).
        RDom rc(0, 3);
        Func d;
        Expr diff = clamped(x, y, rc) - clamped(x + dx, y + dy, rc);
        d(x, y, dx, dy) = sum(diff * diff);

        // Sum over the patch, separably.
        RDom rp(-(P / 2), P);
        Func blur_d_y, blur_d;
        blur_d_y(x, y, dx, dy) = sum(d(x, y + rp, dx, dy));
        blur_d(x, y, dx, dy) = sum(blur_d_y(x + rp, y, dx, dy));

        Expr inv_sigma_sq = -1.0f / (sigma * sigma * P * P);
        Func w;
        w(x, y, dx, dy) = exp(blur_d(x, y, dx, dy) * inv_sigma_sq);

        // Weighted average over the search window, accumulated as a (sum, weight) Tuple.
        RDom s(-(S / 2), S, -(S / 2), S);
        Func nlm;
        nlm(x, y, c) = Tuple(0.0f, 0.0f);
        nlm(x, y, c) = Tuple(nlm(x, y, c)[0] + w(x, y, s.x, s.y) * clamped(x + s.x, y + s.y, c),
                             nlm(x, y, c)[1] + w(x, y, s.x, s.y));

        output(x, y, c) = nlm(x, y, c)[0] / nlm(x, y, c)[1];

        input.set_estimates({{0, width}, {0, height}, {0, 3}});
        sigma.set_estimate(0.12f);
        output.set_estimates({{0, width}, {0, height}, {0, 3}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(NlMeans, nl_means)
