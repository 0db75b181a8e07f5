// Built-in operators against plain C++ loops at tiny sizes: the Halide algorithms compute what
// their summaries say (WorkloadTest.cpp only checks they agree with themselves across schedules).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"

namespace htune {

namespace {

// Runs `spec` with the reference (all compute_root) schedule on deterministic inputs.
struct RefRun {
    Workload w;
    std::vector<Halide::Buffer<>> inputs, outputs;

    explicit RefRun(const WorkloadSpec &spec, uint64_t seed = 5) : w(make_workload(spec)) {
        inputs = w.make_inputs(seed);
        outputs = w.reference(inputs, htune::host_target());
    }
    // Inputs are ordered by name; look them up by name so the tests do not depend on it.
    Halide::Buffer<> input(const std::string &name) const {
        for (size_t i = 0; i < inputs.size(); i++)
            if (w.io().inputs[i].name == name) return inputs[i];
        ADD_FAILURE() << "no input " << name;
        return {};
    }
};

int clampi(int v, int lo, int hi) { return std::min(std::max(v, lo), hi); }

}  // namespace

TEST(BuiltinOpsTest, Conv2dIsConvolutionPlusBiasAndRelu) {
    const int N = 2, W = 5, H = 4, CI = 3, CO = 4, K = 3;
    RefRun r(WorkloadSpec{
        "conv2d", "", {{"N", "2"}, {"W", "5"}, {"H", "4"}, {"CI", "3"}, {"CO", "4"}, {"K", "3"}}});
    Halide::Buffer<float> in(r.input("input")), f(r.input("filter")), b(r.input("bias")), out(r.outputs[0]);
    ASSERT_EQ(in.dim(1).extent(), W + K - 1);
    int zeros = 0;
    for (int n = 0; n < N; n++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int co = 0; co < CO; co++) {
                    double s = b(co);
                    for (int ky = 0; ky < K; ky++)
                        for (int kx = 0; kx < K; kx++)
                            for (int ci = 0; ci < CI; ci++)
                                s += f(co, ci, kx, ky) * in(ci, x + kx, y + ky, n);
                    EXPECT_NEAR(out(co, x, y, n), std::max(s, 0.0), 1e-5) << co << "," << x << "," << y;
                    zeros += s <= 0;
                }
    EXPECT_LT(zeros, N * W * H * CO);  // not all clipped by the ReLU
    EXPECT_DOUBLE_EQ(r.w.flops(), (double)N * W * H * CO * (2.0 * CI * K * K + 2));
}

TEST(BuiltinOpsTest, ConvLayersMatchLoopsWithStridePaddingDilationGroupsAndActivation) {
    struct Case {
        int N, W, H, CI, CO, K, S, P, D, G;
        std::string act;
    };
    for (const Case &k : {Case{1, 7, 6, 3, 4, 3, 2, 1, 1, 1, "relu"},     // strided, padded (ResNet)
                          Case{2, 6, 5, 4, 6, 3, 1, 2, 2, 2, "none"},     // dilated, 2 groups
                          Case{1, 9, 7, 5, 5, 3, 2, 1, 1, 5, "relu6"},    // depthwise, strided (MobileNet)
                          Case{1, 5, 4, 6, 3, 1, 1, 0, 1, 1, "none"},     // pointwise
                          Case{1, 8, 8, 2, 4, 7, 2, 3, 1, 1, "relu"}}) {  // 7x7 stem
        RefRun r(WorkloadSpec{"conv",
                              "",
                              {{"N", std::to_string(k.N)},
                               {"W", std::to_string(k.W)},
                               {"H", std::to_string(k.H)},
                               {"CI", std::to_string(k.CI)},
                               {"CO", std::to_string(k.CO)},
                               {"K", std::to_string(k.K)},
                               {"stride", std::to_string(k.S)},
                               {"pad", std::to_string(k.P)},
                               {"dilation", std::to_string(k.D)},
                               {"groups", std::to_string(k.G)},
                               {"act", k.act}}});
        Halide::Buffer<float> in(r.input("input")), f(r.input("filter")), b(r.input("bias")),
            out(r.outputs[0]);
        const int OW = (k.W + 2 * k.P - k.D * (k.K - 1) - 1) / k.S + 1;
        const int OH = (k.H + 2 * k.P - k.D * (k.K - 1) - 1) / k.S + 1;
        ASSERT_EQ(out.dim(0).extent(), k.CO);
        ASSERT_EQ(out.dim(1).extent(), OW);
        ASSERT_EQ(out.dim(2).extent(), OH);
        ASSERT_EQ(in.dim(1).extent(), k.W) << "the input is the unpadded activation";
        const int CIg = k.CI / k.G, COg = k.CO / k.G;
        int clipped = 0, checked = 0;
        for (int n = 0; n < k.N; n++)
            for (int y = 0; y < OH; y++)
                for (int x = 0; x < OW; x++)
                    for (int co = 0; co < k.CO; co++) {
                        double s = b(co);
                        for (int ky = 0; ky < k.K; ky++)
                            for (int kx = 0; kx < k.K; kx++)
                                for (int i = 0; i < CIg; i++) {
                                    const int ix = x * k.S + kx * k.D - k.P, iy = y * k.S + ky * k.D - k.P;
                                    if (ix < 0 || iy < 0 || ix >= k.W || iy >= k.H) continue;  // zero padding
                                    s += f(co, i, kx, ky) * in((co / COg) * CIg + i, ix, iy, n);
                                }
                        double want = k.act == "relu"    ? std::max(s, 0.0)
                                      : k.act == "relu6" ? std::min(std::max(s, 0.0), 6.0)
                                                         : s;
                        clipped += want != s;
                        checked++;
                        EXPECT_NEAR(out(co, x, y, n), want, 1e-5)
                            << k.act << " co=" << co << " x=" << x << " y=" << y;
                    }
        if (k.act != "none") EXPECT_LT(clipped, checked) << "not all clipped by the activation";
        const double act_ops = k.act == "relu" ? 1 : k.act == "relu6" ? 2 : 0;
        EXPECT_DOUBLE_EQ(r.w.flops(), (double)k.N * OW * OH * k.CO * (2.0 * CIg * k.K * k.K + 1 + act_ops));
    }
    // Groups that do not divide the channels, and a filter larger than the padded input: one
    // usage error each, naming what is wrong.
    auto error_of = [](std::vector<std::pair<std::string, std::string>> p) -> std::string {
        try {
            make_workload(WorkloadSpec{"conv", "", p}).build();
        } catch (const Error &e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
            return e.what();
        }
        return "no error";
    };
    EXPECT_NE(error_of({{"CI", "6"}, {"groups", "4"}}).find("must be multiples of groups=4"),
              std::string::npos);
    EXPECT_NE(error_of({{"W", "3"}, {"K", "7"}, {"pad", "0"}}).find("does not fit"), std::string::npos);
}

TEST(BuiltinOpsTest, PoolingMatchesLoopsForMaxAverageAndGlobal) {
    struct Case {
        int C, W, H, K, S, P;
        std::string kind;
    };
    for (const Case &k : {Case{3, 9, 7, 3, 2, 1, "max"},  // ResNet's stem pooling
                          Case{2, 8, 6, 2, 2, 0, "avg"},
                          Case{3, 7, 5, 3, 1, 1, "avg"},     // padded: zeros count (count_include_pad)
                          Case{4, 5, 5, 5, 1, 0, "avg"}}) {  // global average pooling
        RefRun r(WorkloadSpec{"pool",
                              "",
                              {{"N", "2"},
                               {"C", std::to_string(k.C)},
                               {"W", std::to_string(k.W)},
                               {"H", std::to_string(k.H)},
                               {"K", std::to_string(k.K)},
                               {"stride", std::to_string(k.S)},
                               {"pad", std::to_string(k.P)},
                               {"kind", k.kind}}});
        Halide::Buffer<float> in(r.input("input")), out(r.outputs[0]);
        const int OW = (k.W + 2 * k.P - k.K) / k.S + 1, OH = (k.H + 2 * k.P - k.K) / k.S + 1;
        ASSERT_EQ(out.dim(1).extent(), OW);
        ASSERT_EQ(out.dim(2).extent(), OH);
        for (int n = 0; n < 2; n++)
            for (int y = 0; y < OH; y++)
                for (int x = 0; x < OW; x++)
                    for (int c = 0; c < k.C; c++) {
                        double mx = -1e30, s = 0;
                        for (int ky = 0; ky < k.K; ky++)
                            for (int kx = 0; kx < k.K; kx++) {
                                const int ix = x * k.S + kx - k.P, iy = y * k.S + ky - k.P;
                                if (ix < 0 || iy < 0 || ix >= k.W || iy >= k.H) continue;
                                mx = std::max(mx, (double)in(c, ix, iy, n));
                                s += in(c, ix, iy, n);
                            }
                        const double want = k.kind == "max" ? mx : s / (k.K * k.K);
                        EXPECT_NEAR(out(c, x, y, n), want, 1e-5)
                            << k.kind << " c=" << c << " x=" << x << " y=" << y;
                    }
        EXPECT_DOUBLE_EQ(r.w.flops(),
                         2.0 * k.C * OW * OH * (k.kind == "max" ? k.K * k.K - 1 : k.K * k.K + 1));
    }
}

TEST(BuiltinOpsTest, FullyConnectedAndAddMatchLoops) {
    RefRun fc(WorkloadSpec{"fully_connected", "", {{"N", "3"}, {"IN", "7"}, {"OUT", "5"}, {"act", "relu"}}});
    Halide::Buffer<float> in(fc.input("input")), w(fc.input("weight")), b(fc.input("bias")),
        out(fc.outputs[0]);
    int clipped = 0;
    for (int n = 0; n < 3; n++)
        for (int o = 0; o < 5; o++) {
            double s = b(o);
            for (int i = 0; i < 7; i++) s += w(o, i) * in(i, n);
            clipped += s < 0;
            EXPECT_NEAR(out(o, n), std::max(s, 0.0), 1e-5) << o << "," << n;
        }
    EXPECT_LT(clipped, 15);
    EXPECT_DOUBLE_EQ(fc.w.flops(), 3.0 * 5 * (2 * 7 + 1 + 1));

    RefRun add(WorkloadSpec{"add", "", {{"C", "3"}, {"W", "4"}, {"H", "2"}, {"act", "relu6"}}});
    Halide::Buffer<float> a(add.input("a")), bb(add.input("b")), sum(add.outputs[0]);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                EXPECT_NEAR(sum(c, x, y, 0),
                            std::min(std::max((double)a(c, x, y, 0) + bb(c, x, y, 0), 0.0), 6.0), 1e-6);
    EXPECT_DOUBLE_EQ(add.w.flops(), 3.0 * 4 * 2 * 3);
}

// BERT's tanh approximation of gelu, through fully_connected (the FFN's first layer).
TEST(BuiltinOpsTest, FullyConnectedGeluIsTheTanhApproximation) {
    RefRun fc(WorkloadSpec{"fully_connected", "", {{"N", "4"}, {"IN", "9"}, {"OUT", "6"}, {"act", "gelu"}}});
    Halide::Buffer<float> in(fc.input("input")), w(fc.input("weight")), b(fc.input("bias")),
        out(fc.outputs[0]);
    const double pi = std::acos(-1.0);
    int negative = 0;
    for (int n = 0; n < 4; n++)
        for (int o = 0; o < 6; o++) {
            double s = b(o);
            for (int i = 0; i < 9; i++) s += w(o, i) * in(i, n);
            negative += s < 0;
            const double gelu = 0.5 * s * (1 + std::tanh(std::sqrt(2 / pi) * (s + 0.044715 * s * s * s)));
            EXPECT_NEAR(out(o, n), gelu, 1e-6) << o << "," << n;
        }
    EXPECT_GT(negative, 0);
    EXPECT_LT(negative, 24);
    EXPECT_DOUBLE_EQ(fc.w.flops(), 4.0 * 6 * (2 * 9 + 1 + 8));

    // Far from 0 it is the identity on the right and 0 on the left, and it is exact at 0.
    RefRun add(WorkloadSpec{"add", "", {{"C", "2"}, {"W", "3"}, {"H", "1"}, {"act", "gelu"}}});
    Halide::Buffer<float> a(add.input("a")), bb(add.input("b"));
    const float xs[6] = {-10, -3, 0, 0.5f, 3, 10};
    for (int k = 0; k < 6; k++) {
        a(k % 2, k / 2, 0, 0) = xs[k];
        bb(k % 2, k / 2, 0, 0) = 0;
    }
    Halide::Buffer<float> g(add.w.reference(add.inputs, htune::host_target())[0]);
    for (int k = 0; k < 6; k++) {
        const double x = xs[k];
        EXPECT_NEAR(g(k % 2, k / 2, 0, 0),
                    0.5 * x * (1 + std::tanh(std::sqrt(2 / pi) * (x + 0.044715 * x * x * x))), 1e-6)
            << x;
    }
    EXPECT_NEAR(g(0, 0, 0, 0), 0.0, 1e-6);
    EXPECT_NEAR(g(1, 2, 0, 0), 10.0, 1e-5);
    EXPECT_EQ(g(0, 1, 0, 0), 0.0f);
}

// softmax(q k^T / sqrt(D)) v per batch and head, against loops in double.
TEST(BuiltinOpsTest, AttentionMatchesLoopsAndItsWeightsSumToOne) {
    struct Case {
        int N, S, H, D;
    };
    for (const Case &c : {Case{1, 5, 1, 3}, Case{2, 7, 3, 4}, Case{3, 4, 2, 16}}) {
        const std::string where = "N=" + std::to_string(c.N) + " S=" + std::to_string(c.S) +
                                  " heads=" + std::to_string(c.H) + " D=" + std::to_string(c.D);
        RefRun r(WorkloadSpec{"attention",
                              "",
                              {{"N", std::to_string(c.N)},
                               {"S", std::to_string(c.S)},
                               {"heads", std::to_string(c.H)},
                               {"D", std::to_string(c.D)}}});
        Halide::Buffer<float> q(r.input("q")), k(r.input("k")), v(r.input("v")), out(r.outputs[0]);
        ASSERT_EQ(out.dimensions(), 4) << where;
        EXPECT_EQ(out.dim(0).extent(), c.D);
        EXPECT_EQ(out.dim(1).extent(), c.S);
        EXPECT_EQ(out.dim(2).extent(), c.H);
        EXPECT_EQ(out.dim(3).extent(), c.N);
        const double scale = 1 / std::sqrt((double)c.D);
        double max_weight = 0;
        for (int n = 0; n < c.N; n++)
            for (int h = 0; h < c.H; h++)
                for (int i = 0; i < c.S; i++) {
                    std::vector<double> w(c.S);
                    double mx = -INFINITY, total = 0;
                    for (int j = 0; j < c.S; j++) {
                        double s = 0;
                        for (int e = 0; e < c.D; e++) s += (double)q(e, i, h, n) * k(e, j, h, n);
                        w[j] = s * scale;
                        mx = std::max(mx, w[j]);
                    }
                    for (int j = 0; j < c.S; j++) total += w[j] = std::exp(w[j] - mx);
                    for (int j = 0; j < c.S; j++) max_weight = std::max(max_weight, w[j] / total);
                    for (int e = 0; e < c.D; e++) {
                        double o = 0;
                        for (int j = 0; j < c.S; j++) o += w[j] / total * v(e, j, h, n);
                        EXPECT_NEAR(out(e, i, h, n), o, 1e-5)
                            << where << " at " << e << "," << i << "," << h << "," << n;
                    }
                }
        // Not a uniform average: some query attends to one key more than the others.
        EXPECT_GT(max_weight, 1.5 / c.S) << where;
        EXPECT_DOUBLE_EQ(r.w.flops(), (double)c.N * c.H * c.S * (c.S * (4.0 * c.D + 5) + c.D)) << where;

        // The weights of every row sum to one: a v that is constant along the sequence (a
        // different constant per d, head and batch) comes out unchanged.
        v.for_each_element([&](int e, int j, int h, int n) { v(e, j, h, n) = 0.25f * e - 0.5f * h + n; });
        Halide::Buffer<float> same(r.w.reference(r.inputs, htune::host_target())[0]);
        same.for_each_element([&](int e, int i, int h, int n) {
            EXPECT_NEAR(same(e, i, h, n), 0.25f * e - 0.5f * h + n, 1e-5) << where << " at " << e << "," << i;
        });
    }
    // Stable softmax: scores of hundreds do not overflow exp.
    RefRun big(WorkloadSpec{"attention", "", {{"S", "6"}, {"heads", "1"}, {"D", "4"}}});
    Halide::Buffer<float> q(big.input("q")), k(big.input("k")), v(big.input("v"));
    q.fill(30.0f);
    k.for_each_element([&](int e, int j, int, int) { k(e, j, 0, 0) = j == 2 ? 30.0f : 20.0f; });
    Halide::Buffer<float> out(big.w.reference(big.inputs, htune::host_target())[0]);
    // scores 30*30*4/2 = 1800 for key 2, 1200 for the others: all the weight on key 2.
    for (int i = 0; i < 6; i++)
        for (int e = 0; e < 4; e++) EXPECT_NEAR(out(e, i, 0, 0), v(e, 2, 0, 0), 1e-6) << e << "," << i;
}

TEST(BuiltinOpsTest, DepthwiseSeparableConvIsDepthwiseThenPointwise) {
    const int W = 4, H = 3, CI = 3, CO = 5;
    RefRun r(
        WorkloadSpec{"depthwise_separable_conv", "", {{"W", "4"}, {"H", "3"}, {"CI", "3"}, {"CO", "5"}}});
    Halide::Buffer<float> in(r.input("input")), dw(r.input("dw_filter")), pw(r.input("pw_filter")),
        b(r.input("bias")), out(r.outputs[0]);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int co = 0; co < CO; co++) {
                double s = b(co);
                for (int ci = 0; ci < CI; ci++) {
                    double d = 0;
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) d += dw(ci, kx, ky) * in(ci, x + kx, y + ky, 0);
                    s += pw(co, ci) * d;
                }
                EXPECT_NEAR(out(co, x, y, 0), std::max(s, 0.0), 1e-5);
            }
}

