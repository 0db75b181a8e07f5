// `htune retrain` and tuner/Training.h on a database of synthetic-but-real records: sampled
// schedules of two tiny workloads "measured" by a FakeRunner whose times depend on the schedule
// (vectorized and parallel stages are faster), committed like `htune tune` would.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "cost_model/Featurizer.h"
#include "db/Database.h"
#include "db/DeviceKey.h"
#include "tests/support/FakeRunner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tests/RunCommand.h"
#include "tuner/Training.h"

namespace htune::test {

namespace {

// Faster with every vectorized and every parallel stage, plus a small hash-derived jitter.
MeasureResult schedule_dependent_time(const Workload &, const Schedule &s, Fault) {
    double ms = 1.0;
    for (const auto &kv : s.funcs)
        for (const auto &st : kv.second.stages)
            ms += (st.vectorize.empty() ? 0.6 : 0) + (st.parallel.empty() ? 0.4 : 0);
    ms *= 1.0 + std::stoull(schedule_hash(s).substr(0, 4), nullptr, 16) / 65536.0 * 0.05;
    MeasureResult r;
    r.min_ms = ms;
    r.median_ms = ms * 1.02;
    r.repeats = 3;
    r.threads = 2;
    return r;
}

std::string test_device() { return current_device(htune::host_target(), 2).key(); }

// `n` sampled schedules (heuristic first) of the workload, measured and committed.
void fill(Database &db, const Workload &w, int n) {
    FakeRunner runner(schedule_dependent_time);
    {
        ScheduleSpace space(w, htune::host_target());
        std::mt19937_64 rng(9);
        std::vector<Schedule> batch{space.heuristic()};
        while ((int)batch.size() < n) batch.push_back(space.sample(rng));
        std::vector<MeasureResult> results = runner.measure(w, batch);
        std::vector<Record> records;
        for (size_t i = 0; i < batch.size(); i++)
            records.push_back(make_record(w, test_device(), nlohmann::json(batch[i]), schedule_hash(batch[i]),
                                          results[i], "htune-features/1"));
        db.commit(records);
    }
}

// The same for each op at its test size.
void fill(Database &db, const std::vector<std::string> &ops, int n) {
    for (const std::string &op : ops) fill(db, make_workload(op, /*test_size=*/true), n);
}

// blur3x3 at two sizes, unsharp_mask and harris: three operators, four workloads.
void fill_three_operators(Database &db, int n) {
    fill(db, {"blur3x3", "unsharp_mask", "harris"}, n);
    fill(db, make_workload(WorkloadSpec{"blur3x3", "", {{"W", "96"}, {"H", "40"}}}), n);
}

}  // namespace

TEST(RetrainTest, TrainsReportsAndStoresAModelThatLoadsAndPredicts) {
    std::string dir = temp_dir(), db_path = dir + "/t.db";
    {
        auto db = open_database(db_path);
        fill(*db, {"blur3x3", "unsharp_mask"}, 30);
    }
    CommandResult r = run_htune("retrain --db " + db_path + " --device-key '" + test_device() + "' --json " +
                                dir + "/m.json --out " + dir + "/model.bin --folds 3");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("held-out workloads"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/m.json"));
    EXPECT_EQ(j["device_key"], test_device());
    EXPECT_EQ(j["records"], 60);
    EXPECT_EQ(j["workloads"], 2);
    for (const char *part : {"held_out_operators", "held_out_workloads", "held_out_candidates"}) {
        const auto &m = j[part];
        for (const char *k : {"pairwise_accuracy", "spearman", "top1_recall", "top5pct_recall"}) {
            ASSERT_TRUE(m[k].is_number()) << part << "." << k << ": " << j.dump(2);
            EXPECT_GE(m[k].get<double>(),
                      part != std::string("held_out_candidates") && k == std::string("spearman") ? -1 : 0);
            EXPECT_LE(m[k].get<double>(), 1.0);
        }
        EXPECT_EQ(m["records"], 60) << part;
        EXPECT_EQ(m["workloads"], 2) << part;
        // The time-gap bands split exactly the pairs the overall accuracy is computed on.
        ASSERT_EQ(m["pairwise_by_time_gap"].size(), 4u) << part;
        std::size_t pairs = 0;
        double correct = 0;
        for (const auto &band : m["pairwise_by_time_gap"]) {
            pairs += band["pairs"].get<std::size_t>();
            if (band["pairs"].get<std::size_t>() > 0)
                correct += band["pairwise_accuracy"].get<double>() * band["pairs"].get<double>();
        }
        EXPECT_EQ(pairs, m["pairs"].get<std::size_t>()) << part;
        EXPECT_NEAR(correct / pairs, m["pairwise_accuracy"].get<double>(), 1e-9) << part;
    }
    EXPECT_NE(r.out.find("pairwise by time gap"), std::string::npos) << r.out;
    EXPECT_EQ(j["held_out_operators"]["pairwise_by_time_gap"][3]["band"], ">=2x");
    EXPECT_TRUE(j["held_out_operators"]["pairwise_by_time_gap"][3]["max_ratio"].is_null());
    EXPECT_EQ(j["held_out_operators"]["folds"], 2);  // k = min(--folds, operators)
    EXPECT_EQ(j["held_out_workloads"]["folds"], 2);  // k = min(--folds, workloads)
    EXPECT_EQ(j["held_out_candidates"]["folds"], 3);
    // The schedule-dependent times are learnable within a workload.
    EXPECT_GT(j["held_out_candidates"]["pairwise_accuracy"].get<double>(), 0.7) << j.dump(2);

    auto db = open_database(db_path);
    auto stored = db->get_model(test_device(), feature_schema().name, feature_schema().version);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->metrics["records"], 60);
    std::unique_ptr<CostModel> model = load_stored_model(*db, test_device());
    ASSERT_TRUE(model);
    TrainingSet set = load_training_set(*db, test_device());
    ASSERT_EQ(set.features.rows, 60u);
    std::vector<float> scores = model->predict(set.features);
    ASSERT_EQ(scores.size(), 60u);
    for (float s : scores) EXPECT_TRUE(std::isfinite(s));
    // The file copy is the same model.
    auto from_file = make_xgboost_model();
    from_file->load(dir + "/model.bin", &feature_schema());
    EXPECT_EQ(from_file->predict(set.features), scores);
    // No stored model for another device type.
    EXPECT_FALSE(load_stored_model(*db, current_device(htune::host_target(), 7).key()));
    run_shell("rm -rf " + dir);
}

TEST(RetrainTest, OneWorkloadHasNoHeldOutWorkloadMetrics) {
    std::string dir = temp_dir(), db_path = dir + "/t.db";
    {
        auto db = open_database(db_path);
        fill(*db, {"blur3x3"}, 12);
    }
    CommandResult r = run_htune("retrain --db " + db_path + " --device-key '" + test_device() + "' --json " +
                                dir + "/m.json");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("n/a (needs 2 workloads)"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/m.json"));
    EXPECT_TRUE(j["held_out_workloads"]["pairwise_accuracy"].is_null());
    EXPECT_EQ(j["held_out_workloads"]["note"], "n/a (needs 2 workloads)");
    EXPECT_TRUE(j["held_out_candidates"]["pairwise_accuracy"].is_number());
    run_shell("rm -rf " + dir);
}

TEST(RetrainTest, EmptyDatabaseIsAClearErrorAndStaysUntouched) {
    std::string dir = temp_dir(), db_path = dir + "/t.db";
    open_database(db_path);  // a valid, empty database
    CommandResult r = run_htune("retrain --db " + db_path + " --device-key '" + test_device() + "' --json " +
                                dir + "/m.json");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("no ok measurements for device " + test_device()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("run `htune tune` first"), std::string::npos) << r.err;
    auto db = open_database(db_path);
    EXPECT_EQ(db->count(), 0);
    EXPECT_FALSE(db->get_model(test_device(), feature_schema().name, feature_schema().version));
    EXPECT_TRUE(read_file(dir + "/m.json").empty());
    run_shell("rm -rf " + dir);
}

TEST(RetrainTest, WorkloadsThatCannotBeRebuiltAreSkippedWithAWarning) {
    auto db = open_database(":memory:");
    fill(*db, {"blur3x3"}, 6);
    Workload w = make_workload("blur3x3", true);
    Schedule h = ScheduleSpace(w, htune::host_target()).heuristic();
    Record gone =
        make_record(w, test_device(), nlohmann::json(h), schedule_hash(h), schedule_dependent_time(w, h, {}));
    gone.workload = WorkloadSpec{"sharpen_blend", "/nonexistent/libgone.so", {}};
    gone.workload_key = "sharpen_blend:#0000";
    db->commit({gone});
    ::testing::internal::CaptureStderr();
    TrainingSet set = load_training_set(*db, test_device());
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(set.features.rows, 6u);
    EXPECT_EQ(set.workload_keys.size(), 1u);
    EXPECT_EQ(set.skipped_records, 1u);
    EXPECT_NE(err.find("skipped 1 record(s) of sharpen_blend:#0000"), std::string::npos) << err;
    EXPECT_NO_THROW(set.features.check_valid("test"));
}

TEST(RetrainTest, OperatorFoldsAndTheNamedHoldOutLeaveWholeOperatorsOut) {
    auto db = open_database(":memory:");
    fill_three_operators(*db, 8);
    TrainingSet set = load_training_set(*db, test_device());
    ASSERT_EQ(set.workload_keys.size(), 4u);
    EXPECT_EQ(operators_of(set), (std::vector<std::string>{"blur3x3", "unsharp_mask", "harris"}));
    auto op_of_row = [&](std::size_t r) { return set.workload_ops.at(set.groups.at(r)); };

    // Named: every blur3x3 row (both sizes) is tested, none is trained on.
    Fold named = hold_out_operators(set, {"blur3x3"});
    EXPECT_EQ(named.test.size(), 16u);
    EXPECT_EQ(named.train.size(), 16u);
    for (std::size_t r : named.test) EXPECT_EQ(op_of_row(r), "blur3x3");
    for (std::size_t r : named.train) EXPECT_NE(op_of_row(r), "blur3x3");
    std::set<GroupId> held_groups;
    for (std::size_t r : named.test) held_groups.insert(set.groups[r]);
    EXPECT_EQ(held_groups.size(), 2u);  // both parameter settings
    EXPECT_THROW(hold_out_operators(set, {"matmul"}), Error);

    // k-fold over operators: no operator is on both sides of any fold, each is tested once.
    std::vector<Fold> folds = kfold_by_operator(set, 3, 7);
    ASSERT_EQ(folds.size(), 3u);
    std::map<std::string, int> tested;
    for (const Fold &f : folds) {
        std::set<std::string> train_ops, test_ops;
        for (std::size_t r : f.train) train_ops.insert(op_of_row(r));
        for (std::size_t r : f.test) test_ops.insert(op_of_row(r));
        for (const std::string &op : test_ops) {
            EXPECT_EQ(train_ops.count(op), 0u) << op;
            tested[op]++;
        }
        EXPECT_EQ(f.train.size() + f.test.size(), set.features.rows);
    }
    EXPECT_EQ(tested, (std::map<std::string, int>{{"blur3x3", 1}, {"harris", 1}, {"unsharp_mask", 1}}));

    // The subset keeps the right rows and renumbers groups over the workloads it keeps.
    TrainingSet rest = subset(set, named.train);
    EXPECT_EQ(rest.features.rows, 16u);
    EXPECT_EQ(operators_of(rest), (std::vector<std::string>{"unsharp_mask", "harris"}));
    for (GroupId g : rest.groups) EXPECT_LT(g, rest.workload_keys.size());
}

TEST(RetrainTest, HoldOutKeepsTheNamedOperatorsOutOfTheStoredModelAndReportsThem) {
    std::string dir = temp_dir(), db_path = dir + "/t.db";
    {
        auto db = open_database(db_path);
        fill_three_operators(*db, 10);
    }
    CommandResult r = run_htune("retrain --db " + db_path + " --device-key '" + test_device() + "' --json " +
                                dir + "/m.json --hold-out blur3x3 --folds 3");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("held out: blur3x3 (20 records)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("named operators"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("held-out operators"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/m.json"));
    EXPECT_EQ(j["records"], 20);  // trained on unsharp_mask and harris only
    EXPECT_EQ(j["operators"], (nlohmann::json{"unsharp_mask", "harris"}));
    EXPECT_EQ(j["hold_out"], (nlohmann::json{"blur3x3"}));
    EXPECT_EQ(j["held_out_named"]["records"], 20);
    EXPECT_EQ(j["held_out_named"]["workloads"], 2);
    EXPECT_TRUE(j["held_out_named"]["pairwise_accuracy"].is_number()) << j.dump(2);
    EXPECT_EQ(j["held_out_operators"]["folds"], 2);  // two operators left
    auto db = open_database(db_path);
    auto stored = db->get_model(test_device(), feature_schema().name, feature_schema().version);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->metrics["records"], 20);

