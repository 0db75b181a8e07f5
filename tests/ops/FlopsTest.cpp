// FLOP counts from the algorithm: the built-in operators' own formulas agree with the count,
// index arithmetic is not counted, and a workload file's figure overrides both.
#include <gtest/gtest.h>

#include "ops/Error.h"
#include "ops/Flops.h"
#include "ops/OpRegistry.h"

namespace htune {

TEST(Flops, CountMatchesTheOperatorsOwnFormula) {
    for (const char *op : {"matmul", "conv2d"}) {
        Workload w = make_workload(op, /*test_size=*/true);
        double stated = w.flops();
        ASSERT_GT(stated, 0) << op;
        EXPECT_EQ(w.flops_source(), "operator");
        double counted = count_flops(w.build(), w.io());
        // conv2d's formula counts its bias as an add (the algorithm starts from it) and the
        // count sees the ReLU's max: within a few percent of 2 * MACs either way.
        EXPECT_GE(counted, stated * 0.95) << op;
        EXPECT_LE(counted, stated * 1.05) << op;
    }
}

TEST(Flops, IndexArithmeticAndLoadsAreNotCounted) {
    using namespace Halide;
    ImageParam in(Float(32), 1, "in");
    Var x("x");
    RDom r(0, 4);
    Func f("f"), g("g");
    f(x) = in(x * 2 + 1) * 3.0f;   // 1 op per point; x * 2 + 1 is an address
    g(x) = 0.0f;                   // nothing
    g(x) += f(x + r) + exp(f(x));  // 3 ops per point per r (+= is an add)
    g.set_estimates({{0, 10}});
    in.set_estimates({{0, 64}});
    Pipeline p(g);
    // f is needed over [0, 13): 13 points; g's update: 10 x 4.
    EXPECT_EQ(count_flops(p, describe_io(p)), 13.0 + 10 * 4 * 3);
}

TEST(Flops, GeneratorsAreCountedAndAWorkloadFileOverrides) {
    WorkloadSpec spec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}};
    Workload w = make_workload(spec);
    EXPECT_EQ(w.flops_source(), "counted");
    EXPECT_GT(w.flops(), 64 * 48 * 3 * 10);
    spec = nlohmann::json::parse(R"({"op": "sharpen_blend", "generator_lib": ")" +
                                 std::string(HTUNE_EXAMPLE_GEN) +
                                 R"(", "params": {"width": "64"}, "flops": 1.5e6})")
               .get<WorkloadSpec>();
    Workload o = make_workload(spec);
    EXPECT_EQ(o.flops(), 1.5e6);
    EXPECT_EQ(o.flops_source(), "workload file");
    EXPECT_EQ(spec_of(o).flops, 1.5e6);
    EXPECT_THROW(nlohmann::json::parse(R"({"op": "matmul", "flops": "many"})").get<WorkloadSpec>(), Error);
}

}  // namespace htune
