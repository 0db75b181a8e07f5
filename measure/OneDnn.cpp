// The "onednn" external kernel (see OneDnn.h). Start at onednn_kernel, then one builder per op.
//
// Layouts: every memory descriptor is made from the Halide buffer's own extents and strides
// (`describe`), so oneDNN reads the inputs and writes the output htune compares, with no copy.
// Halide dimension 0 is the innermost: the DNN activations (c, x, y, n) are oneDNN's NCHW with
// nhwc strides, the conv filters (co, ci, kx, ky) OIHW with hwio strides (conv's, groups G > 1:
// G x CO/G x CI/G x KH x KW), fully_connected's weight (o, i) OUT x IN with io strides, its input
// (i, n) and output (o, n) row-major N x IN and N x OUT, attention's (d, s, h, n) N x heads x S x
// D, matmul's A(k, m), B(n, k) and C(n, m) row-major M x K, K x N and M x N.
//
// Weights (convolution filters and fully_connected's weight): the primitive chooses their layout
// (format_tag::any) and they are reordered into it once, here, outside the timed runs. oneDNN 2.6 picks its
// fast kernels (brgconv, brdgmm_dw) only for its blocked weight layouts; on hwio weights it falls back to
// im2col + gemm, 2.4x slower for conv2d at bench size on the AVX-512 VM. Frameworks prepare weights once the
// same way; the inputs of a workload do not change between its runs, so the output checked against the
// reference is still computed from htune's buffers. matmul's B is an operand, not weights: it stays in place
// (like OpenBLAS's), as do all activations.
//
// Intermediates (depthwise_separable_conv's depthwise output, N x CI x H x W, nhwc; attention's
// scores, N x heads x S x S) and each
// primitive's scratchpad (scratchpad_mode::user) are allocated once, here: a timed run only
// executes the primitives.
//
// Threads: Debian's libdnnl2 runs on OpenMP (libgomp; DNNL_CPU_THREADING_RUNTIME "OMP" in its
// CMake config and dnnl_config.h). oneDNN sizes its work split from omp_get_max_threads() when a
// primitive is created and runs on it when executed, so omp_set_num_threads(threads) is called
// before creating the primitives and before every execution (both on the worker's one thread).
#include "measure/OneDnn.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <unordered_map>

#include "measure/Candidate.h"
#include "ops/Error.h"

#ifdef HTUNE_HAVE_ONEDNN
#include <omp.h>

#include <dnnl.hpp>
#endif

namespace htune {

bool have_onednn() {
#ifdef HTUNE_HAVE_ONEDNN
    return true;
#else
    return false;
#endif
}

const std::vector<std::string> &onednn_ops() {
    static const std::vector<std::string> ops = {"conv2d",
                                                 "conv",
                                                 "depthwise_separable_conv",
                                                 "pool",
                                                 "fully_connected",
                                                 "add",
                                                 "attention",
                                                 "matmul",
                                                 "softmax",
                                                 "layernorm"};
    return ops;
}

std::string onednn_unsupported(const WorkloadSpec &spec) {
    const std::string list =
        "conv2d, conv, depthwise_separable_conv, pool, fully_connected, add, attention, matmul, softmax and "
        "layernorm";
    if (spec.is_generator())
        return "onednn computes only the built-in " + list + ", not the Generator '" + spec.op + "'";
    for (const std::string &op : onednn_ops())
        if (op == spec.op) return "";
    return "onednn computes only the built-in " + list + ", not '" + spec.op + "'";
}

#ifdef HTUNE_HAVE_ONEDNN
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// One primitive and its arguments, bound once.
struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, memory> args;
};

// What a call of the kernel executes: the steps in order; the last one writes `dst`, whose data
// handle is pointed at the caller's output buffer on each call.
struct Plan {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    std::vector<Step> steps;
    memory dst;
    Halide::Buffer<> out_shape;  // the output the primitives were made for (no data)
    int threads = 1;
};

