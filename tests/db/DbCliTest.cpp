// The database commands of the CLI: import (idempotent, validated), export, best (with the
// fallback level), devices; exit codes and one-line errors.
#include <gtest/gtest.h>

#include <cstdlib>

#include "db/Database.h"
#include "measure/Machine.h"
#include "ops/OpRegistry.h"
#include "tests/RunCommand.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

int count_lines(const std::string &s) { return (int)std::count(s.begin(), s.end(), '\n'); }

class DbCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = temp_dir();
        db_ = dir_ + "/cli.db";
        // Records of a real workload, so that `htune best --op` finds them by its key.
        Workload w = make_workload(WorkloadSpec{"matmul", "", {{"M", "64"}, {"N", "32"}, {"K", "16"}}});
        // The key as a fresh `htune` process computes it: in this process, earlier tests that
        // built the same algorithm can change Halide's generated names (see the report).
        CommandResult d = run_htune("ops --describe matmul -p M=64 -p N=32 -p K=16");
        auto at = d.out.find("key:       ");
        ASSERT_NE(at, std::string::npos) << d.out << d.err;
        key_ = d.out.substr(at + 11, d.out.find('\n', at) - at - 11);
        for (int i = 0; i < 3; i++) {
            Record r = fake_record(0, kDeviceA, i, 4.0 - i, i == 2 ? Status::runtime_error : Status::ok);
            r.workload_key = key_;
            r.workload = spec_of(w);
            r.flops = w.flops();
            Schedule s;  // valid for matmul, so that `htune best` can print its C++
            s.funcs["C"].stages.push_back(StageSchedule{{DimSplit{"n", {2 << i}}}, {}, "", {}, {}});
            r.schedule = s;
            r.schedule_hash = schedule_hash(s);
            r.provenance = Provenance::imported;  // what reading a log gives
            records_.push_back(r);
        }
        log_ = dir_ + "/log.jsonl";
        write_jsonl(log_, records_);
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

    CommandResult htune(const std::string &args) { return run_htune(args); }

    std::string dir_, db_, log_, key_;
    std::vector<Record> records_;
};

const char *kMatmul = "--op matmul -p M=64 -p N=32 -p K=16";

}  // namespace

TEST_F(DbCliTest, ImportIsIdempotentAndExportRoundTrips) {
    CommandResult r = htune("import --db " + db_ + " " + log_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("imported 3 records from " + log_ + " (0 duplicates skipped)"), std::string::npos)
        << r.out;
    r = htune("import --db " + db_ + " " + log_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("imported 0 records from " + log_ + " (3 duplicates skipped)"), std::string::npos)
        << r.out;
    EXPECT_EQ(count_records(db_), 3);

    std::string out = dir_ + "/out.jsonl";
    r = htune("export --db " + db_ + " " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("exported 3 records to " + out), std::string::npos);
    std::istringstream lines(read_file(out));
    std::vector<Record> back;
    for (std::string line; std::getline(lines, line);)
        back.push_back(nlohmann::json::parse(line).get<Record>());
    EXPECT_EQ(back, records_);

    r = htune("export --db " + db_ + " --op blur3x3 " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(out), "");
    r = htune("export --db " + db_ + " --op matmul --ok-only -");
    EXPECT_EQ(count_lines(r.out), 2);

    // Into another database and out again: the same lines.
    std::string other = dir_ + "/other.db", again = dir_ + "/again.jsonl";
    ASSERT_EQ(htune("export --db " + db_ + " " + out).exit_code, 0);
    ASSERT_EQ(htune("import --db " + other + " " + out).exit_code, 0);
    ASSERT_EQ(htune("export --db " + other + " " + again).exit_code, 0);
    EXPECT_EQ(read_file(again), read_file(out));
}

TEST_F(DbCliTest, DatabaseDefaultsToHtuneDbInTheCurrentDirectory) {
    CommandResult r = run_shell("cd " + dir_ + " && " + HTUNE_BINARY + " import " + log_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count_records(dir_ + "/htune.db"), 3);
}

