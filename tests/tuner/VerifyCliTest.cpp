// `htune verify` and `htune revalidate` end to end: real measurements of test-size matmul
// (a second or two each), with the fastest measurement options.
#include <gtest/gtest.h>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "db/Version.h"
#include "ops/HostTarget.h"
#include "schedules/Space.h"
#include "tests/RunCommand.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

const std::string kFast = " --rounds 1 --warmup 0 --min-repeats 1 --min-seconds 0 --workers 1";

int count_lines(const std::string &s) { return (int)std::count(s.begin(), s.end(), '\n'); }

class VerifyCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = temp_dir();
        db_ = dir_ + "/v.db";
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

    // The heuristic schedule of `w` stored as measured long ago: 1000 ms, so that it holds now.
    Record old_record(const Workload &w) {
        Schedule s = ScheduleSpace(w, host_target()).heuristic();
        MeasureResult m;
        m.min_ms = m.median_ms = 1000;
        m.repeats = 5;
        return make_record(w, host_device().key(), nlohmann::json(s), schedule_hash(s), m);
    }
    int64_t count() { return open_database(db_)->count(); }

    std::string dir_, db_;
};

}  // namespace

TEST_F(VerifyCliTest, ImportedBestSaysImportedUntilVerifyMeasuresItHere) {
    Workload w = make_workload("matmul", true);
    write_jsonl(dir_ + "/log.jsonl", {old_record(w)});
    ASSERT_EQ(run_htune("import --db " + db_ + " " + dir_ + "/log.jsonl").exit_code, 0);
    CommandResult r = run_htune("best --op matmul --test-size --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("record:    imported"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("`htune verify` re-measures it"), std::string::npos) << r.out;

    r = run_htune("verify --op matmul --test-size --db " + db_ + " --top 2 --json " + dir_ + "/v.json" +
                  kFast);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("matmul:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("imported"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("holds (-"), std::string::npos) << r.out;  // 1000 ms then, far less now
    EXPECT_NE(r.out.find("1 hold, 0 slower, 0 now fail"), std::string::npos) << r.out;
    nlohmann::json j = nlohmann::json::parse(read_file(dir_ + "/v.json"));
    EXPECT_EQ(j["format"], "htune-verify/1");
    ASSERT_EQ(j["workloads"][0]["rows"].size(), 1u);
    EXPECT_EQ(j["workloads"][0]["rows"][0]["was"], "imported");
    EXPECT_EQ(j["workloads"][0]["rows"][0]["verdict"], "holds");
    EXPECT_LT(j["workloads"][0]["rows"][0]["new_ms"].get<double>(), 1000);

    r = run_htune("best --op matmul --test-size --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("record:    measured here (htune " + std::string(htune_version())),
              std::string::npos)
        << r.out;
    EXPECT_EQ(count(), 2);  // the imported record is kept beside the new one
}

TEST_F(VerifyCliTest, RevalidatePicksUpAnotherHalideVersionWithinItsBudgetAndResumes) {
    Workload a = make_workload("matmul", true);
    Workload b = make_workload(WorkloadSpec{"matmul", "", {{"M", "32"}, {"N", "32"}, {"K", "32"}}});
    Workload c = make_workload(WorkloadSpec{"matmul", "", {{"M", "16"}, {"N", "16"}, {"K", "16"}}});
    {
        auto db = open_database(db_);
        Record ra = old_record(a), rb = old_record(b);
        ra.halide_version = rb.halide_version = "13.0.0";  // measured here before an upgrade
        db->commit({ra, rb, old_record(c)});               // c is current: nothing to do
    }
    CommandResult r = run_htune("revalidate --dry-run --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("2 of 3 workload(s) need revalidation"), std::string::npos) << r.out;
    EXPECT_NE(
        r.out.find("stale: measured here with htune " + std::string(htune_version()) + ", Halide 13.0.0"),
        std::string::npos)
        << r.out;
    EXPECT_EQ(count(), 3);  // a dry run measures and stores nothing

    // A budget spent at once: one workload (every run makes progress), then it stops.
    r = run_htune("revalidate --db " + db_ + " --time-budget 0.001" + kFast);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("revalidated 1 workload(s): 1 hold"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 workload(s) still need revalidation (time budget reached)"), std::string::npos)
        << r.out;
    r = run_htune("revalidate --db " + db_ + kFast);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("1 of 3 workload(s) need revalidation"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("revalidated 1 workload(s): 1 hold"), std::string::npos) << r.out;
    r = run_htune("revalidate --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("0 of 3 workload(s) need revalidation"), std::string::npos) << r.out;
    EXPECT_EQ(count(), 5);  // both Halide 13 records kept
}

TEST_F(VerifyCliTest, BadInputIsOneLineAndNonZero) {
    struct Case {
        std::string args, needle;
        int code;
    };
    for (const Case &c : std::vector<Case>{
             {"verify --op matmul --test-size --json " + dir_ + "/v.json --db " + dir_ + "/missing.db",
              "no database", 1},
             {"verify --op matmul --test-size --json /no/such/dir/v.json --db " + db_, "cannot write", 1},
             {"verify --db " + db_, "verify: choose workloads", 2},
             {"verify --op matmul --test-size --top 0 --db " + db_, "--top must be", 2},
             {"verify --op matmul --test-size --tolerance -5 --db " + db_, "--tolerance must be", 2},
             {"verify --op no_such_op --db " + db_, "no_such_op", 2},
             {"revalidate --time-budget soon --db " + db_, "bad duration 'soon'", 2},
             {"revalidate --db " + dir_ + "/missing.db", "no database", 1},
             {"build --op matmul --test-size -o " + dir_ + "/out --verify --target x86-64-linux",
              "--target host", 2}}) {
        CommandResult r = run_htune(c.args);
        EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
        EXPECT_EQ(count_lines(r.err), 1) << c.args << "\n" << r.err;
        EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    }
    EXPECT_FALSE(std::ifstream(dir_ + "/missing.db").good());  // never created
    EXPECT_FALSE(std::ifstream(dir_ + "/v.json").good());      // no report from a failed run
}

}  // namespace htune::test
