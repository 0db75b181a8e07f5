// The featurizer on every built-in operator and the example user Generator: one
// fixed-length row for any pipeline, finite, deterministic, different for
// different schedules, and a few sanity properties (the heuristic vectorizes
// and parallelizes; compute_at recomputes; the machine's caches and cores
// matter). Every Featurizer here gets explicit MachineCaches, so the rows do
// not depend on the host.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "cost_model/Featurizer.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/Space.h"
#include "schedules/Wrappers.h"
#include "tests/schedules/TestWorkloads.h"

namespace htune {

namespace {

// A 2-core Zen3: the v1 constants.
const MachineCaches kCaches{32 << 10, 512 << 10, 32 << 20, 2, "test"};

std::size_t column(const std::string &name) {
    const auto &cols = feature_schema().columns;
    for (std::size_t c = 0; c < cols.size(); c++)
        if (cols[c] == name) return c;
    ADD_FAILURE() << "no column " << name;
    return 0;
}

class EveryWorkload : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(FeaturizerTest, SchemaIsNamedVersionedAndUnique) {
    const FeatureSchema &s = feature_schema();
    EXPECT_EQ(s.name, "htune-features");
    EXPECT_EQ(s.version, 3);  // v2: probed caches and cores; v3: the scheduled pipeline
    EXPECT_GT(s.columns.size(), 100u);
    std::set<std::string> unique(s.columns.begin(), s.columns.end());
    EXPECT_EQ(unique.size(), s.columns.size());
}

TEST_P(EveryWorkload, FixedLengthFiniteDeterministicAndDiscriminating) {
    Workload w = workload_named(GetParam());
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Featurizer from_space(space, 2, kCaches);
    Featurizer from_workload(w, t, 2, kCaches);

    std::mt19937_64 rng(7);
    std::vector<Schedule> batch{space.heuristic()};
    for (int i = 0; i < 20; i++) batch.push_back(space.sample(rng));
    for (int i = 0; i < 10; i++) batch.push_back(space.mutate(batch[i], rng));

    FeatureMatrix m = from_space.featurize(batch);
    ASSERT_EQ(m.rows, batch.size());
    EXPECT_EQ(m.schema, feature_schema());
    EXPECT_NO_THROW(m.check_valid(GetParam()));
    // Same rows from a second featurizer built from the workload, and on a second
    // call.
    EXPECT_EQ(from_workload.featurize(batch).values, m.values);
    EXPECT_EQ(from_space.features(batch[3]), std::vector<float>(m.row(3), m.row(3) + m.cols()));

    // Different schedules give different rows (allow a few collisions of
    // near-identical ones).
    std::set<std::string> hashes;
    std::set<std::vector<float>> rows;
    for (std::size_t r = 0; r < m.rows; r++)
        if (hashes.insert(schedule_hash(batch[r])).second)
            rows.insert(std::vector<float>(m.row(r), m.row(r) + m.cols()));
    EXPECT_GE(rows.size() * 10, hashes.size() * 8)
        << rows.size() << " distinct rows for " << hashes.size() << " distinct schedules";
}

INSTANTIATE_TEST_SUITE_P(AllOps, EveryWorkload, ::testing::ValuesIn(workload_names()),
                         [](const auto &info) { return info.param; });

TEST(FeaturizerTest, HeuristicVectorizesAndParallelizesTheOutput) {
    Workload w = make_workload("harris");
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Featurizer f(space, 2, kCaches);
    std::vector<float> h = f.features(space.heuristic());
    EXPECT_GT(h[column("out.log_vector_width")], 0);
    EXPECT_GT(h[column("out.vector_vs_native")], 0);
    EXPECT_GT(h[column("out.log_parallel_own")], 0);
    EXPECT_EQ(h[column("out.placement_root")], 1);
    EXPECT_GT(h[column("g.vector_work_frac")], 0.5);

    // Everything compute_root with no loop transformations: no vectors, no
    // threads.
    Schedule naive = space.heuristic();
    for (auto &kv : naive.funcs) {
        if (kv.second.placement == Placement::inline_) continue;
        for (auto &st : kv.second.stages) st = StageSchedule{};
    }
    std::vector<float> n = f.features(naive);
    EXPECT_EQ(n[column("g.vector_work_frac")], 0);
    EXPECT_EQ(n[column("g.serial_work_frac")], 1);
    EXPECT_LT(n[column("out.parallel_efficiency")], h[column("out.parallel_efficiency")]);
}

TEST(FeaturizerTest, ComputeAtInsideTilesRecomputesAndShrinksStorage) {
    // The example Generator: blur_x computed inside blur_y's row tiles recomputes
    // a halo compared with compute_root, and allocates far less.
    Workload w = workload_named("example_generator");
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Featurizer f(space, 2, kCaches);
    std::mt19937_64 rng(3);
    bool found = false;
    for (int i = 0; i < 400 && !found; i++) {
        Schedule s = space.sample(rng);
        for (const auto &kv : s.funcs) {
            // (Not an rfactor intermediate, nor a Func computed inside one: the featurizer
            // has no rows for intermediates and treats what is placed in them as root.)
            if (kv.second.placement != Placement::at || !kv.second.store_loop.empty() ||
                !space.analysis().has(kv.first) || !space.analysis().has(kv.second.at_func))
                continue;
            Schedule root = s;
            root.funcs[kv.first].placement = Placement::root;
            root.funcs[kv.first].at_func = root.funcs[kv.first].at_loop = "";
            std::vector<float> at_row = f.features(s), root_row = f.features(root);
            EXPECT_GT(at_row[column("g.log_points")], root_row[column("g.log_points")] - 1e-6f);
            EXPECT_LE(at_row[column("g.log_alloc_total")], root_row[column("g.log_alloc_total")] + 1e-6f);
            EXPECT_GT(at_row[column("mean.placement_at")], 0) << nlohmann::json(s).dump();
            EXPECT_NEAR(root_row[column("g.frac_at")] + 1.0 / space.analysis().funcs().size(),
                        at_row[column("g.frac_at")], 1e-5);
            found = true;
            break;
        }
    }
    EXPECT_TRUE(found) << "no compute_at schedule sampled";
}

TEST(FeaturizerTest, SchedulesThatDoNotFitAreFeaturizedNotRejected) {
    Workload w = make_workload("blur3x3", /*test_size=*/true);
    Halide::Target t = htune::host_target();
    Featurizer f(w, t, 2, kCaches);
    Schedule empty;  // no Funcs at all: everything defaults to compute_root,
                     // Halide's loops
    Schedule broken;
    FuncSchedule bad_at;
    bad_at.placement = Placement::at;
    bad_at.at_func = "nowhere";
    bad_at.at_loop = "x_o";
    PipelineAnalysis analysis(w.build());
    for (const auto &fi : analysis.funcs()) broken.funcs[fi.name] = bad_at;
    for (const Schedule &s : {empty, broken}) {
        std::vector<float> row = f.features(s);
        ASSERT_EQ(row.size(), feature_schema().columns.size());
        for (float v : row) EXPECT_TRUE(std::isfinite(v));
    }
    EXPECT_EQ(f.features(empty), f.features(broken));
    // An entry that is no Func of the pipeline (e.g. an rfactor intermediate) is
    // counted only.
    Schedule extra = empty;
    extra.funcs["not_a_func"].placement = Placement::at;
    std::vector<float> a = f.features(empty), b = f.features(extra);
    EXPECT_EQ(b[column("g.log_extra_funcs")], 1.0f);
    b[column("g.log_extra_funcs")] = a[column("g.log_extra_funcs")];
    EXPECT_EQ(a, b);
}

// `s` without its rfactors and wrappers: the algorithm's own Funcs, scheduled as in `s`.
Schedule without_structure(const Schedule &s, const PipelineAnalysis &algorithm) {
    Schedule out;
    for (const auto &[name, f] : s.funcs) {
        if (!algorithm.has(name)) continue;
        FuncSchedule g = f;
        g.wrap.clear();
        for (auto &st : g.stages) st.rfactor = RFactor{};
        out.funcs[name] = g;
    }
    return out;
}

TEST(FeaturizerTest, RFactorsAndWrappersAreFeaturizedAsTheScheduledPipeline) {
    // Sketches and mutations rfactor reductions (matmul, softmax) and wrap Funcs for one
    // consumer (Func::in). Their rows describe the pipeline Halide runs: the intermediates and wrappers
    // are computed Funcs of their own (more Funcs, none "extra"), not just counted.
    Halide::Target t = htune::host_target();
    int rfactors = 0, wrappers = 0;
    for (const auto &alg : builtin_ops()) {
        Workload w = make_workload(alg->name(), /*test_size=*/true);
        ScheduleSpace space(w, t);
        Featurizer f(space, 2, kCaches);
        std::vector<Schedule> schedules = space.sketches();
        std::mt19937_64 rng(5);
        for (int i = 0; i < 20; i++) {
            Schedule m = space.sample(rng);
            for (int k = 0; k < 10; k++) schedules.push_back(m = space.mutate(m, rng));
        }
        for (const Schedule &s : schedules) {
            const bool rf = has_rfactor(s), wr = has_wrappers(s);
            if (!rf && !wr) continue;
            ASSERT_EQ(space.validate(s), "") << alg->name();
            rfactors += rf;
            wrappers += wr;
            std::vector<float> a = f.features(s), b = f.features(without_structure(s, space.analysis()));
            EXPECT_EQ(a[column("g.log_extra_funcs")], 0.0f) << alg->name();
            EXPECT_GT(a[column("g.log_funcs")], b[column("g.log_funcs")]) << alg->name();
            EXPECT_NE(a, b) << alg->name();
            EXPECT_EQ(f.features(s), a);  // the cached scheduled pipeline gives the same row
            Featurizer copy = f;
            FeatureMatrix m = copy.featurize({s, s});
            EXPECT_EQ(std::vector<float>(m.row(1), m.row(1) + m.cols()), a);
        }
    }
    EXPECT_GT(rfactors, 0);
    EXPECT_GT(wrappers, 0);
}

// stage_features: one row per computed stage, its block of columns then the globals. The
// output's row is the "out.*" block of the candidate's row, the globals are the "g.*" columns,
// inlining a Func drops its row, and an rfactor adds the intermediate's.
TEST(FeaturizerTest, StageRowsAreTheComputedStagesBlocksWithTheGlobals) {
    Halide::Target t = htune::host_target();
    Workload w = make_workload("harris", /*test_size=*/true);
    ScheduleSpace space(w, t);
    Featurizer f(space, 2, kCaches);
    std::size_t globals = 0, per_stage = 0;  // columns "g.*" first, then the "out.*" block
    for (const std::string &c : feature_schema().columns) {
        globals += c.rfind("g.", 0) == 0;
        per_stage += c.rfind("out.", 0) == 0;
    }
    ASSERT_EQ(column("out.placement_inline"), globals);
    ASSERT_EQ(column("top1.placement_inline"), globals + per_stage);
    Schedule s = space.heuristic();
    std::vector<float> row = f.features(s);
    std::vector<std::vector<float>> stages = f.stage_features(s);
    std::size_t computed = 0;
    for (const FuncInfo &fi : space.analysis().funcs())
        if (s.funcs.at(fi.name).placement != Placement::inline_) computed += fi.stages.size();
    ASSERT_EQ(stages.size(), computed);
    const std::vector<float> out(row.begin() + globals, row.begin() + globals + per_stage);
    int matches = 0;
    for (const std::vector<float> &r : stages) {
        ASSERT_EQ(r.size(), per_stage + globals);
        EXPECT_EQ(std::vector<float>(r.begin() + per_stage, r.end()),
                  std::vector<float>(row.begin(), row.begin() + globals));
        matches += std::vector<float>(r.begin(), r.begin() + per_stage) == out;
    }
    EXPECT_GE(matches, 1) << "no stage row is the output's block";
    // Inline one more Func: one row fewer.
    for (const FuncInfo &fi : space.analysis().funcs()) {
        Schedule m = s;
        if (!fi.can_inline || m.funcs.at(fi.name).placement == Placement::inline_) continue;
        m.funcs.at(fi.name) = FuncSchedule{};
        m.funcs.at(fi.name).placement = Placement::inline_;
        if (!space.validate(m).empty()) continue;
        EXPECT_EQ(f.stage_features(m).size(), computed - fi.stages.size()) << fi.name;
        break;
    }
    // matmul's sketches rfactor C: the intermediate's two stages are computed stages too.
    Workload mm = make_workload("matmul", /*test_size=*/true);
    ScheduleSpace ms(mm, t);
    Featurizer mf(ms, 2, kCaches);
    bool rfactored = false;
    for (const Schedule &k : ms.sketches()) {
        if (!has_rfactor(k) || has_wrappers(k)) continue;
        EXPECT_EQ(mf.stage_features(k).size(),
                  mf.stage_features(without_structure(k, ms.analysis())).size() + 2);
        rfactored = true;
        break;
    }
    EXPECT_TRUE(rfactored) << "no matmul sketch rfactors";
}

TEST(FeaturizerTest, CacheLevelsFollowTheMachinesCaches) {
    // Everything compute_root: the largest allocation is a whole intermediate. With an
    // L2 of half its size it lies beyond L2; with twice its size it fits L2.
    Workload w = make_workload("blur3x3", /*test_size=*/true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Schedule root;
    for (const auto &fi : space.analysis().funcs()) root.funcs[fi.name].placement = Placement::root;
    const double alloc_max =
        std::exp2((double)Featurizer(space, 2, kCaches).features(root)[column("g.log_alloc_max")]) - 1;
    ASSERT_GT(alloc_max, 1024);
    MachineCaches small = kCaches, large = kCaches;
    small.l1d_bytes = large.l1d_bytes = 256;
    small.l2_bytes = uint64_t(alloc_max / 2);
    large.l2_bytes = uint64_t(alloc_max * 2);
    small.l3_bytes = large.l3_bytes = uint64_t(alloc_max * 64);
    Featurizer f_small(space, 2, small), f_large(space, 2, large);
    EXPECT_EQ(f_small.caches(), small);
    std::vector<float> a = f_small.features(root), b = f_large.features(root);
    EXPECT_EQ(a[column("max.alloc_cache_level")], 2);  // beyond L2, within L3
    EXPECT_EQ(b[column("max.alloc_cache_level")], 1);  // fits L2
    EXPECT_GE(a[column("g.n_alloc_beyond_l2")], 1);
    EXPECT_EQ(b[column("g.n_alloc_beyond_l2")], 0);
    EXPECT_EQ(a[column("g.n_alloc_beyond_l3")], 0);
    // What does not compare against the caches is the same.
    EXPECT_EQ(a[column("g.log_work")], b[column("g.log_work")]);
    EXPECT_EQ(a[column("g.log_alloc_max")], b[column("g.log_alloc_max")]);
    // Same caches, same row.
    EXPECT_EQ(Featurizer(space, 2, small).features(root), a);
}

TEST(FeaturizerTest, ThreadsBeyondThePhysicalCoresDoNotSpeedUp) {
    // The heuristic parallelizes the output; with 4 Halide threads on one core the
    // time proxy is that of one busy core, higher than on four cores.
    Workload w = make_workload("harris");
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    MachineCaches one = kCaches, four = kCaches;
    one.cores = 1;
    four.cores = 4;
    std::vector<float> a = Featurizer(space, 4, one).features(space.heuristic());
    std::vector<float> b = Featurizer(space, 4, four).features(space.heuristic());
    ASSERT_GT(a[column("out.log_parallel_own")], 2);  // more than 4 tasks
    EXPECT_GT(a[column("out.log_time_proxy")], b[column("out.log_time_proxy")] + 0.5f);
    EXPECT_EQ(a[column("out.parallel_efficiency")], 1);  // one core is always busy
    EXPECT_EQ(a[column("g.log_threads")], b[column("g.log_threads")]);
}

}  // namespace htune
