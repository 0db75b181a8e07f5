// The schedule space on every built-in operator and the example user Generator: the heuristic
// and random samples are valid and compute the reference; mutations stay valid; sampling is
// deterministic; invalid schedules are rejected with a reason before compiling.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>

#include "ops/BufferCompare.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/Import.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "tests/RunCommand.h"
#include "tests/schedules/ComputesReference.h"
#include "tests/schedules/TestWorkloads.h"

namespace htune {

namespace {

class EveryWorkload : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(EveryWorkload, HeuristicAndSamplesComputeTheReference) {
    Workload w = workload_named(GetParam());
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    auto in = w.make_inputs(11);
    auto ref = w.reference(in, t);

    Schedule h = space.heuristic();
    ASSERT_EQ(space.validate(h), "") << nlohmann::json(h).dump();
    expect_computes_reference(w, h, in, ref);

    std::mt19937_64 rng(5);
    for (int i = 0; i < 2; i++) {
        Schedule s = space.sample(rng);
        ASSERT_EQ(space.validate(s), "");
        expect_computes_reference(w, s, in, ref);
    }
}

TEST_P(EveryWorkload, MutationsStayValidAndSamplingIsDeterministic) {
    Workload w = workload_named(GetParam());
    ScheduleSpace space(w, htune::host_target());
    std::mt19937_64 a(9), b(9);
    std::set<std::string> distinct;
    for (int i = 0; i < 20; i++) {
        Schedule s = space.sample(a);
        EXPECT_EQ(schedule_hash(s), schedule_hash(space.sample(b)));
        distinct.insert(schedule_hash(s));
        for (int m = 0; m < 10; m++) {
            Schedule next = space.mutate(s, a);
            space.mutate(s, b);  // keep the two streams in step
            ASSERT_EQ(space.validate(next), "") << nlohmann::json(next).dump();
            EXPECT_NE(schedule_hash(next), schedule_hash(s));
            s = next;
            distinct.insert(schedule_hash(s));
        }
    }
    EXPECT_GT(distinct.size(), 150u);
    EXPECT_GT(space.log10_size(), 3.0);
}

INSTANTIATE_TEST_SUITE_P(Workloads, EveryWorkload, ::testing::ValuesIn(workload_names()),
                         [](const auto &info) { return info.param; });

TEST(SpaceTest, LargeSpacesForTheClassicBenchmarks) {
    for (const char *op : {"matmul", "harris", "local_laplacian"}) {
        if (std::none_of(builtin_ops().begin(), builtin_ops().end(),
                         [&](const auto &a) { return a->name() == op; }))
            continue;  // reported by WorkloadTest.SuiteHasTheStandardOperators
        ScheduleSpace space(make_workload(op), htune::host_target());
        EXPECT_GT(space.log10_size(), 6.0) << op;  // more than a million schedules
    }
}

TEST(SpaceTest, InvalidSchedulesAreRejectedWithAReason) {
    Workload w = make_workload("blur3x3", true);
    ScheduleSpace space(w, htune::host_target());
    Schedule h = space.heuristic();
    auto why = [&](const std::function<void(Schedule &)> &edit) {
        Schedule s = h;
        edit(s);
        return space.validate(s);
    };
    EXPECT_NE(why([](Schedule &s) {
                  s.funcs["blur_y"] = FuncSchedule{Placement::inline_};
              }).find("cannot be inlined"),
              std::string::npos);
    EXPECT_NE(why([](Schedule &s) { s.funcs["nope"] = FuncSchedule{}; }).find("not in this pipeline"),
              std::string::npos);
    EXPECT_NE(why([](Schedule &s) { s.funcs.erase("blur_x"); }).find("missing"), std::string::npos);
    EXPECT_NE(why([](Schedule &s) {
                  s.funcs["blur_y"].stages[0].splits[0].factors = {1 << 20};
              }).find("exceeds its extent"),
              std::string::npos);
    EXPECT_NE(why([](Schedule &s) { s.funcs["blur_y"].stages[0].vectorize = "y_o"; }).find("vectorized loop"),
              std::string::npos);
    EXPECT_NE(why([](Schedule &s) {
                  FuncSchedule &f = s.funcs["input_clamped"];
                  f = s.funcs["blur_y"];
                  f.placement = Placement::at;
                  f.at_func = "blur_y";  // blur_y does not call input_clamped directly
                  f.at_loop = "y_o";
                  f.stages = {StageSchedule{}};
              }).find("does not consume it"),
              std::string::npos);
    EXPECT_NE(why([](Schedule &s) {
                  s.funcs["blur_y"].storage = {"y", "y"};
              }).find("storage order"),
              std::string::npos);
    EXPECT_NE(why([](Schedule &s) {
                  s.funcs["input_clamped"] = FuncSchedule{Placement::inline_};
                  s.funcs["input_clamped"].storage = {"_1", "_0"};
              }).find("no storage order"),
              std::string::npos);
    EXPECT_EQ(why([](Schedule &s) { s.funcs["blur_y"].storage = {"y", "x"}; }), "");

    Workload mm = make_workload("matmul", true);
    ScheduleSpace mspace(mm, htune::host_target());
    Schedule m = mspace.heuristic();
    StageSchedule bad;
    bad.order = {"n", "m", "k$x"};
    bad.parallel = {"k$x"};
    m.funcs["C"].stages[1] = bad;
    EXPECT_NE(mspace.validate(m).find("reduction loop"), std::string::npos) << mspace.validate(m);
}

TEST(SpaceTest, AFuncMayBeComputedAtAnEnclosingFuncOfItsConsumers) {
    // harris: gray feeds Ix and Iy. Computing Ix and Iy inside harris' tiles makes harris'
    // tile loop a legal place for gray too (a fusion group), though harris does not call gray.
    Workload w = make_workload("harris", true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Schedule s = space.heuristic();
    const StageSchedule &hs = s.funcs.at("harris").stages.at(0);
    std::string tile;  // the outermost loop inside the parallel ones
    for (auto l = hs.order.rbegin(); l != hs.order.rend() && tile.empty(); ++l)
        if (std::find(hs.parallel.begin(), hs.parallel.end(), *l) == hs.parallel.end() &&
            *l != hs.vectorize && std::find(hs.unroll.begin(), hs.unroll.end(), *l) == hs.unroll.end())
            tile = *l;
    ASSERT_FALSE(tile.empty());
    auto place = [&](Schedule &x, const std::string &f, const std::string &loop) {
        FuncSchedule &fs = x.funcs[f];
        fs.placement = Placement::at;
        fs.at_func = "harris";
        fs.at_stage = 0;
        fs.at_loop = loop;
        fs.store_loop.clear();
        fs.stages = {StageSchedule{}};
        fs.stages[0].order = space.analysis().func(f).stages[0].default_order;
    };
    for (const char *f : {"Ix", "Iy"}) {
        ASSERT_NE(s.funcs.at(f).placement, Placement::inline_) << f;
        place(s, f, tile);
    }
    for (const char *f : {"Ixx", "Ixy", "Iyy", "Sxx", "Sxy", "Syy"})
        if (s.funcs.at(f).placement != Placement::inline_) place(s, f, tile);
    ASSERT_EQ(space.validate(s), "");
    place(s, "gray", tile);
    EXPECT_EQ(space.validate(s), "");
    auto in = w.make_inputs(2);
    expect_computes_reference(w, s, in, w.reference(in, t));
    // Not where a consumer is computed outside that loop.
    Schedule bad = s;
    bad.funcs["Iy"].placement = Placement::root;
    bad.funcs["Iy"].at_func = bad.funcs["Iy"].at_loop = "";
    EXPECT_NE(space.validate(bad).find("nor encloses its consumer Iy"), std::string::npos)
        << space.validate(bad);
}

TEST(SpaceTest, ExplicitTailsComputeTheReferenceAndIllegalOnesAreRejected) {
    // harris: every split of a Func that is not the output gets RoundUp, then ShiftInwards
    // (what Mullapudi2016 and Adams2019 use where the space's default guards).
    Workload w = make_workload("harris", true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    auto in = w.make_inputs(6);
    auto ref = w.reference(in, t);
    for (const char *tail : {"round_up", "shift_inwards"}) {
        Schedule s = space.heuristic();
        int set = 0;
        for (auto &kv : s.funcs) {
            if (space.analysis().func(kv.first).is_output) continue;
            for (auto &st : kv.second.stages)
                for (auto &d : st.splits) {
                    d.tail = tail;
                    set++;
                }
        }
        ASSERT_GT(set, 0) << "the heuristic splits no intermediate of harris";
        ASSERT_EQ(space.validate(s), "") << tail;
        expect_computes_reference(w, s, in, ref);
    }
    // The output: its extent is the caller's buffer.
    Schedule s = space.heuristic();
    const FuncInfo &out = space.analysis().funcs().back();
    ASSERT_TRUE(out.is_output);
    DimSplit &d = s.funcs.at(out.name).stages.at(0).splits.at(0);
    int a = std::find(out.args.begin(), out.args.end(), d.var) - out.args.begin();
    d.tail = "round_up";
    EXPECT_EQ(space.validate(s).empty(), out.extents[a] % d.factors[0] == 0) << space.validate(s);
    // A factor that does not divide the extent (and is still a multiple of an inner factor).
    int inner = d.factors.size() > 1 ? d.factors[1] : 1;
    for (int k : {3, 5, 7})
        if (out.extents[a] % (k * inner) != 0 && k * inner <= out.extents[a]) d.factors[0] = k * inner;
    ASSERT_NE(out.extents[a] % d.factors[0], 0);
    EXPECT_NE(space.validate(s).find("tail round_up of '" + d.var + "' (the output's extent"),
              std::string::npos)
        << space.validate(s);
    d.tail = "shift_inwards";  // only needs the extent to be at least the factor
    EXPECT_EQ(space.validate(s), "");

    // Updates: never shift inwards (the update would run twice on the shifted points); they
    // round up a pure var (Halide's own default there), never a reduction loop.
    Workload sm = make_workload("softmax", true);
    ScheduleSpace sspace(sm, t);
    const FuncInfo *red = nullptr;
    for (const FuncInfo &f : sspace.analysis().funcs())
        if (!f.is_output && f.stages.size() == 2 && !f.stages[1].pure_vars.empty() &&
            !f.stages[1].rvars.empty())
            red = &f;
    ASSERT_NE(red, nullptr) << "softmax has no intermediate reduction";
    auto sin = sm.make_inputs(6);
    auto sref = sm.reference(sin, t);
    Schedule m = sspace.heuristic();
    FuncSchedule &rs = m.funcs.at(red->name);
    rs.placement = Placement::root;
    rs.at_func = rs.at_loop = rs.store_loop = "";
    rs.stages.assign(2, StageSchedule{});
    const std::string pv = red->stages[1].pure_vars[0], rv = red->stages[1].rvars[0];
    int ext = red->stages[1].extent.at(pv);
    int factor = 3;
    while (ext % factor == 0) factor++;  // a factor with a partial last tile
    ASSERT_LE(factor, ext);
    StageSchedule &upd = rs.stages[1];
    upd.splits = {{pv, {factor}, "shift_inwards"}};
    EXPECT_NE(sspace.validate(m).find("an update would be applied twice"), std::string::npos)
        << sspace.validate(m);
    upd.splits[0].tail = "guard";
    EXPECT_EQ(sspace.validate(m), "");
    upd.splits[0].tail = "round_up";
    ASSERT_EQ(sspace.validate(m), "");
    expect_computes_reference(sm, m, sin, sref);
    upd.splits = {{rv, {2}, "round_up"}};
    EXPECT_NE(sspace.validate(m).find("a reduction loop can only guard"), std::string::npos)
        << sspace.validate(m);
    // Two levels, the inner not dividing the outer: on an update the overlapping points would
    // be updated twice.
    upd.splits = {{pv, {12, 8}, "round_up"}};
    EXPECT_NE(sspace.validate(m).find("inner factor of '" + pv + "' must divide"), std::string::npos)
        << sspace.validate(m);

    // On a pure definition off the output, rounded up, such an inner tile runs whole past its
    // outer one (Adams2019 splits local_laplacian's 191-row tiles by 8), and computes the
    // reference: 16 points per tile of 12, the next tile's first 4 computed again.
    Schedule r = space.heuristic();
    int changed = 0;
    for (auto &[name, fs] : r.funcs) {
        const FuncInfo &f = space.analysis().func(name);
        if (f.is_output || fs.placement != Placement::root || f.stages.size() != 1) continue;
        const std::string var = f.args[0];
        fs.stages[0] = StageSchedule{};
        fs.stages[0].splits = {{var, {12, 8}, "round_up"}};
        EXPECT_EQ(loop_nest(f.stages[0], fs.stages[0]).extent.at(var + "_m"), 2);
        changed++;
    }
    ASSERT_GT(changed, 0) << "the heuristic computes no single-stage intermediate of harris at the root";
    ASSERT_EQ(space.validate(r), "");
    expect_computes_reference(w, r, in, ref);
}

TEST(SpaceTest, ThreeAndFourLevelSplitsNameTheirLoopsAndComputeTheReference) {
    // Adams2019 tiles a root Func's x in three levels: x_o, x_m, x_n, x_i (and an output's in
    // four: x_o, x_m, x_n, x_p, x_i).
    Workload w = make_workload("blur3x3", true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Schedule s = space.heuristic();
    StageSchedule &st = s.funcs.at("blur_y").stages.at(0);
    st = StageSchedule{};
    st.splits = {{"x", {32, 16, 8}, ""}};
    st.order = {"x_i", "x_n", "y", "x_m", "x_o"};
    st.vectorize = "x_i";
    st.unroll = {"x_n"};
    ASSERT_EQ(space.validate(s), "");
    LoopNest nest = loop_nest(space.analysis().func("blur_y").stages[0], st);
    EXPECT_EQ(nest.extent.at("x_m"), 2);
    EXPECT_EQ(nest.extent.at("x_n"), 2);
    EXPECT_EQ(nest.extent.at("x_i"), 8);
    auto in = w.make_inputs(2);
    auto ref = w.reference(in, t);
    expect_computes_reference(w, s, in, ref);
    st.splits[0].factors = {32, 12, 8};
    EXPECT_NE(space.validate(s).find("inner factor of 'x' must divide its outer factor"), std::string::npos)
        << space.validate(s);
    // ... unless every level shifts inwards (Adams2019 splits a 128-row tile by 3): 32 in tiles
    // of 12 is three tiles, the last moved back to start at 20; 12 in tiles of 8 is two.
    // Guarded it is refused; rounded up, the output's last tile would spill past the buffer.
    st.splits[0].tail = "guard";
    EXPECT_NE(space.validate(s).find(
                  "(or the split of the pure definition needs the shift_inwards or round_up tail)"),
              std::string::npos)
        << space.validate(s);
    st.splits[0].tail = "round_up";
    EXPECT_NE(space.validate(s).find("would write past the output"), std::string::npos) << space.validate(s);
    st.splits[0].tail = "shift_inwards";
    ASSERT_EQ(space.validate(s), "");
    nest = loop_nest(space.analysis().func("blur_y").stages[0], st);
    EXPECT_EQ(nest.extent.at("x_m"), 3);
    EXPECT_EQ(nest.extent.at("x_n"), 2);
    expect_computes_reference(w, s, in, ref);
    st.splits[0] = {"x", {32, 36, 8}, "shift_inwards"};
    EXPECT_NE(space.validate(s).find("inner factor of 'x' exceeds its outer factor"), std::string::npos)
        << space.validate(s);
    st.splits[0] = {"x", {32, 16, 8}, ""};
    // Equal factors: a middle loop of one iteration (Mullapudi2016's 64-wide tile vectorized 64
    // wide), valid and correct.
    st.splits[0].factors = {32, 32, 8};
    ASSERT_EQ(space.validate(s), "");
    EXPECT_EQ(loop_nest(space.analysis().func("blur_y").stages[0], st).extent.at("x_m"), 1);
    expect_computes_reference(w, s, in, ref);
    // Four levels, as Adams2019 tiles lens blur's output x (768, 192, 48, 16).
    st.splits[0].factors = {64, 32, 16, 8};
    st.order = {"x_i", "x_p", "x_n", "y", "x_m", "x_o"};
    st.unroll = {"x_p"};
    ASSERT_EQ(space.validate(s), "");
    nest = loop_nest(space.analysis().func("blur_y").stages[0], st);
    EXPECT_EQ(nest.extent.at("x_m"), 2);
    EXPECT_EQ(nest.extent.at("x_n"), 2);
    EXPECT_EQ(nest.extent.at("x_p"), 2);
    EXPECT_EQ(nest.extent.at("x_i"), 8);
    expect_computes_reference(w, s, in, ref);
    EXPECT_EQ(nlohmann::json(s).get<Schedule>(), s);
    // Five, as Adams2019 tiles nl_means' and harris' outputs at bench size.
    st.splits[0].factors = {128, 64, 32, 16, 8};
    st.order = {"x_i", "x_q", "x_p", "x_n", "y", "x_m", "x_o"};
    st.unroll = {"x_q"};
    ASSERT_EQ(space.validate(s), "");
    nest = loop_nest(space.analysis().func("blur_y").stages[0], st);
    EXPECT_EQ(nest.extent.at("x_q"), 2);
    EXPECT_EQ(nest.extent.at("x_i"), 8);
    expect_computes_reference(w, s, in, ref);
    EXPECT_EQ(nlohmann::json(s).get<Schedule>(), s);
    st.splits[0].factors = {256, 128, 64, 32, 16, 8};
    EXPECT_NE(space.validate(s).find("needs 1 to 5 factors"), std::string::npos) << space.validate(s);
}

TEST(SpaceTest, AVectorizedLoopMayEncloseLoopsOfOtherDimensionsOnly) {
    // Mullapudi2016 vectorizes an update's x around its reduction loop; each lane runs it.
    Workload mm = make_workload("matmul", true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(mm, t);
    const FuncInfo &c = space.analysis().funcs().back();
    ASSERT_EQ(c.stages.size(), 2u);
    const StageInfo &upd = c.stages[1];
    ASSERT_EQ(upd.rvars.size(), 1u);
    const std::string x = upd.pure_vars[0], y = upd.pure_vars[1], k = upd.rvars[0];
    Schedule s = space.heuristic();
    StageSchedule &st = s.funcs.at(c.name).stages.at(1);
    st = StageSchedule{};
    st.splits = {{x, {8}, ""}};
    st.order = {k, x + "_i", x + "_o", y};
    st.vectorize = x + "_i";
    ASSERT_EQ(space.validate(s), "");
    auto in = mm.make_inputs(4);
    auto ref = mm.reference(in, t);
    expect_computes_reference(mm, s, in, ref);
    // A loop of x inside x's vectorized loop is not a vector of x.
    st.splits = {{x, {16, 8}, ""}};
    st.order = {k, x + "_i", x + "_m", x + "_o", y};
    st.vectorize = x + "_m";
    EXPECT_NE(space.validate(s).find("has loop '" + x + "_i' of its own dimension inside it"),
              std::string::npos)
        << space.validate(s);
}

TEST(SpaceTest, AFuncMayBeComputedInsideTheFuncItsInlinedConsumersAreInlinedInto) {
    // gray is read by blur_y and, through the inlined sharpen and ratio, by the output itself:
    // computing it at a loop of the output is legal (and what the chain sketches do).
    Halide::Target t = htune::host_target();
    Workload w = make_workload("unsharp_mask", true);
    ScheduleSpace space(w, t);
    Schedule s;
    for (const Schedule &k : space.sketches())
        if (k.funcs.at("ratio").placement == Placement::at) s = k;
    ASSERT_FALSE(s.funcs.empty());
    s.funcs["ratio"] = FuncSchedule{};
    s.funcs["ratio"].placement = Placement::inline_;
    EXPECT_EQ(space.validate(s), "");
    // Still rejected: a loop of a Func that neither reads it nor encloses its readers.
    Schedule bad = s;
    bad.funcs["gray"].at_func = "blur_x";
    bad.funcs["gray"].at_loop = "x_o";
    bad.funcs["gray"].store_loop = "";
    EXPECT_NE(space.validate(bad), "");
    auto in = w.make_inputs(6);
    expect_computes_reference(w, s, in, w.reference(in, t));
}

TEST(SpaceTest, ValidateNamesAMissingIntermediateThatAProducerIsPlacedIn) {
    // A crossover can take a Func placed inside an rfactor intermediate from one parent and
    // the intermediate's owner (without the rfactor) from the other: validate says what is
    // missing instead of throwing (a tune of bilateral_grid died with "map::at" this way).
    Halide::Target t = htune::host_target();
    Workload w = make_workload("bilateral_grid", true);
    ScheduleSpace space(w, t);
    std::mt19937_64 rng(3);
    int checked = 0;
    for (int i = 0; i < 2000 && checked < 3; i++) {
        Schedule s = space.sample(rng);
        for (const auto &kv : s.funcs) {
            if (kv.second.placement != Placement::at || space.analysis().has(kv.second.at_func)) continue;
            Schedule broken = s;
            broken.funcs.erase(kv.second.at_func);
            std::string why;
            EXPECT_NO_THROW(why = space.validate(broken));
            EXPECT_NE(why.find(kv.second.at_func + ": missing from the schedule"), std::string::npos) << why;
            checked++;
            break;
        }
    }
    EXPECT_GT(checked, 0);
}

// Adams2019 splits small Funcs by more than their extent (a 16-wide vector of a 10-point
// dimension). A guarded tail makes that one partial tile: valid anywhere. A rounded-up or
// shifted tail computes points nobody reads: valid for an intermediate whose reads (and its
// producers' reads) go through boundary conditions, and computes the reference; not for an
// output, whose tile would leave the caller's buffer, nor for a Func that reads an input
// without a boundary condition (it would read outside the input). Never without bound.
TEST(SpaceTest, ATileLargerThanItsDimensionIsValidWhereItReadsNothingOutOfBounds) {
    WorkloadSpec spec;
    spec.op = "blur3x3";
    spec.params = {{"W", "8"}, {"H", "8"}};
    Workload w = make_workload(spec);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    const PipelineAnalysis &a = space.analysis();
    ASSERT_TRUE(a.func("input_clamped").input_reads_bounded);  // clamps its reads of the input
    ASSERT_TRUE(a.func("blur_x").input_reads_bounded);         // reads no input
    const int ext = a.func("blur_x").stages[0].extent.at("y");
    ASSERT_EQ(ext, 10);  // the output's 8 rows and one above and below
    Schedule s = space.heuristic();
    FuncSchedule root{Placement::root};
    root.stages.resize(1);
    s.funcs["blur_x"] = root;
    auto with_split = [&](const std::string &f, int factor, const std::string &tail) {
        Schedule c = s;
        c.funcs[f].stages[0].splits = {DimSplit{"y", {factor}, tail}};
        c.funcs[f].stages[0].order.clear();
        c.funcs[f].stages[0].vectorize.clear();
        c.funcs[f].stages[0].unroll.clear();
        c.funcs[f].stages[0].parallel.clear();
        return c;
    };
    auto in = w.make_inputs(2);
    auto ref = w.reference(in, t);
    for (const std::string tail : {"guard", "round_up", "shift_inwards", ""}) {
        Schedule c = with_split("blur_x", 16, tail);
        ASSERT_EQ(space.validate(c), "") << "tail '" << tail << "'";
        expect_computes_reference(w, c, in, ref);
    }
    EXPECT_NE(space.validate(with_split("blur_x", 8 * ext + 1, "guard")).find("more than 8 times"),
              std::string::npos);
    EXPECT_EQ(space.validate(with_split("blur_x", 8 * ext, "guard")), "");
    // The output: 8 rows split by 16 only with a guard.
    EXPECT_EQ(space.validate(with_split("blur_y", 16, "guard")), "");
    for (const std::string tail : {"round_up", "shift_inwards", ""})
        EXPECT_NE(space.validate(with_split("blur_y", 16, tail)).find("an output's tile must guard its tail"),
                  std::string::npos)
            << "tail '" << tail << "'";

    // conv2d's conv reads its input without a boundary condition.
    Workload cw = make_workload("conv2d", true);
    ScheduleSpace cspace(cw, t);
    const FuncInfo &conv = cspace.analysis().func("conv");
    ASSERT_FALSE(conv.input_reads_bounded);
    const std::string v = conv.stages[0].pure_vars.back();
    const int cext = conv.stages[0].extent.at(v);
    Schedule cs = cspace.heuristic();
    FuncSchedule croot{Placement::root};
    croot.stages.resize(conv.stages.size());
    cs.funcs["conv"] = croot;
    cs.funcs["conv"].stages[0].splits = {DimSplit{v, {2 * cext}, "round_up"}};
    EXPECT_NE(cspace.validate(cs).find("reads an input without a boundary condition"), std::string::npos)
        << cspace.validate(cs);
    cs.funcs["conv"].stages[0].splits[0].tail = "guard";
    EXPECT_EQ(cspace.validate(cs), "");
}

TEST(SpaceTest, ApplyRejectsUnknownFuncsBeforeCompiling) {
    Workload w = make_workload("blur3x3", true);
    Halide::Pipeline p = w.build();
    Schedule s;
    s.funcs["not_a_func"] = FuncSchedule{};
    try {
        apply_schedule(s, p, htune::host_target());
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(e.what()).find("not_a_func"), std::string::npos);
    }
}

}  // namespace htune
