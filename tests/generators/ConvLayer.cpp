// A 3x3 convolution layer with bias and ReLU on a batch of feature maps (channels innermost).
// Exercises: 4-D input and output buffers, a 4-D filter, a 3-D RDom, an input estimate larger
// than the output (no boundary condition: the input carries the halo), named Vars; no schedule.
#include "Halide.h"

namespace {

using namespace Halide;

class ConvLayer : public Generator<ConvLayer> {
public:
    GeneratorParam<int> batch{"batch", 4};
    GeneratorParam<int> in_channels{"in_channels", 64};
    GeneratorParam<int> out_channels{"out_channels", 64};
    GeneratorParam<int> width{"width", 128};
    GeneratorParam<int> height{"height", 128};

    Input<Buffer<float, 4>> input{"input"};    // (ci, x, y, n), with a 1-pixel halo
    Input<Buffer<float, 4>> filter{"filter"};  // (co, ci, kx, ky)
    Input<Buffer<float, 1>> bias{"bias"};
    Output<Buffer<float, 4>> relu{"relu"};  // (co, x, y, n)

    void generate() {
        Var co("co"), x("x"), y("y"), n("n");

        const int N = batch, CI = in_channels, CO = out_channels, W = width, H = height;
        RDom r(0, CI, 0, 3, 0, 3, "r");

        Func conv("conv");
        conv(co, x, y, n) = bias(co);
        conv(co, x, y, n) += filter(co, r.x, r.y, r.z) * input(r.x, x + r.y, y + r.z, n);

        relu(co, x, y, n) = max(0.0f, conv(co, x, y, n));

        input.set_estimates({{0, CI}, {0, W + 2}, {0, H + 2}, {0, N}});
        filter.set_estimates({{0, CO}, {0, CI}, {0, 3}, {0, 3}});
        bias.set_estimates({{0, CO}});
        relu.set_estimates({{0, CO}, {0, W}, {0, H}, {0, N}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(ConvLayer, conv_layer)
