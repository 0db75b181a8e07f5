// import_schedule: the inverse of apply_schedule on built-in operators and the example user
// Generator (import(apply(s)) == s for sampled schedules and the heuristic), the schedules of Halide's
// Mullapudi2016 and Adams2019 plugins come back valid in the space and compute the reference, and what cannot
// be imported is refused with a reason.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <set>

#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/Import.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "tests/schedules/AdamsUnsharp.h"
#include "tests/schedules/ComputesReference.h"

namespace htune {

namespace {

bool has_rfactor(const Schedule &s) {
    for (const auto &kv : s.funcs)
        for (const auto &st : kv.second.stages)
            if (!st.rfactor.empty()) return true;
    return false;
}

// The same schedule with every stage's loop order written out (an empty order means the
// default one, which the importer always writes explicitly).
Schedule explicit_orders(Schedule s, const ScheduleSpace &space) {
    for (auto &kv : s.funcs)
        for (size_t i = 0; i < kv.second.stages.size(); i++) {
            StageSchedule &st = kv.second.stages[i];
            if (st.order.empty()) st.order = loop_nest(space.analysis().func(kv.first).stages[i], st).loops;
        }
    return s;
}

ImportedSchedule round_trip(const Workload &w, const ScheduleSpace &space, const Schedule &s) {
    Halide::Pipeline p = w.build();
    apply_schedule(s, p, space.target());
    return import_schedule(p, space);
}

std::string plugin(const std::string &name) {
    return "/usr/lib/x86_64-linux-gnu/halide14/libautoschedule_" + name + ".so";
}

// The schedule an autoscheduler (its plugin loaded) gives w, imported into the space.
ImportedSchedule autoscheduled(const Workload &w, const ScheduleSpace &space,
                               const std::string &autoscheduler) {
    Halide::Pipeline p = w.build();
    p.auto_schedule(autoscheduler, space.target(), Halide::MachineParams(2, 16 << 20, 40));
    return import_schedule(p, space);
}

class EveryOp : public ::testing::TestWithParam<std::string> {};

// The heuristic with the first non-inlined multi-dimensional Func's storage order reversed.
Schedule with_reversed_storage(const ScheduleSpace &space) {
    Schedule s = space.heuristic();
    for (const FuncInfo &f : space.analysis().funcs())
        if (s.funcs.at(f.name).placement != Placement::inline_ && f.args.size() >= 2) {
            s.funcs[f.name].storage.assign(f.args.rbegin(), f.args.rend());
            break;
        }
    EXPECT_NE(nlohmann::json(s).dump().find("storage"), std::string::npos);
    EXPECT_EQ(space.validate(s), "");
    return s;
}

}  // namespace

TEST_P(EveryOp, ImportOfAppliedScheduleGivesItBack) {
    Workload w = make_workload(GetParam(), /*test_size=*/true);
    ScheduleSpace space(w, htune::host_target());
    std::vector<Schedule> cases = {space.heuristic()};
    std::mt19937_64 rng(3);
    for (int i = 0; i < 40 && cases.size() < 13; i++) {
        Schedule s = space.sample(rng);
        if (!has_rfactor(s)) cases.push_back(s);
    }
    // Explicit tails come back too: RoundUp on every split of the intermediates' pure definitions.
    for (size_t i = 0, n = cases.size(); i < n; i++) {
        Schedule s = cases[i];
        bool any = false;
        for (auto &kv : s.funcs) {
            const FuncInfo &f = space.analysis().func(kv.first);
            if (f.is_output) continue;
            if (!kv.second.stages.empty())
                for (auto &d : kv.second.stages[0].splits) any = true, d.tail = "round_up";
        }
        if (any && space.validate(s).empty()) cases.push_back(s);
    }
    cases.push_back(with_reversed_storage(space));  // reorder_storage comes back too
    for (const Schedule &s : cases) {
        ImportedSchedule im = round_trip(w, space, s);
        EXPECT_EQ(nlohmann::json(im.schedule).dump(), nlohmann::json(explicit_orders(s, space)).dump());
        EXPECT_TRUE(im.changes.empty()) << im.changes.front();
    }
}

std::vector<std::string> builtin_names() {
    std::vector<std::string> names;
    for (const auto &a : builtin_ops()) names.push_back(a->name());
    return names;
}

INSTANTIATE_TEST_SUITE_P(Ops, EveryOp, ::testing::ValuesIn(builtin_names()));

TEST(ImportTest, UserGeneratorRoundTripAndMullapudiImport) {
    Workload w =
        make_workload(WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}});
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    std::vector<Schedule> cases = {space.heuristic()};
    std::mt19937_64 rng(9);
    for (int i = 0; i < 30 && cases.size() < 11; i++) {
        Schedule s = space.sample(rng);
        if (!has_rfactor(s)) cases.push_back(s);
    }
    cases.push_back(with_reversed_storage(space));  // reorder_storage comes back too
    for (const Schedule &s : cases) {
        ImportedSchedule im = round_trip(w, space, s);
        EXPECT_EQ(nlohmann::json(im.schedule).dump(), nlohmann::json(explicit_orders(s, space)).dump());
    }
    if (access(plugin("mullapudi2016").c_str(), R_OK) != 0) GTEST_SKIP() << "no Mullapudi2016 plugin";
    Halide::load_plugin(plugin("mullapudi2016"));
    ImportedSchedule im = autoscheduled(w, space, "Mullapudi2016");
    ASSERT_EQ(space.validate(im.schedule), "");
    expect_computes_reference(w, im.schedule, 4);
}

