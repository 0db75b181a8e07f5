// `htune sample`: the JSON summary, injected faults visible in it, and one-line errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/RunCommand.h"

namespace htune::test {

namespace {

const char *kQuick = " --op blur3x3 --test-size --min-seconds 0.01 --min-repeats 2 --run-timeout-floor 1";

void expect_one_line_error(const std::string &args, int code, const std::string &needle) {
    CommandResult r = run_htune(args);
    EXPECT_EQ(r.exit_code, code) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
}

}  // namespace

TEST(SampleCliTest, JsonSummaryCountsAndSpeedups) {
    std::string dir = temp_dir();
    CommandResult r =
        run_htune(std::string("sample") + kQuick + " --count 2 --seed 1 --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("heuristic:"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    int total = j.at("total");
    EXPECT_GE(total, 1);
    EXPECT_LE(total, 2);
    int sum = 0;
    for (const char *k : {"ok", "compile_error", "runtime_error", "timeout", "crash", "wrong_output"})
        sum += j.at(k).get<int>();
    EXPECT_EQ(sum, total);
    auto speed = j.at("speedup_vs_heuristic");
    for (const char *k : {"min", "median", "max"}) ASSERT_TRUE(speed.contains(k)) << k;
    if (j["ok"].get<int>() > 0) {
        EXPECT_LE(speed["min"].get<double>(), speed["median"].get<double>());
        EXPECT_LE(speed["median"].get<double>(), speed["max"].get<double>());
    }
    EXPECT_EQ(j.at("candidates").size(), (size_t)total);
    run_shell("rm -rf " + dir);
}

TEST(SampleCliTest, UserGenerator) {
    std::string dir = temp_dir();
    CommandResult r =
        run_htune(std::string("sample --generator-lib ") + HTUNE_EXAMPLE_GEN +
                  " --generator sharpen_blend -g width=64 -g height=48 --count 1 --min-seconds 0.01"
                  " --min-repeats 2 --json " +
                  dir + "/g.json");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("sharpen_blend:"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/g.json"));
    EXPECT_EQ(j.at("total"), 1);
    EXPECT_EQ(j.at("heuristic").at("status"), "ok") << j.dump(2);
    run_shell("rm -rf " + dir);
}

TEST(SampleCliTest, InjectedFaultsShowInTheJson) {
    std::string dir = temp_dir();
    CommandResult r =
        run_htune(std::string("sample") + kQuick +
                  " --count 4 --seed 3 --inject-fault crash,hang,oom,wrong_output --json " + dir + "/f.json");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/f.json"));
    if (j["total"].get<int>() < 4)
        GTEST_SKIP() << "the schedule space yielded fewer than 4 distinct schedules";
    std::map<std::string, std::string> status_of_fault;
    for (const auto &c : j["candidates"]) status_of_fault[c["fault"]] = c["result"]["status"];
    EXPECT_EQ(status_of_fault["crash"], "crash");
    EXPECT_EQ(status_of_fault["hang"], "timeout");
    EXPECT_TRUE(status_of_fault["oom"] == "crash" || status_of_fault["oom"] == "runtime_error")
        << status_of_fault["oom"];
    EXPECT_EQ(status_of_fault["wrong_output"], "wrong_output");
    EXPECT_GE(j["crash"].get<int>(), 1);
    EXPECT_GE(j["timeout"].get<int>(), 1);
    EXPECT_GE(j["wrong_output"].get<int>(), 1);
    run_shell("rm -rf " + dir);
}

TEST(SampleCliTest, OneLineErrors) {
    expect_one_line_error("sample --op blur3x3 --test-size", 2, "--count N is required");
    expect_one_line_error("sample --op blur3x3 --count 0", 2, "--count must be >= 1");
    expect_one_line_error("sample --count 2", 2, "no workload given");
    expect_one_line_error("sample --op no_such_op --count 2", 2, "unknown operator 'no_such_op'");
    expect_one_line_error("sample --op blur3x3 --count 2 --inject-fault segv", 2, "unknown fault 'segv'");
    expect_one_line_error("sample --op blur3x3 --count 2 --json /nonexistent/dir/x.json", 1,
                          "cannot write '/nonexistent/dir/x.json'");
    expect_one_line_error("sample --op blur3x3 --count 2 --workers 0", 2, "workers must be >= 1");
}

}  // namespace htune::test