// `b` as a oneDNN f32 tensor: oneDNN's logical dimension i is Halide dimension halide_dim[i]; -1
// is a dimension of extent 1 the Halide buffer does not have (a group's, a 1x1 filter's).
memory::desc describe(const Halide::Buffer<> &b, const std::vector<int> &halide_dim) {
    int64_t span = 1;
    for (int d = 0; d < b.dimensions(); d++)
        span = std::max<int64_t>(span, (int64_t)b.dim(d).stride() * b.dim(d).extent());
    memory::dims dims, strides;
    for (int h : halide_dim) {
        dims.push_back(h < 0 ? 1 : b.dim(h).extent());
        strides.push_back(h < 0 ? span : b.dim(h).stride());
    }
    return memory::desc(dims, memory::data_type::f32, strides);
}

memory::desc any_layout(const memory::desc &d) {
    return memory::desc(d.dims(), memory::data_type::f32, Tag::any);
}

// A memory on a Halide input (read only, never written through).
memory on(Plan &p, const memory::desc &d, const Halide::Buffer<> &b) {
    return memory(d, p.engine, const_cast<void *>(static_cast<const void *>(b.data())));
}

// The user's weights in the layout the primitive chose: reordered once, here, when it differs.
memory prepared(Plan &p, const memory::desc &want, memory user) {
    if (want == user.get_desc()) return user;
    memory m(want, p.engine);
    dnnl::reorder(user, m).execute(p.stream, user, m);
    p.stream.wait();
    return m;
}

// The primitive's attributes: a user scratchpad and the built-in activation `act` (act_param in
// ops/builtin/DnnLayers.cpp) as an eltwise post-op, fused: relu max(x, 0), relu6 clip(x, 0, 6),
// gelu the tanh approximation (eltwise_gelu_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715
// x^3))), the built-in's formula).
dnnl::primitive_attr attr(const std::string &act) {
    dnnl::primitive_attr a;
    a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::post_ops po;
    if (act == "relu") po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    if (act == "relu6") po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 6.0f);
    if (act == "gelu") po.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f);
    if (act != "none" && po.len() == 0) throw_usage("onednn: no post-op for the activation '" + act + "'");
    a.set_post_ops(po);
    return a;
}

// Adds a step for primitive descriptor `pd` (its scratchpad allocated here) with `args`.
template <typename Primitive, typename PrimitiveDesc>
void add_step(Plan &p, const PrimitiveDesc &pd, std::unordered_map<int, memory> args) {
    args[DNNL_ARG_SCRATCHPAD] = memory(pd.scratchpad_desc(), p.engine);
    p.steps.push_back({Primitive(pd), std::move(args)});
}

const std::vector<int> kNCHW = {3, 0, 2, 1};  // (c, x, y, n) -> N, C, H(y), W(x)

// How a convolution's window moves: stride, zero padding on every side, dilation (the built-in's:
// 1 is dense; oneDNN counts the gaps, dilation - 1).
struct Window {
    int stride = 1, pad = 0, dilation = 1;
};

// A convolution with bias and activation `act` when given; the default window is "valid", stride
// 1 (the input carries the halo).
void add_conv(Plan &p, const memory &src, const memory::desc &user_weights_desc, const memory &user_weights,
              const memory *bias, const memory &dst, const std::string &act, Window win = {}) {
    using Conv = dnnl::convolution_forward;
    memory::desc w_any = any_layout(user_weights_desc);
    const memory::dims stride = {win.stride, win.stride}, pad = {win.pad, win.pad},
                       gaps = {win.dilation - 1, win.dilation - 1};
    Conv::desc d =
        bias ? Conv::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                          src.get_desc(), w_any, bias->get_desc(), dst.get_desc(), stride, gaps, pad, pad)
             : Conv::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                          src.get_desc(), w_any, dst.get_desc(), stride, gaps, pad, pad);
    Conv::primitive_desc pd(d, attr(act), p.engine);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                            {DNNL_ARG_WEIGHTS, prepared(p, pd.weights_desc(), user_weights)},
                                            {DNNL_ARG_DST, dst}};
    if (bias) args[DNNL_ARG_BIAS] = *bias;
    add_step<Conv>(p, pd, std::move(args));
}

