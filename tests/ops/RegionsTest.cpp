// Required regions and input sizing: inputs cover what the pipeline reads for its outputs'
// estimates, not just their own estimates.
#include <gtest/gtest.h>

#include "ops/HostTarget.h"
#include "ops/PipelineIO.h"
#include "ops/Regions.h"

namespace htune {

using namespace Halide;

TEST(Regions, StencilWithoutBoundaryConditionsGrowsTheInput) {
    ImageParam in(Float(32), 2, "in");
    Param<int> shift("shift");
    shift.set_estimate(3);
    Var x("x"), y("y");
    Func blur("blur"), out("out");
    blur(x, y) = in(x - 1, y) + in(x + 2, y + shift);
    out(x, y) = blur(x, y) * 2;
    out.set_estimates({{0, 64}, {0, 32}});
    in.set_estimates({{0, 64}, {0, 32}});
    Pipeline p(out);
    PipelineIO io = describe_io(p);
    ASSERT_EQ(io.inputs.size(), 1u);
    const BufferShape &s = io.inputs[0];
    EXPECT_EQ(s.min, (std::vector<int>{-1, 0}));
    EXPECT_EQ(s.extent, (std::vector<int>{67, 35}));  // x in [-1, 65], y in [0, 34] (shift = 3)
    EXPECT_TRUE(s.grown());
    EXPECT_EQ(s.estimate_extent, (std::vector<int>{64, 32}));
    // A buffer of that shape runs the pipeline; one of the estimates' shape does not.
    Buffer<float> big(s.extent), small(64, 32), o(64, 32);
    big.set_min(s.min);
    big.fill(1.0f);
    small.fill(1.0f);
    in.set(big);
    shift.set(3);
    p.realize(o, host_target());
    EXPECT_EQ(o(10, 10), 4.0f);
    in.set(small);
    EXPECT_THROW(p.realize(o, host_target()), RuntimeError);
}

TEST(Regions, ClampedReadsKeepTheEstimatesAndGathersAreFlagged) {
    ImageParam in(Float(32), 1, "in"), idx(Int(32), 1, "idx");
    Var x("x");
    Func clamped("clamped"), out("out");
    clamped(x) = in(clamp(x, 0, in.dim(0).extent() - 1));
    out(x) = clamped(x - 5) + clamped(x + 5) + in(idx(x));
    out.set_estimates({{0, 100}});
    in.set_estimates({{0, 100}});
    idx.set_estimates({{0, 100}});
    PipelineIO io = describe_io(Pipeline(out));
    ASSERT_EQ(io.inputs.size(), 2u);
    EXPECT_EQ(io.inputs[1].name, "in");
    EXPECT_EQ(io.inputs[1].extent, (std::vector<int>{100}));
    EXPECT_FALSE(io.inputs[1].grown());
    EXPECT_EQ(io.inputs[1].reads_known, (std::vector<bool>{false}));  // in(idx(x)): data-dependent
    EXPECT_EQ(io.inputs[0].reads_known, (std::vector<bool>{true}));
    RequiredRegions r = required_regions(Pipeline(out), io.outputs);
    // Keyed by the Func's Halide name, which is "clamped$N" once another test in this process
    // has used the name "clamped".
    ASSERT_TRUE(r.funcs.count(clamped.name())) << clamped.name();
    EXPECT_TRUE(r.funcs[clamped.name()][0].known);
    EXPECT_EQ(r.funcs[clamped.name()][0].min, -5);
    EXPECT_EQ(r.funcs[clamped.name()][0].extent, 110);
}

TEST(Regions, AnInputWithoutEstimatesIsSizedFromItsReads) {
    ImageParam in(UInt(8), 1, "in");
    Var x("x");
    Func out("out");
    out(x) = in(2 * x) + in(2 * x + 1);
    out.set_estimates({{0, 50}});
    PipelineIO io = describe_io(Pipeline(out));
    ASSERT_EQ(io.inputs.size(), 1u);
    EXPECT_EQ(io.inputs[0].extent, (std::vector<int>{100}));
    EXPECT_TRUE(io.inputs[0].grown());
}

}  // namespace htune
