// Single-head scaled dot-product attention: softmax(Q K^T / sqrt(d)) V for one sequence.
// Exercises: inline reductions sum() and maximum() over unnamed RDoms, a numerically stable
// softmax, three 2-D float inputs, unnamed Vars; no schedule.
#include <cmath>

#include "Halide.h"

namespace {

using namespace Halide;

class Attention : public Generator<Attention> {
public:
    GeneratorParam<int> seq{"seq", 1024};
    GeneratorParam<int> dim{"dim", 256};

    // All stored as (feature, position).
    Input<Buffer<float, 2>> q{"q"};
    Input<Buffer<float, 2>> k{"k"};
    Input<Buffer<float, 2>> v{"v"};
    Output<Buffer<float, 2>> output{"output"};

    void generate() {
        Var d, s, t;
        const float scale = 1.0f / std::sqrt((float)dim);

        RDom rd(0, dim);
        Func scores;
        scores(t, s) = sum(q(rd, s) * k(rd, t)) * scale;

        RDom rt(0, seq);
        Func row_max;
        row_max(s) = maximum(scores(rt, s));

        Func e;
        e(t, s) = exp(scores(t, s) - row_max(s));

        Func denom;
        denom(s) = sum(e(rt, s));

        Func attn;
        attn(t, s) = e(t, s) / denom(s);

        output(d, s) = sum(attn(rt, s) * v(d, rt));

        q.set_estimates({{0, dim}, {0, seq}});
        k.set_estimates({{0, dim}, {0, seq}});
        v.set_estimates({{0, dim}, {0, seq}});
        output.set_estimates({{0, dim}, {0, seq}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Attention, attention)
