// Constant regions inside a tile (schedules/AtRegion.h): the region a Func computes per
// iteration of its compute_at loop, the unrolling it allows, and the repair when the tile
// changes under it.
#include <gtest/gtest.h>

#include <random>

#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "tests/schedules/ComputesReference.h"

namespace htune {

namespace {

// blur3x3: blur_y(x, y) reads blur_x(x, y - 1 .. y + 1); blur_x reads the clamped input at
// x - 1 .. x + 1. blur_y is tiled 8 x 4 and blur_x computed per tile.
Schedule tiled(const ScheduleSpace &space, const std::string &at_loop) {
    Schedule s = space.heuristic();
    FuncSchedule &y = s.funcs.at("blur_y");
    y.stages.assign(1, StageSchedule{});
    y.stages[0].splits = {{"x", {8}, ""}, {"y", {4}, ""}};
    y.stages[0].order = {"x_i", "y_i", "x_o", "y_o"};
    y.stages[0].vectorize = "x_i";
    FuncSchedule &x = s.funcs.at("blur_x");
    x.placement = Placement::at;
    x.at_func = "blur_y";
    x.at_stage = 0;
    x.at_loop = at_loop;
    x.store_loop = "";
    x.stages.assign(1, StageSchedule{});
    FuncSchedule &clamp = s.funcs.at("input_clamped");
    clamp = FuncSchedule{};
    clamp.placement = Placement::inline_;
    return s;
}

TEST(AtRegionTest, StencilRegionsPerTileAreConstantWhereTheTileIs) {
    Workload w = make_workload("blur3x3", true);
    ScheduleSpace space(w, host_target());
    const PipelineAnalysis &a = space.analysis();
    Schedule s = tiled(space, "x_o");
    // Per iteration of x_o: 8 columns, 4 rows plus the stencil's two.
    EXPECT_EQ(region_per_iteration(a, s, a.func("blur_x")), (ConstantRegion{{"x", 8}, {"y", 6}}));
    // Per iteration of y_o, x runs over the whole row (not a constant); y still is.
    s = tiled(space, "y_o");
    EXPECT_EQ(region_per_iteration(a, s, a.func("blur_x")), (ConstantRegion{{"y", 6}}));
    // The input's clamp Func is inlined into blur_x, which is computed at x_o: its region is
    // blur_x's widened by blur_x's own stencil, once blur_x's uses are all in the tile.
    s = tiled(space, "x_o");
    FuncSchedule &clamp = s.funcs.at("input_clamped");
    const FuncInfo &cf = a.func("input_clamped");
    clamp.placement = Placement::at;
    clamp.at_func = "blur_y";
    clamp.at_stage = 0;
    clamp.at_loop = "x_o";
    clamp.stages.assign(1, StageSchedule{});
    EXPECT_EQ(region_per_iteration(a, s, cf), (ConstantRegion{{cf.args[0], 10}, {cf.args[1], 6}}));
    // A Func at the root has no per-iteration region.
    EXPECT_TRUE(region_per_iteration(a, s, a.func("blur_y")).empty());
}

TEST(AtRegionTest, AFuncInsideATileUnrollsLoopsItNeverSplitAndComputesTheReference) {
    Workload w = make_workload("blur3x3", true);
    Halide::Target t = host_target();
    ScheduleSpace space(w, t);
    Schedule s = tiled(space, "x_o");
    s.funcs.at("blur_x").stages[0].unroll = {"y"};  // 6 rows per tile
    ASSERT_EQ(space.validate(s), "");
    s.funcs.at("blur_x").stages[0].unroll = {"x", "y"};  // 8 x 6 = 48 <= the unroll limit
    EXPECT_EQ(space.validate(s), "");
    s.funcs.at("blur_y").stages[0].splits[0].factors = {16};  // 16 x 6 = 96: beyond it
    EXPECT_NE(space.validate(s).find("unrolled loops multiply to more than"), std::string::npos)
        << space.validate(s);
    s.funcs.at("blur_y").stages[0].splits[0].factors = {8};
    s.funcs.at("blur_x").stages[0].unroll = {"y"};
    expect_computes_reference(w, s, 3);

    // Per iteration of y_o, x has no constant extent: unrolling it is refused.
    Schedule r = tiled(space, "y_o");
    r.funcs.at("blur_x").stages[0].unroll = {"x"};
    EXPECT_NE(space.validate(r).find("unrolled loop 'x' has no constant extent"), std::string::npos)
        << space.validate(r);
    // ... and a mutation that moves the Func there keeps it, only rolled.
    drop_unknown_unrolls(space.analysis(), r, space.analysis().func("blur_x"));
    EXPECT_TRUE(r.funcs.at("blur_x").stages[0].unroll.empty());
    EXPECT_EQ(space.validate(r), "");
    s.funcs.at("blur_x").stages[0].unroll = {"y"};
    drop_unknown_unrolls(space.analysis(), s, space.analysis().func("blur_x"));
    EXPECT_EQ(s.funcs.at("blur_x").stages[0].unroll, std::vector<std::string>{"y"});
}

// A Func inside a tile may split a dim in two or three levels where no level has a tail: the
// dim's extent per iteration is a constant every factor divides (Adams2019's tiles inside
// tiles); anything else stays excluded (Halide 14 computes wrong values with two GuardWithIf
// levels, tests/data/schedules/*_two_level_split_at.json).
TEST(AtRegionTest, AFuncInsideATileSplitsInSeveralLevelsOnlyWithoutTails) {
    Workload w = make_workload("blur3x3", true);
    Halide::Target t = host_target();
    ScheduleSpace space(w, t);
    Schedule s = tiled(space, "x_o");  // blur_x per tile: 8 columns, 6 rows
    StageSchedule &bx = s.funcs.at("blur_x").stages[0];
    bx.splits = {{"x", {4, 2}, ""}, {"y", {3}, ""}};
    bx.order = {"x_i", "x_m", "y_i", "x_o", "y_o"};
    bx.unroll = {"x_m", "y_i"};
    ASSERT_EQ(space.validate(s), "");
    auto in = w.make_inputs(5);
    auto ref = w.reference(in, t);
    expect_computes_reference(w, s, in, ref);
    // Three levels, each dividing the one outside it.
    bx.splits = {{"x", {8, 4, 2}, ""}, {"y", {3}, ""}};
    bx.order = {"x_i", "x_n", "x_m", "y_i", "x_o", "y_o"};
    bx.unroll = {"x_n"};
    EXPECT_EQ(space.validate(s), "");
    // The consumer's last tile must be whole too: blur_y's x guarded (max_filter's
    // slice_for_radius computed wrong values that way) shrinks the last 8 columns.
    bx.splits = {{"x", {4, 2}, ""}, {"y", {3}, ""}};
    bx.order = {"x_i", "x_m", "y_i", "x_o", "y_o"};
    bx.unroll = {};
    s.funcs.at("blur_y").stages[0].splits[0].tail = "guard";
    EXPECT_NE(space.validate(s).find("splits 'x' in more than one level only"), std::string::npos)
        << space.validate(s);
    EXPECT_EQ(region_per_iteration(space.analysis(), s, space.analysis().func("blur_x")).at("x"), 8);
    EXPECT_EQ(tail_free_region(space.analysis(), s, space.analysis().func("blur_x")).count("x"), 0u);
    s.funcs.at("blur_y").stages[0].splits[0].tail = "round_up";
    EXPECT_EQ(space.validate(s), "");
    s.funcs.at("blur_y").stages[0].splits[0].tail = "";  // shift_inwards: a root Func's default
    // A tail at some level: 6 rows in tiles of 4; 8 columns in tiles of 6; 4 not a multiple of 3.
    const std::string why = "in more than one level only where no level has a tail";
    bx.splits = {{"x", {4, 2}, ""}, {"y", {4, 2}, ""}};
    bx.order = {"x_i", "x_m", "y_i", "y_m", "x_o", "y_o"};
    bx.unroll = {};
    EXPECT_NE(space.validate(s).find("splits 'y' " + why), std::string::npos) << space.validate(s);
    bx.splits = {{"x", {6, 2}, ""}, {"y", {3}, ""}};
    bx.order = {"x_i", "x_m", "y_i", "x_o", "y_o"};
    EXPECT_NE(space.validate(s).find("splits 'x' " + why), std::string::npos) << space.validate(s);
    bx.splits = {{"x", {4, 3}, ""}, {"y", {3}, ""}};  // the space's rule for every Func
    EXPECT_NE(space.validate(s).find("inner factor of 'x' must divide its outer factor"), std::string::npos)
        << space.validate(s);
    // Shifted inwards, 4 columns in tiles of 3 is two whole tiles (the second from column 1):
    // no level has a tail, so it is valid inside a tile too.
    bx.splits = {{"x", {4, 3}, "shift_inwards"}, {"y", {3}, ""}};
    ASSERT_EQ(space.validate(s), "");
    expect_computes_reference(w, s, in, ref);
    // Per iteration of y_o the columns are not a constant: one level only.
    Schedule r = tiled(space, "y_o");
    StageSchedule &rx = r.funcs.at("blur_x").stages[0];
    rx.splits = {{"x", {4, 2}, ""}};
    rx.order = {"x_i", "x_m", "y", "x_o"};
    EXPECT_NE(space.validate(r).find("splits 'x' " + why), std::string::npos) << space.validate(r);
    // ... unless the pure stage's own tail makes every outer tile whole, as Adams2019 writes it
    // (the wrong values came from guarded update stages).
    for (const std::string tail : {"shift_inwards", "round_up"}) {
        rx.splits = {{"x", {16, 8, 4}, tail}};
        rx.order = {"x_i", "x_n", "x_m", "y", "x_o"};
        SCOPED_TRACE(tail);
        ASSERT_EQ(space.validate(r), "");
        expect_computes_reference(w, r, in, ref);
    }
    rx.splits = {{"x", {16, 8, 4}, "guard"}};
    EXPECT_NE(space.validate(r).find("splits 'x' " + why), std::string::npos) << space.validate(r);
}

// A Func computed at a loop whose consumer is computed at a loop inside it (Adams2019: gray at
// detail's x tile, blur_y at its row pairs inside) covers per iteration what the consumer
// needs over all the inner iterations.
TEST(AtRegionTest, AConsumerAtAnInnerLoopOfTheSameStageGivesItsProducerAConstantRegion) {
    Workload w = make_workload("blur3x3", true);
    Halide::Target t = host_target();
    ScheduleSpace space(w, t);
    const PipelineAnalysis &a = space.analysis();
    Schedule s = tiled(space, "x_o");  // blur_x per 8 x 4 tile of blur_y
    const FuncInfo &cf = a.func("input_clamped");
    FuncSchedule &clamp = s.funcs.at("input_clamped");
    clamp.placement = Placement::at;
    clamp.at_func = "blur_y";
    clamp.at_stage = 0;
    clamp.at_loop = "y_o";  // outside x_o: whole rows, 4 + 2 of them
    clamp.stages.assign(1, StageSchedule{});
    ConstantRegion r = region_per_iteration(a, s, cf);
    EXPECT_EQ(r, (ConstantRegion{{cf.args[1], 6}}));
    EXPECT_EQ(tail_free_region(a, s, cf).count(cf.args[1]), 1u);
    clamp.stages[0].unroll = {cf.args[1]};
    ASSERT_EQ(space.validate(s), "");
    expect_computes_reference(w, s, 7);
    // A consumer at a loop outside the producer's is not in its tile: no region.
    s.funcs.at("blur_x").at_loop = "y_o";
    clamp.at_loop = "x_o";
    EXPECT_TRUE(region_per_iteration(a, s, cf).empty());
}

TEST(AtRegionTest, UsesRecordAffineIndicesOfTheCallSites) {
    Workload w = make_workload("blur3x3", true);
    ScheduleSpace space(w, host_target());
    const FuncInfo &bx = space.analysis().func("blur_x");
    ASSERT_EQ(bx.uses.size(), 1u);
    const Use &u = bx.uses[0];
    ASSERT_EQ(u.index.size(), 2u);
    EXPECT_TRUE(u.index[0].affine);
    EXPECT_EQ(u.index[0].coef, (std::map<std::string, int>{{"x", 1}}));
    EXPECT_EQ(u.index[0].lo, 0);
    EXPECT_EQ(u.index[0].hi, 0);
    EXPECT_EQ(u.index[1].coef, (std::map<std::string, int>{{"y", 1}}));
    EXPECT_EQ(u.index[1].lo, -1);
    EXPECT_EQ(u.index[1].hi, 1);
}

}  // namespace

TEST(AtRegionTest, AConsumerInTheLoopsOfAFuncInsideTheTileCountsToo) {
    // Adams2019's attention: the row maximum is computed per row tile of the output; its
    // consumer attn is computed inside the reduction loop of the output's sum, which is computed
    // at that row tile. The maximum's region per tile is then the tile's rows, a constant.
    Workload w =
        make_workload(WorkloadSpec{"attention", HTUNE_TEST_GENERATORS, {{"seq", "16"}, {"dim", "8"}}});
    Halide::Target t = host_target();
    ScheduleSpace space(w, t);
    const PipelineAnalysis &a = space.analysis();
    Schedule s = space.heuristic();
    for (auto &[name, fs] : s.funcs)
        if (a.func(name).can_inline)
            fs = FuncSchedule{Placement::inline_};
        else
            fs = FuncSchedule{
                Placement::root, "", "", "", 0, std::vector<StageSchedule>(a.func(name).stages.size())};
    auto at = [&](const std::string &f, const std::string &g, int stage, const std::string &loop) {
        FuncSchedule &fs = s.funcs.at(f);
        fs.placement = Placement::at;
        fs.at_func = g;
        fs.at_stage = stage;
        fs.at_loop = loop;
        fs.stages.assign(a.func(f).stages.size(), StageSchedule{});
    };
    FuncSchedule &out = s.funcs.at("output");
    out.stages[0].splits = {{"v1", {4}, ""}};  // 4 rows (s) per tile
    out.stages[0].order = {"v0", "v1_i", "v1_o"};
    at("sum#0", "output", 0, "v1_o");  // the output's sum over t
    at("f#0", "sum#0", 1, "r$x");      // attn, per t
    at("f#3", "output", 0, "v1_o");    // the row maximum
    at("sum#2", "output", 0, "v1_o");  // the row sum of e
    const FuncInfo &rmax = a.func("f#3");
    ASSERT_EQ(space.validate(s), "");
    EXPECT_EQ(region_per_iteration(a, s, rmax), (ConstantRegion{{rmax.args[0], 4}}));
    s.funcs.at("f#3").stages[0].unroll = {rmax.args[0]};
    ASSERT_EQ(space.validate(s), "");
    expect_computes_reference(w, s, 4);
    // attn at the root: it is no longer in the tile, and neither is what the maximum must cover.
    s.funcs.at("f#0") = FuncSchedule{Placement::root, "", "", "", 0, {StageSchedule{}}};
    EXPECT_TRUE(region_per_iteration(a, s, rmax).empty());
}

}  // namespace htune
