// The reference plan: every Func at the root, except Funcs too large for it, which Halide's
// default placement computes where they are used; the outputs do not change.
#include <gtest/gtest.h>

#include "ops/CanonicalPipeline.h"
#include "ops/HostTarget.h"
#include "ops/PipelineIO.h"
#include "ops/ReferencePlan.h"

namespace htune {

using namespace Halide;

namespace {

// A 4-D intermediate (an inline sum, so it cannot be inlined) and a 2-D one.
Pipeline build(ImageParam &in) {
    Var x("x"), y("y"), dx("dx"), dy("dy");
    RDom c(0, 3), s(0, 4, 0, 4);
    Func diff("diff"), smooth("smooth"), out("out");
    diff(x, y, dx, dy) = sum(in(x, y, c) - in(x + dx, y + dy, c));
    smooth(x, y) = in(x, y, 0) + in(x + 1, y, 0);
    out(x, y) = sum(diff(x, y, s.x, s.y)) + smooth(x, y);
    out.set_estimates({{0, 32}, {0, 24}});
    in.set_estimates({{0, 40}, {0, 30}, {0, 3}});
    return canonical_pipeline(Pipeline(out));
}

Buffer<int> run(Pipeline p, const ReferencePlan &plan) {
    Target t = apply_reference_plan(plan, p, host_target());
    Buffer<int> out(32, 24);
    p.realize(out, t);
    return out;
}

}  // namespace

TEST(ReferencePlan, LargeFuncsLeaveTheRootAndTheOutputStaysTheSame) {
    ImageParam in(Int(32), 3, "in");
    Buffer<int> b(40, 30, 3);
    b.for_each_element([&](int x, int y, int c) { b(x, y, c) = (x * 3 + y * 5 + c) % 11; });
    in.set(b);
    Pipeline p = build(in);
    PipelineIO io = describe_io(p);
    ReferencePlan all = plan_reference(p, io);
    EXPECT_TRUE(all.inlined.empty());
    EXPECT_FALSE(all.large_buffers);
    // Root buffers: diff and its sum 32 x 24 x 4 x 4 ints (49 KB each), in_im 40 x 30 x 3 (14 KB),
    // out, smooth and out's sum 32 x 24 (3 KB each).
    ReferencePlan small = plan_reference(p, io, /*budget_bytes=*/30000);
    ASSERT_EQ(small.inlined.size(), 2u) << small.describe();  // the 4-D diff and its sum: 49 KB each
    EXPECT_LT(small.root_bytes, 30000);
    EXPECT_NE(small.describe().find("except"), std::string::npos);
    Buffer<int> a = run(build(in), all), c = run(build(in), small);
    int differ = 0;
    a.for_each_element([&](int x, int y) { differ += a(x, y) != c(x, y); });
    EXPECT_EQ(differ, 0);
}

}  // namespace htune
