// The htune CLI: listing, describing, --help, and one-line errors with exit status 2.
#include <gtest/gtest.h>

#include "tests/RunCommand.h"

namespace htune::test {

namespace {

int count_lines(const std::string &s) { return (int)std::count(s.begin(), s.end(), '\n'); }

void expect_usage_error(const std::string &args, const std::string &needle) {
    CommandResult r = run_htune(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
}

}  // namespace

TEST(CliTest, OpsListsAtLeastSixteenOperators) {
    CommandResult r = run_htune("ops");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int ops = 0;
    for (const char *name : {"matmul:M=1024,N=1024,K=1024", "blur3x3:", "conv2d:", "harris:",
                             "local_laplacian:", "stencil_chain:", "interpolate:", "softmax:"})
        EXPECT_NE(r.out.find(name), std::string::npos) << name;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("  ", 0) == 0 && line.rfind("      ", 0) != 0) ops++;
    EXPECT_GE(ops, 16);
}

TEST(CliTest, DescribeShowsStagesFlopsAndBytes) {
    CommandResult r = run_htune("ops --describe matmul -p M=64 -p N=32 -p K=16");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("matmul:M=64,N=32,K=16"), std::string::npos);
    EXPECT_NE(r.out.find("C(n, m)  + 1 update stage(s) [update 0 over k$x]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("6.554e-05 GFLOP"), std::string::npos) << r.out;
}

TEST(CliTest, DescribeGenerator) {
    CommandResult r = run_htune(std::string("ops --generator-lib ") + HTUNE_EXAMPLE_GEN +
                                " --generator sharpen_blend -g radius=3");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("sharpen_blend:radius=3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("blur_y(x, y, c)  + 1 update stage(s)"), std::string::npos) << r.out;
}

TEST(CliTest, HelpOnEveryCommand) {
    CommandResult top = run_htune("--help");
    ASSERT_EQ(top.exit_code, 0);
    std::istringstream lines(top.out);
    bool in_commands = false;
    int checked = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line == "commands:") in_commands = true;
        else if (in_commands && line.size() > 2) {
            std::string name = line.substr(2, line.find(' ', 2) - 2);
            CommandResult r = run_htune(name + " --help");
            EXPECT_EQ(r.exit_code, 0) << name;
            EXPECT_NE(r.out.find("usage: htune " + name), std::string::npos) << name;
            checked++;
        }
    }
    EXPECT_GE(checked, 1);
}

TEST(CliTest, BadInputIsOneLineAndExitTwo) {
    expect_usage_error("ops --describe nope", "unknown operator 'nope'");
    expect_usage_error("ops --describe matmul -p N=-3", "parameter N=-3 is out of range");
    expect_usage_error("ops --describe matmul -p N=abc", "parameter N=abc is not an integer");
    expect_usage_error("ops --describe matmul -p Q=1", "unknown parameter 'Q'");
    expect_usage_error("ops --describe matmul -p N", "expected key=value");
    expect_usage_error("ops --generator-lib /nope.so --generator x", "does not exist");
    expect_usage_error(std::string("ops --generator-lib ") + HTUNE_EXAMPLE_GEN + " --generator nope",
                       "is not registered");
    expect_usage_error("ops --bogus", "unrecognised option '--bogus'");
    expect_usage_error("frobnicate", "unknown command 'frobnicate'");
}

}  // namespace htune::test
