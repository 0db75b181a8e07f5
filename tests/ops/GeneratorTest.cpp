// Loading the example user Generator as a Workload: parameters, inputs from its estimates,
// reference, and clear errors for a missing library or Generator.
#include <gtest/gtest.h>

#include "ops/BufferCompare.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"

namespace htune {

namespace {

WorkloadSpec example(std::vector<std::pair<std::string, std::string>> params = {{"width", "64"},
                                                                                {"height", "48"}}) {
    return WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, params};
}

std::string usage_message(const WorkloadSpec &spec) {
    try {
        make_workload(spec);
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(GeneratorTest, LoadsAsWorkload) {
    Workload w = make_workload(example());
    EXPECT_EQ(w.canonical(), "sharpen_blend:height=48,width=64");
    EXPECT_EQ(w.algorithm().library(), HTUNE_EXAMPLE_GEN);
    const PipelineIO &io = w.io();
    ASSERT_EQ(io.inputs.size(), 2u);  // input, overlay (sorted by name)
    EXPECT_EQ(io.inputs[0].name, "input");
    EXPECT_EQ(io.inputs[0].extent, (std::vector<int>{64, 48, 3}));
    ASSERT_EQ(io.scalars.size(), 1u);
    EXPECT_FLOAT_EQ(io.scalars[0].value, 0.25f);
    ASSERT_EQ(io.outputs.size(), 1u);
    EXPECT_EQ(io.outputs[0].extent, (std::vector<int>{64, 48, 3}));

    auto in = w.make_inputs(5);
    auto ref = w.reference(in, htune::host_target());
    Halide::Pipeline p = w.build();
    auto outs = w.make_outputs();
    realize_into(p, in, outs, htune::host_target());
    EXPECT_TRUE(compare_outputs(outs, ref, w.tolerance()).ok);

    // Check one pixel by hand: radius 2 box blur of the clamped input, sharpened and blended.
    Halide::Buffer<float> I(in[0]), O(in[1]), R(ref[0]);
    int x = 10, y = 7, c = 1;
    float s = 0;
    for (int dy = -2; dy <= 2; dy++)
        for (int dx = -2; dx <= 2; dx++) s += I(x + dx, y + dy, c);
    float expected = (2 * I(x, y, c) - s / 25.0f) * 0.75f + O(x, y, c) * 0.25f;
    EXPECT_NEAR(R(x, y, c), expected, 1e-4);
}

TEST(GeneratorTest, ParamsChangeTheKey) {
    Workload a = make_workload(example({{"radius", "1"}, {"width", "64"}, {"height", "48"}}));
    Workload b = make_workload(example({{"radius", "3"}, {"width", "64"}, {"height", "48"}}));
    EXPECT_NE(a.key(), b.key());
    EXPECT_EQ(spec_of(a).generator_lib, HTUNE_EXAMPLE_GEN);
    EXPECT_EQ(make_workload(spec_of(a)).key(), a.key());
}

TEST(GeneratorTest, ClearErrors) {
    EXPECT_EQ(usage_message(WorkloadSpec{"sharpen_blend", "/nonexistent/libx.so", {}}),
              "generator library '/nonexistent/libx.so' does not exist");
    EXPECT_NE(usage_message(WorkloadSpec{"nope", HTUNE_EXAMPLE_GEN, {}}).find("is not registered by"),
              std::string::npos);
    EXPECT_NE(usage_message(WorkloadSpec{"sharpen_blend", HTUNE_TEST_DATA "/not_a_library.so", {}})
                  .find("cannot be loaded"),
              std::string::npos);
    EXPECT_NE(usage_message(example({{"bogus", "1"}})).find("bogus"), std::string::npos);
    EXPECT_NE(usage_message(example({{"target", "host"}})).find("set by htune"), std::string::npos);
}

}  // namespace htune