TEST(BuiltinOpsTest, SoftmaxRowsSumToOneAndMatchLoop) {
    const int R = 3, C = 7;
    RefRun r(WorkloadSpec{"softmax", "", {{"rows", "3"}, {"cols", "7"}}});
    Halide::Buffer<float> in(r.input("input")), out(r.outputs[0]);
    for (int i = 0; i < R; i++) {
        double mx = -INFINITY, total = 0, out_total = 0;
        for (int j = 0; j < C; j++) mx = std::max(mx, (double)in(j, i));
        for (int j = 0; j < C; j++) total += std::exp(in(j, i) - mx);
        for (int j = 0; j < C; j++) {
            EXPECT_NEAR(out(j, i), std::exp(in(j, i) - mx) / total, 1e-6);
            out_total += out(j, i);
        }
        EXPECT_NEAR(out_total, 1.0, 1e-5);
    }
}

TEST(BuiltinOpsTest, LayernormMatchesLoop) {
    const int R = 3, C = 9;
    RefRun r(WorkloadSpec{"layernorm", "", {{"rows", "3"}, {"cols", "9"}}});
    Halide::Buffer<float> in(r.input("input")), g(r.input("gamma")), b(r.input("beta")), out(r.outputs[0]);
    for (int i = 0; i < R; i++) {
        double mean = 0, var = 0;
        for (int j = 0; j < C; j++) mean += in(j, i) / (double)C;
        for (int j = 0; j < C; j++) var += (in(j, i) - mean) * (in(j, i) - mean) / C;
        for (int j = 0; j < C; j++)
            EXPECT_NEAR(out(j, i), (in(j, i) - mean) / std::sqrt(var + 1e-5) * g(j) + b(j), 1e-5);
    }
}

