// Built-in CNN layers besides convolution (issue 27), fp32, layout (c, x, y, n) like Dnn.cpp's:
// pool (max or average, stride, zero/-inf padding; global pooling is K = W = H), fully_connected
// (batch of vectors times a weight matrix, + bias + activation) and add (the residual join, +
// activation). FLOPs: 1 per compare, add or multiply, 2 per multiply-add.
#include <limits>

#include "ops/Error.h"
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

ParamSpec act_param(const std::string &def) {
    return {"act", ParamType::text, def, 0, 0, {"none", "relu", "relu6"}, "activation at the end"};
}

Expr activate(const Expr &e, const std::string &act) {
    if (act == "relu") return max(e, 0.0f);
    if (act == "relu6") return clamp(e, 0.0f, 6.0f);
    return e;
}

double act_flops(const std::string &act) { return act == "relu" ? 1 : act == "relu6" ? 2 : 0; }

int conv_output_extent(int in, int k, int stride, int pad, int dilation) {
    const int span = in + 2 * pad - dilation * (k - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
}

namespace {

// A pooling window is a convolution's without dilation.
int pool_extent(int in, int k, int stride, int pad) { return conv_output_extent(in, k, stride, pad, 1); }

// K x K pooling with a stride and padding. Max pooling pads with the lowest float (padding never
// wins); average pooling pads with zeros and divides by K * K (PyTorch's count_include_pad).
OpDef pool() {
    OpDef d;
    d.name = "pool";
    d.summary = "K x K max or average pooling with stride and padding, fp32, layout (c, x, y, n)";
    d.params = {int_param("N", 1, 1, 64, "batch size"),
                int_param("C", 64, 1, 4096, "channels"),
                int_param("W", 112, 1, 4096, "input width"),
                int_param("H", 112, 1, 4096, "input height"),
                int_param("K", 3, 1, 4096, "window (KxK); K = W = H is global pooling"),
                int_param("stride", 2, 1, 64, "stride in x and y"),
                int_param("pad", 1, 0, 10, "padding on every side"),
                {"kind", ParamType::text, "max", 0, 0, {"max", "avg"}, "max or average"}};
    d.test = {{"C", "8"}, {"W", "12"}, {"H", "10"}};
    d.build = [](const ParamValues &p) {
        const int N = p.i("N"), C = p.i("C"), W = p.i("W"), H = p.i("H"), K = p.i("K"), S = p.i("stride"),
                  P = p.i("pad");
        const int OW = pool_extent(W, K, S, P), OH = pool_extent(H, K, S, P);
        if (OW < 1 || OH < 1)
            throw_usage("pool: a " + std::to_string(K) + "x" + std::to_string(K) + " window does not fit a " +
                        std::to_string(W) + "x" + std::to_string(H) + " input padded by " +
                        std::to_string(P));
        const bool is_max = p.text("kind") == "max";
        ImageParam input = image_param(Float(32), "input", {C, W, H, N});
        const float outside = is_max ? std::numeric_limits<float>::lowest() : 0.0f;
        Func padded = BoundaryConditions::constant_exterior(input, outside,
                                                            {Range(), Range(0, W), Range(0, H), Range()});
        Var c("c"), x("x"), y("y"), n("n");
        RDom r(0, K, 0, K, "r");
        Expr tap = padded(c, x * S + r.x - P, y * S + r.y - P, n);
        Func out(is_max ? "max_pool" : "avg_pool");
        if (is_max)
            out(c, x, y, n) = maximum(tap);
        else
            out(c, x, y, n) = sum(tap) * (1.0f / (K * K));
        out.set_estimates({{0, C}, {0, OW}, {0, OH}, {0, N}});
        return Pipeline(out);
    };
    d.flops = [](const ParamValues &p) {
        const int K = p.i("K");
        double out = (double)p.i("N") * p.i("C") * pool_extent(p.i("W"), K, p.i("stride"), p.i("pad")) *
                     pool_extent(p.i("H"), K, p.i("stride"), p.i("pad"));
        return out * (p.text("kind") == "max" ? K * K - 1.0 : K * K + 1.0);
    };
    d.ranges = {{"input", {-1, 1}}};
    return d;
}

// out(o, n) = act(bias(o) + sum_i weight(o, i) * input(i, n)): outputs innermost, like the
// channels of the other layers.
OpDef fully_connected() {
    OpDef d;
    d.name = "fully_connected";
    d.summary =
        "fully connected layer: weight (OUT x IN) times a batch of IN-vectors + bias + activation, fp32";
    d.params = {int_param("N", 1, 1, 4096, "batch size"), int_param("IN", 512, 1, 65536, "input features"),
                int_param("OUT", 1000, 1, 65536, "output features"), act_param("none")};
    d.test = {{"N", "2"}, {"IN", "24"}, {"OUT", "20"}};
    d.build = [](const ParamValues &p) {
        const int N = p.i("N"), IN = p.i("IN"), OUT = p.i("OUT");
        ImageParam input = image_param(Float(32), "input", {IN, N});
        ImageParam weight = image_param(Float(32), "weight", {OUT, IN});
        ImageParam bias = image_param(Float(32), "bias", {OUT});
        Var o("o"), n("n");
        RDom r(0, IN, "r");
        Func acc("fc");
        acc(o, n) = bias(o);
        acc(o, n) += weight(o, r) * input(r, n);
        Func out("fc_" + p.text("act"));
        out(o, n) = activate(acc(o, n), p.text("act"));
        out.set_estimates({{0, OUT}, {0, N}});
        return Pipeline(out);
    };
    d.flops = [](const ParamValues &p) {
        return (double)p.i("N") * p.i("OUT") * (2.0 * p.i("IN") + 1 + act_flops(p.text("act")));
    };
    d.ranges = {{"input", {-1, 1}}, {"weight", {-0.1, 0.1}}, {"bias", {-0.1, 0.1}}};
    return d;
}

// The residual join: out = act(a + b), element-wise.
OpDef add() {
    OpDef d;
    d.name = "add";
    d.summary =
        "element-wise add of two activations + activation (a residual join), fp32, layout (c, x, y, n)";
    d.params = {int_param("N", 1, 1, 64, "batch size"), int_param("C", 64, 1, 4096, "channels"),
                int_param("W", 56, 1, 4096, "width"), int_param("H", 56, 1, 4096, "height"),
                act_param("relu")};
    d.test = {{"N", "2"}, {"C", "16"}, {"W", "12"}, {"H", "10"}};
    d.build = [](const ParamValues &p) {
        const int N = p.i("N"), C = p.i("C"), W = p.i("W"), H = p.i("H");
        ImageParam a = image_param(Float(32), "a", {C, W, H, N}),
                   b = image_param(Float(32), "b", {C, W, H, N});
        Var c("c"), x("x"), y("y"), n("n");
        Func out("add_" + p.text("act"));
        out(c, x, y, n) = activate(a(c, x, y, n) + b(c, x, y, n), p.text("act"));
        out.set_estimates({{0, C}, {0, W}, {0, H}, {0, N}});
        return Pipeline(out);
    };
    d.flops = [](const ParamValues &p) {
        return (double)p.i("N") * p.i("C") * p.i("W") * p.i("H") * (1 + act_flops(p.text("act")));
    };
    d.ranges = {{"a", {-1, 1}}, {"b", {-1, 1}}};
    return d;
}

}  // namespace

void add_dnn_layer_ops(std::vector<OpDef> &defs) {
    defs.push_back(pool());
    defs.push_back(fully_connected());
    defs.push_back(add());
}

}  // namespace htune
