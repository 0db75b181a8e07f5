// `htune sample --db`: measurements land in the tuning database (injected faults do not), and
// `htune best` then finds the fastest of them.
#include <gtest/gtest.h>

#include <fstream>

#include "db/Database.h"
#include "tests/RunCommand.h"

namespace htune::test {

TEST(SampleDbTest, SampledMeasurementsAreStoredAndBestFindsThem) {
    std::string dir = temp_dir();
    std::string db = dir + "/t.db";
    CommandResult r = run_htune("sample --op blur3x3 --test-size --count 4 --seed 2 --min-seconds 0.02 "
                                "--inject-fault wrong_output --db " + db);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("database:   4 record(s) stored"), std::string::npos) << r.out;  // heuristic + 3
    {
        auto d = open_database(db);
        EXPECT_EQ(d->count(), 4);
        int ok = 0;
        d->scan({}, [&](const Record &rec) { ok += rec.result.status == Status::ok; });
        EXPECT_GE(ok, 3);
    }
    CommandResult best = run_htune("best --op blur3x3 --test-size --db " + db + " --json");
    ASSERT_EQ(best.exit_code, 0) << best.err;
    auto j = nlohmann::json::parse(best.out);
    EXPECT_EQ(j.dump().find("blur3x3:W=256,H=128") != std::string::npos, true) << best.out;

    // The same sample again measures the same schedules: nothing new is stored.
    CommandResult again = run_htune("sample --op blur3x3 --test-size --count 4 --seed 2 --min-seconds 0.02 "
                                    "--inject-fault wrong_output --db " + db);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("0 record(s) stored"), std::string::npos) << again.out;
    run_shell("rm -rf " + dir);
}

TEST(SampleDbTest, NotADatabaseFailsBeforeMeasuring) {
    std::string dir = temp_dir();
    std::ofstream(dir + "/x.db") << "hello\n";
    CommandResult r = run_htune("sample --op blur3x3 --test-size --count 2 --db " + dir + "/x.db");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("is not an htune database"), std::string::npos) << r.err;
    EXPECT_TRUE(read_file(dir + "/x.db") == "hello\n") << "the file was modified";
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test

namespace htune::test {

// A user Generator goes through the database like a built-in op: stored with its library in
// the workload spec, found by `best`, and carried by export/import to another database.
TEST(SampleDbTest, GeneratorWorkloadRoundTripsThroughTheDatabase) {
    std::string dir = temp_dir();
    std::string gen = std::string("--generator-lib ") + HTUNE_EXAMPLE_GEN +
                      " --generator sharpen_blend -g width=64 -g height=48";
    CommandResult r = run_htune("sample " + gen + " --count 2 --seed 4 --min-seconds 0.02 --db " + dir + "/a.db");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    CommandResult best = run_htune("best " + gen + " --db " + dir + "/a.db --json");
    ASSERT_EQ(best.exit_code, 0) << best.err;
    EXPECT_NE(best.out.find("sharpen_blend:height=48,width=64"), std::string::npos) << best.out;

    ASSERT_EQ(run_htune("export --db " + dir + "/a.db " + dir + "/log.jsonl").exit_code, 0);
    EXPECT_NE(read_file(dir + "/log.jsonl").find(std::string("\"generator_lib\":\"") + HTUNE_EXAMPLE_GEN),
              std::string::npos);
    CommandResult imp = run_htune("import --db " + dir + "/b.db " + dir + "/log.jsonl");
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    CommandResult best_b = run_htune("best " + gen + " --db " + dir + "/b.db --json");
    ASSERT_EQ(best_b.exit_code, 0) << best_b.err;
    EXPECT_EQ(nlohmann::json::parse(best_b.out)["schedule_hash"], nlohmann::json::parse(best.out)["schedule_hash"])
        << best_b.out;
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