TEST(BuiltinOpsTest, HistogramEqualizeMapsThroughTheCdf) {
    const int W = 13, H = 7;
    RefRun r(WorkloadSpec{"histogram_equalize", "", {{"W", "13"}, {"H", "7"}}});
    Halide::Buffer<uint8_t> in(r.input("input")), out(r.outputs[0]);
    std::vector<int64_t> cdf(256, 0);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) cdf[in(x, y)]++;
    for (int b = 1; b < 256; b++) cdf[b] += cdf[b - 1];
    const int64_t total = W * H;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            EXPECT_EQ(out(x, y), (uint8_t)((cdf[in(x, y)] * 255 + total / 2) / total)) << x << "," << y;
    // The brightest input maps to 255: equalization stretches the low-contrast input.
    uint8_t brightest = 0;
    in.for_each_value([&](uint8_t v) { brightest = std::max(brightest, v); });
    EXPECT_LE(brightest, 160);
    uint8_t top = 0;
    out.for_each_value([&](uint8_t v) { top = std::max(top, v); });
    EXPECT_EQ(top, 255);
}

TEST(BuiltinOpsTest, MaxFilterIsMaxOverADisc) {
    const int W = 11, H = 9, C = 2, R = 3;
    RefRun r(WorkloadSpec{"max_filter", "", {{"W", "11"}, {"H", "9"}, {"C", "2"}, {"radius", "3"}}});
    Halide::Buffer<float> in(r.input("input")), out(r.outputs[0]);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                float m = -INFINITY;
                for (int dx = -R; dx <= R; dx++)
                    for (int dy = -R; dy <= R; dy++)
                        if (dx * dx + dy * dy <= R * R + R / 2)
                            m = std::max(m, in(clampi(x + dx, 0, W - 1), clampi(y + dy, 0, H - 1), c));
                EXPECT_EQ(out(x, y, c), m) << x << "," << y << "," << c;
            }
}

