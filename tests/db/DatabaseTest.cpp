// The Database seam on real SQLite files: commit/scan round trips, dedup, has(), best and
// top-k over ok records with device fallback, history, devices, runs and models.
#include <gtest/gtest.h>

#include <cstdlib>

#include "db/Database.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "tests/RunCommand.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

class DatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = temp_dir();
        path_ = dir_ + "/t.db";
        db_ = open_database(path_);
    }
    void TearDown() override {
        db_.reset();
        std::system(("rm -rf " + dir_).c_str());
    }
    std::vector<Record> all() {
        std::vector<Record> out;
        db_->scan({}, [&](const Record &r) { out.push_back(r); });
        return out;
    }
    std::string dir_, path_;
    std::unique_ptr<Database> db_;
};

}  // namespace

TEST_F(DatabaseTest, CommitThenScanRoundTripsRecordsInCommitOrder) {
    std::vector<Record> batch = {fake_record(1, kDeviceA, 1, 3.0),
                                 fake_record(1, kDeviceA, 2, 0, Status::timeout),
                                 fake_record(2, kDeviceB, 1, 1.0)};
    batch[1].result.host = "node2/rank 1";  // measured by a host of `tune --mpi`
    CommitStats s = db_->commit(batch);
    EXPECT_EQ(s.inserted, 3);
    EXPECT_EQ(s.duplicates, 0);
    std::vector<Record> back = all();
    ASSERT_EQ(back.size(), 3u);
    for (size_t i = 0; i < back.size(); i++) {
        EXPECT_GT(back[i].id, i ? back[i - 1].id : 0);
        Record expect = batch[i];
        expect.id = back[i].id;
        EXPECT_EQ(back[i], expect) << i;
    }
    // Survives closing and reopening.
    db_ = open_database(path_);
    EXPECT_EQ(db_->count(), 3);
    EXPECT_EQ(db_->count({{}, fake_workload_key(1), "", false}), 2);
    EXPECT_EQ(db_->count({{}, fake_workload_key(1), "", true}), 1);
    EXPECT_EQ(db_->count({{"fake", "other"}, "", kDeviceB, false}), 1);
    EXPECT_EQ(db_->count({{"other"}, "", "", false}), 0);
    EXPECT_EQ(db_->integrity_check(), "ok");
}

TEST_F(DatabaseTest, DuplicatesAreSkippedOrReplacedAndHasSeesThem) {
    Record r = fake_record(1, kDeviceA, 1, 3.0);
    EXPECT_FALSE(db_->has(r.workload_key, kDeviceA, r.schedule_hash));
    EXPECT_EQ(db_->commit({r, r}).duplicates, 1);  // a repeat within one batch too
    EXPECT_TRUE(db_->has(r.workload_key, kDeviceA, r.schedule_hash));
    EXPECT_FALSE(db_->has(r.workload_key, kDeviceB, r.schedule_hash));
    EXPECT_FALSE(db_->has(fake_workload_key(9), kDeviceA, r.schedule_hash));

    Record remeasured = r;
    remeasured.result.min_ms = 2.5;
    remeasured.result.median_ms = 2.6;
    CommitStats skip = db_->commit({remeasured});
    EXPECT_EQ(skip.inserted, 0);
    EXPECT_EQ(skip.duplicates, 1);
    EXPECT_EQ(all().at(0).result.min_ms, 3.0);
    // A confirmation (the end of a tune) takes the new results and keeps when it was found.
    Record confirmed = r;
    confirmed.result.min_ms = 2.8;
    confirmed.timestamp = r.timestamp + 3600;
    CommitStats confirm = db_->commit({confirmed}, OnDuplicate::confirm);
    EXPECT_EQ(confirm.duplicates, 1);
    std::vector<Record> back = all();
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].result.min_ms, 2.8);
    EXPECT_EQ(back[0].timestamp, r.timestamp);
    // A re-measurement (verify) takes both.
    remeasured.timestamp = r.timestamp + 7200;
    CommitStats replace = db_->commit({remeasured}, OnDuplicate::replace);
    EXPECT_EQ(replace.duplicates, 1);
    back = all();
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].result.min_ms, 2.5);
    EXPECT_EQ(back[0].timestamp, r.timestamp + 7200);

    db_->commit({fake_record(1, kDeviceA, 2, 0, Status::crash)});
    std::set<std::string> hashes = db_->measured_hashes(r.workload_key, kDeviceA);
    EXPECT_EQ(hashes, (std::set<std::string>{r.schedule_hash, fake_record(1, kDeviceA, 2, 1).schedule_hash}));
    EXPECT_TRUE(db_->measured_hashes(r.workload_key, kDeviceArm).empty());
}