// conv(c, x, y, n) = bias(c) + sum filter(c, ci, kx, ky) * input(ci, x + kx, y + ky, n); ReLU.
void build_conv2d(Plan &p, std::map<std::string, Halide::Buffer<>> &in) {
    const Halide::Buffer<> &filter = in.at("filter");
    memory::desc w = describe(filter, {0, 1, 3, 2});  // (co, ci, kx, ky) -> O, I, H(ky), W(kx)
    memory bias = on(p, describe(in.at("bias"), {0}), in.at("bias"));
    add_conv(p, on(p, describe(in.at("input"), kNCHW), in.at("input")), w, on(p, w, filter), &bias, p.dst,
             "relu");
}

// conv(c, x, y, n) = act(bias(c) + sum filter(c, ci, kx, ky) * input(g * CIg + ci, x * stride +
// kx * dilation - pad, y * stride + ky * dilation - pad, n)), zero outside the input, where g =
// c / COg is c's group. The filter (co, ci within the group, kx, ky) is, for groups G > 1,
// oneDNN's grouped G x COg x CIg x KH x KW: output channel g * COg + o is co, so the group
// dimension steps COg output channels.
void build_conv(Plan &p, std::map<std::string, Halide::Buffer<>> &in, const ParamValues &v) {
    const Halide::Buffer<> &filter = in.at("filter");
    const int G = v.i("groups");
    memory::desc w;
    if (G == 1) {
        w = describe(filter, {0, 1, 3, 2});  // (co, ci, kx, ky) -> O, I, H(ky), W(kx)
    } else {
        const int64_t COg = filter.dim(0).extent() / G;
        w = memory::desc({G, COg, filter.dim(1).extent(), filter.dim(3).extent(), filter.dim(2).extent()},
                         memory::data_type::f32,
                         {COg * filter.dim(0).stride(), filter.dim(0).stride(), filter.dim(1).stride(),
                          filter.dim(3).stride(), filter.dim(2).stride()});
    }
    memory bias = on(p, describe(in.at("bias"), {0}), in.at("bias"));
    add_conv(p, on(p, describe(in.at("input"), kNCHW), in.at("input")), w, on(p, w, filter), &bias, p.dst,
             v.text("act"), {v.i("stride"), v.i("pad"), v.i("dilation")});
}

// pool(c, x, y, n) over the K x K window at (x * stride - pad, y * stride - pad): max (padding
// never wins: oneDNN's max ignores it) or the sum / (K * K) with zero padding (PyTorch's
// count_include_pad: pooling_avg_include_padding). A window wholly in the padding (pad >= K) is
// the lowest float (max) or 0 (avg) in both: oneDNN 2.6 leaves it to its simple_nhwc/nchw kernels,
// whose max starts from the lowest float (tests/measure/CandidateTest.cpp checks it).
void build_pool(Plan &p, std::map<std::string, Halide::Buffer<>> &in, const ParamValues &v) {
    using Pool = dnnl::pooling_forward;
    memory src = on(p, describe(in.at("input"), kNCHW), in.at("input"));
    const int K = v.i("K"), S = v.i("stride"), P = v.i("pad");
    const dnnl::algorithm alg =
        v.text("kind") == "max" ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_include_padding;
    Pool::desc d(dnnl::prop_kind::forward_inference, alg, src.get_desc(), p.dst.get_desc(), {S, S}, {K, K},
                 {P, P}, {P, P});
    Pool::primitive_desc pd(d, attr("none"), p.engine);
    add_step<Pool>(p, pd, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, p.dst}});
}

