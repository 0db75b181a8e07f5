// The featurizer's loops of a stage (cost_model/StageLoops.cpp) are schedules/Loops.h's loops:
// on every stage of sampled valid schedules of every built-in operator, build_loops() over the
// stage's whole extents gives the loops of loop_nest() + final_loops(), in the same order, with
// the same trip counts (the fused parallel loop: the product of the loops it fuses). The
// featurizer keeps its own lean walk for speed (see StageLoops.cpp); this is what keeps it
// the same model.
#include <gtest/gtest.h>

#include <random>

#include "cost_model/FeaturizerImpl.h"
#include "ops/OpRegistry.h"
#include "schedules/Loops.h"
#include "schedules/RFactor.h"
#include "schedules/Space.h"
#include "schedules/Wrappers.h"

namespace htune {

TEST(StageLoopsTest, FeaturizerLoopsAreTheLoopsOfLoopNestAndFinalLoops) {
    const Halide::Target target("x86-64-linux-avx-avx2-f16c-fma-sse41");
    const MachineCaches caches{32 << 10, 512 << 10, 32 << 20, 2, "test"};
    int compared = 0, fused = 0;
    for (const auto &alg : builtin_ops()) {
        Workload w = make_workload(alg->name(), /*test_size=*/true);
        ScheduleSpace space(w, target);
        std::shared_ptr<const PipelineAnalysis> analysis(&space.analysis(), [](const PipelineAnalysis *) {});
        const Featurizer::Static fz(analysis, target, 2, caches);
        std::mt19937_64 rng(17);
        std::vector<Schedule> schedules = {space.heuristic()};
        for (int i = 0; i < 30; i++) schedules.push_back(space.sample(rng));
        for (const Schedule &s : schedules) {
            // Rfactors and wrappers make another pipeline (featurized against its own analysis).
            if (has_rfactor(s) || has_wrappers(s) || !space.validate(s).empty()) continue;
            for (const featurizer::FuncStatic &fs : fz.funcs) {
                auto it = s.funcs.find(fs.info->name);
                if (it == s.funcs.end() || it->second.placement == Placement::inline_) continue;
                for (size_t si = 0; si < fs.stages.size() && si < it->second.stages.size(); si++) {
                    const featurizer::StageStatic &ss = fz.stages[fs.stages[si]];
                    const StageSchedule &st = it->second.stages[si];
                    featurizer::StageDyn sd;
                    fz.build_loops(featurizer::FuncDyn{}, fs, ss, st, ss.full_extent, sd);
                    const LoopNest nest = loop_nest(*ss.info, st);
                    const std::vector<std::string> names = final_loops(nest, st);
                    const std::string where =
                        alg->name() + " " + fs.info->name + " stage " + std::to_string(si);
                    ASSERT_EQ(sd.loops.size(), names.size()) << where;
                    double fused_trip = 1;
                    for (const std::string &p : st.parallel) fused_trip *= nest.extent.at(p);
                    for (size_t j = 0; j < names.size(); j++) {
                        EXPECT_EQ(sd.loops[j].name, names[j]) << where;
                        const bool is_fused = !st.parallel.empty() && j + 1 == names.size();
                        EXPECT_EQ(sd.loops[j].trip, is_fused ? fused_trip : (double)nest.extent.at(names[j]))
                            << where << " loop " << names[j];
                        if (!is_fused)
                            EXPECT_EQ(sd.loops[j].constant, nest.constant.count(names[j]) > 0) << where;
                    }
                    compared++;
                    fused += !st.parallel.empty();
                }
            }
        }
    }
    EXPECT_GT(compared, 100);
    EXPECT_GT(fused, 10);
}

}  // namespace htune
