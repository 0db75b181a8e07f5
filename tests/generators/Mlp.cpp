// Two-layer perceptron (dense -> ReLU -> dense) applied to a batch of feature vectors.
// Exercises: 1-D and 2-D float inputs, unnamed RDoms over the reduction dims, update definitions
// seeded with the bias, unnamed Vars, no width/height params (sizes are batch/din/hidden/dout).
#include "Halide.h"

namespace {

using namespace Halide;

class Mlp : public Generator<Mlp> {
public:
    GeneratorParam<int> batch{"batch", 512};
    GeneratorParam<int> din{"din", 1024};
    GeneratorParam<int> hidden{"hidden", 1024};
    GeneratorParam<int> dout{"dout", 512};

    // x(k, n): feature k of sample n. Weights are stored (out_features, in_features).
    Input<Buffer<float, 2>> x{"x"};
    Input<Buffer<float, 2>> w1{"w1"};
    Input<Buffer<float, 1>> b1{"b1"};
    Input<Buffer<float, 2>> w2{"w2"};
    Input<Buffer<float, 1>> b2{"b2"};
    Output<Buffer<float, 2>> y{"y"};

    void generate() {
        Var i, n;

        RDom k(0, din);
        Func layer1;
        layer1(i, n) = b1(i);
        layer1(i, n) += w1(i, k) * x(k, n);

        Func relu;
        relu(i, n) = max(layer1(i, n), 0.0f);

        RDom j(0, hidden);
        Func layer2;
        layer2(i, n) = b2(i);
        layer2(i, n) += w2(i, j) * relu(j, n);

        y(i, n) = layer2(i, n);

        x.set_estimates({{0, din}, {0, batch}});
        w1.set_estimates({{0, hidden}, {0, din}});
        b1.set_estimates({{0, hidden}});
        w2.set_estimates({{0, dout}, {0, hidden}});
        b2.set_estimates({{0, dout}});
        y.set_estimates({{0, dout}, {0, batch}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Mlp, mlp)