TEST_F(DatabaseTest, BestAndTopKUseOkRecordsOnlyFastestFirst) {
    db_->commit({fake_record(1, kDeviceA, 1, 5.0), fake_record(1, kDeviceA, 2, 0, Status::wrong_output),
                 fake_record(1, kDeviceA, 3, 2.0), fake_record(1, kDeviceA, 4, 0, Status::compile_error),
                 fake_record(1, kDeviceA, 5, 4.0), fake_record(2, kDeviceA, 1, 0.5),
                 fake_record(1, kDeviceB, 6, 0.1)});
    Lookup best = db_->best(fake_workload_key(1), kDeviceA);
    EXPECT_EQ(best.level, Fallback::exact_device);
    ASSERT_EQ(best.records.size(), 1u);
    EXPECT_EQ(best.records[0].result.min_ms, 2.0);  // not B's 0.1: the exact type answers first
    EXPECT_EQ(best.records[0].schedule, nlohmann::json(fake_schedule(3)));

    Lookup top = db_->top_k(fake_workload_key(1), kDeviceA, 10);
    ASSERT_EQ(top.records.size(), 3u);
    EXPECT_EQ(top.records[0].result.min_ms, 2.0);
    EXPECT_EQ(top.records[1].result.min_ms, 4.0);
    EXPECT_EQ(top.records[2].result.min_ms, 5.0);
    for (const auto &r : top.records) EXPECT_EQ(r.result.status, Status::ok);
    EXPECT_EQ(db_->top_k(fake_workload_key(1), kDeviceA, 2).records.size(), 2u);

    EXPECT_EQ(db_->best(fake_workload_key(7), kDeviceA).level, Fallback::none);
    EXPECT_TRUE(db_->best(fake_workload_key(7), kDeviceA).records.empty());
    EXPECT_THROW(db_->best(fake_workload_key(1), "not-a-device-key"), Error);
}

TEST_F(DatabaseTest, FallsBackToTheSameTargetAndSaysSo) {
    db_->commit({fake_record(1, kDeviceB, 1, 3.0), fake_record(1, kDeviceB, 2, 1.5),
                 fake_record(1, kDeviceArm, 3, 0.2), fake_record(2, kDeviceA, 1, 0, Status::timeout),
                 fake_record(2, kDeviceB, 2, 9.0)});
    // A: nothing for workload 1 -> B (same target), never the ARM device.
    Lookup l = db_->best(fake_workload_key(1), kDeviceA);
    EXPECT_EQ(l.level, Fallback::same_target);
    ASSERT_EQ(l.records.size(), 1u);
    EXPECT_EQ(l.records[0].device_key, kDeviceB);
    EXPECT_EQ(l.records[0].result.min_ms, 1.5);
    // A device type the database has never seen falls back the same way.
    const std::string unseen = "x86-64-linux-avx-avx2-fma-sse41|Brand New CPU|16t";
    EXPECT_EQ(db_->best(fake_workload_key(1), unseen).level, Fallback::same_target);
    // A only has a failed record for workload 2: failures never answer, B does.
    Lookup l2 = db_->best(fake_workload_key(2), kDeviceA);
    EXPECT_EQ(l2.level, Fallback::same_target);
    EXPECT_EQ(l2.records.at(0).result.min_ms, 9.0);
    // Another target: no fallback across ISAs.
    EXPECT_EQ(db_->best(fake_workload_key(2), kDeviceArm).level, Fallback::none);
    EXPECT_EQ(db_->best(fake_workload_key(1), kDeviceArm).level, Fallback::exact_device);
    EXPECT_STREQ(to_string(Fallback::same_target), "same target features");
}