// fc(o, n) = act(bias(o) + sum_i weight(o, i) * input(i, n)): an inner product of the N x IN
// rows, weights OUT x IN with io strides (the output dimension is Halide's innermost), reordered
// once into the primitive's layout like the convolution filters.
void build_fully_connected(Plan &p, std::map<std::string, Halide::Buffer<>> &in, const ParamValues &v) {
    using InnerProduct = dnnl::inner_product_forward;
    memory src = on(p, describe(in.at("input"), {1, 0}), in.at("input"));
    memory::desc w = describe(in.at("weight"), {0, 1});
    memory bias = on(p, describe(in.at("bias"), {0}), in.at("bias"));
    InnerProduct::desc d(dnnl::prop_kind::forward_inference, src.get_desc(), any_layout(w), bias.get_desc(),
                         p.dst.get_desc());
    InnerProduct::primitive_desc pd(d, attr(v.text("act")), p.engine);
    add_step<InnerProduct>(p, pd,
                           {{DNNL_ARG_SRC, src},
                            {DNNL_ARG_WEIGHTS, prepared(p, pd.weights_desc(), on(p, w, in.at("weight")))},
                            {DNNL_ARG_BIAS, bias},
                            {DNNL_ARG_DST, p.dst}});
}

// add(c, x, y, n) = act(a + b): a binary add with the activation as its post-op.
void build_add(Plan &p, std::map<std::string, Halide::Buffer<>> &in, const ParamValues &v) {
    memory a = on(p, describe(in.at("a"), kNCHW), in.at("a")),
           b = on(p, describe(in.at("b"), kNCHW), in.at("b"));
    dnnl::binary::desc d(dnnl::algorithm::binary_add, a.get_desc(), b.get_desc(), p.dst.get_desc());
    dnnl::binary::primitive_desc pd(d, attr(v.text("act")), p.engine);
    add_step<dnnl::binary>(p, pd, {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, p.dst}});
}

// attention(e, i, h, n) = sum_j softmax_j(q(., i, h, n) . k(., j, h, n) / sqrt(D)) v(e, j, h, n):
// three primitives on N x heads batches, as frameworks run it without a fused kernel: a matmul
// Q K^T scaled by 1 / sqrt(D) (an output scale) into the scores (N x heads x S x S, allocated
// here), an in-place softmax over their rows, and a matmul of them with V into the output. q, k,
// v and the output (d, s, h, n) are N x heads x S x D; K^T is k with its last two strides swapped.
void build_attention(Plan &p, std::map<std::string, Halide::Buffer<>> &in, const ParamValues &v) {
    const std::vector<int> nhsd = {3, 2, 1, 0}, nhds = {3, 2, 0, 1};
    memory q = on(p, describe(in.at("q"), nhsd), in.at("q")),
           kt = on(p, describe(in.at("k"), nhds), in.at("k")),
           val = on(p, describe(in.at("v"), nhsd), in.at("v"));
    const int64_t N = v.i("N"), H = v.i("heads"), S = v.i("S");
    memory scores(memory::desc({N, H, S, S}, memory::data_type::f32, Tag::abcd), p.engine);
    dnnl::primitive_attr scaled = attr("none");
    scaled.set_output_scales(0, {(float)(1.0 / std::sqrt((double)v.i("D")))});
    dnnl::matmul::primitive_desc qk(dnnl::matmul::desc(q.get_desc(), kt.get_desc(), scores.get_desc()),
                                    scaled, p.engine);
    add_step<dnnl::matmul>(p, qk, {{DNNL_ARG_SRC, q}, {DNNL_ARG_WEIGHTS, kt}, {DNNL_ARG_DST, scores}});
    using Softmax = dnnl::softmax_v2_forward;
    Softmax::primitive_desc sm(
        Softmax::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate,
                      scores.get_desc(), scores.get_desc(), 3),
        attr("none"), p.engine);
    add_step<Softmax>(p, sm, {{DNNL_ARG_SRC, scores}, {DNNL_ARG_DST, scores}});
    dnnl::matmul::primitive_desc sv(dnnl::matmul::desc(scores.get_desc(), val.get_desc(), p.dst.get_desc()),
                                    attr("none"), p.engine);
    add_step<dnnl::matmul>(p, sv, {{DNNL_ARG_SRC, scores}, {DNNL_ARG_WEIGHTS, val}, {DNNL_ARG_DST, p.dst}});
}

