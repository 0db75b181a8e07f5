// Verifying stored records (tuner/Verify.h) with the FakeRunner: verdicts, what is stored, and
// how an imported best becomes one measured here.
#include <gtest/gtest.h>

#include <map>

#include "db/Database.h"
#include "db/Version.h"
#include "tests/support/FakeRunner.h"
#include "tuner/Verify.h"

namespace htune::test {

namespace {

const std::string kDevice = "x86-64-linux-avx-avx2-fma-sse41|Verify CPU|2t";

Schedule variant(int v) {
    Schedule s;
    StageSchedule st;
    st.splits.push_back(DimSplit{"n", {2 << v}});
    s.funcs["C"].stages.push_back(st);
    return s;
}

class VerifyTest : public ::testing::Test {
protected:
    // A stored ok record of schedule `v` of w_ with `min_ms`, as `provenance` with `halide`.
    Record stored(int v, double min_ms, Provenance provenance, const std::string &halide = halide_version()) {
        MeasureResult m;
        m.min_ms = m.median_ms = min_ms;
        m.repeats = 5;
        Record r = make_record(w_, kDevice, nlohmann::json(variant(v)), schedule_hash(variant(v)), m);
        r.provenance = provenance;
        r.halide_version = halide;
        return r;
    }
    // The FakeRunner answers from times_ (ms by schedule hash; < 0 = wrong_output).
    FakeRunner runner_{[this](const Workload &, const Schedule &s, Fault) {
        MeasureResult m;
        double t = times_.at(schedule_hash(s));
        if (t < 0) {
            m.status = Status::wrong_output;
            m.max_error = 0.25;
            m.error = "output differs from the reference";
        } else {
            m.min_ms = m.median_ms = t;
            m.repeats = 5;
        }
        return m;
    }};
    Workload w_ = make_workload("matmul", true);
    std::unique_ptr<Database> db_ = open_database(":memory:");
    std::map<std::string, double> times_;
    VerifyOptions o_ = [] {
        VerifyOptions o;
        o.device_key = kDevice;
        o.rounds = 1;
        return o;
    }();
};

}  // namespace

TEST_F(VerifyTest, ImportedBestBecomesMeasuredHereAndTheImportIsKept) {
    db_->commit({stored(0, 1.0, Provenance::imported)});
    ASSERT_EQ(trust_of(db_->best(w_.key(), kDevice).records.at(0)), Trust::imported);
    EXPECT_FALSE(best_is_current(*db_, w_.key(), kDevice));
    times_[schedule_hash(variant(0))] = 1.1;
    VerifyWorkload v = verify_workload(w_, *db_, runner_, o_);
    ASSERT_TRUE(v.error.empty()) << v.error;
    ASSERT_EQ(v.rows.size(), 1u);
    EXPECT_EQ(v.rows[0].verdict, Verdict::holds);
    EXPECT_NEAR(v.rows[0].change_pct, 10, 1e-9);
    EXPECT_EQ(verdict_text(v.rows[0]), "holds (+10.0%)");
    EXPECT_EQ(db_->count(), 2);  // the imported record and the new one
    Record best = db_->best(w_.key(), kDevice).records.at(0);
    EXPECT_EQ(trust_of(best), Trust::current);
    EXPECT_EQ(best.result.min_ms, 1.1);
    EXPECT_EQ(best.run_id, 0);
    EXPECT_TRUE(best_is_current(*db_, w_.key(), kDevice));
    std::string table = format_rows(v);
    EXPECT_NE(table.find("imported"), std::string::npos) << table;
    EXPECT_NE(table.find("holds (+10.0%)"), std::string::npos) << table;
}

TEST_F(VerifyTest, SlowerBeyondTheToleranceAndFailuresNoLongerHold) {
    db_->commit({stored(0, 1.0, Provenance::imported), stored(1, 2.0, Provenance::measured, "13.0.0"),
                 stored(2, 3.0, Provenance::imported), stored(3, 4.0, Provenance::imported)});
    times_[schedule_hash(variant(0))] = 1.5;  // 50% slower
    times_[schedule_hash(variant(1))] = -1;   // wrong output now
    times_[schedule_hash(variant(2))] = 3.6;  // 20% slower: within the 25% default
    o_.top = 3;
    VerifyWorkload v = verify_workload(w_, *db_, runner_, o_);
    ASSERT_EQ(v.rows.size(), 3u);  // variant 3 (4 ms) is not in the top 3
    EXPECT_EQ(v.rows[0].verdict, Verdict::slower);
    EXPECT_EQ(verdict_text(v.rows[0]), "slower by 50.0%");
    EXPECT_EQ(v.rows[1].verdict, Verdict::fails);
    EXPECT_EQ(verdict_text(v.rows[1]), "now fails: wrong_output (max error 0.25)");
    EXPECT_EQ(trust_of(v.rows[1].old), Trust::stale);
    EXPECT_EQ(v.rows[2].verdict, Verdict::holds);
    EXPECT_EQ(runner_.candidates_measured(), 3);
    // Now the 1.5 ms record measured here is the best; the failing schedule is never chosen again.
    Lookup top = db_->top_k(w_.key(), kDevice, 10);
    ASSERT_EQ(top.records.size(), 3u);
    EXPECT_EQ(top.records[0].result.min_ms, 1.5);
    EXPECT_EQ(top.records[1].result.min_ms, 3.6);
    EXPECT_EQ(top.records[2].result.min_ms, 4.0);  // the unverified one follows
    nlohmann::json j = to_json(v);
    EXPECT_EQ(j["rows"][1]["new_status"], "wrong_output");
    EXPECT_TRUE(j["rows"][1]["new_ms"].is_null());
    EXPECT_EQ(j["rows"][0]["verdict"], "slower");

    // A tighter tolerance turns the 20% into "slower".
    EXPECT_EQ(judge(v.rows[2].old, v.rows[2].now, 10).verdict, Verdict::slower);
}

TEST_F(VerifyTest, NoRecordIsAnErrorAndMeasuresNothing) {
    VerifyWorkload v = verify_workload(w_, *db_, runner_, o_);
    EXPECT_TRUE(v.rows.empty());
    EXPECT_NE(v.error.find("no ok record"), std::string::npos);
    EXPECT_EQ(runner_.candidates_measured(), 0);
    EXPECT_EQ(db_->count(), 0);
    EXPECT_NE(format_rows(v).find("error: no ok record"), std::string::npos);
}

TEST_F(VerifyTest, RoundsKeepEachRecordsBestRound) {
    db_->commit({stored(0, 1.0, Provenance::imported)});
    int calls = 0;
    FakeRunner runner([&](const Workload &, const Schedule &, Fault) {
        MeasureResult m;
        m.min_ms = m.median_ms = ++calls == 1 ? 3.0 : 0.9;  // a slow first round
        return m;
    });
    o_.rounds = 2;
    VerifyWorkload v = verify_workload(w_, *db_, runner, o_);
    ASSERT_EQ(v.rows.size(), 1u);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(v.rows[0].now.min_ms, 0.9);
    EXPECT_EQ(v.rows[0].verdict, Verdict::holds);
}

}  // namespace htune::test