    // An operator without records is one clear usage error, and nothing is stored.
    db.reset();
    run_shell("rm -f " + db_path);
    {
        auto fresh = open_database(db_path);
        fill_three_operators(*fresh, 4);
    }
    r = run_htune("retrain --db " + db_path + " --device-key '" + test_device() +
                  "' --hold-out blur3x3,conv2d");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("--hold-out: no ok measurements of operator 'conv2d'"), std::string::npos) << r.err;
    EXPECT_FALSE(
        open_database(db_path)->get_model(test_device(), feature_schema().name, feature_schema().version));
    run_shell("rm -rf " + dir);
}

TEST(RetrainTest, AModelFileWarmStartsTuneInAnotherDatabase) {
    // The transfer experiment's path: a model retrained (here on fake records) and saved to a
    // file warm-starts `htune tune` in a database that holds no model; a bad file is one error
    // line before the database is touched.
    std::string dir = temp_dir(), db_path = dir + "/t.db", other = dir + "/other.db";
    {
        auto db = open_database(db_path);
        fill(*db, {"blur3x3", "unsharp_mask"}, 12);
    }
    CommandResult r = run_htune("retrain --db " + db_path + " --device-key '" + test_device() + "' --out " +
                                dir + "/m.bin");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const std::string tune =
        "tune --op blur3x3 --test-size --batch-size 4 --seed-autoschedulers none "
        "--sketches off --threads 2 --min-repeats 2 --min-seconds 0.01 --db " +
        other;
    r = run_htune(tune + " --trials 4 --model " + dir + "/m.bin --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.err.find("(transfer: " + dir + "/m.bin)"), std::string::npos) << r.err;
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    EXPECT_EQ(j["options"]["model"], dir + "/m.bin");
    EXPECT_EQ(j["options"]["transfer"], true);
    int64_t records = open_database(other)->count();
    EXPECT_EQ(records, 4);

    for (const std::string &bad : {dir + "/missing.bin", db_path}) {
        r = run_htune(tune + " --trials 8 --model " + bad);
        EXPECT_NE(r.exit_code, 0) << bad;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
        EXPECT_EQ(open_database(other)->count(), records);
    }
    r = run_htune(tune + " --trials 4 --model " + dir + "/m.bin --cold");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--model and --cold exclude each other"), std::string::npos) << r.err;
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