// depthwise 3x3 (groups = CI, no bias) into an intermediate, then pointwise 1x1 + bias + ReLU.
void build_depthwise_separable_conv(Plan &p, std::map<std::string, Halide::Buffer<>> &in) {
    const Halide::Buffer<> &input = in.at("input"), &dw = in.at("dw_filter"), &pw = in.at("pw_filter");
    const Halide::Buffer<> &out = p.out_shape;
    memory mid(
        memory::desc({out.dim(3).extent(), input.dim(0).extent(), out.dim(2).extent(), out.dim(1).extent()},
                     memory::data_type::f32, Tag::nhwc),
        p.engine);
    memory::desc dw_desc = describe(dw, {0, -1, -1, 2, 1});  // (c, kx, ky) -> G, O=1, I=1, H(ky), W(kx)
    add_conv(p, on(p, describe(input, kNCHW), input), dw_desc, on(p, dw_desc, dw), nullptr, mid, "none");
    memory::desc pw_desc = describe(pw, {0, 1, -1, -1});  // (co, ci) -> O, I, H=1, W=1
    memory bias = on(p, describe(in.at("bias"), {0}), in.at("bias"));
    add_conv(p, mid, pw_desc, on(p, pw_desc, pw), &bias, p.dst, "relu");
}

// C(n, m) = sum_k A(k, m) * B(n, k): row-major C = A * B.
void build_matmul(Plan &p, std::map<std::string, Halide::Buffer<>> &in) {
    memory a = on(p, describe(in.at("A"), {1, 0}), in.at("A")),
           b = on(p, describe(in.at("B"), {1, 0}), in.at("B"));
    dnnl::matmul::desc d(a.get_desc(), b.get_desc(), p.dst.get_desc());
    dnnl::matmul::primitive_desc pd(d, attr("none"), p.engine);
    add_step<dnnl::matmul>(p, pd, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, p.dst}});
}

// Row-wise softmax over the contiguous dimension: input (col, row) is rows x cols.
void build_softmax(Plan &p, std::map<std::string, Halide::Buffer<>> &in) {
    using Softmax = dnnl::softmax_v2_forward;
    memory src = on(p, describe(in.at("input"), {1, 0}), in.at("input"));
    Softmax::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate, src.get_desc(),
                    p.dst.get_desc(), 1);
    Softmax::primitive_desc pd(d, attr("none"), p.engine);
    add_step<Softmax>(p, pd, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, p.dst}});
}

// Row-wise layer normalization, epsilon 1e-5 as in ops/builtin/Dnn.cpp, gamma/beta per column.
void build_layernorm(Plan &p, std::map<std::string, Halide::Buffer<>> &in) {
    using LayerNorm = dnnl::layer_normalization_forward;
    memory src = on(p, describe(in.at("input"), {1, 0}), in.at("input"));
    // oneDNN 2.6 has one descriptor for source and destination.
    if (src.get_desc() != p.dst.get_desc())
        throw_usage("onednn: layernorm's input and output must have the same strides");
    LayerNorm::desc d(dnnl::prop_kind::forward_inference, src.get_desc(), 1e-5f,
                      dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift);
    LayerNorm::primitive_desc pd(d, attr("none"), p.engine);
    add_step<LayerNorm>(p, pd,
                        {{DNNL_ARG_SRC, src},
                         {DNNL_ARG_DST, p.dst},
                         {DNNL_ARG_SCALE, on(p, describe(in.at("gamma"), {0}), in.at("gamma"))},
                         {DNNL_ARG_SHIFT, on(p, describe(in.at("beta"), {0}), in.at("beta"))}});
}

bool same_layout(const Halide::Buffer<> &a, const Halide::Buffer<> &b) {
    if (a.type() != b.type() || a.dimensions() != b.dimensions()) return false;
    for (int d = 0; d < a.dimensions(); d++)
        if (a.dim(d).extent() != b.dim(d).extent() || a.dim(d).stride() != b.dim(d).stride()) return false;
    return true;
}

}  // namespace

