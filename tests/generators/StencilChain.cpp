// A chain of `stages` 3x3 binomial blurs on a 16-bit image, the Funcs made in a loop.
// Exercises: uint16 input and output, a GeneratorParam that changes the number of Funcs, unnamed
// Funcs kept in a std::vector, repeat_edge, and a conditional hand schedule.
#include <vector>

#include "Halide.h"

namespace {

using namespace Halide;

class StencilChain : public Generator<StencilChain> {
public:
    GeneratorParam<int> stages{"stages", 8};
    GeneratorParam<int> width{"width", 1536};
    GeneratorParam<int> height{"height", 2560};

    Input<Buffer<uint16_t, 2>> input{"input"};
    Output<Buffer<uint16_t, 2>> output{"output"};

    void generate() {
        Var x, y;

        std::vector<Func> stages_;
        stages_.push_back(BoundaryConditions::repeat_edge(input));

        for (int s = 0; s < stages; s++) {
            Func prev = stages_.back();
            Func f;
            // 1 2 1 / 2 4 2 / 1 2 1, summed in 32 bits and scaled back down.
            auto p = [&](int dx, int dy) { return cast<uint32_t>(prev(x + dx, y + dy)); };
            Expr v = (p(-1, -1) + 2 * p(0, -1) + p(1, -1) + 2 * p(-1, 0) + 4 * p(0, 0) + 2 * p(1, 0) +
                      p(-1, 1) + 2 * p(0, 1) + p(1, 1) + 8) /
                     16;
            f(x, y) = cast<uint16_t>(v);
            stages_.push_back(f);
        }

        output(x, y) = stages_.back()(x, y);

        input.set_estimates({{0, width}, {0, height}});
        output.set_estimates({{0, width}, {0, height}});

        if (!auto_schedule) {
            Var yo, yi;
            output.split(y, yo, yi, 32).parallel(yo).vectorize(x, 16);
            for (size_t i = 1; i < stages_.size(); i++) {
                stages_[i].store_at(output, yo).compute_at(output, yi).vectorize(x, 16);
            }
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(StencilChain, stencil_chain)
