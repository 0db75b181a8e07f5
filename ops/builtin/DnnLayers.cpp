// Built-in CNN layers besides convolution (issue 27), fp32, layout (c, x, y, n) like Dnn.cpp's:
// pool (max or average, stride, zero/-inf padding; global pooling is K = W = H), fully_connected
// (batch of vectors times a weight matrix, + bias + activation) and add (the residual join, +
// activation); and the transformer layer the others lack, attention (multi-head scaled
// dot-product, layout (d, s, h, n)). FLOPs: 1 per compare, add, multiply, divide or
// transcendental (exp, tanh), 2 per multiply-add.
#include <cmath>
#include <limits>

#include "ops/Error.h"
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

ParamSpec act_param(const std::string &def) {
    return {"act", ParamType::text, def, 0, 0, {"none", "relu", "relu6", "gelu"}, "activation at the end"};
}

// gelu is BERT's tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written as
// x (0.5 + 0.5 tanh(x (a + b x^2))) with a = sqrt(2/pi), b = 0.044715 sqrt(2/pi).
Expr activate(const Expr &e, const std::string &act) {
    if (act == "relu") return max(e, 0.0f);
    if (act == "relu6") return clamp(e, 0.0f, 6.0f);
    if (act == "gelu") {
        const double a = std::sqrt(2.0 / std::acos(-1.0)), b = 0.044715 * a;
        Expr x = e;
        return x * (0.5f + 0.5f * tanh(x * ((float)a + (float)b * (x * x))));
    }
    return e;
}

// relu: a max; relu6: a max and a min; gelu as written above: x*x, * b, + a, * x, tanh, * 0.5,
// + 0.5, * x = 8.
double act_flops(const std::string &act) {
    return act == "relu" ? 1 : act == "relu6" ? 2 : act == "gelu" ? 8 : 0;
}

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
    d.params = {int_param("N", 1, 1, 65536, "batch size (tokens: batch x sequence in a transformer)"),
                int_param("IN", 512, 1, 65536, "input features"),
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
        Func out("fc_out");  // not named after the activation: as conv's (Dnn.cpp)
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
        Func out("add");  // not named after the activation: as conv's (Dnn.cpp)
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

// Multi-head scaled dot-product attention as in a BERT encoder layer (the part between the Q/K/V
// projections and the output projection, which are fully_connected layers): for every batch n,
// head h and query position i,
//   attention(d, i, h, n) = sum_j softmax_j(scale * q(., i, h, n) . k(., j, h, n)) v(d, j, h, n)
// with scale = 1 / sqrt(D). q, k, v and the output are (d, s, h, n): the head dimension
// innermost, so the dot products and the weighted sum of v rows are vectorizable over it. The
// softmax is numerically stable (the row maximum is subtracted before exp; scale > 0 commutes
// with the maximum) and, as in fused attention kernels, its division is applied once per output
// element after the weighted sum rather than to every weight.
OpDef attention() {
    OpDef d;
    d.name = "attention";
    d.summary =
        "multi-head scaled dot-product attention softmax(Q K^T / sqrt(D)) V, fp32, layout (d, s, h, n)";
    d.params = {int_param("N", 1, 1, 64, "batch size"), int_param("S", 128, 1, 8192, "sequence length"),
                int_param("heads", 12, 1, 256, "attention heads"),
                int_param("D", 64, 1, 1024, "head dimension")};
    d.test = {{"S", "12"}, {"heads", "2"}, {"D", "8"}};
    d.build = [](const ParamValues &p) {
        const int N = p.i("N"), S = p.i("S"), H = p.i("heads"), D = p.i("D");
        ImageParam q = image_param(Float(32), "q", {D, S, H, N}),
                   k = image_param(Float(32), "k", {D, S, H, N}),
                   v = image_param(Float(32), "v", {D, S, H, N});
        const float scale = (float)(1.0 / std::sqrt((double)D));
        Var e("e"), j("j"), i("i"), h("h"), n("n");
        RDom rd(0, D, "rd"), rm(0, S, "rm"), rs(0, S, "rs"), rw(0, S, "rw");
        // scores(j, i, h, n): query i against key j, unscaled.
        Func scores("scores");
        scores(j, i, h, n) = 0.0f;
        scores(j, i, h, n) += q(rd, i, h, n) * k(rd, j, h, n);
        Func row_max("row_max");
        row_max(i, h, n) = Float(32).min();
        row_max(i, h, n) = max(row_max(i, h, n), scores(rm, i, h, n));
        Func exp_scores("exp_scores");
        exp_scores(j, i, h, n) = exp((scores(j, i, h, n) - row_max(i, h, n)) * scale);
        Func row_sum("row_sum");
        row_sum(i, h, n) = 0.0f;
        row_sum(i, h, n) += exp_scores(rs, i, h, n);
        Func weighted("weighted_sum");
        weighted(e, i, h, n) = 0.0f;
        weighted(e, i, h, n) += exp_scores(rw, i, h, n) * v(e, rw, h, n);
        Func out("attention");
        out(e, i, h, n) = weighted(e, i, h, n) / row_sum(i, h, n);
        out.set_estimates({{0, D}, {0, S}, {0, H}, {0, N}});
        return Pipeline(out);
    };
    // Per query row (n, h, i): S scores of D multiply-adds (2 D each); softmax per score: max,
    // subtract, scale, exp, sum (5); S * D multiply-adds of the weighted sum (2 D per score);
    // D divides.
    d.flops = [](const ParamValues &p) {
        const double S = p.i("S"), D = p.i("D");
        return (double)p.i("N") * p.i("heads") * S * (S * (4.0 * D + 5) + D);
    };
    // Unit-range q and k give scaled scores of standard deviation 1/3 at any D (variance 1/9 per
    // product, D products, / sqrt(D)): softmax rows neither uniform nor one-hot.
    d.ranges = {{"q", {-1, 1}}, {"k", {-1, 1}}, {"v", {-1, 1}}};
    return d;
}

}  // namespace

void add_dnn_layer_ops(std::vector<OpDef> &defs) {
    defs.push_back(pool());
    defs.push_back(fully_connected());
    defs.push_back(add());
    defs.push_back(attention());
}

}  // namespace htune
