// The schedule a Generator's own code applies (`as_written`, issue 25): found only where the
// Generator writes one (conditionally or not), measured as a compare row against the same
// reference as every other row, and imported into the space as a tune seed with the canonical
// names. Test Generators: harris (hand schedule applied unconditionally), stencil_chain (behind
// `if (!auto_schedule)`, with unnamed Funcs and Vars), max_filter (no schedule).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "measure/Runner.h"
#include "ops/CanonicalPipeline.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Import.h"
#include "schedules/Space.h"
#include "tests/QuickMeasure.h"
#include "tests/RunCommand.h"
#include "tests/tuner/TuneHarness.h"
#include "tuner/Compare.h"
#include "tuner/SeedProvider.h"

namespace htune::test {

namespace {

WorkloadSpec corpus_spec(const std::string &name) {
    std::ifstream in(HTUNE_TEST_GENERATOR_WORKLOADS);
    for (const auto &s : nlohmann::json::parse(in).get<std::vector<WorkloadSpec>>())
        if (s.op == name) return s;
    throw std::runtime_error("no corpus Generator " + name);
}

}  // namespace

TEST(AsWrittenTest, OnlyAGeneratorThatSchedulesItselfHasAnAsWrittenPipeline) {
    for (const char *name : {"harris", "stencil_chain"}) {
        Workload w = make_workload(corpus_spec(name));
        Halide::Pipeline p = w.build_as_written();
        ASSERT_TRUE(p.defined()) << name;
        EXPECT_TRUE(has_schedule_directives(p)) << name;
        // The canonical form htune schedules from is clean, whatever the Generator wrote.
        EXPECT_FALSE(has_schedule_directives(w.build())) << name;
    }
    EXPECT_FALSE(make_workload(corpus_spec("max_filter")).build_as_written().defined());
    EXPECT_FALSE(make_workload("softmax", true).build_as_written().defined());
}

// matmul, blur3x3, conv2d, depthwise_separable_conv and interpolate carry a hand-written schedule
// (OpDef::build_as_written), which computes the reference through the worker. All but matmul's
// import into the space exactly, under the operator's own names; matmul's accumulates in an rfactor'd
// Func, which the import refuses by name.
TEST(AsWrittenTest, BuiltinOperatorsWithAHandWrittenScheduleMeasureIt) {
    auto runner = make_worker_runner(quick_measure(1));
    for (const char *name : {"matmul", "blur3x3", "conv2d", "interpolate", "depthwise_separable_conv"}) {
        Workload w = make_workload(name, true);
        ASSERT_TRUE(w.has_own_schedule()) << name;
        EXPECT_FALSE(has_schedule_directives(w.build())) << name;
        std::vector<MeasureResult> r = runner->measure_candidates(w, {Candidate::as_written()});
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].status, Status::ok) << name << ": " << r[0].error;
    }
    Workload blur = make_workload("blur3x3", true);
    ScheduleSpace space(blur, host_target());
    ImportedSchedule im = import_schedule(blur.build_as_written(), space, ImportNames::as_written);
    EXPECT_EQ(space.validate(im.schedule), "");
    for (const auto &c : im.changes) ADD_FAILURE() << "adapted: " << c;
    EXPECT_EQ(im.schedule.funcs.at("blur_x").at_func, "blur_y");
    EXPECT_EQ(im.schedule.funcs.at("blur_y").stages.at(0).parallel, std::vector<std::string>{"y_o"});
    std::map<std::string, Schedule> imported;
    for (const char *name : {"conv2d", "interpolate", "depthwise_separable_conv"}) {
        Workload w = make_workload(name, true);
        ScheduleSpace sp(w, host_target());
        ImportedSchedule got = import_schedule(w.build_as_written(), sp, ImportNames::as_written);
        EXPECT_EQ(sp.validate(got.schedule), "") << name;
        for (const auto &c : got.changes) ADD_FAILURE() << name << " adapted: " << c;
        imported[name] = got.schedule;
    }
    // conv2d: the accumulators per block of output channels x columns, the input channels
    // unrolled by 2 in the update, images and rows in parallel.
    const Schedule &conv = imported["conv2d"];
    EXPECT_EQ(conv.funcs.at("conv").at_func, "relu");
    EXPECT_EQ(conv.funcs.at("conv").at_loop, "x_o");
    EXPECT_EQ(conv.funcs.at("conv").stages.at(1).vectorize, "c_i");
    EXPECT_EQ(conv.funcs.at("relu").stages.at(0).parallel, (std::vector<std::string>{"y", "n"}));
    // depthwise_separable_conv: the pointwise convolution blocked the same way, the depthwise
    // stage computed per output row.
    const Schedule &dw = imported["depthwise_separable_conv"];
    EXPECT_EQ(dw.funcs.at("pointwise").at_loop, "x_o");
    EXPECT_EQ(dw.funcs.at("depthwise").at_func, "relu");
    EXPECT_EQ(dw.funcs.at("depthwise").at_loop, "fused_y_n");  // the parallel y and n, fused
    // Its update runs one vector of channels along the whole row, so the 9 filter vectors of
    // that block stay in registers: the channel block loop is outside the column loop.
    const std::vector<std::string> &dw_order = dw.funcs.at("depthwise").stages.at(1).order;
    EXPECT_EQ(dw_order, (std::vector<std::string>{"c_i", "rk$x", "rk$y", "x", "c_o", "y", "n"}));
    EXPECT_EQ(dw.funcs.at("depthwise").stages.at(1).vectorize, "c_i");
    // interpolate: each level computed whole, in parallel strips of 8 rows; the x-passes inlined.
    const Schedule &interp = imported["interpolate"];
    for (const char *f : {"downsampled_1", "interpolated_1", "interpolate"}) {
        EXPECT_EQ(interp.funcs.at(f).placement, Placement::root) << f;
        EXPECT_EQ(interp.funcs.at(f).stages.at(0).parallel, std::vector<std::string>{"y_o"}) << f;
    }
    EXPECT_EQ(interp.funcs.at("downx_1").placement, Placement::inline_);
    Workload mm = make_workload("matmul", true);
    try {
        import_schedule(mm.build_as_written(), ScheduleSpace(mm, host_target()), ImportNames::as_written);
        ADD_FAILURE() << "matmul's rfactor'd schedule imported";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("rfactor"), std::string::npos) << e.what();
        // Named without Halide's process-dependent "$N" ("C$3_intm").
        EXPECT_NE(std::string(e.what()).find("Func 'C_intm'"), std::string::npos) << e.what();
    }
}