TEST(ImportTest, MullapudiScheduleOfHarrisIsReadExactly) {
    if (access(plugin("mullapudi2016").c_str(), R_OK) != 0) GTEST_SKIP() << "no Mullapudi2016 plugin";
    Halide::load_plugin(plugin("mullapudi2016"));
    Workload w = make_workload("harris", true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    ImportedSchedule im = autoscheduled(w, space, "Mullapudi2016");
    EXPECT_EQ(space.validate(im.schedule), "");
    // At this size Mullapudi2016 computes four Funcs at the root, each vectorized at the
    // target's natural float width over x (8 on AVX2, 16 on AVX-512) and parallel over y, and
    // inlines the rest.
    int root = 0;
    for (const auto &kv : im.schedule.funcs) {
        if (kv.second.placement != Placement::root) {
            EXPECT_EQ(kv.second.placement, Placement::inline_) << kv.first;
            continue;
        }
        root++;
        const StageSchedule &st = kv.second.stages.at(0);
        ASSERT_EQ(st.splits.size(), 1u) << kv.first;
        EXPECT_EQ(st.splits[0].var, "x");
        EXPECT_EQ(st.splits[0].factors, std::vector<int>{t.natural_vector_size<float>()});
        EXPECT_EQ(st.vectorize, "x_i");
        EXPECT_EQ(st.parallel, std::vector<std::string>{"y"});
    }
    EXPECT_EQ(root, 4);
    EXPECT_TRUE(im.changes.empty());
}

TEST(ImportTest, AdamsSchedulesComeBackValidAndComputeTheReference) {
    if (access(plugin("adams2019").c_str(), R_OK) != 0) GTEST_SKIP() << "no Adams2019 plugin";
    Halide::load_plugin(plugin("adams2019"));
    Halide::Target t = htune::host_target();
    for (const char *op : {"harris", "conv2d"}) {
        Workload w = make_workload(op, true);
        ScheduleSpace space(w, t);
        ImportedSchedule im = autoscheduled(w, space, "Adams2019");
        ASSERT_EQ(space.validate(im.schedule), "") << op;
        expect_computes_reference(w, im.schedule, 3);
        if (std::string(op) == "harris") {
            // Adams2019 computes harris' stencil stages inside its tiles.
            int at = 0;
            for (const auto &kv : im.schedule.funcs) at += kv.second.placement == Placement::at;
            EXPECT_GT(at, 0);
        }
    }
}

// Adams2019 splits a 128-wide tile by 3 (stencil_chain, attention at bench size), every level
// shifted inwards (or rounded up, off the output): the space's factors are the tiles' sizes
// (128, 3) with that tail. A guarded inner level grows the tile to whole inner tiles (16 by 3
// -> 18) and says so.
TEST(ImportTest, InnerSplitThatDoesNotDivideItsTileImportsExactlyWhenShiftedInwards) {
    Workload w = make_workload("blur3x3", true);
    ScheduleSpace space(w, htune::host_target());
    {
        // Adams2019's form (Auto tails resolve to ShiftInwards on a pure definition): the last
        // 3-column tile of each 16 moves back inside it; the space holds that with shift_inwards.
        Halide::Pipeline p = w.build();
        Halide::Func out = p.outputs()[0];
        Halide::Var x("x"), xi("xi"), xii("xii");
        out.split(x, x, xi, 16).split(xi, xi, xii, 3);
        ImportedSchedule im = import_schedule(p, space);
        ASSERT_EQ(space.validate(im.schedule), "");
        EXPECT_TRUE(im.changes.empty()) << im.changes[0];
        const StageSchedule &st = im.schedule.funcs.at(out.name()).stages.at(0);
        ASSERT_EQ(st.splits.size(), 1u);
        EXPECT_EQ(st.splits[0].factors, (std::vector<int>{16, 3}));
        EXPECT_EQ(st.splits[0].tail, "shift_inwards");  // explicit, though a root output's default
        EXPECT_EQ(round_trip(w, space, im.schedule).schedule, im.schedule);
        expect_computes_reference(w, im.schedule, 5);
    }
    {
        // Rounded up at every level, off the output (Adams2019's local_laplacian: a root Func's
        // 191-row tile by 8): the same, with round_up.
        Halide::Pipeline p = w.build();
        auto fns = functions_by_stable_name(p);
        Halide::Func bx(fns.at("blur_x"));
        Halide::Var x("x"), y("y"), yi("yi"), yii("yii");
        bx.compute_root()
            .split(y, y, yi, 16, Halide::TailStrategy::RoundUp)
            .split(yi, yi, yii, 3, Halide::TailStrategy::RoundUp)
            .reorder(x, yii, yi, y);
        ImportedSchedule im = import_schedule(p, space);
        ASSERT_EQ(space.validate(im.schedule), "");
        EXPECT_TRUE(im.changes.empty()) << im.changes[0];
        const StageSchedule &st = im.schedule.funcs.at("blur_x").stages.at(0);
        ASSERT_EQ(st.splits.size(), 1u);
        EXPECT_EQ(st.splits[0].factors, (std::vector<int>{16, 3}));
        EXPECT_EQ(st.splits[0].tail, "round_up");
        EXPECT_EQ(round_trip(w, space, im.schedule).schedule, im.schedule);
        expect_computes_reference(w, im.schedule, 5);
    }
    {
        // A guarded inner level leaves a partial tile the space does not model: whole tiles.
        Halide::Pipeline p = w.build();
        Halide::Func out = p.outputs()[0];
        Halide::Var x("x"), xi("xi"), xii("xii");
        out.split(x, x, xi, 16, Halide::TailStrategy::ShiftInwards)
            .split(xi, xi, xii, 3, Halide::TailStrategy::GuardWithIf);
        ImportedSchedule im = import_schedule(p, space);
        ASSERT_EQ(space.validate(im.schedule), "");
        const StageSchedule &st = im.schedule.funcs.at(out.name()).stages.at(0);
        ASSERT_EQ(st.splits.size(), 1u);
        EXPECT_EQ(st.splits[0].factors, (std::vector<int>{18, 3}));
        ASSERT_EQ(im.changes.size(), 1u);
        EXPECT_NE(im.changes[0].find("(16) by 3 kept with whole tiles (18)"), std::string::npos)
            << im.changes[0];
        EXPECT_EQ(round_trip(w, space, im.schedule).schedule, im.schedule);
        expect_computes_reference(w, im.schedule, 5);
    }
}

// Adams2019 parallelizes a DNN output's x inside its batch loop n (depthwise_separable_conv:
// order {ci, c, xi, y, x, n}, parallel(x)): a run of parallel loops with serial loops outside
// it. The space holds it (Halide runs the parallel loop once per n); a parallel loop nested
// inside another parallel loop's run is still made serial, and a run that is not adjacent is
// refused.
TEST(ImportTest, ParallelLoopsInsideSerialOnesImportExactly) {
    Workload w = make_workload("depthwise_separable_conv", true);
    ScheduleSpace space(w, htune::host_target());
    Halide::Pipeline p = w.build();
    Halide::Func relu = p.outputs()[0];
    Halide::Var c("c"), x("x"), y("y"), n("n"), xi("xi");
    relu.split(x, x, xi, 5).reorder(c, xi, y, x, n).parallel(x);
    ImportedSchedule im = import_schedule(p, space);
    ASSERT_EQ(space.validate(im.schedule), "");
    for (const auto &ch : im.changes) ADD_FAILURE() << "adapted: " << ch;
    const StageSchedule &st = im.schedule.funcs.at("relu").stages.at(0);
    EXPECT_EQ(st.parallel, std::vector<std::string>{"x_o"});
    EXPECT_EQ(st.order, (std::vector<std::string>{"c", "x_i", "y", "x_o", "n"}));
    EXPECT_EQ(round_trip(w, space, im.schedule).schedule, im.schedule);
    expect_computes_reference(w, im.schedule, 5);

    // Two parallel loops apart (y and n, x_o serial between them): the outer one is kept.
    Halide::Pipeline p2 = w.build();
    Halide::Func relu2 = p2.outputs()[0];
    relu2.split(x, x, xi, 5).reorder(c, xi, y, x, n).parallel(y).parallel(n);
    im = import_schedule(p2, space);
    ASSERT_EQ(space.validate(im.schedule), "");
    EXPECT_EQ(im.schedule.funcs.at("relu").stages.at(0).parallel, std::vector<std::string>{"n"});
    ASSERT_EQ(im.changes.size(), 1u);
    EXPECT_NE(im.changes[0].find("parallel loop 'y' made serial (nested inside another parallel loop)"),
              std::string::npos)
        << im.changes[0];
    Schedule apart = im.schedule;
    apart.funcs.at("relu").stages.at(0).parallel = {"y", "n"};
    EXPECT_NE(space.validate(apart).find("parallel loops must be adjacent loops"), std::string::npos)
        << space.validate(apart);
}

// Adams2019 stores local_laplacian's 2-D f#0, computed at the output's yiii, at its xi over the
// c loop between: its region does not move with c, so there is no window to slide (Halide 14's
// wrong values all came from sliding over a loop that moves it). The same form on unsharp's
// detail, computed at the output's row tile and stored at its column tile over c, imports
// exactly and computes the reference.
TEST(ImportTest, StorageOverALoopThatDoesNotMoveTheRegionImportsExactly) {
    Workload w =
        make_workload(WorkloadSpec{"unsharp", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}});
    ScheduleSpace space(w, htune::host_target());
    Halide::Pipeline p = w.build();
    auto fns = functions_by_stable_name(p);
    for (const auto &[name, fn] : fns)
        if (name != "output" && name != "detail" && name.rfind("lambda", 0) != 0)
            Halide::Func(fn).compute_root();
    Halide::Func out(fns.at("output")), detail(fns.at("detail"));
    Halide::Var x("x"), y("y"), c("c"), xi("xi"), yi("yi");
    out.split(x, x, xi, 32).split(y, y, yi, 8).reorder(xi, yi, c, x, y);
    detail.compute_at(out, yi).store_at(out, x);
    ImportedSchedule im = import_schedule(p, space);
    EXPECT_TRUE(im.changes.empty()) << im.changes.size() << " change(s), first: " << im.changes[0];
    ASSERT_EQ(space.validate(im.schedule), "");
    EXPECT_EQ(im.schedule.funcs.at("detail").at_loop, "y_i");
    EXPECT_EQ(im.schedule.funcs.at("detail").store_loop, "x_o");
    RegionInfo region = region_info(space.analysis(), im.schedule, space.analysis().func("detail"));
    EXPECT_TRUE(region.known);
    EXPECT_EQ(region.moves_with, (std::set<std::string>{"x", "y"}));
    expect_computes_reference(w, im.schedule, 3);
}

