// The timing protocol and the protocol/option plumbing that need no worker process.
#include <gtest/gtest.h>

#include <thread>

#include "measure/Protocol.h"
#include "measure/Timing.h"
#include "ops/Error.h"
#include "ops/OpRegistry.h"
#include "tests/support/FakeRunner.h"

namespace htune {

TEST(TimingTest, SummarizeMinMedianSpread) {
    TimingStats s = summarize({4, 1, 2, 3});
    EXPECT_EQ(s.repeats, 4);
    EXPECT_DOUBLE_EQ(s.min_ms, 1);
    EXPECT_DOUBLE_EQ(s.median_ms, 2.5);
    EXPECT_DOUBLE_EQ(s.max_ms, 4);
    EXPECT_DOUBLE_EQ(s.total_ms, 10);
    EXPECT_DOUBLE_EQ(s.spread, 3);
    EXPECT_DOUBLE_EQ(summarize({5, 1, 3}).median_ms, 3);
    EXPECT_EQ(summarize({}).repeats, 0);
}

TEST(TimingTest, RepeatsUntilBothMinimumCountAndMinimumTime) {
    int calls = 0;
    TimingPolicy by_count{2, 20, 0.0, 1000};
    TimingStats a = time_repeats(by_count, [&] { calls++; });
    EXPECT_EQ(a.repeats, 20);
    EXPECT_EQ(calls, 22);  // warm-up calls are not timed

    TimingPolicy by_time{0, 2, 0.05, 1000};
    TimingStats b = time_repeats(by_time, [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); });
    EXPECT_GE(b.repeats, 2);
    EXPECT_GE(b.total_ms, 50.0);
    EXPECT_LE(b.min_ms, b.median_ms);
    EXPECT_LE(b.median_ms, b.max_ms);

    TimingPolicy capped{0, 5, 100.0, 7};
    EXPECT_EQ(time_repeats(capped, [] {}).repeats, 7);
}

TEST(TimingTest, ARunSlowerThanTheCutoffEndsTheTiming) {
    // Warm-up slower than the cutoff: it is the one sample, and nothing more runs.
    int calls = 0;
    auto slow = [&] {
        calls++;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    };
    TimingStats a = time_repeats(TimingPolicy{1, 5, 0.0, 100, 10.0}, slow);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(a.repeats, 1);
    EXPECT_GE(a.median_ms, 20.0);
    // No warm-up: the first timed run is the last.
    calls = 0;
    EXPECT_EQ(time_repeats(TimingPolicy{0, 5, 0.0, 100, 10.0}, slow).repeats, 1);
    EXPECT_EQ(calls, 1);
    // Faster than the cutoff, or no cutoff: the full protocol.
    calls = 0;
    EXPECT_EQ(time_repeats(TimingPolicy{1, 5, 0.0, 100, 1000.0}, slow).repeats, 5);
    EXPECT_EQ(calls, 6);
    calls = 0;
    EXPECT_EQ(time_repeats(TimingPolicy{1, 5, 0.0, 100}, slow).repeats, 5);
    EXPECT_EQ(calls, 6);
}

TEST(TimingTest, PolicyJsonRoundTripAndValidation) {
    TimingPolicy p{3, 9, 0.5, 77};
    EXPECT_EQ(nlohmann::json(p).get<TimingPolicy>(), p);
    TimingPolicy cut{1, 5, 0.2, 100, 250.0};
    EXPECT_EQ(nlohmann::json(cut).get<TimingPolicy>(), cut);
    EXPECT_FALSE(nlohmann::json(p).contains("cutoff_ms"));  // jobs without a cutoff read as before
    EXPECT_THROW(nlohmann::json({{"min_repeats", -1}}).get<TimingPolicy>(), Error);
    EXPECT_THROW(nlohmann::json({{"cutoff_ms", -1}}).get<TimingPolicy>(), Error);
}

