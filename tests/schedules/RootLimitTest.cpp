// Funcs whose root buffer would pass Halide's 2^31-byte limit (candidates are built without
// large_buffers): the corpus' non-local means at its bench size has four 4-D intermediates of
// 2.7 GB each. Only the analysis and the space are built here (no compile, no run).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "ops/OpRegistry.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"

namespace htune {

namespace {

const Halide::Target kAvx2("x86-64-linux-avx-avx2-f16c-fma-sse41");

Workload nl_means(const std::string &width, const std::string &height) {
    return make_workload(
        WorkloadSpec{"nl_means", HTUNE_TEST_GENERATORS, {{"width", width}, {"height", height}}});
}

// The non-output Funcs of the analysis that cannot be at the root.
std::vector<std::string> too_large(const PipelineAnalysis &a) {
    std::vector<std::string> out;
    for (const FuncInfo &f : a.funcs())
        if (too_large_for_root(f)) out.push_back(f.name);
    return out;
}

}  // namespace

TEST(RootLimit, RootBytesCountEveryPointOfTheEstimatedRegion) {
    Workload w = nl_means("1536", "2560");
    ScheduleSpace space(w, kAvx2);
    const FuncInfo &sum = space.analysis().func("sum#2");
    // The patch sum over y, needed over x and y widened by the patch radius (3) on each side,
    // for every offset (dx, dy) of the 13 x 13 search window; float32.
    EXPECT_DOUBLE_EQ(sum.root_bytes(), 1542.0 * 2566 * 13 * 13 * 4);
    EXPECT_TRUE(too_large_for_root(sum));
    // The output is as large as the input (47 MB) and always at the root anyway.
    EXPECT_FALSE(too_large_for_root(space.analysis().func("output")));
}

TEST(RootLimit, ValidationRejectsAHugeBufferAtTheRootAndNamesTheLimit) {
    ScheduleSpace space(nl_means("1536", "2560"), kAvx2);
    Schedule s = space.heuristic();
    ASSERT_EQ(space.validate(s), "");
    // Put sum#2 back at the root with its own loop nest.
    FuncSchedule &fs = s.funcs.at("sum#2");
    fs.placement = Placement::root;
    fs.at_func = fs.at_loop = fs.store_loop = "";
    fs.at_stage = 0;
    std::string why = space.validate(s);
    EXPECT_NE(why.find("sum#2: at the root its buffer takes 2.67 GB"), std::string::npos) << why;
    EXPECT_NE(why.find("2^31"), std::string::npos) << why;
}

TEST(RootLimit, HeuristicAndSamplesOfNlMeansAtBenchSizeNeverRootAHugeBuffer) {
    ScheduleSpace space(nl_means("1536", "2560"), kAvx2);
    const PipelineAnalysis &a = space.analysis();
    const std::vector<std::string> huge = too_large(a);
    ASSERT_FALSE(huge.empty());
    Schedule h = space.heuristic();
    EXPECT_EQ(space.validate(h), "");
    for (const auto &name : huge) {
        const FuncSchedule &fs = h.funcs.at(name);
        EXPECT_NE(fs.placement, Placement::root) << name;
        // The reductions cannot be inlined: each is computed inside its consumer's loops.
        if (!a.func(name).can_inline) EXPECT_EQ(fs.placement, Placement::at) << name;
    }
    std::mt19937_64 rng(7);
    for (int i = 0; i < 20; i++) {
        Schedule s = space.sample(rng);
        ASSERT_EQ(space.validate(s), "");
        for (const auto &name : huge)
            EXPECT_NE(s.funcs.at(name).placement, Placement::root) << name << " sample " << i;
        s = space.mutate(s, rng);
        ASSERT_EQ(space.validate(s), "");
    }
}

TEST(RootLimit, AtTestSizeTheSameFuncsMayBeAtTheRoot) {
    ScheduleSpace space(nl_means("64", "48"), kAvx2);
    EXPECT_TRUE(too_large(space.analysis()).empty());
    const FuncSchedule &fs = space.heuristic().funcs.at("sum#2");
    EXPECT_EQ(fs.placement, Placement::root);
}

// Inside a consumer's loops the buffer holds the region computed per iteration: a tune of
// nl_means at bench size measured one candidate whose 4-D sum#0, computed per channel of f#0,
// failed at run time ("Total allocation for buffer sum#0 is 2658140160"). Refused now, naming
// the limit; the heuristic's placement of the same Func stays valid.
TEST(RootLimit, ValidationRejectsAHugeBufferInsideAConsumersLoops) {
    // Tuned on the AVX-512 machine (64-lane vectors); validation alone compiles nothing.
    const Halide::Target avx512("x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41");
    ScheduleSpace space(make_workload(WorkloadSpec{"nl_means", HTUNE_TEST_GENERATORS, {}}), avx512);
    Schedule s = nlohmann::json::parse(
                     std::ifstream(HTUNE_TEST_DATA "/schedules/nl_means_sum_at_channel_too_large.json"))
                     .get<Schedule>();
    std::string why = space.validate(s);
    EXPECT_NE(why.find("sum#0: computed at f#0.v2 its buffer takes 2."), std::string::npos) << why;
    EXPECT_NE(why.find("2^31"), std::string::npos) << why;
    EXPECT_EQ(space.validate(space.heuristic()), "");
}

}  // namespace htune
