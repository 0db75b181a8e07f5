// `htune build`: a static library + header with provenance, the record's
// schedule as JSON and C++, the heuristic fallback (warning / --require-tuned),
// bad input, a read-only database.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/RunCommand.h"

namespace htune::test {

namespace {

bool exists(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

long long mtime_ns(const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

// One small tuned database for the whole suite: matmul --test-size, two sampled
// schedules.
class BuildCommandTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new std::string(temp_dir());
        CommandResult r = run_htune(
            "sample --op matmul --test-size --count 2 "
            "--seed 3 --min-seconds 0.02 --db " +
            db());
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() {
        run_shell("rm -rf " + *dir_);
        delete dir_;
    }
    static std::string db() { return *dir_ + "/t.db"; }
    static std::string *dir_;
};
std::string *BuildCommandTest::dir_ = nullptr;

}  // namespace

TEST_F(BuildCommandTest, WritesLibraryHeaderAndScheduleWithProvenance) {
    std::string out = *dir_ + "/out1";
    std::string db_before = read_file(db());
    CommandResult r = run_htune("build --op matmul --test-size --db " + db() + " -o " + out + " --function-name mm");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
    for (const char *f : {"/mm.a", "/mm.h", "/mm.schedule.json", "/mm.schedule.cpp"}) EXPECT_TRUE(exists(out + f)) << f;

    CommandResult best = run_htune("best --op matmul --test-size --db " + db() + " --json");
    ASSERT_EQ(best.exit_code, 0) << best.err;
    auto b = nlohmann::json::parse(best.out);
    std::string header = read_file(out + "/mm.h");
    EXPECT_NE(header.find("workload:     " + b["workload"].get<std::string>()), std::string::npos) << header;
    EXPECT_NE(header.find("device key:   " + b["device_key"].get<std::string>()), std::string::npos) << header;
    EXPECT_NE(header.find("record:       " + std::to_string(b["record_id"].get<int64_t>()) + " "), std::string::npos)
        << header;
    EXPECT_NE(header.find("ms min"), std::string::npos) << header;
    EXPECT_NE(header.find("fallback:     exact device"), std::string::npos) << header;
    EXPECT_NE(header.find("htune 0."), std::string::npos) << header;
    EXPECT_NE(header.find("Halide 14"), std::string::npos) << header;
    EXPECT_NE(header.find("int mm(halide_buffer_t *A, halide_buffer_t *B, halide_buffer_t *C"), std::string::npos)
        << header;
    EXPECT_NE(header.find("int mm("), std::string::npos) << header;  // Halide's own declaration

    // The schedule written is the record's: same JSON, same hash.
    auto schedule = nlohmann::json::parse(read_file(out + "/mm.schedule.json"));
    EXPECT_EQ(schedule, b["schedule"]);
    EXPECT_NE(header.find("schedule:     " + b["schedule_hash"].get<std::string>()), std::string::npos);
    EXPECT_EQ(read_file(out + "/mm.schedule.cpp").find(b["cpp"].get<std::string>().substr(0, 40)) == std::string::npos,
              false);
    EXPECT_TRUE(read_file(db()) == db_before) << "build modified the database";

    // Building again changes nothing on disk (no needless relink).
    long long t = mtime_ns(out + "/mm.a"), th = mtime_ns(out + "/mm.h");
    CommandResult again =
        run_htune("build --op matmul --test-size --db " + db() + " -o " + out + " --function-name mm");
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;
    EXPECT_EQ(mtime_ns(out + "/mm.a"), t);
    EXPECT_EQ(mtime_ns(out + "/mm.h"), th);
}

TEST_F(BuildCommandTest, NoTunedRecordUsesTheHeuristicWithAWarning) {
    std::string out = *dir_ + "/out2";
    CommandResult r = run_htune("build --op blur3x3 --test-size --db " + db() + " -o " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: no tuned record for blur3x3:W=256,H=128"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("heuristic"), std::string::npos) << r.err;
    std::string header = read_file(out + "/blur3x3.h");
    EXPECT_NE(header.find("record:       none"), std::string::npos) << header;
    EXPECT_NE(header.find("fallback:     none (heuristic schedule)"), std::string::npos) << header;
    EXPECT_TRUE(exists(out + "/blur3x3.a"));

    CommandResult req =
        run_htune("build --op blur3x3 --test-size --db " + db() + " -o " + *dir_ + "/out3 --require-tuned");
    EXPECT_NE(req.exit_code, 0);
    EXPECT_EQ(std::count(req.err.begin(), req.err.end(), '\n'), 1) << req.err;
    EXPECT_NE(req.err.find("--require-tuned"), std::string::npos) << req.err;
    EXPECT_FALSE(exists(*dir_ + "/out3/blur3x3.a"));
}

TEST_F(BuildCommandTest, BadInputFailsWithOneLineAndWritesNothing) {
    std::string out = *dir_ + "/out4";
    CommandResult t = run_htune("build --op matmul --test-size --db " + db() + " -o " + out + " --target x86-65-foo");
    EXPECT_EQ(t.exit_code, 2);
    EXPECT_EQ(std::count(t.err.begin(), t.err.end(), '\n'), 1) << t.err;
    EXPECT_NE(t.err.find("unknown target 'x86-65-foo'"), std::string::npos) << t.err;

    CommandResult op = run_htune("build --op no_such_op --db " + db() + " -o " + out);
    EXPECT_EQ(op.exit_code, 2);
    EXPECT_NE(op.err.find("no_such_op"), std::string::npos) << op.err;

    CommandResult missing = run_htune("build --op matmul --test-size --db " + *dir_ + "/missing.db -o " + out);
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
    EXPECT_NE(missing.err.find("missing.db"), std::string::npos) << missing.err;
    EXPECT_FALSE(exists(*dir_ + "/missing.db")) << "build created the database";

    std::ofstream(*dir_ + "/junk.db") << "not a database\n";
    CommandResult junk = run_htune("build --op matmul --test-size --db " + *dir_ + "/junk.db -o " + out);
    EXPECT_NE(junk.exit_code, 0);
    EXPECT_NE(junk.err.find("junk.db"), std::string::npos) << junk.err;
    EXPECT_TRUE(read_file(*dir_ + "/junk.db") == "not a database\n");

    CommandResult fn = run_htune("build --op matmul --test-size --db " + db() + " -o " + out + " --function-name 9x");
    EXPECT_EQ(fn.exit_code, 2);
    EXPECT_NE(fn.err.find("not a C identifier"), std::string::npos) << fn.err;
    EXPECT_FALSE(exists(out + "/matmul.a"));
    EXPECT_FALSE(exists(out + "/matmul.h"));
}

TEST_F(BuildCommandTest, ExplicitTargetStringAndGenerator) {
    // A Halide target string (not `host`): the lookup uses that target's device
    // key.
    std::string out = *dir_ + "/out5";
    CommandResult r = run_htune(std::string("build --generator-lib ") + HTUNE_EXAMPLE_GEN +
                                " --generator sharpen_blend -g width=64 -g height=32 --db " + db() + " -o " + out +
                                " --target x86-64-linux-sse41");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string header = read_file(out + "/sharpen_blend.h");
    EXPECT_NE(header.find("target:       x86-64-linux-sse41"), std::string::npos) << header;
    EXPECT_NE(header.find("device key:   x86-64-linux-sse41|"), std::string::npos) << header;
    // Buffers by name, then scalars by name, then the output.
    EXPECT_NE(header.find("int sharpen_blend(halide_buffer_t *input, "
                          "halide_buffer_t *overlay, float weight, "
                          "halide_buffer_t *output"),
              std::string::npos)
        << header;
}

}  // namespace htune::test
