// `htune profile` (tuner/Profile.h): the summed reports of Halide's profiler, the per-Func table
// under htune's stable names, and its errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/RunCommand.h"
#include "tuner/Profile.h"

namespace htune::test {

// Three reports as Halide 14's JIT printed them after three realizes of a two-Func pipeline.
const char *kThreeReports =
    "g\n"
    " total time: 21.604939 ms  samples: 21  runs: 1  time/run: 21.604939 ms\n"
    " average threads used: 2.000000\n"
    " heap allocations: 1  peak heap usage: 4004000 bytes\n"
    "  halide_malloc:         0.000ms   (0%)    threads: 0.000 \n"
    "  halide_free:           0.000ms   (0%)    threads: 0.000 \n"
    "  f:                     9.730ms   (45%)   threads: 2.000  peak: 4004000  num: 1         avg: 4004000\n"
    "  g:                     11.874ms  (54%)   threads: 2.000 \n"
    "g\n"
    " total time: 13.851111 ms  samples: 9  runs: 1  time/run: 13.851111 ms\n"
    " average threads used: 2.000000\n"
    " heap allocations: 1  peak heap usage: 4004000 bytes\n"
    "  halide_malloc:         0.000ms   (0%)    threads: 0.000 \n"
    "  halide_free:           0.000ms   (0%)    threads: 0.000 \n"
    "  f:                     13.851ms  (100%)  threads: 2.000  peak: 4004000  num: 1         avg: 4004000\n"
    "  g:                     0.000ms   (0%)    threads: 0.000 \n"
    "g\n"
    " total time: 3.234088 ms  samples: 3  runs: 1  time/run: 3.234088 ms\n"
    " average threads used: 1.666667\n"
    " heap allocations: 1  peak heap usage: 4004000 bytes\n"
    "  halide_malloc:         0.000ms   (0%)    threads: 0.000 \n"
    "  halide_free:           0.000ms   (0%)    threads: 0.000 \n"
    "  f:                     2.154ms   (66%)   threads: 1.500  peak: 4004000  num: 1         avg: 4004000\n"
    "  g:                     1.079ms   (33%)   threads: 2.000 ";  // the last line without its newline

TEST(ProfileTest, ReportsArriveInPiecesAndAreSummedPerFunc) {
    ProfileAccumulator acc;
    const std::string text = kThreeReports;
    // In uneven pieces, cutting lines and numbers in two.
    for (size_t at = 0; at < text.size(); at += 37) acc.feed(text.substr(at, 37));
    ProfileReport r = acc.report();
    EXPECT_EQ(r.pipeline, "g");
    EXPECT_EQ(r.runs, 3);
    EXPECT_EQ(r.samples, 33);
    EXPECT_NEAR(r.sampled_ms, 21.604939 + 13.851111 + 3.234088, 1e-6);
    EXPECT_NEAR(r.ms_per_run(), (21.604939 + 13.851111 + 3.234088) / 3, 1e-6);
    ASSERT_EQ(r.funcs.size(), 4u);
    EXPECT_EQ(r.funcs[0].name, "f");  // largest first
    EXPECT_NEAR(r.funcs[0].ms, 9.730 + 13.851 + 2.154, 1e-9);
    EXPECT_EQ(r.funcs[1].name, "g");
    EXPECT_NEAR(r.funcs[1].ms, 11.874 + 1.079, 1e-9);
    const double all = 9.730 + 13.851 + 2.154 + 11.874 + 1.079;
    EXPECT_NEAR(r.funcs[0].share, (9.730 + 13.851 + 2.154) / all, 1e-9);
    // Threads weighted by time: f was 2, 2 and 1.5 threads busy.
    EXPECT_NEAR(r.funcs[0].threads, (9.730 * 2 + 13.851 * 2 + 2.154 * 1.5) / (9.730 + 13.851 + 2.154), 1e-9);
    EXPECT_EQ(r.funcs[2].ms, 0);
    EXPECT_EQ(r.funcs[2].threads, 0);

    // Stable names: a Func renamed onto another's name is merged with it.
    rename_funcs(r, {{"f", "blur#0"}, {"g", "blur#0"}});
    ASSERT_EQ(r.funcs.size(), 3u);
    EXPECT_EQ(r.funcs[0].name, "blur#0");
    EXPECT_NEAR(r.funcs[0].ms, all, 1e-9);
    EXPECT_NEAR(r.funcs[0].share, 1.0, 1e-9);
}

TEST(ProfileTest, TheCommandProfilesSchedulesUnderStableNames) {
    const std::string dir = temp_dir(), json = dir + "/profile.json";
    CommandResult r = run_htune(
        "profile --op blur3x3 -p W=1536 -p H=1024 --schedule as_written,naive --seconds 0.4 "
        "--json " +
        json);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("schedule: as_written"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("schedule: naive"), std::string::npos) << r.out;
    std::ifstream in(json);
    nlohmann::json j = nlohmann::json::parse(in);
    EXPECT_EQ(j["format"], "htune-profile/1");
    EXPECT_EQ(j["workload"], "blur3x3:W=1536,H=1024");
    EXPECT_EQ(j["run"]["command"].get<std::string>().rfind("htune profile", 0), 0u);
    ASSERT_EQ(j["profiles"].size(), 2u);
    auto names_of = [](const nlohmann::json &p) {
        std::set<std::string> names;
        double share = 0;
        for (const auto &f : p["funcs"]) {
            names.insert(f["name"].get<std::string>());
            share += f["share"].get<double>();
        }
        EXPECT_NEAR(share, 1.0, 1e-6) << p.dump();
        return names;
    };
    // The classic tiled blur: blur_x computed per tile of blur_y, both sampled, under the names
    // the schedule JSON uses (not Halide's "blur_x$2").
    const nlohmann::json &hand = j["profiles"][0];
    EXPECT_EQ(hand["schedule"], "as_written");
    EXPECT_GT(hand["runs"].get<int>(), 20);
    EXPECT_GT(hand["samples"].get<int>(), 0);
    std::set<std::string> names = names_of(hand);
    EXPECT_TRUE(names.count("blur_x")) << hand.dump();
    EXPECT_TRUE(names.count("blur_y")) << hand.dump();
    double blur_ms = 0;
    for (const auto &f : hand["funcs"])
        if (f["name"] == "blur_x" || f["name"] == "blur_y") blur_ms += f["ms"].get<double>();
    EXPECT_GT(blur_ms, 0.5 * hand["sampled_ms"].get<double>()) << hand.dump();
    // Halide's default schedule inlines blur_x: only the output is computed, so only it has time.
    const nlohmann::json &naive = j["profiles"][1];
    EXPECT_EQ(naive["schedule"], "naive");
    EXPECT_GT(naive["samples"].get<int>(), 0);
    names = names_of(naive);
    EXPECT_FALSE(names.count("blur_x")) << naive.dump();
    ASSERT_FALSE(naive["funcs"].empty());
    EXPECT_EQ(naive["funcs"][0]["name"], "blur_y") << naive.dump();
}

// matmul's hand schedule makes an rfactor intermediate in the builder: it is named without
// Halide's process-dependent "$N" ("C$2_intm" -> "C_intm"), like every other Func.
TEST(ProfileTest, FuncsAHandScheduleMadeLoseHalidesUniqueSuffix) {
    CommandResult r = run_htune("profile --op matmul --test-size --schedule as_written --seconds 0.2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\n  C_intm "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n  C "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('$'), std::string::npos) << r.out;
}

TEST(ProfileTest, BadRequestsGetOneErrorLine) {
    std::vector<std::string> errors;
    CommandResult r = run_htune("profile --op blur3x3 --test-size --schedule fastest");
    errors.push_back(r.err);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--schedule must name rows among"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'fastest'"), std::string::npos) << r.err;
    r = run_htune("profile --op blur3x3 --test-size");
    errors.push_back(r.err);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("exactly one of --schedule and --schedule-file"), std::string::npos) << r.err;
    r = run_htune("profile --op stencil_chain --test-size --schedule as_written");
    errors.push_back(r.err);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("has no schedule of its own"), std::string::npos) << r.err;
    r = run_htune("profile --op blur3x3 --test-size --schedule tuned --db /nonexistent/htune.db");
    errors.push_back(r.err);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/nonexistent/htune.db"), std::string::npos) << r.err;
    r = run_htune("profile --op blur3x3 --op matmul --test-size --schedule heuristic");
    errors.push_back(r.err);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("give one workload, not 2"), std::string::npos) << r.err;
    for (const std::string &err : errors) EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

}  // namespace htune::test
