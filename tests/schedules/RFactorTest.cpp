// rfactor in the schedule space: JSON round trip, the derived structure agrees
// with what Halide's Stage::rfactor builds, legality (non-associative updates
// are rejected with a reason, and Halide refuses them too), rfactor'd samples
// compute the reference, mutations stay valid.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ops/BufferCompare.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "tests/RunCommand.h"
#include "tests/schedules/Fixtures.h"

namespace htune {

namespace {

// The first sampled schedules (seed `seed`) that rfactor some stage.
std::vector<Schedule> rfactor_samples(const ScheduleSpace &space, int n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Schedule> out;
    for (int i = 0; i < 400 && (int)out.size() < n; i++) {
        Schedule s = space.sample(rng);
        for (const auto &kv : s.funcs)
            for (const auto &st : kv.second.stages)
                if (!st.rfactor.empty() && (out.empty() || out.back() != s)) out.push_back(s);
    }
    return out;
}

// Dim names of a Halide stage, innermost first, without Halide's "parent."
// prefixes.
std::vector<std::string> dims_of(const Halide::Internal::Definition &d) {
    std::vector<std::string> out;
    for (const auto &dim : d.schedule().dims()) {
        if (dim.var == Halide::Var::outermost().name()) continue;
        out.push_back(dim.var.substr(dim.var.rfind('.') == std::string::npos ? 0 : dim.var.rfind('.') + 1));
    }
    return out;
}

}  // namespace

TEST(RFactorTest, JsonRoundTripAndHash) {
    ScheduleSpace space(make_workload("matmul", true), htune::host_target());
    auto samples = rfactor_samples(space, 1, 1);
    ASSERT_EQ(samples.size(), 1u);
    const Schedule &s = samples[0];
    nlohmann::json j = s;
    EXPECT_NE(j.dump().find("\"rfactor\""), std::string::npos);
    Schedule back = j.get<Schedule>();
    EXPECT_EQ(back, s);
    EXPECT_EQ(schedule_hash(back), schedule_hash(s));
    EXPECT_TRUE(j["funcs"].contains("C_rf1")) << j.dump();
    // Without the rfactor the schedule is another one.
    Schedule plain = space.heuristic();
    EXPECT_EQ(nlohmann::json(plain).dump().find("rfactor"), std::string::npos);
    EXPECT_NE(schedule_hash(plain), schedule_hash(s));
}

// The loops the space derives for the merge stage and the intermediate's update
// are the dims Halide 14 gives them after split + rfactor, on every built-in
// operator.
TEST(RFactorTest, DerivedLoopsMatchHalide) {
    int checked = 0;
    for (const auto &op : builtin_ops()) {
        Workload w = make_workload(op->name(), true);
        PipelineAnalysis a(w.build());
        for (const FuncInfo &f : a.funcs())
            for (const StageInfo &stage : f.stages) {
                auto choices = rfactor_choices(f, stage);
                if (choices.empty()) continue;
                for (const RFactor &rf : {choices.front(), choices.back()}) {
                    Halide::Pipeline p = w.build();
                    Halide::Func fn(functions_by_stable_name(p).at(f.name));
                    Halide::Stage st = fn.update(stage.index - 1);
                    if (rf.factor > 0)
                        st.split(Halide::RVar(rf.rvar), Halide::RVar(rf.rvar + "_o"),
                                 Halide::RVar(rf.rvar + "_i"), rf.factor, Halide::TailStrategy::GuardWithIf);
                    Halide::Func g = st.rfactor(Halide::RVar(rf.keep), Halide::Var(rf.var));
                    EXPECT_EQ(dims_of(fn.function().update(stage.index - 1)),
                              rfactor_merge_stage(f, stage, rf).default_order)
                        << op->name() << " " << f.name;
                    FuncInfo gi = rfactor_intermediate(f, stage, rf);
                    EXPECT_EQ(dims_of(g.function().update(0)), gi.stages[1].default_order)
                        << op->name() << " " << f.name;
                    EXPECT_EQ(g.function().args(), gi.args) << op->name() << " " << f.name;
                    checked++;
                }
            }
    }
    EXPECT_GT(checked, 4);
}

TEST(RFactorTest, NonAssociativeUpdatesAreRejectedWithAReason) {
    Workload w = make_workload("iir_blur", true);
    ScheduleSpace space(w, htune::host_target());
    const PipelineAnalysis &a = space.analysis();
    int checked = 0;
    for (const FuncInfo &f : a.funcs())
        for (const StageInfo &stage : f.stages) {
            if (stage.index == 0 || stage.rvars.empty() || stage.associative) continue;
            Schedule s = space.heuristic();
            s.funcs[f.name].stages[stage.index].rfactor = RFactor{stage.rvars[0], 0, stage.rvars[0], "u"};
            std::string why = space.validate(s);
            EXPECT_NE(why.find("associative"), std::string::npos) << why;
            // Halide refuses it as well.
            Halide::Pipeline p = w.build();
            Halide::Func fn(functions_by_stable_name(p).at(f.name));
            EXPECT_THROW(fn.update(stage.index - 1).rfactor(Halide::RVar(stage.rvars[0]), Halide::Var("u")),
                         Halide::Error);
            checked++;
        }
    EXPECT_GT(checked, 0);
}

TEST(RFactorTest, RFactorSamplesComputeTheReferenceAndMutationsStayValid) {
    Halide::Target t = htune::host_target();
    for (const char *op : {"matmul", "softmax", "layernorm"}) {
        Workload w = make_workload(op, true);
        ScheduleSpace space(w, t);
        auto samples = rfactor_samples(space, 2, 7);
        ASSERT_EQ(samples.size(), 2u) << op;
        auto in = w.make_inputs(3);
        auto ref = w.reference(in, t);
        std::mt19937_64 rng(4);
        for (const Schedule &s : samples) {
            ASSERT_EQ(space.validate(s), "") << nlohmann::json(s).dump();
            Halide::Pipeline p = w.build();
            apply_schedule(s, p, t);
            auto outs = w.make_outputs();
            realize_into(p, in, outs, t);
            Comparison c = compare_outputs(outs, ref, w.tolerance());
            EXPECT_TRUE(c.ok) << op << ": " << c.message << "\n" << nlohmann::json(s).dump();
            Schedule m = s;
            for (int i = 0; i < 30; i++) {
                m = space.mutate(m, rng);
                ASSERT_EQ(space.validate(m), "") << nlohmann::json(m).dump();
            }
        }
    }
}

// An rfactor intermediate reads the inputs its stage reads, along the same args: a mutated matmul
// schedule (406^3) rounded C_rf1's n split [16] up inside C's 32-wide n tile, whose last tile
// holds 22 columns, and read B at column 415 of 406 ("Input buffer B is accessed at 415"). The
// intermediate's analysis now says that it reads inputs unclamped along n (and along u, the kept
// reduction's pure var), so the space refuses it; guarded, the same split is valid.
TEST(RFactorTest, AnIntermediateReadsTheInputsOfItsStage) {
    Workload w = make_workload(WorkloadSpec{"matmul", "", {{"M", "406"}, {"N", "406"}, {"K", "406"}}});
    ScheduleSpace space(w, host_target());
    Schedule s = fixture_schedule("matmul_rfactor_intermediate_round_up_past_tile.json");
    EffectiveAnalysis effective(space.analysis(), s);
    ASSERT_EQ(effective.why(), "");
    const FuncInfo &rf = effective.get().func("C_rf1");
    const FuncInfo &c = space.analysis().func("C");
    EXPECT_EQ(rf.input_reads_bounded, c.input_reads_bounded);
    for (const std::string &arg : c.input_unbounded_args)
        EXPECT_NE(std::find(rf.input_unbounded_args.begin(), rf.input_unbounded_args.end(), arg),
                  rf.input_unbounded_args.end())
            << arg;
    EXPECT_NE(std::find(rf.input_unbounded_args.begin(), rf.input_unbounded_args.end(), "u"),
              rf.input_unbounded_args.end());
    std::string why = space.validate(s);
    EXPECT_NE(
        why.find(
            "C_rf1 stage 1: split of 'n' rounded up past its extent 406, while it reads an input without a "
            "boundary condition along it"),
        std::string::npos)
        << why;
    s.funcs.at("C_rf1").stages.at(1).splits.at(0).tail = "";
    EXPECT_EQ(space.validate(s), "");
}

}  // namespace htune
