// Built-in deep-learning operators, fp32: conv2d, conv (a CNN layer: stride, padding, dilation,
// groups, activation), depthwise_separable_conv, resnet_block (conv
// layers, layout (c, x, y, n): channels innermost, as Halide's apps/conv_layer and apps/resnet_50,
// so a schedule can vectorize over channels), softmax and layernorm (rows: (feature, row)).
// Convolutions other than conv are "valid": the input carries the halo, so no boundary condition
// is needed.
// FLOPs: 2 per multiply-add, 1 per other arithmetic op, compare/max or transcendental.
#include <algorithm>

#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

namespace {

// Filter layout (co, ci, kx, ky): output channels innermost, matching the activations.
ImageParam filter_param(const std::string &name, int co, int ci, int k) {
    ImageParam w(Float(32), 4, name);
    w.set_estimates({{0, co}, {0, ci}, {0, k}, {0, k}});
    return w;
}

ImageParam vector_param(const std::string &name, int n) {
    ImageParam v(Float(32), 1, name);
    v.set_estimates({{0, n}});
    return v;
}

// The register-blocked output of a convolution, as a Halide expert writes it for a CPU
// (conv2d's and depthwise_separable_conv's hand schedules, OpDef::build_as_written). `out`
// (c, x, y, n) is cut into blocks of `cw` vectors of output channels by `xw` columns; `acc`,
// the reduction it reads, is computed per block, so its cw * xw accumulators stay in registers
// through the whole reduction: per reduction step, cw vector loads of the filter (channels are
// innermost in both layouts) and xw broadcasts of the input feed cw * xw FMAs. AVX-512's 32
// registers take 4 x 5 accumulators, AVX2's 16 take 3 x 4. Images and rows run in parallel;
// within a row the channel blocks are outside the column blocks, so a block of filter weights is
// reused along the whole row. The block shrinks to what the channels and width allow, and the
// input channel loop `rc` (innermost of `reduction`) is unrolled by 2 where `ci` is even.
void schedule_register_blocked(Func out, Func acc, const std::vector<RVar> &reduction, int CO, int W,
                               int CI) {
    const Target t = host_target();
    const int vec = t.natural_vector_size<float>();
    const bool wide = t.has_feature(Target::AVX512);
    const int cw = std::max(1, std::min(wide ? 4 : 3, CO / vec)), xw = std::min(wide ? 5 : 4, W);
    // Fewer output channels than one vector: guard the block rather than write past them.
    const TailStrategy tail = CO < vec ? TailStrategy::GuardWithIf : TailStrategy::ShiftInwards;
    Var c("c"), x("x"), y("y"), n("n"), co("co"), ci("ci"), xo("xo"), xi("xi");
    out.split(c, co, ci, vec * cw, tail)
        .split(x, xo, xi, xw, TailStrategy::ShiftInwards)
        .reorder(ci, xi, xo, co, y, n)
        .vectorize(ci, vec)
        .unroll(ci)
        .unroll(xi)
        .parallel(y)
        .parallel(n);
    acc.compute_at(out, xo).vectorize(c, vec).unroll(c).unroll(x);
    std::vector<VarOrRVar> order = {c, x};
    order.insert(order.end(), reduction.begin(), reduction.end());
    order.insert(order.end(), {y, n});
    acc.update().reorder(order).vectorize(c, vec).unroll(c).unroll(x);
    if (CI % 2 == 0) acc.update().unroll(reduction.front(), 2);
}

OpDef conv2d() {
    OpDef d;
    d.name = "conv2d";
    d.summary = "2-D convolution + bias + ReLU, fp32, layout (c, x, y, n), valid padding";
    d.params = {
        int_param("N", 1, 1, 64, "batch size"),          int_param("W", 128, 1, 4096, "output width"),
        int_param("H", 128, 1, 4096, "output height"),   int_param("CI", 64, 1, 4096, "input channels"),
        int_param("CO", 64, 1, 4096, "output channels"), int_param("K", 3, 1, 11, "filter size (KxK)")};
    d.test = {{"W", "10"}, {"H", "6"}, {"CI", "4"}, {"CO", "16"}};
    // `scheduled`: the hand-written schedule (OpDef::build_as_written), a register-blocked
    // direct convolution (schedule_register_blocked).
    auto build = [](const ParamValues &p, bool scheduled) {
        const int N = p.i("N"), W = p.i("W"), H = p.i("H"), CI = p.i("CI"), CO = p.i("CO"), K = p.i("K");
        ImageParam input(Float(32), 4, "input");
        input.set_estimates({{0, CI}, {0, W + K - 1}, {0, H + K - 1}, {0, N}});
        ImageParam filter = filter_param("filter", CO, CI, K);
        ImageParam bias = vector_param("bias", CO);
        Var c("c"), x("x"), y("y"), n("n");
        RDom r(0, CI, 0, K, 0, K, "r");
        Func conv("conv");
        conv(c, x, y, n) = bias(c);
        conv(c, x, y, n) += filter(c, r.x, r.y, r.z) * input(r.x, x + r.y, y + r.z, n);
        Func relu("relu");
        relu(c, x, y, n) = max(conv(c, x, y, n), 0.0f);
        relu.set_estimates({{0, CO}, {0, W}, {0, H}, {0, N}});
        if (scheduled) schedule_register_blocked(relu, conv, {r.x, r.y, r.z}, CO, W, CI);
        return Pipeline(relu);
    };
    d.build = [build](const ParamValues &p) { return build(p, false); };
    d.build_as_written = [build](const ParamValues &p) { return build(p, true); };
    d.flops = [](const ParamValues &p) {
        double out = (double)p.i("N") * p.i("W") * p.i("H") * p.i("CO");
        return out * (2.0 * p.i("CI") * p.i("K") * p.i("K") + 2.0);  // + bias, relu
    };
    d.ranges = {{"input", {0, 1}}, {"filter", {-0.1, 0.1}}, {"bias", {-0.1, 0.1}}};
    return d;
}

// A convolution layer as CNNs have them (ResNet, MobileNet): stride, zero padding, dilation and
// groups (depthwise: groups = CI = CO), then bias and an activation. The input is the layer's
// unpadded activation (W x H); the padding reads zeros outside it (constant_exterior on x and y).
// Filter (co, ci within co's group, kx, ky). Output (CO, OW, OH, N), OW = (W + 2 pad - dilation
// (K - 1) - 1) / stride + 1.
OpDef conv() {
    OpDef d;
    d.name = "conv";
    d.summary =
        "convolution layer: stride, zero padding, dilation, groups (depthwise: groups = CI = CO), "
        "+ bias + activation, fp32, layout (c, x, y, n)";
    d.params = {int_param("N", 1, 1, 64, "batch size"),
                int_param("W", 56, 1, 4096, "input width"),
                int_param("H", 56, 1, 4096, "input height"),
                int_param("CI", 64, 1, 4096, "input channels"),
                int_param("CO", 64, 1, 4096, "output channels"),
                int_param("K", 3, 1, 11, "filter size (KxK)"),
                int_param("stride", 1, 1, 8, "stride in x and y"),
                int_param("pad", 1, 0, 10, "zero padding on every side"),
                int_param("dilation", 1, 1, 8, "dilation of the filter taps"),
                int_param("groups", 1, 1, 4096, "channel groups (CI and CO multiples of it)"),
                act_param("relu")};
    d.test = {{"W", "12"}, {"H", "10"}, {"CI", "8"}, {"CO", "8"}};
    d.build = [](const ParamValues &p) {
        const int N = p.i("N"), W = p.i("W"), H = p.i("H"), CI = p.i("CI"), CO = p.i("CO"), K = p.i("K");
        const int S = p.i("stride"), P = p.i("pad"), D = p.i("dilation"), G = p.i("groups");
        if (CI % G || CO % G)
            throw_usage("conv: CI=" + std::to_string(CI) + " and CO=" + std::to_string(CO) +
                        " must be multiples of groups=" + std::to_string(G));
        const int OW = conv_output_extent(W, K, S, P, D), OH = conv_output_extent(H, K, S, P, D);
        if (OW < 1 || OH < 1)
            throw_usage("conv: a " + std::to_string(K) + "x" + std::to_string(K) + " filter with dilation " +
                        std::to_string(D) + " does not fit a " + std::to_string(W) + "x" + std::to_string(H) +
                        " input padded by " + std::to_string(P));
        const int CIg = CI / G, COg = CO / G;
        ImageParam input(Float(32), 4, "input");
        input.set_estimates({{0, CI}, {0, W}, {0, H}, {0, N}});
        ImageParam filter = filter_param("filter", CO, CIg, K);
        ImageParam bias = vector_param("bias", CO);
        Func padded =
            BoundaryConditions::constant_exterior(input, 0.0f, {Range(), Range(0, W), Range(0, H), Range()});
        Var c("c"), x("x"), y("y"), n("n");
        RDom r(0, CIg, 0, K, 0, K, "r");
        // The input channel: no division in the index when it is not needed (one group, or one
        // output channel per group), so a schedule can still vectorize over c densely.
        Expr ci = G == 1 ? Expr(r.x) : COg == 1 ? c * CIg + r.x : (c / COg) * CIg + r.x;
        Func acc("conv");
        acc(c, x, y, n) = bias(c);
        acc(c, x, y, n) += filter(c, r.x, r.y, r.z) * padded(ci, x * S + r.y * D - P, y * S + r.z * D - P, n);
        // Not named after the activation: a schedule tuned for a relu layer then also fits the
        // same shape without one (look-alike seeding matches schedules by Func name).
        Func out("conv_out");
        out(c, x, y, n) = activate(acc(c, x, y, n), p.text("act"));
        out.set_estimates({{0, CO}, {0, OW}, {0, OH}, {0, N}});
        return Pipeline(out);
    };
    d.flops = [](const ParamValues &p) {
        const int K = p.i("K"), S = p.i("stride"), P = p.i("pad"), D = p.i("dilation");
        double out = (double)p.i("N") * p.i("CO") * conv_output_extent(p.i("W"), K, S, P, D) *
                     conv_output_extent(p.i("H"), K, S, P, D);
        return out * (2.0 * (p.i("CI") / p.i("groups")) * K * K + 1 + act_flops(p.text("act")));  // + bias
    };
    d.ranges = {{"input", {-1, 1}}, {"filter", {-0.2, 0.2}}, {"bias", {-0.1, 0.1}}};
    return d;
}

OpDef depthwise_separable_conv() {
    OpDef d;
    d.name = "depthwise_separable_conv";
    d.summary = "depthwise 3x3 conv then pointwise 1x1 conv + bias + ReLU (MobileNet), layout (c, x, y, n)";
    d.params = {int_param("N", 1, 1, 64, "batch size"), int_param("W", 128, 1, 4096, "output width"),
                int_param("H", 128, 1, 4096, "output height"), int_param("CI", 64, 1, 4096, "input channels"),
                int_param("CO", 128, 1, 4096, "output channels")};
    d.test = {{"W", "10"}, {"H", "6"}, {"CI", "4"}, {"CO", "16"}};
    // `scheduled`: the hand-written schedule (OpDef::build_as_written). The pointwise 1x1
    // convolution (nearly all the FLOPs) is register-blocked like conv2d's
    // (schedule_register_blocked); the depthwise stage is computed per output row (all input
    // channels of that row: 32 KiB at bench size, read by every channel block of the row) with
    // its 3x3 window unrolled around one vector accumulator, one vector of channels at a time
    // along the whole row, so that vector's 9 filter taps are loaded once per row, not per
    // column (the loop is then 9 FMAs on input loads and one store per vector; the operator
    // measured no faster for it, being about a third bound by memory: docs/BENCHMARKS.md,
    // 2026-12-08-depthwise-profile).
    auto build = [](const ParamValues &p, bool scheduled) {
        const int N = p.i("N"), W = p.i("W"), H = p.i("H"), CI = p.i("CI"), CO = p.i("CO");
        ImageParam input(Float(32), 4, "input");
        input.set_estimates({{0, CI}, {0, W + 2}, {0, H + 2}, {0, N}});
        ImageParam dw_filter(Float(32), 3, "dw_filter");  // (c, kx, ky)
        dw_filter.set_estimates({{0, CI}, {0, 3}, {0, 3}});
        ImageParam pw_filter(Float(32), 2, "pw_filter");  // (co, ci)
        pw_filter.set_estimates({{0, CO}, {0, CI}});
        ImageParam bias = vector_param("bias", CO);
        Var c("c"), x("x"), y("y"), n("n");
        RDom rk(0, 3, 0, 3, "rk");
        Func depthwise("depthwise");
        depthwise(c, x, y, n) = 0.0f;
        depthwise(c, x, y, n) += dw_filter(c, rk.x, rk.y) * input(c, x + rk.x, y + rk.y, n);
        RDom rc(0, CI, "rc");
        Func pointwise("pointwise");
        pointwise(c, x, y, n) = bias(c);
        pointwise(c, x, y, n) += pw_filter(c, rc) * depthwise(rc, x, y, n);
        Func relu("relu");
        relu(c, x, y, n) = max(pointwise(c, x, y, n), 0.0f);
        relu.set_estimates({{0, CO}, {0, W}, {0, H}, {0, N}});
        if (scheduled) {
            schedule_register_blocked(relu, pointwise, {rc}, CO, W, CI);
            const int vec = host_target().natural_vector_size<float>();
            // Channels that do not fill whole vectors: guard rather than read past them.
            const TailStrategy tail = CI % vec == 0 ? TailStrategy::Auto : TailStrategy::GuardWithIf;
            depthwise.compute_at(relu, y).vectorize(c, vec, tail);
            Var co("co"), ci("ci");
            depthwise.update()
                .split(c, co, ci, vec, tail)
                .reorder(ci, rk.x, rk.y, x, co, y, n)
                .vectorize(ci)
                .unroll(rk.x)
                .unroll(rk.y);
        }
        return Pipeline(relu);
    };
    d.build = [build](const ParamValues &p) { return build(p, false); };
    d.build_as_written = [build](const ParamValues &p) { return build(p, true); };
    d.flops = [](const ParamValues &p) {
        double px = (double)p.i("N") * p.i("W") * p.i("H");
        return px * (2.0 * 9 * p.i("CI") + p.i("CO") * (2.0 * p.i("CI") + 2.0));
    };
    d.ranges = {
        {"input", {0, 1}}, {"dw_filter", {-0.3, 0.3}}, {"pw_filter", {-0.2, 0.2}}, {"bias", {-0.1, 0.1}}};
    return d;
}

OpDef resnet_block() {
    OpDef d;
    d.name = "resnet_block";
    d.summary =
        "ResNet basic block: conv3x3 -> batchnorm -> ReLU -> conv3x3 -> + input -> ReLU, "
        "layout (c, x, y, n)";
    d.params = {int_param("N", 1, 1, 64, "batch size"), int_param("W", 56, 1, 2048, "output width"),
                int_param("H", 56, 1, 2048, "output height"),
                int_param("C", 64, 1, 2048, "channels (in = out)")};
    d.test = {{"W", "8"}, {"H", "6"}, {"C", "4"}};
    d.build = [](const ParamValues &p) {
        const int N = p.i("N"), W = p.i("W"), H = p.i("H"), C = p.i("C");
        // Two valid 3x3 convolutions: the input carries a 2-pixel halo on every side.
        ImageParam input(Float(32), 4, "input");
        input.set_estimates({{0, C}, {0, W + 4}, {0, H + 4}, {0, N}});
        ImageParam w1 = filter_param("conv1_filter", C, C, 3), w2 = filter_param("conv2_filter", C, C, 3);
        ImageParam scale = vector_param("bn_scale", C), shift = vector_param("bn_shift", C);
        Var c("c"), x("x"), y("y"), n("n");
        RDom r1(0, C, 0, 3, 0, 3, "r1");
        Func conv1("conv1");
        conv1(c, x, y, n) = 0.0f;
        conv1(c, x, y, n) += w1(c, r1.x, r1.y, r1.z) * input(r1.x, x + r1.y, y + r1.z, n);
        Func bn("batchnorm");
        bn(c, x, y, n) = conv1(c, x, y, n) * scale(c) + shift(c);
        Func relu1("relu1");
        relu1(c, x, y, n) = max(bn(c, x, y, n), 0.0f);
        RDom r2(0, C, 0, 3, 0, 3, "r2");
        Func conv2("conv2");
        conv2(c, x, y, n) = 0.0f;
        conv2(c, x, y, n) += w2(c, r2.x, r2.y, r2.z) * relu1(r2.x, x + r2.y, y + r2.z, n);
        Func residual("residual");
        residual(c, x, y, n) = conv2(c, x, y, n) + input(c, x + 2, y + 2, n);
        Func relu2("relu2");
        relu2(c, x, y, n) = max(residual(c, x, y, n), 0.0f);
        relu2.set_estimates({{0, C}, {0, W}, {0, H}, {0, N}});
        return Pipeline(relu2);
    };
    d.flops = [](const ParamValues &p) {
        double n = p.i("N"), c = p.i("C"), w = p.i("W"), h = p.i("H");
        double conv1 = n * c * (w + 2) * (h + 2) * (2.0 * 9 * c + 3);  // + batchnorm, relu
        double conv2 = n * c * w * h * (2.0 * 9 * c + 2);              // + residual, relu
        return conv1 + conv2;
    };
    d.ranges = {{"input", {0, 1}},
                {"conv1_filter", {-0.1, 0.1}},
                {"conv2_filter", {-0.1, 0.1}},
                {"bn_scale", {0.5, 1.5}},
                {"bn_shift", {-0.2, 0.2}}};
    return d;
}

OpDef softmax() {
    OpDef d;
    d.name = "softmax";
    d.summary = "row-wise softmax: max reduction, exp, sum reduction, normalize (fp32)";
    d.params = {int_param("rows", 4096, 1, 1 << 20, "number of rows"),
                int_param("cols", 2048, 1, 1 << 20, "row length (softmax axis)")};
    d.test = {{"rows", "12"}, {"cols", "40"}};
    d.build = [](const ParamValues &p) {
        const int R = p.i("rows"), C = p.i("cols");
        ImageParam input(Float(32), 2, "input");  // (col, row)
        input.set_estimates({{0, C}, {0, R}});
        Var j("j"), i("i");
        RDom rm(0, C, "rm"), rs(0, C, "rs");
        Func row_max("row_max");
        row_max(i) = Float(32).min();
        row_max(i) = max(row_max(i), input(rm, i));
        Func exp_val("exp_val");
        exp_val(j, i) = exp(input(j, i) - row_max(i));
        Func row_sum("row_sum");
        row_sum(i) = 0.0f;
        row_sum(i) += exp_val(rs, i);
        Func softmax("softmax");
        softmax(j, i) = exp_val(j, i) / row_sum(i);
        softmax.set_estimates({{0, C}, {0, R}});
        return Pipeline(softmax);
    };
    // max, subtract, exp, add, divide per element.
    d.flops = [](const ParamValues &p) { return 5.0 * p.i("rows") * p.i("cols"); };
    d.ranges = {{"input", {-4, 4}}};
    return d;
}

OpDef layernorm() {
    OpDef d;
    d.name = "layernorm";
    d.summary = "row-wise layer normalization: mean, variance, normalize, * gamma + beta (fp32)";
    d.params = {int_param("rows", 4096, 1, 1 << 20, "number of rows (tokens)"),
                int_param("cols", 2048, 1, 1 << 20, "row length (features)")};
    d.test = {{"rows", "12"}, {"cols", "40"}};
    d.build = [](const ParamValues &p) {
        const int R = p.i("rows"), C = p.i("cols");
        ImageParam input(Float(32), 2, "input");  // (col, row)
        input.set_estimates({{0, C}, {0, R}});
        ImageParam gamma = vector_param("gamma", C), beta = vector_param("beta", C);
        Var j("j"), i("i");
        RDom rm(0, C, "rm"), rv(0, C, "rv");
        Func row_sum("row_sum");
        row_sum(i) = 0.0f;
        row_sum(i) += input(rm, i);
        Func mean("mean");
        mean(i) = row_sum(i) / (float)C;
        Func centered("centered");
        centered(j, i) = input(j, i) - mean(i);
        Func sq_sum("sq_sum");
        sq_sum(i) = 0.0f;
        sq_sum(i) += centered(rv, i) * centered(rv, i);
        Func inv_std("inv_std");
        inv_std(i) = 1.0f / sqrt(sq_sum(i) / (float)C + 1e-5f);
        Func layernorm("layernorm");
        layernorm(j, i) = centered(j, i) * inv_std(i) * gamma(j) + beta(j);
        layernorm.set_estimates({{0, C}, {0, R}});
        return Pipeline(layernorm);
    };
    // sum (1), subtract (1), square-accumulate (2), scale, gamma, beta (3) per element.
    d.flops = [](const ParamValues &p) { return 7.0 * p.i("rows") * p.i("cols"); };
    d.ranges = {{"input", {-2, 2}}, {"gamma", {0.5, 1.5}}, {"beta", {-0.5, 0.5}}};
    return d;
}

}  // namespace

void add_dnn_ops(std::vector<OpDef> &defs) {
    defs.push_back(conv2d());
    defs.push_back(conv());
    defs.push_back(depthwise_separable_conv());
    defs.push_back(resnet_block());
    defs.push_back(softmax());
    defs.push_back(layernorm());
}

}  // namespace htune