TEST_F(DbCliTest, MalformedLineImportsNothingAndNamesTheLine) {
    ASSERT_EQ(htune("import --db " + db_ + " " + log_).exit_code, 0);
    std::string before = file_bytes(db_);
    std::vector<std::pair<std::string, std::string>> bad = {
        {"{\"format\": \"htune-record/1\", \"workload\": ", "not a valid JSON record"},
        {"[1, 2, 3]", "a record must be a JSON object"},
        {"{\"format\": \"htune-record/1\"}", "missing field 'workload'"},
    };
    nlohmann::json wrong_hash = records_[0];
    wrong_hash["schedule_hash"] = "0123456789abcdef";
    bad.push_back({wrong_hash.dump(), "does not match the schedule"});
    nlohmann::json bad_schedule = records_[0];
    bad_schedule["schedule"]["funcs"]["C"] = {{"placement", "sideways"}};
    bad.push_back({bad_schedule.dump(), "unknown placement 'sideways'"});
    for (const auto &[line, reason] : bad) {
        std::vector<Record> fresh = {fake_record(7, kDeviceB, 1, 1.0), fake_record(8, kDeviceB, 2, 1.0)};
        std::string path = dir_ + "/bad.jsonl";
        write_jsonl(path, fresh);
        std::ofstream(path, std::ios::app) << "\n" << line << "\n";  // line 3 blank, line 4 bad
        CommandResult r = htune("import --db " + db_ + " " + path);
        EXPECT_EQ(r.exit_code, 2) << line;
        EXPECT_EQ(count_lines(r.err), 1) << r.err;
        EXPECT_NE(r.err.find("htune: error: " + path + ":4: "), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
        EXPECT_TRUE(file_bytes(db_) == before);
        EXPECT_EQ(count_records(db_), 3);
        // ... and does not create a missing database either.
        EXPECT_EQ(htune("import --db " + dir_ + "/new.db " + path).exit_code, 2);
        EXPECT_FALSE(std::ifstream(dir_ + "/new.db").good());
    }
    CommandResult r = htune("import --db " + db_ + " " + dir_ + "/missing.jsonl");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot open '" + dir_ + "/missing.jsonl'"), std::string::npos) << r.err;
}

TEST_F(DbCliTest, BestPrintsScheduleTimeGflopsAndFallbackLevel) {
    CommandResult r =
        htune(std::string("best ") + kMatmul + " --db " + db_ + " --device-key '" + kDeviceA + "'");
    EXPECT_EQ(r.exit_code, 1);  // no database yet
    ASSERT_EQ(htune("import --db " + db_ + " " + log_).exit_code, 0);

    r = htune(std::string("best ") + kMatmul + " --db " + db_ + " --device-key '" + kDeviceA + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err << "records have key " << key_;
    EXPECT_NE(r.out.find("workload:  " + key_), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("answered:  exact device"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("time:      3 ms min"), std::string::npos) << r.out;  // 4 ms, 3 ms ok; 2 failed
    EXPECT_NE(r.out.find("GFLOP/s:   "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("schedule:  " + records_[1].schedule_hash), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"placement\": \"root\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("// Halide C++:"), std::string::npos) << r.out;

    r = htune(std::string("best ") + kMatmul + " --db " + db_ + " --json --device-key '" + kDeviceB + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["fallback"], "same target features");
    EXPECT_EQ(j["record_device_key"], kDeviceA);
    EXPECT_EQ(j["min_ms"], 3.0);
    EXPECT_NEAR(j["gflops"].get<double>(), 2.0 * 64 * 32 * 16 / 3e-3 / 1e9, 1e-9);
    EXPECT_EQ(j["schedule"], records_[1].schedule);
    EXPECT_TRUE(j["cpp"].is_string());

    r = htune(std::string("best ") + kMatmul + " --db " + db_ + " --device-key '" + kDeviceArm + "'");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("no tuned record for " + key_ + " on device " + kDeviceArm +
                         " (or any device with the same target features)"),
              std::string::npos)
        << r.err;
    r = htune("best --op matmul -p M=65 -p N=32 -p K=16 --db " + db_ + " --device-key '" + kDeviceA + "'");
    EXPECT_EQ(r.exit_code, 1);  // another size is another workload
    r = htune(std::string("best ") + kMatmul + " --db " + db_ + " --device-key nonsense");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad device key 'nonsense'"), std::string::npos) << r.err;
}

TEST_F(DbCliTest, DevicesListsDeviceTypesWithCounts) {
    write_jsonl(dir_ + "/more.jsonl",
                {fake_record(1, kDeviceB, 1, 1.0), fake_record(2, kDeviceB, 2, 0, Status::crash)});
    ASSERT_EQ(htune("import --db " + db_ + " " + log_).exit_code, 0);
    ASSERT_EQ(htune("import --db " + db_ + " " + dir_ + "/more.jsonl").exit_code, 0);
    CommandResult r = htune("devices --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("        3        2          1  " + kDeviceA), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("        2        1          2  " + kDeviceB), std::string::npos) << r.out;
    r = htune("devices --json --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["devices"].size(), 2u);
    EXPECT_EQ(j["devices"][1]["key"], kDeviceB);
    EXPECT_EQ(j["devices"][1]["records"], 2);
    EXPECT_EQ(j["devices"][1]["this_machine"], false);
    // This machine's caches, as the features use them (measure/Machine.h).
    const MachineCaches &c = probe_caches();
    EXPECT_EQ(j["this_machine_caches"]["l2_bytes"], c.l2_bytes);
    EXPECT_EQ(j["this_machine_caches"]["cores"], c.cores);
    EXPECT_EQ(j["this_machine_caches"]["source"], c.source);
    r = htune("devices --db " + db_);
    EXPECT_NE(r.out.find("this machine's caches: " + describe(c) + "\n"), std::string::npos) << r.out;
}

TEST_F(DbCliTest, UsageErrorsAreOneLineWithExitTwo) {
    for (std::string args :
         {"export --db x.db", "import", "best --db x.db", "devices --bogus", "import a.jsonl b.jsonl"}) {
        CommandResult r = htune(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
        EXPECT_EQ(count_lines(r.err), 1) << args << "\n" << r.err;
    }
    for (std::string cmd : {"best", "export", "import", "devices"}) {
        CommandResult r = htune(cmd + " --help");
        EXPECT_EQ(r.exit_code, 0) << cmd;
        EXPECT_NE(r.out.find("--db"), std::string::npos) << cmd;
    }
}

}  // namespace htune::test