// Adams2019's nl_means form (bench size: repeat_edge computed at the output's x loop v0i, stored
// at v1i over the y loop v1ii between): storage at a loop of another dimension than the compute
// loop's, the split level just outside the loop between. The y loop moves repeat_edge's y only,
// and the x loop its x only, so Halide 14's warm-up of the window over the y loop reads no
// inner loop's var (halide/Halide#7891): it imports exactly and computes the reference. Where
// the region lies comes from where each index reads, not from one affine index per use: the
// patch distance reads repeat_edge at x and at x + dx (dx spans its whole range per iteration).
TEST(ImportTest, StorageAtTheSplitLevelOutsideALoopOfAnotherDimensionImportsExactly) {
    Workload w =
        make_workload(WorkloadSpec{"nl_means", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}});
    ScheduleSpace space(w, htune::host_target());
    Halide::Pipeline p = w.build();
    auto fns = functions_by_stable_name(p);
    Halide::Func out(fns.at("output")), clamped(fns.at("repeat_edge"));
    Halide::Var x(out.args()[0]), y(out.args()[1]), c(out.args()[2]), xi("xi"), yi("yi"), yii("yii");
    out.split(x, x, xi, 16).split(y, y, yi, 8).split(yi, yi, yii, 2).reorder(xi, yii, x, yi, y, c);
    for (const auto &[name, fn] : fns)
        if (name != "output" && name != "repeat_edge" && name.rfind("lambda", 0) != 0)
            Halide::Func(fn).compute_at(out, x);
    clamped.compute_at(out, x).store_at(out, y);
    ImportedSchedule im = import_schedule(p, space);
    EXPECT_TRUE(im.changes.empty()) << im.changes.size() << " change(s), first: " << im.changes[0];
    ASSERT_EQ(space.validate(im.schedule), "");
    const FuncSchedule &re = im.schedule.funcs.at("repeat_edge");
    EXPECT_EQ(re.at_loop, "v0_o");
    EXPECT_EQ(re.store_loop, "v1_o");
    RegionInfo region = region_info(space.analysis(), im.schedule, space.analysis().func("repeat_edge"));
    EXPECT_TRUE(region.placed);
    EXPECT_EQ(region.arg_dims,
              (std::map<std::string, std::set<std::string>>{{"_0", {"v0"}}, {"_1", {"v1"}}, {"_2", {"v2"}}}));
    expect_computes_reference(w, im.schedule, 3);

    // Stored at the middle y level with the outer one ordered inside it, it is refused (the form
    // in which resnet_block read its input at -1).
    Schedule further = im.schedule;
    StageSchedule &os = further.funcs.at("output").stages.at(0);
    os.order = {"v0_i", "v1_i", "v0_o", "v1_o", "v1_m", "v2"};
    further.funcs.at("repeat_edge").store_loop = "v1_m";
    EXPECT_NE(space.validate(further).find("not the split level just outside the loop between"),
              std::string::npos)
        << space.validate(further);
}