TEST(BuiltinOpsTest, IirBlurIsCausalAndAntiCausalInBothDirections) {
    const int W = 7, H = 5, C = 2;
    const double a = 0.3;
    RefRun r(WorkloadSpec{"iir_blur", "", {{"W", "7"}, {"H", "5"}, {"C", "2"}, {"alpha", "0.3"}}});
    Halide::Buffer<float> in(r.input("input")), out(r.outputs[0]);
    // One pass over a line: down then up.
    auto pass = [&](std::vector<double> v) {
        std::vector<double> b = v;
        for (size_t i = 1; i < b.size(); i++) b[i] = (1 - a) * b[i - 1] + a * v[i];
        for (int i = (int)b.size() - 2; i >= 0; i--) b[i] = (1 - a) * b[i + 1] + a * b[i];
        return b;
    };
    for (int c = 0; c < C; c++) {
        std::vector<std::vector<double>> img(W, std::vector<double>(H));
        for (int x = 0; x < W; x++) {
            std::vector<double> col(H);
            for (int y = 0; y < H; y++) col[y] = in(x, y, c);
            img[x] = pass(col);
        }
        for (int y = 0; y < H; y++) {
            std::vector<double> row(W);
            for (int x = 0; x < W; x++) row[x] = img[x][y];
            row = pass(row);
            for (int x = 0; x < W; x++) EXPECT_NEAR(out(x, y, c), row[x], 1e-5) << x << "," << y;
        }
    }
}