std::function<void(std::vector<Halide::Buffer<>> &)> onednn_kernel(
    const WorkloadSpec &spec, const std::vector<Halide::Buffer<>> &inputs, int threads) {
    std::string why = onednn_unsupported(spec);
    if (!why.empty()) throw_usage(why);
    // The inputs by name (they come in describe_io order), and the output's shape.
    Workload w = make_workload(spec);
    const PipelineIO &io = w.io();
    if (inputs.size() != io.inputs.size() || io.outputs.size() != 1)
        throw_usage("onednn: " + spec.op + " should have " + std::to_string(io.inputs.size()) +
                    " inputs and one output, got " + std::to_string(inputs.size()) + " inputs");
    std::map<std::string, Halide::Buffer<>> in;
    for (size_t i = 0; i < inputs.size(); i++) {
        if (inputs[i].type() != Halide::Float(32) ||
            inputs[i].dimensions() != (int)io.inputs[i].extent.size())
            throw_usage("onednn: " + spec.op + " input '" + io.inputs[i].name + "' must be float32 with " +
                        std::to_string(io.inputs[i].extent.size()) + " dimensions");
        in[io.inputs[i].name] = inputs[i];
    }
    auto plan = std::make_shared<Plan>();
    plan->threads = std::max(1, threads);
    plan->out_shape = Halide::Buffer<>(io.outputs[0].type, nullptr, io.outputs[0].extent);
    if (plan->out_shape.type() != Halide::Float(32))
        throw_usage("onednn: " + spec.op + " output must be float32");
    omp_set_num_threads(plan->threads);
    try {
        // Activations (c, x, y, n) are NCHW; attention's (d, s, h, n) N x heads x S x D; the
        // others' (col, row) rows x cols.
        const bool nchw = spec.op == "conv2d" || spec.op == "conv" || spec.op == "depthwise_separable_conv" ||
                          spec.op == "pool" || spec.op == "add";
        const std::vector<int> dst_dims = nchw                     ? kNCHW
                                          : spec.op == "attention" ? std::vector<int>{3, 2, 1, 0}
                                                                   : std::vector<int>{1, 0};
        plan->dst = memory(describe(plan->out_shape, dst_dims), plan->engine, nullptr);
        const ParamValues &v = w.params();
        if (spec.op == "conv2d") build_conv2d(*plan, in);
        if (spec.op == "conv") build_conv(*plan, in, v);
        if (spec.op == "pool") build_pool(*plan, in, v);
        if (spec.op == "fully_connected") build_fully_connected(*plan, in, v);
        if (spec.op == "add") build_add(*plan, in, v);
        if (spec.op == "attention") build_attention(*plan, in, v);
        if (spec.op == "depthwise_separable_conv") build_depthwise_separable_conv(*plan, in);
        if (spec.op == "matmul") build_matmul(*plan, in);
        if (spec.op == "softmax") build_softmax(*plan, in);
        if (spec.op == "layernorm") build_layernorm(*plan, in);
    } catch (const dnnl::error &e) {
        throw_usage("onednn: cannot create the " + spec.op + " primitives: " + e.what());
    } catch (const std::out_of_range &) {
        throw_usage("onednn: " + spec.op + " lacks an input the oneDNN kernel reads");
    }
    return [plan](std::vector<Halide::Buffer<>> &outputs) {
        Halide::Buffer<> &out = outputs.at(0);
        if (!same_layout(out, plan->out_shape))
            throw_usage("onednn: the output buffer is not the one the primitives were created for");
        plan->dst.set_data_handle(out.data());
        omp_set_num_threads(plan->threads);
        for (Step &s : plan->steps) s.primitive.execute(plan->stream, s.args);
        plan->stream.wait();
    };
}

#else

std::function<void(std::vector<Halide::Buffer<>> &)> onednn_kernel(
    const WorkloadSpec &spec, const std::vector<Halide::Buffer<>> &inputs, int threads) {
    std::string why = onednn_unsupported(spec);
    if (!why.empty()) throw_usage(why);
    (void)inputs;
    (void)threads;
    throw_usage("onednn not available (install libdnnl-dev and rebuild htune)");
}

#endif

}  // namespace htune
