// Tuning a network (issue 27): the weighted task scheduler (tuner/TaskScheduler.h), the model
// latency a run tracks, look-alike seeding (tuner/Tuner.cpp) and the model files
// (examples/models, tuner/WorkloadSet.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tests/tuner/TuneHarness.h"
#include "tuner/Task.h"
#include "tuner/WorkloadSet.h"

namespace htune {
namespace {

using test::Harness;

TaskStats stats(int rounds, double best, double before, double weight = 1, double flops = 0,
                const std::string &group = "") {
    TaskStats t;
    t.rounds = rounds;
    t.best_ms = best;
    t.best_ms_before = before;
    t.window_rounds = std::min(rounds, 2);
    t.weight = weight;
    t.flops = flops;
    t.group = group;
    return t;
}

TEST(ModelTuneTest, TheWeightedSchedulerFollowsCountTimesTime) {
    std::mt19937_64 rng(1);
    SchedulerOptions o;
    o.objective = SchedulerObjective::weighted;
    o.explore = 0;
    // Same history, weights 1 and 10: the heavier one.
    std::vector<TaskStats> t = {stats(4, 2.0, 2.0, 1), stats(4, 2.0, 2.0, 10)};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    // Same weight: the one whose time is larger (more to save in ms).
    t = {stats(4, 5.0, 5.0), stats(4, 1.0, 1.0)};
    EXPECT_EQ(choose_task(t, o, rng), 0);
    // A count of 6 on a 1 ms layer beats a 5 ms layer that occurs once.
    t = {stats(4, 5.0, 5.0, 1), stats(4, 1.0, 1.0, 6)};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    // The recent slope counts: equal times, one just improved a lot.
    t = {stats(4, 2.0, 2.0), stats(4, 2.0, 6.0)};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    EXPECT_DOUBLE_EQ(expected_gain(t, 1, o), 0.2 * (4.0 / 2) + 0.8 * (2.0 / 4));
    // Similar workloads: a conv that runs at a tenth of the throughput another conv reached is
    // expected to gain more than an equally slow layer with nothing to compare to.
    t = {stats(6, 1.0, 1.0, 1, 1e8, "conv"), stats(6, 10.0, 10.0, 1, 1e8, "conv"),
         stats(6, 10.0, 10.0, 1, 1e8, "pool")};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    EXPECT_DOUBLE_EQ(expected_gain(t, 1, o), 0.8 * (10.0 - 2 * 1.0));
    EXPECT_DOUBLE_EQ(expected_gain(t, 2, o), 0.8 * (10.0 / 6));
    // ... but not to one that does 8x more arithmetic per byte (a dense conv vs a depthwise one).
    t[0].bytes = 1e6;
    t[1].bytes = 8e6;
    EXPECT_DOUBLE_EQ(expected_gain(t, 1, o), 0.8 * (10.0 / 6));
    t[1].bytes = 1.5e6;
    EXPECT_DOUBLE_EQ(expected_gain(t, 1, o), 0.8 * (10.0 - 2 * 1.0));
    // The roofline: a layer 0.1 ms above the least time it can take on this machine is
    // expected to win at most that, however heavy it is; a lighter one far from its roofline
    // goes first. Its recent slope still counts.
    t = {stats(4, 2.0, 2.0, 2, 1e8, "conv"), stats(4, 1.0, 1.0, 1, 1e8, "conv")};
    EXPECT_EQ(choose_task(t, o, rng), 0);
    t[0].floor_ms = 1.9;
    t[1].floor_ms = 0.2;
    EXPECT_EQ(choose_task(t, o, rng), 1);
    EXPECT_NEAR(expected_gain(t, 0, o), 2 * 0.8 * 0.1, 1e-12);
    EXPECT_DOUBLE_EQ(expected_gain(t, 1, o), 0.8 * (1.0 / 4));
    t[0].floor_ms = 2.5;  // faster than the measured peaks say it can be: nothing expected
    EXPECT_DOUBLE_EQ(expected_gain(t, 0, o), 0);
    t[0].best_ms_before = 3.0;
    EXPECT_DOUBLE_EQ(expected_gain(t, 0, o), 2 * 0.2 * (1.0 / 2));
    // Warm-up first, whatever the weights; nothing active: -1.
    t = {stats(4, 2.0, 2.0, 100), stats(0, 0, 0, 1)};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    // Warm-up batches go heaviest first (count x best after setup); one with no time yet first
    // of all. Round-robin keeps command-line order.
    t = {stats(0, 3.0, 3.0, 1), stats(0, 1.0, 1.0, 4), stats(0, 2.0, 2.0, 1), stats(3, 9.0, 9.0, 9)};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    t[1].rounds = 1;
    EXPECT_EQ(choose_task(t, o, rng), 0);
    t[0].rounds = 1;
    EXPECT_EQ(choose_task(t, o, rng), 2);
    t = {stats(0, 3.0, 3.0, 1), stats(0, 1.0, 1.0, 4), stats(0, 0, 0, 1)};
    EXPECT_EQ(choose_task(t, o, rng), 2);
    SchedulerOptions rr = o;
    rr.objective = SchedulerObjective::round_robin;
    EXPECT_EQ(choose_task(t, rr, rng), 0);
    for (auto &x : t) x.active = false;
    EXPECT_EQ(choose_task(t, o, rng), -1);
}

TEST(ModelTuneTest, TheRooflineIsTheLongerOfArithmeticAtPeakAndBytesBeyondTheCache) {
    TuneOptions o;
    EXPECT_EQ(roofline_ms(1e9, 1e9, o), 0);  // peaks unknown
    o.peaks.peak_gflops = 100;               // 1e8 flops per ms
    o.peaks.bandwidth_gbs = 50;              // 5e7 bytes per ms
    o.cache_bytes = 32e6;
    EXPECT_DOUBLE_EQ(roofline_ms(1e9, 1e8, o), 10);  // arithmetic bound
    EXPECT_DOUBLE_EQ(roofline_ms(1e8, 1e9, o), 20);  // memory bound
    EXPECT_DOUBLE_EQ(roofline_ms(1e8, 1e7, o), 1);   // fits in the cache: not bound by DRAM
    EXPECT_DOUBLE_EQ(roofline_ms(0, 1e7, o), 0);
    // What the scheduler sees of a workload: its roofline as floor_ms.
    Task t;
    t.w = std::make_unique<Workload>(make_workload("matmul", true));
    EXPECT_DOUBLE_EQ(t.stats(o).floor_ms, roofline_ms(t.w->flops(), t.w->min_bytes(), o));
    EXPECT_GT(t.stats(o).floor_ms, 0);
}

TEST(ModelTuneTest, RoundRobinTakesTheWorkloadWithFewestBatches) {
    std::mt19937_64 rng(1);
    SchedulerOptions o;
    o.objective = SchedulerObjective::round_robin;
    std::vector<TaskStats> t = {stats(3, 1.0, 9.0, 50), stats(2, 1.0, 1.0), stats(2, 1.0, 1.0)};
    EXPECT_EQ(choose_task(t, o, rng), 1);
    EXPECT_EQ(parse_objective("round-robin"), SchedulerObjective::round_robin);
    EXPECT_EQ(parse_objective("weighted"), SchedulerObjective::weighted);
    EXPECT_THROW(parse_objective("fair"), Error);
}

WorkloadSpec blur(int w, int h, double count) {
    WorkloadSpec s;
    s.op = "blur3x3";
    s.params = {{"W", std::to_string(w)}, {"H", std::to_string(h)}};
    s.count = count;
    return s;
}

// Batches each workload got in a run of 80 one-second candidates (no trial budget).
std::vector<int> batches_of(SchedulerObjective objective, const std::string &model) {
    Harness h;
    h.o.trials = 0;
    h.o.time_budget_s = 80;
    h.o.confirm_top = 0;
    h.seconds_per_candidate = 1;
    h.o.scheduler.objective = objective;
    h.o.model_name = model;
    TuneResult r = h.run({blur(64, 48, 1), blur(96, 64, 20)});
    std::vector<int> out;
    for (const auto &w : r.workloads) out.push_back(w.run_trials);
    return out;
}

TEST(ModelTuneTest, AWeightedRunSpendsItsBatchesWhereTheCountIs) {
    std::vector<int> weighted = batches_of(SchedulerObjective::weighted, "m");
    std::vector<int> round_robin = batches_of(SchedulerObjective::round_robin, "m");
    ASSERT_EQ(weighted.size(), 2u);
    EXPECT_GT(weighted[1], 2 * weighted[0]) << weighted[0] << " vs " << weighted[1];
    EXPECT_GE(weighted[0], 4);  // its warm-up batch
    // The control: round-robin splits them evenly (within a batch).
    EXPECT_LE(std::abs(round_robin[1] - round_robin[0]), 4) << round_robin[0] << " vs " << round_robin[1];
}

TEST(ModelTuneTest, AModelRunTracksTheSumOfCountTimesBest) {
    Harness h;
    h.o.trials = 16;
    h.o.confirm_top = 0;
    h.o.model_name = "twoblurs";
    h.o.scheduler.objective = SchedulerObjective::weighted;
    h.log_progress();
    TuneResult r = h.run({blur(64, 48, 3), blur(96, 64, 2)});
    ASSERT_EQ(r.workloads.size(), 2u);
    EXPECT_EQ(r.workloads[0].count, 3);
    ASSERT_FALSE(r.model_curve.empty());
    const double total = 3 * r.workloads[0].best_ms + 2 * r.workloads[1].best_ms;
    EXPECT_DOUBLE_EQ(r.model_curve.back().ms, total);
    for (size_t i = 1; i < r.model_curve.size(); i++) {
        EXPECT_LT(r.model_curve[i].ms, r.model_curve[i - 1].ms);  // a point per improvement
        EXPECT_GE(r.model_curve[i].elapsed_s, r.model_curve[i - 1].elapsed_s);
    }
    // The progress lines say it.
    EXPECT_NE(h.log.str().find("twoblurs latency"), std::string::npos) << h.log.str();
    // Without a model name there is no curve.
    Harness plain;
    plain.o.trials = 16;
    plain.o.confirm_top = 0;
    EXPECT_TRUE(plain.run({blur(64, 48, 3), blur(96, 64, 2)}).model_curve.empty());
}

// How many of the second workload's measured schedules were the first's bests.
int lookalike_seeds_taken(const std::string &model) {
    Harness h;
    h.o.trials = 40;
    h.o.confirm_top = 0;
    h.o.sketch_seeds = false;
    h.o.model_name = model;
    h.o.scheduler.objective = SchedulerObjective::round_robin;
    TuneResult r = h.run({blur(64, 48, 1), blur(96, 64, 1)});
    std::set<std::string> first_bests;
    RecordQuery q;
    q.workload_key = r.workloads[0].key;
    q.device_key = h.o.device_key;
    q.ok_only = true;
    double best = 1e300;
    h.db->scan(q, [&](const Record &rec) {
        if (rec.result.min_ms < best) {
            best = rec.result.min_ms;
            first_bests.insert(rec.schedule_hash);
        }
    });
    int taken = 0;
    for (const std::string &hash : h.hashes(r.workloads[1].key)) taken += (int)first_bests.count(hash);
    return taken;
}

TEST(ModelTuneTest, ANewBestSeedsTheSameOperatorsOtherShapes) {
    const int with = lookalike_seeds_taken("m"), without = lookalike_seeds_taken("");
    EXPECT_GT(with, without) << with << " vs " << without;
    EXPECT_GE(with, 2);
}

// A network's layers of one shape often differ only in their activation (ResNet: each block's
// conv1 has a relu, its conv2 none). Look-alike seeding matches a schedule to a space by Func
// name, so a layer's Funcs must not be named after the activation: every schedule of the relu
// layer (its heuristic, its sketches, samples) fits the same shape without one, and the
// heuristic of that one fits the relu layer.
TEST(ModelTuneTest, ALayersSchedulesFitTheSameShapeWithAnotherActivation) {
    for (const std::string op : {"conv", "fully_connected", "add"}) {
        auto spec = [&](const std::string &act) {
            WorkloadSpec s;
            s.op = op;
            s.params = find_op(op)->test_params();
            s.params.push_back({"act", act});
            return s;
        };
        Workload relu = make_workload(spec("relu")), none = make_workload(spec("none"));
        ASSERT_NE(relu.key(), none.key()) << op;
        ScheduleSpace from(relu, host_target()), to(none, host_target());
        std::vector<Schedule> schedules = from.sketches();
        schedules.push_back(from.heuristic());
        std::mt19937_64 rng(7);
        for (int i = 0; i < 20; i++) schedules.push_back(from.sample(rng));
        for (const Schedule &s : schedules) {
            ASSERT_EQ(from.validate(s), "") << op;
            EXPECT_EQ(to.validate(s), "") << op << ": " << nlohmann::json(s).dump();
        }
        EXPECT_EQ(from.validate(to.heuristic()), "") << op;
    }
}

TEST(ModelTuneTest, SettingUpManyLayersStopsAtTheTimeBudget) {
    Harness h;
    h.o.trials = 0;
    h.o.time_budget_s = 150;
    h.o.confirm_top = 0;
    h.log_progress();
    // Asking the autoschedulers takes 100 s per workload: the third is never started.
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {})};
    h.runner.importer = [&h](const Workload &, const std::vector<Candidate> &cs) {
        h.now += 100;
        return std::vector<ImportedCandidate>(cs.size());
    };
    TuneResult r = h.run({blur(64, 48, 1), blur(96, 64, 1), blur(128, 64, 1)});
    ASSERT_EQ(r.workloads.size(), 3u);
    EXPECT_EQ(r.workloads[2].stop_reason, "time budget");
    EXPECT_EQ(r.workloads[2].run_trials, 0);
    EXPECT_GT(r.workloads[0].run_trials, 0);
    EXPECT_NE(h.log.str().find("blur3x3: not started: the time budget was spent setting up the others"),
              std::string::npos)
        << h.log.str();
}