TEST(BuiltinOpsTest, StencilChainAppliesBinomialThenCross) {
    const int W = 9, H = 8;
    RefRun r(WorkloadSpec{"stencil_chain", "", {{"W", "9"}, {"H", "8"}, {"depth", "2"}}});
    Halide::Buffer<uint16_t> in(r.input("input")), out(r.outputs[0]);
    auto at = [&](const std::vector<int> &img, int x, int y) {
        return img[clampi(y, 0, H - 1) * W + clampi(x, 0, W - 1)];
    };
    std::vector<int> s0(W * H), s1(W * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) s0[y * W + x] = in(x, y);
    // Stage 1 (3x3 binomial) reads the clamped input; stage 2 (cross) reads stage 1 unclamped,
    // so it is evaluated from stage 1 recomputed out of bounds.
    auto stage1 = [&](int x, int y) {
        int s = 8;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
                s += (2 - std::abs(dx)) * (2 - std::abs(dy)) * at(s0, x + dx, y + dy);
        return s / 16;
    };
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int e = (4 * stage1(x, y) + stage1(x - 1, y) + stage1(x + 1, y) + stage1(x, y - 1) +
                     stage1(x, y + 1) + 4) /
                    8;
            EXPECT_EQ(out(x, y), e) << x << "," << y;
        }
}

