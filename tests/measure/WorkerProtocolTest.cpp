// `htune worker` spoken to directly over its JSON-lines protocol: one reply line per job,
// nothing else on stdout, malformed jobs and schedules answered rather than fatal.
#include <gtest/gtest.h>

#include <fstream>

#include "measure/Protocol.h"
#include "measure/Reference.h"
#include "ops/HostTarget.h"
#include "tests/RunCommand.h"

namespace htune {

namespace {

std::vector<nlohmann::json> run_worker_with(const std::vector<nlohmann::json> &jobs, const std::string &dir,
                                            const std::vector<std::string> &raw_lines = {}) {
    std::ofstream f(dir + "/jobs.jsonl");
    for (const auto &j : jobs) f << j.dump() << "\n";
    for (const auto &l : raw_lines) f << l << "\n";
    f.close();
    test::CommandResult r =
        test::run_shell("sh -c '" + std::string(HTUNE_BINARY) + " worker < " + dir + "/jobs.jsonl'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> replies;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) replies.push_back(nlohmann::json::parse(line));
    return replies;
}

}  // namespace

TEST(WorkerProtocolTest, OneReplyPerJobAndBadInputIsAnswered) {
    std::string dir = test::temp_dir();
    Workload w = make_workload("blur3x3", true);
    ReferenceData ref = compute_reference(w, 1, parse_target("host"));
    EXPECT_GT(ref.run_s, 0);
    write_raw_buffers(dir + "/ref.bin", ref.outputs);
    Schedule unknown_func;
    unknown_func.funcs["nope"] = FuncSchedule{};
    auto replies = run_worker_with({to_job_json(LoadJob{spec_of(w), 1, dir + "/ref.bin", "host", 1}),
                                    to_job_json(CompileJob{1, nlohmann::json(Schedule{}), Fault::none}),
                                    to_job_json(RunJob{1, TimingPolicy{0, 2, 0.0, 10}}),
                                    to_job_json(CompileJob{2, nlohmann::json("not a schedule"), Fault::none}),
                                    to_job_json(CompileJob{3, nlohmann::json(unknown_func), Fault::none}),
                                    to_job_json(RunJob{4, TimingPolicy{}}), nlohmann::json{{"job", "dance"}}},
                                   dir, {"{not json"});
    ASSERT_EQ(replies.size(), 8u);
    EXPECT_EQ(replies[0], load_reply(true, 1, ""));
    EXPECT_EQ(replies[1]["status"], "ok");
    MeasureResult run = replies[2].at("result").get<MeasureResult>();
    EXPECT_EQ(run.status, Status::ok) << run.error;
    EXPECT_EQ(run.repeats, 2);
    EXPECT_EQ(run.threads, 1);
    EXPECT_EQ(replies[3]["status"], "compile_error");
    EXPECT_NE(replies[3]["error"].get<std::string>().find("schedule"), std::string::npos) << replies[3];
    EXPECT_EQ(replies[4]["status"], "compile_error");
    EXPECT_NE(replies[4]["error"].get<std::string>().find("nope"), std::string::npos) << replies[4];
    EXPECT_EQ(replies[5]["result"]["status"], "runtime_error");  // never compiled
    EXPECT_EQ(replies[6]["job"], "error");
    EXPECT_EQ(replies[7]["job"], "error");

    // A load that cannot find its reference is answered, not fatal.
    auto bad = run_worker_with({to_job_json(LoadJob{spec_of(w), 1, dir + "/missing.bin", "host", 1})}, dir);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0]["ok"], false);
    EXPECT_NE(bad[0]["error"].get<std::string>().find("missing.bin"), std::string::npos) << bad[0];
    test::run_shell("rm -rf " + dir);
}

}  // namespace htune