// --- model files ---

std::string model_path(const std::string &name) {
    return std::string(HTUNE_SOURCE_DIR) + "/examples/models/" + name + ".json";
}

double total_gflop(const std::vector<WorkloadSpec> &specs) {
    double sum = 0;
    for (const auto &s : specs) sum += s.count * make_workload(s).flops();
    return sum / 1e9;
}

TEST(ModelTuneTest, TheModelFilesParseAndEveryLayerBuilds) {
    struct Expect {
        const char *name;
        int layers;     // occurrences, the sum of the counts
        double lo, hi;  // GFLOP of one inference at batch 1 (2 per multiply-add)
    };
    // Published: ResNet-18 1.8 G multiply-adds, MobileNet-V2 300 M, a BERT-base layer at
    // sequence 128: 128 x (4 x 768^2 + 2 x 768 x 3072) multiply-adds + 2 x 128^2 x 768 for
    // attention = 0.93 G. Plus the adds, activations, pooling and softmax.
    for (const Expect &e : {Expect{"resnet18", 31, 3.6, 3.75}, Expect{"mobilenet_v2", 64, 0.6, 0.64},
                            Expect{"bert_base_layer", 11, 1.86, 1.95}}) {
        SCOPED_TRACE(e.name);
        ModelInfo m = read_model_info(model_path(e.name));
        EXPECT_TRUE(m.is_model);
        EXPECT_EQ(m.name, e.name);
        std::vector<WorkloadSpec> specs = read_workloads_file(model_path(e.name));
        double count = 0;
        std::set<std::string> keys;
        for (const auto &s : specs) {
            count += s.count;
            EXPECT_FALSE(s.label.empty());
            Workload w = make_workload(s);                                    // builds
            EXPECT_TRUE(keys.insert(w.canonical()).second) << w.canonical();  // distinct shapes
            EXPECT_GT(w.flops(), 0) << w.canonical();
        }
        EXPECT_EQ(count, e.layers);
        const double g = total_gflop(specs);
        EXPECT_GE(g, e.lo);
        EXPECT_LE(g, e.hi);
        // The batch is a parameter: twice the batch, twice the work.
        std::vector<WorkloadSpec> two = read_workloads_file(model_path(e.name), {"batch=2"});
        EXPECT_EQ(two.size(), specs.size());
        EXPECT_NEAR(total_gflop(two), 2 * g, 0.01 * g);
    }
}