TEST(AsWrittenTest, TheHandScheduleImportsUnderCanonicalNames) {
    // stencil_chain: unnamed Funcs made in a loop ("f#k"), unnamed Vars (x, y are "v0", "v1"
    // in canonical form), the schedule behind `if (!auto_schedule)`: output split y by 32,
    // parallel over the strips, x vectorized by 16; every stage but the first stored per strip
    // and computed per row. Imported exactly.
    Workload w = make_workload(corpus_spec("stencil_chain"));
    ScheduleSpace space(w, host_target());
    ImportedSchedule im = import_schedule(w.build_as_written(), space, ImportNames::as_written);
    EXPECT_EQ(space.validate(im.schedule), "");
    for (const auto &c : im.changes) ADD_FAILURE() << "adapted: " << c;
    const FuncSchedule &out = im.schedule.funcs.at("output");
    ASSERT_EQ(out.stages.size(), 1u);
    std::map<std::string, std::vector<int>> splits;
    for (const auto &d : out.stages[0].splits) splits[d.var] = d.factors;
    EXPECT_EQ(splits, (std::map<std::string, std::vector<int>>{{"v0", {16}}, {"v1", {32}}}))
        << nlohmann::json(im.schedule);
    EXPECT_EQ(out.stages[0].parallel, std::vector<std::string>{"v1_o"});
    EXPECT_EQ(out.stages[0].vectorize, "v0_i");
    int at_rows = 0;
    for (const auto &[name, fs] : im.schedule.funcs) {
        if (fs.placement != Placement::at) continue;
        at_rows++;
        EXPECT_EQ(fs.at_func, "output") << name;
        EXPECT_EQ(fs.at_loop, "v1_i") << name;
        EXPECT_EQ(fs.store_loop, "v1_o") << name;
    }
    EXPECT_EQ(at_rows, 3);
    // The same import through the worker (the tune seed's path), and harris's, whose schedule
    // slides its gradients down each strip.
    auto runner = make_worker_runner(quick_measure(1));
    std::vector<ImportedCandidate> got = runner->import_autoschedules(w, {Candidate::as_written()});
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].status, Status::ok) << got[0].error;
    EXPECT_EQ(schedule_hash(got[0].schedule), schedule_hash(im.schedule));
    Workload harris = make_workload(corpus_spec("harris"));
    got = runner->import_autoschedules(harris, {Candidate::as_written()});
    ASSERT_EQ(got[0].status, Status::ok) << got[0].error;
    EXPECT_EQ(ScheduleSpace(harris, host_target()).validate(got[0].schedule), "");
    EXPECT_EQ(got[0].schedule.funcs.at("Ix").store_loop, "y_o");
}

