// Candidates other than Schedule values, through the real worker protocol:
// Halide's default schedule, autoscheduler plugins (working and failing), the
// openblas kernel; machine peaks.
#include <gtest/gtest.h>

#include "measure/Machine.h"
#include "measure/Protocol.h"
#include "measure/Runner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"

namespace htune::test {

namespace {

const std::string kPluginDir = "/usr/lib/x86_64-linux-gnu/halide14";  // Debian's libhalide14

MeasureOptions quick() {
    MeasureOptions o;
    o.warmup = 0;
    o.min_repeats = 2;
    o.min_seconds = 0;
    o.worker_exe = HTUNE_BINARY;
    return o;
}

AutoschedulerMachine machine() {
    AutoschedulerMachine m;
    m.parallelism = 2;
    m.last_level_cache_bytes = last_level_cache_bytes();
    return m;
}

}  // namespace

TEST(CandidateTest, CompileJobsRoundTripEveryKind) {
    CompileJob a;
    a.id = 3;
    a.kind = CandidateKind::autoscheduler;
    a.name = "Adams2019";
    a.plugin = "/p.so";
    a.log = "/tmp/x.log";
    a.machine = machine();
    CompileJob b = compile_job_from_json(to_job_json(a));
    EXPECT_EQ(b.kind, CandidateKind::autoscheduler);
    EXPECT_EQ(b.name, "Adams2019");
    EXPECT_EQ(b.plugin, "/p.so");
    EXPECT_EQ(b.log, "/tmp/x.log");
    EXPECT_EQ(b.machine.last_level_cache_bytes, a.machine.last_level_cache_bytes);
    EXPECT_FALSE(b.import_schedule);
    a.import_schedule = true;
    EXPECT_TRUE(compile_job_from_json(to_job_json(a)).import_schedule);
    CompileJob n;
    n.kind = CandidateKind::naive;
    EXPECT_EQ(compile_job_from_json(to_job_json(n)).kind, CandidateKind::naive);
    // Old-style jobs (no "kind") are schedule jobs.
    nlohmann::json old = {{"job", "compile"}, {"id", 1}, {"schedule", nlohmann::json::object()}};
    EXPECT_EQ(compile_job_from_json(old).kind, CandidateKind::schedule);
    EXPECT_THROW(compile_job_from_json({{"job", "compile"}, {"id", 1}, {"kind", "magic"}}), Error);
}

TEST(CandidateTest, NaiveAutoschedulersAndFailuresInOneBatch) {
    auto runner = make_worker_runner(quick());
    Workload w = make_workload("blur3x3", true);
    std::vector<Candidate> batch = {
        Candidate::naive(),
        Candidate::autoscheduler("Mullapudi2016", kPluginDir + "/libautoschedule_mullapudi2016.so",
                                 machine()),
        Candidate::autoscheduler("Adams2019", HTUNE_TEST_DATA "/not_a_library.so", machine()),
        Candidate::autoscheduler("NoSuchScheduler", kPluginDir + "/libautoschedule_li2018.so", machine()),
        Candidate::external("openblas"),  // not a matmul
    };
    std::vector<MeasureResult> r = runner->measure_candidates(w, batch);
    ASSERT_EQ(r.size(), batch.size());
    EXPECT_EQ(r[0].status, Status::ok) << r[0].error;
    EXPECT_GT(r[0].min_ms, 0);
    EXPECT_EQ(r[1].status, Status::ok) << r[1].error;
    EXPECT_EQ(r[2].status, Status::compile_error);
    EXPECT_FALSE(r[2].error.empty());
    EXPECT_EQ(r[3].status, Status::compile_error);
    EXPECT_NE(r[3].error.find("NoSuchScheduler"), std::string::npos) << r[3].error;
    EXPECT_EQ(r[4].status, Status::compile_error);
    EXPECT_NE(r[4].error.find("matmul"), std::string::npos) << r[4].error;
    EXPECT_GT(runner->reference_seconds(w), 0);
}

TEST(CandidateTest, ImportAutoschedulesGivesValidSchedulesOrTheFailure) {
    auto runner = make_worker_runner(quick());
    Workload w = make_workload("harris", true);
    std::vector<Candidate> batch = {
        Candidate::autoscheduler("Mullapudi2016", kPluginDir + "/libautoschedule_mullapudi2016.so",
                                 machine()),
        Candidate::autoscheduler("Adams2019", kPluginDir + "/libautoschedule_adams2019.so", machine()),
        Candidate::autoscheduler("Adams2019", HTUNE_TEST_DATA "/not_a_library.so", machine()),
    };
    std::vector<ImportedCandidate> r = runner->import_autoschedules(w, batch);
    ASSERT_EQ(r.size(), batch.size());
    ScheduleSpace space(w, htune::host_target());
    for (int i : {0, 1}) {
        EXPECT_EQ(r[i].status, Status::ok) << r[i].error;
        EXPECT_EQ(space.validate(r[i].schedule), "") << batch[i].name;
        EXPECT_GT(r[i].seconds, 0);
    }
    EXPECT_TRUE(r[0].changes.empty());  // Mullapudi2016's harris schedule is in the space as is
    EXPECT_EQ(r[2].status, Status::compile_error);
    EXPECT_NE(r[2].error.find("not_a_library"), std::string::npos) << r[2].error;
    // The imported schedules compute the reference through the ordinary path.
    auto m = runner->measure(w, {r[0].schedule, r[1].schedule});
    EXPECT_EQ(m[0].status, Status::ok) << m[0].error;
    EXPECT_EQ(m[1].status, Status::ok) << m[1].error;
}

TEST(CandidateTest, OpenblasComputesMatmulCorrectly) {
    auto runner = make_worker_runner(quick());
    // Not square, so a swapped layout (M/N/K or lda/ldb) shows up as
    // wrong_output.
    WorkloadSpec s;
    s.op = "matmul";
    s.params = {{"M", "48"}, {"N", "80"}, {"K", "24"}};
    Workload w = make_workload(s);
    std::vector<MeasureResult> r = runner->measure_candidates(w, {Candidate::external("openblas")});
    if (have_openblas()) {
        EXPECT_EQ(r[0].status, Status::ok) << r[0].error;
    } else {
        EXPECT_EQ(r[0].status, Status::compile_error);
        EXPECT_NE(r[0].error.find("libopenblas-dev"), std::string::npos) << r[0].error;
    }
}

TEST(CandidateTest, PeaksArePositive) {
    MachinePeaks p = measure_peaks(2, uint64_t(32) << 20);
    EXPECT_GT(p.peak_gflops, 0);
    EXPECT_GT(p.bandwidth_gbs, 0);
    EXPECT_GT(last_level_cache_bytes(), 0u);
}

}  // namespace htune::test