std::string write_file(const std::string &name, const std::string &text) {
    std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    return path;
}

TEST(ModelTuneTest, AModelFileSubstitutesItsParametersAndMergesRepeatedShapes) {
    std::string path = write_file("tiny_model.json", R"({
      "model": "tiny", "parameters": {"batch": 1, "seq": 8},
      "layers": [
        {"name": "a", "op": "fully_connected", "params": {"N": "batch*seq", "IN": 16, "OUT": 8}, "count": 2},
        {"name": "b", "op": "fully_connected", "params": {"N": "seq * batch", "IN": 16, "OUT": 8}},
        {"name": "c", "op": "pool", "params": {"N": "batch", "C": 4, "W": 6, "H": 6, "K": 2, "stride": 2, "pad": 0, "kind": "max"}}
      ]})");
    std::vector<WorkloadSpec> specs = read_workloads_file(path, {"batch=3"});
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(specs[0].count, 3);
    EXPECT_EQ(specs[0].label, "a, b");
    EXPECT_EQ(make_workload(specs[0]).canonical(), "fully_connected:N=24,IN=16,OUT=8,act=none");
    EXPECT_EQ(make_workload(specs[1]).params().i("N"), 3);
    EXPECT_EQ(make_workload(specs[1]).params().text("kind"), "max");  // a word stays a word
    // Through the command-line options, with the model's name.
    WorkloadSetOptions set;
    set.workloads_file = path;
    set.model_params = {"seq=2"};
    EXPECT_EQ(set.model().name, "tiny");
    EXPECT_EQ(make_workload(set.specs()[0]).params().i("N"), 2);
}