TEST(ProtocolTest, JobsRoundTrip) {
    WorkloadSpec spec{"blur3x3", "", {{"W", "64"}, {"H", "32"}}};
    LoadJob l = load_job_from_json(to_job_json(LoadJob{spec, 7, "/tmp/r.bin", "host", 2}));
    EXPECT_EQ(l.workload, spec);
    EXPECT_EQ(l.seed, 7u);
    EXPECT_EQ(l.reference_path, "/tmp/r.bin");
    EXPECT_EQ(l.threads, 2);
    CompileJob c = compile_job_from_json(to_job_json(CompileJob{5, nlohmann::json(Schedule{}), Fault::hang}));
    EXPECT_EQ(c.id, 5);
    EXPECT_EQ(c.fault, Fault::hang);
    EXPECT_EQ(c.schedule.get<Schedule>(), Schedule{});
    RunJob r = run_job_from_json(to_job_json(RunJob{9, TimingPolicy{0, 3, 0.1, 50}}));
    EXPECT_EQ(r.id, 9);
    EXPECT_EQ(r.timing, (TimingPolicy{0, 3, 0.1, 50}));
    EXPECT_THROW(load_job_from_json({{"job", "load"}}), Error);
    EXPECT_THROW(compile_job_from_json({{"id", 1}}), Error);
    EXPECT_THROW(compile_job_from_json({{"id", 1}, {"schedule", {}}, {"fault", "explode"}}), Error);
}

TEST(ProtocolTest, FaultListsAndTimeouts) {
    EXPECT_EQ(parse_fault_list("crash,hang,oom,wrong_output"),
              (std::vector<Fault>{Fault::crash, Fault::hang, Fault::oom, Fault::wrong_output}));
    EXPECT_TRUE(parse_fault_list("").empty());
    EXPECT_THROW(parse_fault_list("crash,crash"), Error);
    EXPECT_THROW(parse_fault_list("segv"), Error);
    EXPECT_EQ(parse_fault_list("wrong_second_input"), (std::vector<Fault>{Fault::wrong_second_input}));
    MeasureOptions o;
    o.run_timeout_floor_s = 2;
    o.run_timeout_factor = 10;
    o.warmup = 1;
    o.min_repeats = 5;
    o.min_seconds = 0.2;
    EXPECT_DOUBLE_EQ(run_timeout_s(o, 0.001), 2.2);               // the floor
    // Scaled from the reference: two checked runs, one spare, warm-up and repeats.
    EXPECT_DOUBLE_EQ(run_timeout_s(o, 0.1), 10 * 0.1 * 9 + 0.2);
    o.threads = 3;
    EXPECT_EQ(resolved_threads(o), 3);
    o.threads = 0;
    EXPECT_GE(resolved_threads(o), 1);
}

TEST(FakeRunnerTest, DeterministicAndFaultsMapToStatuses) {
    Workload w = make_workload("blur3x3", true);
    Schedule a, b;
    b.funcs["blur_x"] = FuncSchedule{};
    FakeRunner fake;
    auto r1 = fake.measure(w, {a, b}, {Fault::none, Fault::none});
    auto r2 = fake.measure(w, {a, b});
    EXPECT_EQ(r1, r2);
    EXPECT_NE(r1[0].median_ms, r1[1].median_ms);
    auto r3 = fake.measure(w, {a, a, a, a}, {Fault::crash, Fault::hang, Fault::oom, Fault::wrong_output});
    EXPECT_EQ(r3[0].status, Status::crash);
    EXPECT_EQ(r3[1].status, Status::timeout);
    EXPECT_EQ(r3[2].status, Status::runtime_error);
    EXPECT_EQ(r3[3].status, Status::wrong_output);
    EXPECT_EQ(fake.batches().size(), 3u);
    EXPECT_EQ(fake.candidates_measured(), 8);
    FakeRunner custom([](const Workload &, const Schedule &, Fault) {
        MeasureResult r;
        r.median_ms = 42;
        return r;
    });
    EXPECT_EQ(custom.measure(w, {a})[0].median_ms, 42);
}

}  // namespace htune
