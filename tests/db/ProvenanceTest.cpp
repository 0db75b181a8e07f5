// Record provenance (db/Record.h): how a record entered the database, and how top_k prefers
// records measured here by this htune and Halide over imported and stale ones.
#include <gtest/gtest.h>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "db/Version.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

// A record measured here by this build (Trust::current).
Record current_record(int workload, int variant, double min_ms, Status status = Status::ok) {
    Record r = fake_record(workload, kDeviceA, variant, min_ms, status);
    r.htune_version = htune_version();
    r.halide_version = halide_version();
    return r;
}

Record imported_record(int workload, int variant, double min_ms) {
    Record r = current_record(workload, variant, min_ms);
    r.provenance = Provenance::imported;
    return r;
}

class ProvenanceTest : public ::testing::Test {
protected:
    std::unique_ptr<Database> db_ = open_database(":memory:");
};

}  // namespace

TEST_F(ProvenanceTest, TrustSaysMeasuredHereStaleOrImported) {
    EXPECT_EQ(trust_of(current_record(1, 1, 1.0)), Trust::current);
    EXPECT_EQ(trust_of(imported_record(1, 1, 1.0)), Trust::imported);
    Record stale = current_record(1, 1, 1.0);
    stale.halide_version = "13.0.0";
    EXPECT_EQ(trust_of(stale), Trust::stale);
    EXPECT_NE(describe_trust(stale).find("stale: measured here with htune " + std::string(htune_version()) +
                                         ", Halide 13.0.0"),
              std::string::npos)
        << describe_trust(stale);
    EXPECT_EQ(describe_trust(imported_record(1, 1, 1.0)).rfind("imported", 0), 0u);
}

TEST_F(ProvenanceTest, MeasuredHereOutranksAFasterImportedRecordWhichFillsTheRest) {
    db_->commit({imported_record(1, 1, 1.0), current_record(1, 2, 2.0)});
    Lookup best = db_->best(fake_workload_key(1), kDeviceA);
    ASSERT_EQ(best.records.size(), 1u);
    EXPECT_EQ(best.records[0].result.min_ms, 2.0);
    EXPECT_EQ(best.records[0].provenance, Provenance::measured);
    Lookup top = db_->top_k(fake_workload_key(1), kDeviceA, 5);
    ASSERT_EQ(top.records.size(), 2u);
    EXPECT_EQ(top.records[1].provenance, Provenance::imported);
    EXPECT_EQ(top.records[1].result.min_ms, 1.0);
}

TEST_F(ProvenanceTest, ARemeasurementIsANewRowAndAFailureNowHidesTheOldSuccess) {
    Record old = imported_record(1, 1, 1.0);
    Record other = fake_record(1, kDeviceA, 2, 3.0);  // stale ("test" htune version)
    db_->commit({old, other});
    Record now = current_record(1, 1, 0, Status::wrong_output);
    CommitStats c = db_->commit({now}, OnDuplicate::replace);
    EXPECT_EQ(c.inserted, 1);
    EXPECT_EQ(db_->count(), 3);  // the imported row is kept
    Lookup best = db_->best(fake_workload_key(1), kDeviceA);
    ASSERT_EQ(best.records.size(), 1u);
    EXPECT_EQ(best.records[0].schedule_hash, other.schedule_hash);  // not the failing one
    // Measured again under the same versions: that row is updated, nothing is added.
    c = db_->commit({current_record(1, 1, 0.5)}, OnDuplicate::replace);
    EXPECT_EQ(c.inserted, 0);
    EXPECT_EQ(db_->count(), 3);
    best = db_->best(fake_workload_key(1), kDeviceA);
    EXPECT_EQ(best.records.at(0).schedule_hash, old.schedule_hash);
    EXPECT_EQ(best.records.at(0).result.min_ms, 0.5);
    EXPECT_EQ(trust_of(best.records.at(0)), Trust::current);
}

TEST_F(ProvenanceTest, ImportSkipsASchedulePresentInAnyForm) {
    db_->commit({fake_record(1, kDeviceA, 1, 1.0)});
    CommitStats c = db_->commit({imported_record(1, 1, 0.5)});
    EXPECT_EQ(c.inserted, 0);
    EXPECT_EQ(c.duplicates, 1);
    EXPECT_EQ(db_->count(), 1);
}

TEST_F(ProvenanceTest, WorkloadKeysAreThoseWithAnOkRecordOnTheTarget) {
    db_->commit({fake_record(1, kDeviceA, 1, 1.0), fake_record(2, kDeviceB, 1, 1.0),
                 fake_record(3, kDeviceA, 1, 0, Status::crash), fake_record(4, kDeviceArm, 1, 1.0)});
    std::vector<std::string> keys = db_->workload_keys(DeviceKey::parse(kDeviceA).target);
    EXPECT_EQ(keys, (std::vector<std::string>{fake_workload_key(1), fake_workload_key(2)}));
}

}  // namespace htune::test
