// Wrappers (Func::in) in the schedule space: the derived structure, legality with a reason,
// the sketch that wraps an inlined Func for the stencil that recomputes it, JSON round trip,
// to_cpp, wrapped schedules computing the reference, mutations adding and dropping wrappers.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <set>

#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/Wrappers.h"
#include "tests/schedules/ComputesReference.h"

namespace htune {

namespace {

const std::string kWrapper = "gPyramid_0_in_gPyramid_1_downx";

// Small, but with three levels: at two (the test size) the sketches compute level 1 whole.
Workload small_laplacian() {
    return make_workload(
        WorkloadSpec{"local_laplacian", "", {{"W", "64"}, {"H", "48"}, {"J", "3"}, {"levels", "4"}}});
}

std::set<std::string> consumers_of(const FuncInfo &f) {
    std::set<std::string> out;
    for (const Use &u : f.uses) out.insert(u.consumer);
    return out;
}

// The first sketch of local_laplacian (test size) that wraps gPyramid_0 for the downsampling.
std::optional<Schedule> wrapping_sketch(const ScheduleSpace &space) {
    for (const Schedule &s : space.sketches()) {
        const auto &wrap = s.funcs.at("gPyramid_0").wrap;
        if (std::find(wrap.begin(), wrap.end(), "gPyramid_1_downx") != wrap.end()) return s;
    }
    return std::nullopt;
}

// The small local_laplacian, its space and the sketch that wraps gPyramid_0.
class WrappedSketch : public ::testing::Test {
protected:
    void SetUp() override {
        s = wrapping_sketch(space);
        ASSERT_TRUE(s.has_value());
        ASSERT_EQ(space.validate(*s), "");
    }
    Halide::Target t = htune::host_target();
    Workload w = small_laplacian();
    ScheduleSpace space{w, t};
    std::optional<Schedule> s;
};

}  // namespace

TEST(WrapperTest, TheWrappedConsumersCallsMoveToTheWrapper) {
    Workload w = small_laplacian();
    PipelineAnalysis a(w.build());
    const FuncInfo &g0 = a.func("gPyramid_0");
    ASSERT_EQ(consumers_of(g0), (std::set<std::string>{"gPyramid_1_downx", "lPyramid_0"}));
    Schedule s;
    s.funcs["gPyramid_0"].wrap = {"gPyramid_1_downx"};
    std::string why;
    PipelineAnalysis wrapped = with_wrappers(a, s, &why);
    ASSERT_EQ(why, "");
    ASSERT_TRUE(wrapped.has(kWrapper));
    EXPECT_EQ(consumers_of(wrapped.func("gPyramid_0")), (std::set<std::string>{kWrapper, "lPyramid_0"}));
    const FuncInfo &wf = wrapped.func(kWrapper);
    EXPECT_EQ(consumers_of(wf), std::set<std::string>{"gPyramid_1_downx"});
    EXPECT_EQ(wf.uses.at(0).calls, 4);  // the 4-tap downsampling
    EXPECT_EQ(wf.args, g0.args);
    EXPECT_FALSE(wf.can_inline);
    EXPECT_EQ(wf.stages.size(), 1u);
    EXPECT_EQ(wf.stages[0].loads_per_point, 1);
    // Producers first: the wrapper right after the Func it copies.
    size_t gi = 0, wi = 0;
    for (size_t i = 0; i < wrapped.funcs().size(); i++) {
        if (wrapped.funcs()[i].name == "gPyramid_0") gi = i;
        if (wrapped.funcs()[i].name == kWrapper) wi = i;
    }
    EXPECT_EQ(wi, gi + 1);

    for (const auto &[wrap, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"local_laplacian"},
              "gPyramid_0: cannot be wrapped for local_laplacian, which does not call it"},
             {{"lPyramid_0", "lPyramid_0"}, "gPyramid_0: wraps consumer lPyramid_0 twice"}}) {
        Schedule bad;
        bad.funcs["gPyramid_0"].wrap = wrap;
        with_wrappers(a, bad, &why);
        EXPECT_EQ(why, expected);
    }
    Schedule unknown;
    unknown.funcs["nope"].wrap = {"gray"};
    with_wrappers(a, unknown, &why);
    EXPECT_EQ(why, "nope: only the pipeline's own Funcs can be wrapped");
}