TEST(BuiltinOpsTest, DeepPyramidsRealizeWithSensibleValues) {
    // Deeper than the test size (which the inlined default schedule must compile).
    RefRun interp(WorkloadSpec{"interpolate", "", {{"W", "40"}, {"H", "24"}, {"levels", "5"}}});
    // The output is an alpha-weighted average of the input colors, so it stays in [0, 1].
    Halide::Buffer<float>(interp.outputs[0]).for_each_value([](float v) {
        EXPECT_GE(v, -1e-5f);
        EXPECT_LE(v, 1.0f + 1e-5f);
    });
    RefRun ll(WorkloadSpec{"local_laplacian", "", {{"W", "40"}, {"H", "24"}, {"J", "4"}}});
    double sum = 0;
    Halide::Buffer<float>(ll.outputs[0]).for_each_value([&](float v) { sum += v; });
    EXPECT_GT(sum, 0.1 * 40 * 24 * 3);  // not crushed to black
}

TEST(BuiltinOpsTest, OpsAreListedInFamilyOrder) {
    std::vector<std::string> names;
    for (const auto &a : builtin_ops()) names.push_back(a->name());
    ASSERT_GE(names.size(), 16u);
    auto pos = [&](const std::string &n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
    EXPECT_LT(pos("matmul"), pos("conv2d"));
    EXPECT_LT(pos("layernorm"), pos("blur3x3"));
    EXPECT_LT(pos("blur3x3"), pos("interpolate"));
}

}  // namespace htune