TEST(ModelTuneTest, BadModelInputIsOneClearError) {
    auto message = [](const std::function<void()> &f) {
        try {
            f();
        } catch (const Error &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    std::string ok = write_file("ok_model.json", R"({"model": "m", "parameters": {"batch": 1},
      "layers": [{"op": "add", "params": {"N": "batch", "C": 4, "W": 4, "H": 4}}]})");
    EXPECT_NE(message([&] { read_workloads_file(ok, {"bacth=2"}); }).find("has the parameters batch"),
              std::string::npos);
    EXPECT_NE(message([&] { read_workloads_file(ok, {"batch=0"}); }).find("positive integer"),
              std::string::npos);
    EXPECT_NE(message([&] { read_workloads_file(ok, {"batch=two"}); }).find("positive integer"),
              std::string::npos);
    std::string typo = write_file("typo_model.json", R"({"model": "m", "parameters": {"batch": 1},
      "layers": [{"name": "x", "op": "add", "params": {"N": "batch*seqq", "C": 4, "W": 4, "H": 4}}]})");
    std::string e = message([&] { read_workloads_file(typo); });
    EXPECT_NE(e.find("'x'"), std::string::npos) << e;
    EXPECT_NE(e.find("'seqq', which is not a model parameter"), std::string::npos) << e;
    std::string count = write_file("count_model.json", R"({"layers": [{"op": "add", "count": 0}]})");
    EXPECT_NE(message([&] { read_workloads_file(count); }).find("\"count\" must be a positive number"),
              std::string::npos);
    std::string list = write_file("plain_list.json", R"([{"op": "add"}])");
    EXPECT_NE(message([&] { read_workloads_file(list, {"batch=2"}); }).find("is not a model"),
              std::string::npos);
    WorkloadSetOptions set;
    set.ops = {"add"};
    set.model_params = {"batch=2"};
    EXPECT_NE(message([&] { set.specs(); }).find("--model-param needs a model file"), std::string::npos);
}

}  // namespace
}  // namespace htune