TEST_F(WrappedSketch, WrapsTheRemappedLevelForTheDownsamplingThatRecomputesIt) {
    // gPyramid_0 (an exp per point) is inlined and read by the 4-tap downsampling and by
    // lPyramid_0: a private copy computed where the downsampling is computed evaluates it
    // once per point of that tile instead of once per tap.
    EXPECT_EQ(s->funcs.at("gPyramid_0").placement, Placement::inline_);
    const FuncSchedule &ws = s->funcs.at(kWrapper), &dx = s->funcs.at("gPyramid_1_downx");
    EXPECT_EQ(ws.placement, Placement::at);
    EXPECT_EQ(ws.at_func, dx.at_func);
    EXPECT_EQ(ws.at_loop, dx.at_loop);
    EXPECT_FALSE(ws.stages.at(0).vectorize.empty());

    nlohmann::json j = *s;
    EXPECT_EQ(j["funcs"]["gPyramid_0"]["wrap"], nlohmann::json::array({"gPyramid_1_downx"}));
    Schedule back = j.get<Schedule>();
    EXPECT_EQ(back, *s);
    EXPECT_EQ(schedule_hash(back), schedule_hash(*s));
    Schedule unwrapped = *s;
    unwrapped.funcs["gPyramid_0"].wrap.clear();
    unwrapped.funcs.erase(kWrapper);
    EXPECT_EQ(space.validate(unwrapped), "");
    EXPECT_NE(schedule_hash(unwrapped), schedule_hash(*s));
    // A schedule without wraps has no "wrap" key: hashes of older records stay.
    EXPECT_EQ(nlohmann::json(unwrapped).dump().find("\"wrap\""), std::string::npos);

    std::string cpp = to_cpp(*s, w.build());
    EXPECT_NE(cpp.find("Func " + kWrapper + " = gPyramid_0.in(gPyramid_1_downx);"), std::string::npos) << cpp;
    EXPECT_NE(cpp.find(kWrapper + ".compute_at(" + dx.at_func + ", " + dx.at_loop + ")"), std::string::npos)
        << cpp;
    expect_computes_reference(w, *s, 5);
    expect_computes_reference(w, unwrapped, 5);
}

TEST_F(WrappedSketch, ValidateNamesAWrapWithoutItsEntryAndAnEntryWithoutItsWrap) {
    Schedule no_entry = *s;
    no_entry.funcs.erase(kWrapper);
    EXPECT_EQ(space.validate(no_entry), kWrapper + ": missing from the schedule");
    Schedule no_wrap = *s;
    no_wrap.funcs["gPyramid_0"].wrap.clear();
    EXPECT_EQ(space.validate(no_wrap), "Func '" + kWrapper + "' is not in this pipeline");
    Schedule inlined = *s;
    inlined.funcs[kWrapper] = FuncSchedule{};
    inlined.funcs[kWrapper].placement = Placement::inline_;
    EXPECT_NE(space.validate(inlined), "");
    Schedule not_a_consumer = *s;
    not_a_consumer.funcs["gPyramid_0"].wrap.push_back("local_laplacian");
    EXPECT_EQ(space.validate(not_a_consumer),
              "gPyramid_0: cannot be wrapped for local_laplacian, which does not call it");
    // apply() refuses it too, before compiling.
    Halide::Pipeline p = w.build();
    EXPECT_THROW(apply_schedule(not_a_consumer, p, t), Error);
}

TEST_F(WrappedSketch, MutationsAddAndDropWrappersAndStayValid) {
    auto wraps = [](const Schedule &s) {
        size_t n = 0;
        for (const auto &kv : s.funcs) n += kv.second.wrap.size();
        return n;
    };
    std::mt19937_64 rng(7);
    int added = 0, dropped = 0;
    std::vector<Schedule> with_new;
    // (A mutation picks one Func and one kind of change: wrapping is a rare one.)
    for (const Schedule &start : {space.heuristic(), *s}) {
        for (int i = 0; i < 5000 && (added < 3 || dropped < 1); i++) {
            Schedule m = space.mutate(start, rng);
            ASSERT_EQ(space.validate(m), "") << nlohmann::json(m).dump();
            if (wraps(m) > wraps(start)) {
                added++;
                if (with_new.size() < 2) with_new.push_back(m);
            }
            if (wraps(m) < wraps(start)) {
                dropped++;
                EXPECT_FALSE(m.funcs.count(kWrapper) && m.funcs.at("gPyramid_0").wrap.empty());
            }
        }
    }
    EXPECT_GT(added, 0);
    EXPECT_GT(dropped, 0);
    for (const Schedule &m : with_new) expect_computes_reference(w, m, 5);
}

}  // namespace htune