TEST(AsWrittenTest, TheAsWrittenCandidateComputesTheReferenceOrSaysThereIsNone) {
    auto runner = make_worker_runner(quick_measure(1));
    Workload harris = make_workload(corpus_spec("harris"));
    std::vector<MeasureResult> r = runner->measure_candidates(harris, {Candidate::as_written()});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].status, Status::ok) << r[0].error;
    EXPECT_GT(r[0].min_ms, 0);
    Workload plain = make_workload(corpus_spec("max_filter"));
    r = runner->measure_candidates(plain, {Candidate::as_written()});
    EXPECT_EQ(r[0].status, Status::compile_error);
    EXPECT_NE(r[0].error.find("has no schedule of its own"), std::string::npos) << r[0].error;
}

TEST(AsWrittenTest, CompareHasTheRowOnlyWhereTheGeneratorWritesASchedule) {
    auto runner = make_worker_runner(quick_measure(1));
    CompareOptions o;
    o.schedules = parse_compare_schedules("heuristic,as_written");
    o.timed_runs = 1;
    auto rows = [&](const Workload &w) {
        std::map<std::string, CompareRow> out;
        for (const auto &row : compare_workload(*runner, w, nullptr, o, MachinePeaks{}).rows)
            out[row.schedule] = row;
        return out;
    };
    auto harris = rows(make_workload(corpus_spec("stencil_chain")));
    ASSERT_TRUE(harris.count("as_written"));
    EXPECT_EQ(harris["as_written"].status, "ok") << harris["as_written"].error;
    auto plain = rows(make_workload(corpus_spec("max_filter")));
    ASSERT_TRUE(plain.count("as_written"));
    EXPECT_EQ(plain["as_written"].status, "unavailable");
    EXPECT_NE(plain["as_written"].error.find("no schedule of its own"), std::string::npos);
    EXPECT_FALSE(rows(make_workload("softmax", true)).count("as_written"));
    auto blur = rows(make_workload("blur3x3", true));
    ASSERT_TRUE(blur.count("as_written"));
    EXPECT_EQ(blur["as_written"].status, "ok") << blur["as_written"].error;
}

TEST(AsWrittenTest, AGeneratorsOwnScheduleSeedsItsSearchUnlessSwitchedOff) {
    Harness h;
    std::vector<std::vector<std::string>> asked;
    h.runner.importer = [&](const Workload &w, const std::vector<Candidate> &cs) {
        std::vector<std::string> names;
        for (const auto &c : cs) names.push_back(to_string(c.kind));
        asked.push_back(names);
        std::vector<ImportedCandidate> out(cs.size());
        for (auto &o : out) o.schedule = ScheduleSpace(w, host_target()).heuristic();
        return out;
    };
    auto seeds_of = [&](const std::string &name) {
        Workload w = make_workload(corpus_spec(name));
        ScheduleSpace space(w, h.env.target);
        SeedProvider provider(h.o, h.runner, *h.db, nullptr);
        return provider.seeds(w, space, {});
    };
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Adams2019", "/x/a.so", {})};
    seeds_of("harris");
    seeds_of("max_filter");
    h.o.as_written_seed = false;
    seeds_of("harris");
    using Names = std::vector<std::string>;
    ASSERT_EQ(asked.size(), 3u);
    EXPECT_EQ(asked[0], (Names{"autoscheduler", "as_written"}));
    EXPECT_EQ(asked[1], (Names{"autoscheduler"}));
    EXPECT_EQ(asked[2], (Names{"autoscheduler"}));
    // With no autoscheduler at all, the Generator's own schedule is still a seed.
    h.o.autoscheduler_seeds.clear();
    h.o.as_written_seed = true;
    Seeds s = seeds_of("stencil_chain");
    ASSERT_EQ(asked.size(), 4u);
    EXPECT_EQ(asked[3], (Names{"as_written"}));
    EXPECT_EQ(s.imported.size(), 1u);
}

TEST(AsWrittenTest, TheCliListsTheRowAndRejectsABadSeedSwitch) {
    CommandResult r = run_htune("tune --op blur3x3 --test-size --trials 1 --seed-as-written maybe");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--seed-as-written must be on or off, not 'maybe'"), std::string::npos) << r.err;
    EXPECT_THROW(parse_compare_schedules("as_writen"), Error);
}

}  // namespace htune::test
