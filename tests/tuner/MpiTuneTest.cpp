// `htune tune --mpi` end to end under a real mpirun on this machine (ranks oversubscribed): the
// measurement hosts' records land in rank 0's database with their host, counts are exact and a
// second run resumes; a host of another device type is excluded; a host killed mid-run loses
// nothing committed. Skipped, saying so, when htune was built without Open MPI or mpirun is
// missing.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "db/Database.h"
#include "measure/MpiFleet.h"
#include "tests/RunCommand.h"

namespace htune::test {

namespace {

const std::string kFast = " --min-repeats 2 --min-seconds 0.01 --workers 1 ";

bool mpi_usable() {
    const std::string mpiexec = HTUNE_MPIEXEC;
    return have_mpi() && !mpiexec.empty() && mpiexec.find("NOTFOUND") == std::string::npos;
}

// mpirun for one machine: root allowed, more ranks than cores, no CMA single-copy (containers
// often forbid ptrace), no core binding.
std::string mpirun() {
    return std::string(HTUNE_MPIEXEC) +
           " --allow-run-as-root --oversubscribe --bind-to none --mca btl_vader_single_copy_mechanism none ";
}

// --mpi-host-timeout 20 unless told: a host is never given up for lost on a busy test machine.
std::string tune_args(const std::string &db, int trials, int host_timeout_s = 20) {
    return " tune --mpi --op blur3x3 --test-size --trials " + std::to_string(trials) +
           " --batch-size 4 --seed 2 --confirm 0 --seed-autoschedulers none --mpi-host-timeout " +
           std::to_string(host_timeout_s) + kFast + "--db " + db;
}

std::vector<Record> records(const std::string &db) {
    std::vector<Record> out;
    open_database(db)->scan({}, [&](const Record &r) { out.push_back(r); });
    return out;
}

bool ends_with(const std::string &s, const std::string &tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

TEST(MpiTuneTest, ThreeRanksStoreEveryHostsRecordsInOneDatabaseAndResume) {
    if (!mpi_usable()) GTEST_SKIP() << "htune was built without Open MPI, or mpirun is missing";
    const std::string dir = temp_dir(), db = dir + "/t.db";
    CommandResult r = run_shell(mpirun() + "-np 3 " + HTUNE_BINARY + tune_args(db, 10));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.err.find("2 MPI measurement host(s)"), std::string::npos) << r.err;
    std::vector<Record> first = records(db);
    ASSERT_EQ(first.size(), 10u);
    std::map<std::string, int> by_host;
    for (const Record &rec : first) {
        EXPECT_EQ(rec.result.status, Status::ok) << rec.result.error;
        by_host[rec.result.host]++;
    }
    ASSERT_EQ(by_host.size(), 2u) << "both hosts measure, rank 0 does not";
    EXPECT_TRUE(ends_with(by_host.begin()->first, "/rank 1")) << by_host.begin()->first;
    EXPECT_TRUE(ends_with(by_host.rbegin()->first, "/rank 2")) << by_host.rbegin()->first;

    // The same command with a larger budget resumes: 6 more, nothing measured twice, nothing
    // stored before changed.
    r = run_shell(mpirun() + "-np 3 " + HTUNE_BINARY + tune_args(db, 16));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<Record> second = records(db);
    ASSERT_EQ(second.size(), 16u);
    std::set<std::string> hashes;
    for (const Record &rec : second) hashes.insert(rec.schedule_hash);
    EXPECT_EQ(hashes.size(), 16u);
    for (size_t i = 0; i < first.size(); i++) EXPECT_EQ(second[i], first[i]) << "record " << first[i].id;
    run_shell("rm -rf " + dir);
}

TEST(MpiTuneTest, AGeneratorInEverydayStyleIsTunedOnTheHosts) {
    // unsharp: BoundaryConditions, an inline sum, unnamed Funcs; each host loads the library
    // from the same path and names everything as rank 0 does.
    if (!mpi_usable()) GTEST_SKIP() << "htune was built without Open MPI, or mpirun is missing";
    const std::string dir = temp_dir(), db = dir + "/t.db";
    CommandResult r = run_shell(mpirun() + "-np 3 " + HTUNE_BINARY + " tune --mpi --generator-lib " +
                                HTUNE_TEST_GENERATORS +
                                " --generator unsharp -g width=64 -g height=48 --trials 12 --batch-size 4 "
                                "--confirm 0 --seed-autoschedulers none --mpi-host-timeout 20" +
                                kFast + "--db " + db);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    std::vector<Record> got = records(db);
    ASSERT_EQ(got.size(), 12u);
    std::set<std::string> hosts;
    for (const Record &rec : got) {
        EXPECT_EQ(rec.workload.op, "unsharp");
        EXPECT_EQ(rec.result.status, Status::ok) << rec.result.error;
        hosts.insert(rec.result.host);
    }
    EXPECT_EQ(hosts.size(), 2u);
    EXPECT_EQ(hosts.count(""), 0u);
    run_shell("rm -rf " + dir);
}

TEST(MpiTuneTest, TheCoordinatorMeasuresTooWhenAskedAndTheHostsImportTheSeeds) {
    if (!mpi_usable()) GTEST_SKIP() << "htune was built without Open MPI, or mpirun is missing";
    const std::string dir = temp_dir(), db = dir + "/t.db";
    std::string args = tune_args(db, 12);
    args.replace(args.find("--seed-autoschedulers none"), 26, "--seed-autoschedulers mullapudi2016");
    CommandResult r = run_shell(mpirun() + "-np 2 " + HTUNE_BINARY + args +
                                " --mpi-coordinator-measures --plugin-dir " + HTUNE_HALIDE_PLUGIN_DIR);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.err.find("2 MPI measurement host(s)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("seeded with Mullapudi2016's schedule"), std::string::npos) << r.err;
    std::set<std::string> hosts;
    for (const Record &rec : records(db)) hosts.insert(rec.result.host);
    ASSERT_EQ(hosts.size(), 2u);
    EXPECT_TRUE(ends_with(*hosts.begin(), "/rank 0")) << *hosts.begin();
    EXPECT_TRUE(ends_with(*hosts.rbegin(), "/rank 1")) << *hosts.rbegin();
    run_shell("rm -rf " + dir);
}

TEST(MpiTuneTest, AHostOfAnotherDeviceTypeIsExcludedAndMeasuresNothing) {
    if (!mpi_usable()) GTEST_SKIP() << "htune was built without Open MPI, or mpirun is missing";
    const std::string dir = temp_dir(), db = dir + "/t.db";
    const std::string args = tune_args(db, 6);
    CommandResult r = run_shell(mpirun() + "-np 1 " + HTUNE_BINARY + args +
                                " : -np 1 -x HTUNE_MPI_DEVICE_KEY=" + "'x86-64-linux-sse41|Other CPU|2t' " +
                                HTUNE_BINARY + args + " : -np 1 " + HTUNE_BINARY + args);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.err.find("excluding measurement host"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("/rank 1: device type 'x86-64-linux-sse41|Other CPU|2t'"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("1 MPI measurement host(s)"), std::string::npos) << r.err;
    std::vector<Record> got = records(db);
    ASSERT_EQ(got.size(), 6u);
    for (const Record &rec : got) {
        EXPECT_TRUE(ends_with(rec.result.host, "/rank 2")) << rec.result.host;
        EXPECT_EQ(rec.device_key.find("Other CPU"), std::string::npos) << rec.device_key;
    }
    run_shell("rm -rf " + dir);
}

namespace {

// Starts `mpirun_options` -np 3 htune tune --mpi in the background (trials `trials`, a host lost
// after `host_timeout_s` of silence), waits for
// at least 9 committed records, kills rank 2 and returns how many records there were then.
int64_t start_and_kill_rank_2(const std::string &dir, const std::string &db,
                              const std::string &mpirun_options, int trials, int host_timeout_s = 20) {
    CommandResult bg = run_shell("(" + mpirun() + mpirun_options + " -np 3 " + HTUNE_BINARY +
                                 tune_args(db, trials, host_timeout_s) + " >" + dir +
                                 "/out.log 2>&1; echo $? >" + dir + "/rc) >/dev/null 2>&1 &");
    EXPECT_EQ(bg.exit_code, 0);
    int64_t n = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (std::chrono::steady_clock::now() < deadline && n < 9) {
        if (access(db.c_str(), F_OK) == 0) {
            try {
                n = open_database(db)->count();
            } catch (const std::exception &) {
                n = 0;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GE(n, 9) << read_file(dir + "/out.log");
    // Rank 2, found by the rank Open MPI puts in its environment.
    CommandResult pid = run_shell("for p in $(pgrep -f 'htune tune --mpi .*" + db +
                                  "'); do tr '\\0' '\\n' </proc/$p/environ 2>/dev/null | "
                                  "grep -qx OMPI_COMM_WORLD_RANK=2 && echo $p; done");
    EXPECT_FALSE(pid.out.empty()) << "rank 2 is not running: " << read_file(dir + "/out.log");
    if (!pid.out.empty()) EXPECT_EQ(kill((pid_t)std::stol(pid.out), SIGKILL), 0);
    return n;
}

void wait_for_rc(const std::string &dir) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (std::chrono::steady_clock::now() < deadline && read_file(dir + "/rc").empty())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace

TEST(MpiTuneTest, UnderEnableRecoveryALostHostsCandidateIsMeasuredElsewhereAndTheRunGoesOn) {
    if (!mpi_usable()) GTEST_SKIP() << "htune was built without Open MPI, or mpirun is missing";
    const std::string dir = temp_dir(), db = dir + "/t.db";
    const int64_t n = start_and_kill_rank_2(dir, db, "--enable-recovery", 40, 3);
    ASSERT_GE(n, 9);
    wait_for_rc(dir);
    const std::string log = read_file(dir + "/out.log");
    ASSERT_EQ(read_file(dir + "/rc"), "0\n") << log;
    EXPECT_NE(log.find("measurement host "), std::string::npos) << log;
    EXPECT_NE(log.find("/rank 2 lost (no word for "), std::string::npos) << log;
    std::vector<Record> got = records(db);
    EXPECT_EQ(got.size(), 40u) << "the run reached its trials without the lost host";
    std::set<std::string> hashes;
    int after_loss_by_2 = 0;
    for (size_t i = 0; i < got.size(); i++) {
        hashes.insert(got[i].schedule_hash);
        EXPECT_EQ(got[i].result.status, Status::ok) << got[i].result.error;
        if ((int64_t)i >= n + 8 && ends_with(got[i].result.host, "/rank 2")) after_loss_by_2++;
    }
    EXPECT_EQ(hashes.size(), got.size());
    EXPECT_EQ(after_loss_by_2, 0) << "rank 2 measured nothing once it was lost";
    run_shell("rm -rf " + dir);
}

TEST(MpiTuneTest, AHostKilledMidRunLosesNothingCommittedAndTheCommandResumes) {
    if (!mpi_usable()) GTEST_SKIP() << "htune was built without Open MPI, or mpirun is missing";
    const std::string dir = temp_dir(), db = dir + "/t.db";
    const int64_t n = start_and_kill_rank_2(dir, db, "", 400);
    ASSERT_GE(n, 9);
    wait_for_rc(dir);
    ASSERT_FALSE(read_file(dir + "/rc").empty()) << "mpirun did not end after a host was killed";
    EXPECT_NE(read_file(dir + "/rc"), "0\n") << "Debian's Open MPI aborts the job when a rank dies";

    // Every committed batch is there, each record whole, and the file is sound.
    std::vector<Record> kept = records(db);
    ASSERT_GE((int64_t)kept.size(), n);
    for (const Record &rec : kept) {
        EXPECT_EQ(rec.result.status, Status::ok) << rec.result.error;
        EXPECT_FALSE(rec.result.host.empty());
    }
    EXPECT_EQ(open_database(db)->integrity_check(), "ok");

    // The same command (with a budget just above what is stored) resumes and ends normally.
    const int target = (int)kept.size() + 4;
    CommandResult r = run_shell(mpirun() + "-np 3 " + HTUNE_BINARY + tune_args(db, target));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<Record> after = records(db);
    EXPECT_EQ((int)after.size(), target);
    for (size_t i = 0; i < kept.size(); i++) EXPECT_EQ(after[i], kept[i]);
    run_shell("rm -rf " + dir);
}

TEST(MpiTuneTest, MpiMistakesAreOneLineAndWriteNothing) {
    const std::string dir = temp_dir(), db = dir + "/t.db";
    CommandResult r = run_htune("tune --op blur3x3 --test-size --mpi-coordinator-measures --db " + db);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "htune: error: tune: --mpi-coordinator-measures needs --mpi\n");
    if (mpi_usable()) {  // alone, not under mpirun: a world of one rank, no host to measure on
        r = run_htune("tune --mpi --op blur3x3 --test-size --trials 4 --db " + db);
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_NE(r.err.find("htune: error: --mpi: no measurement host of device type"), std::string::npos)
            << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        // Under mpirun every rank parses the same bad line; one of them says so.
        r = run_shell(mpirun() + "-np 3 " + HTUNE_BINARY + " tune --mpi --op no_such_op --db " + db);
        EXPECT_NE(r.exit_code, 0);
        const std::string all = r.out + r.err;
        size_t lines = 0;
        for (size_t p = all.find("htune: error:"); p != std::string::npos;
             p = all.find("htune: error:", p + 1))
            lines++;
        EXPECT_EQ(lines, 1u) << all;
        EXPECT_NE(all.find("no_such_op"), std::string::npos) << all;
    }
    EXPECT_NE(access(db.c_str(), F_OK), 0) << "no database was created";
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
