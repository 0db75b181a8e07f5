// Every built-in operator at its test size: builds with estimates, has deterministic inputs,
// and its reference matches Halide's default schedule and (for some) a plain C++ loop.
#include <gtest/gtest.h>

#include "ops/BufferCompare.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"

namespace htune {

namespace {

std::vector<std::string> op_names() {
    std::vector<std::string> names;
    for (const auto &a : builtin_ops()) names.push_back(a->name());
    return names;
}

class EveryOp : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(WorkloadTest, SuiteHasTheStandardOperators) {
    std::vector<std::string> names = op_names();
    for (const char *required :
         {"matmul", "conv2d", "depthwise_separable_conv", "resnet_block", "softmax", "layernorm", "blur3x3",
          "unsharp_mask", "harris", "bilateral_grid", "local_laplacian", "histogram_equalize", "max_filter",
          "stencil_chain", "iir_blur", "interpolate"})
        EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
}

TEST_P(EveryOp, RealizesAndMatchesReference) {
    Workload w = make_workload(GetParam(), /*test_size=*/true);
    const PipelineIO &io = w.io();
    ASSERT_FALSE(io.outputs.empty());
    ASSERT_FALSE(io.inputs.empty());
    Halide::Target target = htune::host_target();

    auto in1 = w.make_inputs(7), in2 = w.make_inputs(7), in3 = w.make_inputs(8);
    ASSERT_EQ(in1.size(), io.inputs.size());
    // Same seed, same bytes; another seed, other bytes.
    EXPECT_EQ(0, memcmp(in1[0].data(), in2[0].data(), in1[0].size_in_bytes()));
    EXPECT_NE(0, memcmp(in1[0].data(), in3[0].data(), in1[0].size_in_bytes()));

    auto ref = w.reference(in1, target);
    // Halide's default schedule (inline everything it can) must compute the same thing.
    Halide::Pipeline p = w.build();
    auto outs = w.make_outputs();
    realize_into(p, in1, outs, target);
    Comparison c = compare_outputs(outs, ref, w.tolerance());
    EXPECT_TRUE(c.ok) << w.canonical() << ": " << c.message;

    // Outputs are not trivially constant.
    EXPECT_GT(w.min_bytes(), 0);
    EXPECT_EQ(w.structure_hash().size(), 16u);
    EXPECT_EQ(w.structure_hash(), make_workload(GetParam(), true).structure_hash());
}

INSTANTIATE_TEST_SUITE_P(BuiltinOps, EveryOp, ::testing::ValuesIn(op_names()),
                         [](const auto &info) { return info.param; });

TEST(WorkloadTest, MatmulMatchesPlainLoop) {
    Workload w = make_workload(WorkloadSpec{"matmul", "", {{"M", "12"}, {"N", "10"}, {"K", "7"}}});
    auto in = w.make_inputs(1);
    auto ref = w.reference(in, htune::host_target());
    Halide::Buffer<float> A(in[0]), B(in[1]), C(ref[0]);  // inputs sorted by name: A, B
    ASSERT_EQ(C.dim(0).extent(), 10);
    ASSERT_EQ(C.dim(1).extent(), 12);
    for (int m = 0; m < 12; m++)
        for (int n = 0; n < 10; n++) {
            float s = 0;
            for (int k = 0; k < 7; k++) s += A(k, m) * B(n, k);
            EXPECT_NEAR(C(n, m), s, 1e-5);
        }
    EXPECT_DOUBLE_EQ(w.flops(), 2.0 * 12 * 10 * 7);
}

TEST(WorkloadTest, Blur3x3MatchesPlainLoop) {
    Workload w = make_workload(WorkloadSpec{"blur3x3", "", {{"W", "16"}, {"H", "9"}}});
    auto in = w.make_inputs(3);
    auto ref = w.reference(in, htune::host_target());
    Halide::Buffer<uint16_t> I(in[0]), O(ref[0]);
    auto at = [&](int x, int y) { return (int)I(std::clamp(x, 0, 15), std::clamp(y, 0, 8)); };
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 16; x++) {
            auto bx = [&](int yy) { return (uint16_t)((at(x - 1, yy) + at(x, yy) + at(x + 1, yy)) / 3); };
            EXPECT_EQ(O(x, y), (uint16_t)((bx(y - 1) + bx(y) + bx(y + 1)) / 3)) << x << "," << y;
        }
}

TEST(WorkloadTest, KeysDifferByParametersAndStructure) {
    Workload a = make_workload(WorkloadSpec{"matmul", "", {{"M", "8"}}});
    Workload b = make_workload(WorkloadSpec{"matmul", "", {{"M", "16"}}});
    EXPECT_NE(a.key(), b.key());
    EXPECT_EQ(a.key().rfind("matmul:M=8,N=1024,K=1024#", 0), 0u);
    EXPECT_NE(make_workload("blur3x3", true).structure_hash(),
              make_workload("matmul", true).structure_hash());
}

TEST(WorkloadTest, CompareOutputsFindsMismatch) {
    Halide::Buffer<float> a(4, 4), b(4, 4);
    a.fill(1.0f);
    b.fill(1.0f);
    EXPECT_TRUE(compare_outputs({a}, {b}, 1e-3).ok);
    a(2, 3) = 1.5f;
    Comparison c = compare_outputs({a}, {b}, 1e-3);
    EXPECT_FALSE(c.ok);
    EXPECT_NEAR(c.max_abs_error, 0.5, 1e-6);
    EXPECT_NE(c.message.find("(2,3)"), std::string::npos);
    Halide::Buffer<uint8_t> i(3), j(3);
    i.fill(1);
    j.fill(1);
    j(1) = 2;
    EXPECT_FALSE(compare_outputs({i}, {j}, 1.0).ok);  // integers are exact whatever the tolerance
    EXPECT_TRUE(compare_outputs({i}, {j}, 0, /*int_tolerance=*/1).ok);
    j(1) = 3;
    EXPECT_FALSE(compare_outputs({i}, {j}, 0, 1).ok);
}

TEST(WorkloadTest, IntegerOutputsComputedFromFloatsMayDifferByOne) {
    // local_laplacian's uint16 output is float math cast back; blur3x3 and histogram
    // equalization compute their integers with integer arithmetic.
    EXPECT_EQ(make_workload("local_laplacian", true).integer_tolerance(), 1);
    EXPECT_EQ(make_workload("blur3x3", true).integer_tolerance(), 0);
    EXPECT_EQ(make_workload("matmul", true).integer_tolerance(), 0);
}

}  // namespace htune
