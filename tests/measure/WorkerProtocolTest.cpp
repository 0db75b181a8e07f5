// `htune worker` spoken to directly over its JSON-lines protocol: one reply line per job,
// nothing else on stdout, malformed jobs and schedules answered rather than fatal.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "measure/Protocol.h"
#include "measure/Reference.h"
#include "measure/Worker.h"
#include "ops/HostTarget.h"
#include "tests/RunCommand.h"

namespace htune {

namespace {

std::vector<nlohmann::json> run_worker_with(const std::vector<nlohmann::json> &jobs, const std::string &dir,
                                            const std::vector<std::string> &raw_lines = {},
                                            const std::string &before = "") {
    std::ofstream f(dir + "/jobs.jsonl");
    for (const auto &j : jobs) f << j.dump() << "\n";
    for (const auto &l : raw_lines) f << l << "\n";
    f.close();
    test::CommandResult r =
        test::run_shell("sh -c '" + before + std::string(HTUNE_BINARY) + " worker < " + dir + "/jobs.jsonl'");
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
    ASSERT_EQ(ref.sets.size(), (size_t)kInputSets);
    EXPECT_NE(ref.sets[0].seed, ref.sets[1].seed);
    write_reference_file(dir + "/ref.bin", ref);
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

    // A reference file with one input set's outputs only is refused: every candidate is checked
    // on both sets.
    write_raw_buffers(dir + "/one_set.bin", ref.sets[0].outputs);
    auto short_file =
        run_worker_with({to_job_json(LoadJob{spec_of(w), 1, dir + "/one_set.bin", "host", 1})}, dir);
    ASSERT_EQ(short_file.size(), 1u);
    EXPECT_EQ(short_file[0]["ok"], false);
    EXPECT_NE(short_file[0]["error"].get<std::string>().find("shorter"), std::string::npos) << short_file[0];

    // A load that cannot find its reference is answered, not fatal.
    auto bad = run_worker_with({to_job_json(LoadJob{spec_of(w), 1, dir + "/missing.bin", "host", 1})}, dir);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0]["ok"], false);
    EXPECT_NE(bad[0]["error"].get<std::string>().find("missing.bin"), std::string::npos) << bad[0];
    test::run_shell("rm -rf " + dir);
}

// A compile that runs out of address space (as Adams2019 does on a ResNet layer under 4 GiB) is a
// compile_error whose reply asks for a fresh worker: afterwards the process may be unable to
// compile anything ("mprotect failed"), so WorkerRunner replaces it.
TEST(WorkerProtocolTest, ACompileOutOfMemoryAsksForAFreshWorker) {
    std::string dir = test::temp_dir();
    Workload w = make_workload("blur3x3", true);
    write_reference_file(dir + "/ref.bin", compute_reference(w, 1, parse_target("host")));
    auto replies =
        run_worker_with({to_job_json(LoadJob{spec_of(w), 1, dir + "/ref.bin", "host", 1}),
                         to_job_json(CompileJob{1, nlohmann::json(Schedule{}), Fault::compile_oom}),
                         to_job_json(CompileJob{2, nlohmann::json(Schedule{}), Fault::none})},
                        dir, {}, "ulimit -v 3000000; ");
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[1]["status"], "compile_error");
    EXPECT_NE(
        replies[1]["error"].get<std::string>().find("out of memory under the worker's address-space limit"),
        std::string::npos)
        << replies[1];
    EXPECT_EQ(replies[1].value("restart", false), true) << replies[1];
    EXPECT_EQ(replies[2]["status"], "ok");
    EXPECT_FALSE(replies[2].contains("restart"));
    test::run_shell("rm -rf " + dir);
}

// A worker whose parent dies while the worker is not at EOF (busy with a candidate, or, here,
// its stdin still held open by someone else) exits on its own instead of running on under init.
TEST(WorkerProtocolTest, AWorkerExitsWhenItsParentDies) {
    int in[2], report[2];
    ASSERT_EQ(pipe(in), 0);
    ASSERT_EQ(pipe(report), 0);
    pid_t parent = fork();
    ASSERT_GE(parent, 0);
    if (parent == 0) {
        // As WorkerProcess starts it: the parent may be gone before the worker is up.
        setenv(kWorkerParentEnv, std::to_string(getpid()).c_str(), 1);
        pid_t w = fork();
        if (w == 0) {
            dup2(in[0], STDIN_FILENO);
            close(in[1]);
            execl(HTUNE_BINARY, HTUNE_BINARY, "worker", (char *)nullptr);
            _exit(127);
        }
        ssize_t n = write(report[1], &w, sizeof w);
        _exit(n == (ssize_t)sizeof w ? 0 : 1);
    }
    close(in[0]);
    close(report[1]);
    pid_t worker = -1;
    ASSERT_EQ(read(report[0], &worker, sizeof worker), (ssize_t)sizeof worker);
    close(report[0]);
    int status = 0;
    ASSERT_EQ(waitpid(parent, &status, 0), parent);  // the worker's parent is gone; in[1] stays open
    auto alive = [&] {
        std::ifstream stat("/proc/" + std::to_string(worker) + "/stat");
        std::string pid, comm, state;
        return stat >> pid >> comm >> state && state != "Z" && state != "X";
    };
    bool gone = false;
    for (int i = 0; i < 100 && !gone; i++) {
        gone = !alive();
        if (!gone) usleep(100 * 1000);
    }
    EXPECT_TRUE(gone) << "worker " << worker << " still runs 10 s after its parent exited";
    if (!gone) kill(worker, SIGKILL);
    close(in[1]);
}

}  // namespace htune