TEST_F(DatabaseTest, HistoryIsBestSoFarPerTrialInCommitOrder) {
    db_->commit({fake_record(1, kDeviceA, 1, 0, Status::crash), fake_record(1, kDeviceA, 2, 5.0)});
    db_->commit({fake_record(1, kDeviceA, 3, 7.0), fake_record(1, kDeviceB, 9, 0.1)});
    db_->commit({fake_record(1, kDeviceA, 4, 3.0), fake_record(1, kDeviceA, 5, 0, Status::timeout),
                 fake_record(1, kDeviceA, 6, 4.0)});
    std::vector<HistoryPoint> h = db_->history(fake_workload_key(1), kDeviceA);
    ASSERT_EQ(h.size(), 6u);
    std::vector<double> best, ms;
    for (const auto &p : h) best.push_back(p.best_ms), ms.push_back(p.min_ms);
    EXPECT_EQ(best, (std::vector<double>{0, 5, 5, 3, 3, 3}));
    EXPECT_EQ(ms, (std::vector<double>{0, 5, 7, 3, 0, 4}));
    EXPECT_EQ(h[0].trial, 1);
    EXPECT_EQ(h[5].trial, 6);
    EXPECT_EQ(h[0].status, Status::crash);
    EXPECT_LT(h[0].record_id, h[1].record_id);
    // Each point carries its record's timestamp (fake_record: 1700000000 + variant), for the
    // model-latency curve over wall-clock time of `htune compare`.
    std::vector<int64_t> stamps;
    for (const auto &p : h) stamps.push_back(p.timestamp);
    EXPECT_EQ(stamps,
              (std::vector<int64_t>{1700000001, 1700000002, 1700000003, 1700000004, 1700000005, 1700000006}));
    EXPECT_TRUE(db_->history(fake_workload_key(1), kDeviceArm).empty());
}

TEST_F(DatabaseTest, DevicesListsEveryDeviceTypeWithCounts) {
    EXPECT_TRUE(db_->devices().empty());
    db_->commit({fake_record(1, kDeviceA, 1, 1.0), fake_record(2, kDeviceA, 1, 0, Status::crash),
                 fake_record(1, kDeviceB, 1, 1.0)});
    std::vector<DeviceSummary> d = db_->devices();
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].key, kDeviceA);
    EXPECT_EQ(d[0].cpu_model, "Test CPU A");
    EXPECT_EQ(d[0].target, "x86-64-linux-avx-avx2-fma-sse41");
    EXPECT_EQ(d[0].threads, 2);
    EXPECT_EQ(d[0].records, 2);
    EXPECT_EQ(d[0].ok_records, 1);
    EXPECT_EQ(d[0].workloads, 2);
    EXPECT_EQ(d[1].key, kDeviceB);
    EXPECT_EQ(d[1].records, 1);
}

TEST_F(DatabaseTest, RunsAndModelsAreStored) {
    RunInfo run;
    run.options = {{"trials", 64}, {"batch", 8}};
    run.seed = 0xfedcba9876543210ull;  // above INT64_MAX: stored bit for bit
    run.command_line = "htune tune --op matmul";
    int64_t id = db_->begin_run(run);
    EXPECT_GT(id, 0);
    std::optional<RunInfo> back = db_->run(id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->options, run.options);
    EXPECT_EQ(back->seed, run.seed);
    EXPECT_EQ(back->htune_version, htune_version());
    EXPECT_GT(back->started, 0);
    EXPECT_FALSE(db_->run(id + 1));

    Record r = fake_record(1, kDeviceA, 1, 1.0);
    r.run_id = id;
    db_->commit({r});
    EXPECT_EQ(all().at(0).run_id, id);

    EXPECT_FALSE(db_->get_model(kDeviceA, "htune-features", 1));
    StoredModel m{kDeviceA, "htune-features", 1, 100, {0, 1, 2, 255}, {{"spearman", 0.8}}};
    db_->put_model(m);
    StoredModel newer = m;
    newer.created = 200;
    newer.blob = {9, 9};
    db_->put_model(newer);
    auto got = db_->get_model(kDeviceA, "htune-features", 1);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->blob, newer.blob);
    EXPECT_EQ(got->metrics, m.metrics);
    EXPECT_FALSE(db_->get_model(kDeviceA, "htune-features", 2));  // another schema version
    EXPECT_FALSE(db_->get_model(kDeviceB, "htune-features", 1));
}

TEST(InMemoryDatabaseTest, MemoryDatabaseIsAPrivateFake) {
    auto db = open_database(":memory:");
    db->commit({fake_record(1, kDeviceA, 1, 1.0)});
    EXPECT_EQ(db->count(), 1);
    EXPECT_EQ(open_database(":memory:")->count(), 0);
}

}  // namespace htune::test
