// Crash safety and concurrency: a writer killed with SIGKILL mid-commit loses nothing it
// committed and leaves no partial batch; several processes on one file never lose a record.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "db/Database.h"
#include "tests/RunCommand.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

constexpr int kBatch = 25;

// Batch `b` of writer `w`: kBatch records on workload w*1000+b, so a batch is identifiable.
std::vector<Record> batch_of(int writer, int b) {
    std::vector<Record> out;
    for (int i = 0; i < kBatch; i++) out.push_back(fake_record(writer * 1000 + b, kDeviceA, i, 1.0 + i));
    return out;
}

// Runs in a forked child: commits batches forever, writing each batch number to `fd` only
// after commit() returned.
[[noreturn]] void writer_loop(const std::string &path, int writer, int first_batch, int fd) {
    try {
        auto db = open_database(path);
        for (int b = first_batch;; b++) {
            db->commit(batch_of(writer, b));
            if (write(fd, &b, sizeof b) != sizeof b) _exit(3);
        }
    } catch (const std::exception &e) {
        fprintf(stderr, "writer: %s\n", e.what());
        _exit(2);
    }
}

std::map<int, int64_t> records_per_batch(Database &db, int writer) {
    std::map<int, int64_t> out;
    db.scan({}, [&](const Record &r) {
        int w = std::stoi(r.workload.params.at(0).second);
        if (w / 1000 == writer) out[w % 1000]++;
    });
    return out;
}

}  // namespace

TEST(CrashTest, SigkillMidCommitLosesNothingCommitted) {
    std::string dir = temp_dir(), path = dir + "/crash.db";
    std::vector<int> reported;
    int next_batch = 0;
    for (int round = 0; round < 4; round++) {
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            writer_loop(path, 0, next_batch, fds[1]);
        }
        close(fds[1]);
        // Let it commit a few batches (more each round), then kill it while it is inside the
        // next commit: it starts one immediately after reporting.
        int want = 5 + 7 * round, b = -1;
        for (int got = 0; got < want; got++) {
            ASSERT_EQ(read(fds[0], &b, sizeof b), (ssize_t)sizeof b) << "writer died early";
            reported.push_back(b);
        }
        usleep(200 * round);  // vary where in the commit the kill lands
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        // Batches committed after the last read but before the kill may exist too.
        while (read(fds[0], &b, sizeof b) == (ssize_t)sizeof b) reported.push_back(b);
        close(fds[0]);
        next_batch = reported.back() + 2;  // the killed batch number is not reused
    }
    auto db = open_database(path);
    EXPECT_EQ(db->integrity_check(), "ok");
    std::map<int, int64_t> per_batch = records_per_batch(*db, 0);
    for (int b : reported) EXPECT_EQ(per_batch[b], kBatch) << "committed batch " << b << " lost";
    for (const auto &kv : per_batch) EXPECT_EQ(kv.second, kBatch) << "partial batch " << kv.first;
    EXPECT_GE(db->count(), (int64_t)reported.size() * kBatch);
    EXPECT_LE(db->count(), (int64_t)(reported.size() + 4) * kBatch);  // at most one unreported per kill
    db.reset();
    std::system(("rm -rf " + dir).c_str());
}

TEST(ConcurrencyTest, FourWriterProcessesNeverLoseARecord) {
    std::string dir = temp_dir(), path = dir + "/shared.db";
    const int writers = 4, batches = 40;
    std::vector<pid_t> pids;
    for (int w = 0; w < writers; w++) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            try {
                auto db = open_database(path);  // all four create the file at once
                for (int b = 0; b < batches; b++) {
                    db->commit(batch_of(w, b));
                    db->best(fake_workload_key(w * 1000 + b), kDeviceA);  // readers interleave
                }
                _exit(0);
            } catch (const std::exception &e) {
                fprintf(stderr, "writer %d: %s\n", w, e.what());
                _exit(1);
            }
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed (see stderr)";
    }
    auto db = open_database(path);
    EXPECT_EQ(db->count(), (int64_t)writers * batches * kBatch);
    EXPECT_EQ(db->integrity_check(), "ok");
    db.reset();
    std::system(("rm -rf " + dir).c_str());
}

TEST(ConcurrencyTest, FourImportProcessesAtOnceAddUpExactly) {
    std::string dir = temp_dir(), path = dir + "/imports.db";
    const int logs = 4, per_log = 1500;
    std::string script;
    for (int l = 0; l < logs; l++) {
        std::vector<Record> records;
        for (int i = 0; i < per_log; i++)
            records.push_back(fake_record(100 * l + i % 50, kDeviceA, i, 1.0 + i));
        std::string log = dir + "/log" + std::to_string(l) + ".jsonl";
        write_jsonl(log, records);
        std::string tag = dir + "/" + std::to_string(l);
        script += "(" + std::string(HTUNE_BINARY) + " import --db " + path + " " + log + " >" + tag +
                  ".out 2>" + tag + ".err; echo $? >" + tag + ".rc) & ";
    }
    CommandResult all = run_shell(script + "wait");
    ASSERT_EQ(all.exit_code, 0);
    for (int l = 0; l < logs; l++) {
        std::string tag = dir + "/" + std::to_string(l);
        EXPECT_EQ(read_file(tag + ".rc"), "0\n") << read_file(tag + ".err");
        EXPECT_EQ(read_file(tag + ".err"), "");
        EXPECT_NE(read_file(tag + ".out").find("imported 1500 records"), std::string::npos)
            << read_file(tag + ".out");
    }
    EXPECT_EQ(count_records(path), (int64_t)logs * per_log);
    // Importing them all again, concurrently, adds nothing.
    ASSERT_EQ(run_shell(script + "wait").exit_code, 0);
    for (int l = 0; l < logs; l++)
        EXPECT_NE(read_file(dir + "/" + std::to_string(l) + ".out").find("(1500 duplicates skipped)"),
                  std::string::npos);
    EXPECT_EQ(count_records(path), (int64_t)logs * per_log);
    std::system(("rm -rf " + dir).c_str());
}

}  // namespace htune::test