// Adams2019 stores unsharp's gray where detail is computed (gray.compute_at(detail, y)
// .store_at(output, x), detail computed at output's x): the space holds that form
// (FuncSchedule::store_with_consumer), imports it exactly and computes the reference with it;
// the forms around it are refused.
TEST(ImportTest, StorageWhereTheConsumerIsComputedImportsExactly) {
    Workload w =
        make_workload(WorkloadSpec{"unsharp", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}});
    ScheduleSpace space(w, htune::host_target());
    Halide::Pipeline p = w.build();
    schedule_like_adams2019_unsharp(p);
    const std::set<std::string> &in_detail = unsharp_in_detail();

    ImportedSchedule im = import_schedule(p, space);
    EXPECT_TRUE(im.changes.empty()) << im.changes.size() << " change(s), first: " << im.changes[0];
    const FuncSchedule &gray = im.schedule.funcs.at("gray");
    EXPECT_TRUE(gray.store_with_consumer);
    EXPECT_EQ(gray.at_func, "detail");
    EXPECT_EQ(gray.store_loop, "");
    ASSERT_EQ(space.validate(im.schedule), "");
    EXPECT_EQ(round_trip(w, space, im.schedule).schedule, im.schedule);
    EXPECT_EQ(nlohmann::json(im.schedule).get<Schedule>(), im.schedule);
    expect_computes_reference(w, im.schedule, 7);

    const PipelineAnalysis &a = space.analysis();
    auto reason = [&](const Schedule &s, const std::string &f) {
        return validate_func(a, space.target(), s, a.func(f));
    };
    // Computed at an inner loop of detail: the window would slide over two loops.
    Schedule inner = im.schedule;
    for (const auto &n : in_detail) inner.funcs[n].at_loop = "x";
    inner.funcs["gray"].at_loop = "x";
    EXPECT_NE(
        reason(inner, "gray").find("stored where detail is computed, from a loop other than its outermost"),
        std::string::npos)
        << reason(inner, "gray");
    // detail's outermost loop parallel: every thread would share gray's storage.
    Schedule racing = im.schedule;
    racing.funcs["detail"].stages[0].parallel = {gray.at_loop};
    EXPECT_NE(reason(racing, "gray").find("(a race)"), std::string::npos) << reason(racing, "gray");
    // A Func with an update stage (blur_y's sum).
    Schedule multistage = im.schedule;
    multistage.funcs["sum#2"].store_with_consumer = true;
    EXPECT_NE(reason(multistage, "sum#2").find("and it has update stages"), std::string::npos)
        << reason(multistage, "sum#2");
}

TEST(ImportTest, RFactorIsRefusedWithAReason) {
    Workload w = make_workload("matmul", true);
    ScheduleSpace space(w, htune::host_target());
    Halide::Pipeline p = w.build();
    auto fns = functions_by_stable_name(p);
    Halide::Func c(fns.at("C"));
    Halide::RVar k(space.analysis().func("C").stages[1].rvars[0]);
    Halide::Var u("u");
    c.update(0).rfactor(k, u).compute_root();
    try {
        import_schedule(p, space);
        FAIL() << "expected an error";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("rfactor"), std::string::npos) << e.what();
    }
}

}  // namespace htune
