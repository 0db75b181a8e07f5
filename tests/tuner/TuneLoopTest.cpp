// The tuning loop (tuner/Tuner.h) end to end with the fakes of TuneHarness.h: trial and time
// budgets, resume, early stop, the task scheduler, failing workloads, the search-strategy seam
// and run caps. Seeds: TuneSeedsTest.cpp; the end-of-run confirmation: TuneConfirmationTest.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "db/Database.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tests/tuner/TuneHarness.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadSet.h"

namespace htune::test {

TEST(TuneLoopTest, TrialsBudgetIsExactAndNoHashIsMeasuredTwice) {
    Harness h;
    h.o.trials = 22;  // not a multiple of the batch size
    h.o.batch_size = 5;
    h.o.run_id = h.db->begin_run(RunInfo{});
    h.o.feature_schema = "fake-features/1";
    TuneResult r = h.run({test_spec("matmul"), test_spec("blur3x3")});
    ASSERT_EQ(r.workloads.size(), 2u);
    for (const auto &w : r.workloads) {
        EXPECT_TRUE(w.error.empty()) << w.error;
        EXPECT_EQ(w.trials, 22) << w.workload;
        EXPECT_EQ(w.run_trials, 22) << w.workload;
        EXPECT_EQ(w.stop_reason, "trials");
        EXPECT_TRUE(w.confirmed);
        auto hs = h.hashes(w.key);
        EXPECT_EQ(hs.size(), 22u);
        EXPECT_EQ(std::set<std::string>(hs.begin(), hs.end()).size(), hs.size()) << "a hash stored twice";
        EXPECT_GT(w.heuristic_ms, 0);
        EXPECT_GT(w.speedup, 0);
    }
    // Search batches never repeat a hash (the confirmation re-measures on
    // purpose, at the end).
    std::set<std::string> seen;
    const auto &batches = h.runner.batches();
    // confirm_rounds confirmation batches per workload
    size_t search_batches = batches.size() - 2 * h.o.confirm_rounds;
    size_t total = 0;
    for (size_t b = 0; b < search_batches; b++)
        for (const auto &x : batches[b]) {
            total++;
            seen.insert(x);
        }
    EXPECT_EQ(total, 44u);
    EXPECT_EQ(seen.size(), total);
    // Every stored record carries the run id and the feature schema tag given.
    EXPECT_GT(h.o.run_id, 0);
    h.db->scan({}, [&](const Record &rec) {
        EXPECT_EQ(rec.run_id, h.o.run_id);
        EXPECT_EQ(rec.feature_schema, "fake-features/1");
    });
}

TEST(TuneLoopTest, ResumeContinuesToTheSameTotalAndTrainsOnStoredRows) {
    Harness h;
    h.o.trials = 10;
    h.o.confirm_top = 0;
    h.run({test_spec("blur3x3")});
    h.o.trials = 21;
    TuneResult r = h.run({test_spec("blur3x3")});
    ASSERT_EQ(r.workloads.size(), 1u);
    EXPECT_EQ(r.workloads[0].trials, 21);
    EXPECT_EQ(r.workloads[0].run_trials, 11);
    auto hs = h.hashes(r.workloads[0].key);
    EXPECT_EQ(hs.size(), 21u);
    EXPECT_EQ(std::set<std::string>(hs.begin(), hs.end()).size(), 21u);

    // A fresh model in a run that stops at once is still trained on every stored
    // ok row.
    auto fresh = perfect_model();
    h.env.model = fresh.get();
    h.env.stop_requested = [] { return true; };
    TuneResult again = h.run({test_spec("blur3x3")});
    EXPECT_TRUE(again.stopped);
    EXPECT_EQ(again.workloads[0].run_trials, 0);
    EXPECT_GE(fresh->update_calls + fresh->train_calls, 1);
    EXPECT_EQ(fresh->last_train_rows, 21u);  // every fake measurement is ok
    // Nothing more to do at the same budget: no new measurements.
    h.env.stop_requested = nullptr;
    h.o.trials = 21;
    int before = h.runner.candidates_measured();
    TuneResult done = h.run({test_spec("blur3x3")});
    EXPECT_EQ(done.workloads[0].run_trials, 0);
    EXPECT_EQ(h.runner.candidates_measured(), before);
}

TEST(TuneLoopTest, TheCorpusSuiteResumesAfterItsTimeBudgetUntilEveryWorkloadHasItsTrials) {
    // `htune tune --suite corpus --trials N --time-budget T`, run overnight and resumed: a run
    // cut short by its budget leaves workloads below N; the same command again brings every
    // workload to exactly N without measuring any schedule twice.
    Harness h;
    h.o.trials = 4;
    h.o.batch_size = 4;
    h.o.confirm_top = 0;
    h.seconds_per_candidate = 1;
    std::vector<WorkloadSpec> corpus = suite_specs("corpus");
    ASSERT_GE(corpus.size(), 3 * builtin_ops().size());
    h.o.time_budget_s = 4.0 * (double)corpus.size() / 2;  // about half the corpus
    TuneResult first = h.run(corpus);
    ASSERT_EQ(first.workloads.size(), corpus.size());
    int complete = 0, started = 0;
    for (const auto &w : first.workloads) {
        EXPECT_TRUE(w.error.empty()) << w.key << ": " << w.error;
        complete += w.trials == 4;
        started += w.trials > 0;
    }
    EXPECT_GT(complete, 0);
    EXPECT_LT(complete, (int)corpus.size());

    h.o.time_budget_s = 0;
    TuneResult second = h.run(corpus);
    std::size_t run_trials = 0;
    for (std::size_t i = 0; i < corpus.size(); i++) {
        const auto &w = second.workloads[i];
        EXPECT_EQ(w.trials, 4) << w.key;
        EXPECT_EQ(w.run_trials, 4 - first.workloads[i].trials) << w.key;
        run_trials += (std::size_t)w.run_trials;
        auto hs = h.hashes(w.key);
        EXPECT_EQ(std::set<std::string>(hs.begin(), hs.end()).size(), 4u) << w.key;
    }
    EXPECT_EQ(h.db->count(), (int64_t)(4 * corpus.size()));
    EXPECT_GT(run_trials, 0u);
}

TEST(TuneLoopTest, GuidedSearchBeatsRandomSamplingAndTheHeuristic) {
    // With a perfect model, guided proposals after the warm-up are far faster on average than
    // random samples (with the same seeds and sketches), and the best is at least as good.
    double best[2] = {0, 0}, later_mean[2] = {0, 0}, heuristic = 0;
    for (int guided : {1, 0}) {
        Harness h;
        h.o.trials = 40;
        h.o.search_strategy = guided ? "guided" : "random";
        h.o.confirm_top = 0;
        TuneResult r = h.run({test_spec("matmul")});
        best[guided] = r.workloads[0].best_ms;
        heuristic = r.workloads[0].heuristic_ms;
        int n = 0;
        double sum = 0;
        h.db->scan({}, [&](const Record &rec) {
            if (n++ >= 2 * h.o.batch_size) sum += rec.result.min_ms;
        });
        later_mean[guided] = sum / (n - 2 * h.o.batch_size);
        if (guided) {
            EXPECT_GT(h.model->update_calls + h.model->train_calls, 0);
            EXPECT_GT(h.model->predict_calls, 0);
        } else {
            EXPECT_EQ(h.model->predict_calls, 0);
        }
    }
    EXPECT_GT(heuristic, 0);
    EXPECT_LE(best[1], best[0]);
    EXPECT_LT(later_mean[1], 0.8 * later_mean[0]) << later_mean[1] << " vs random " << later_mean[0];
    EXPECT_LE(best[1], heuristic);
}

TEST(TuneLoopTest, SameSeedSameProposalsOtherSeedOtherProposals) {
    auto batches = [](uint64_t seed) {
        Harness h;
        h.o.seed = seed;
        h.o.trials = 16;
        h.run({test_spec("matmul"), test_spec("blur3x3")});
        return h.runner.batches();
    };
    auto a = batches(7), b = batches(7), c = batches(8);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST(TuneLoopTest, EarlyStopEndsAWorkloadWithoutImprovement) {
    Harness h;
    h.o.trials = 200;
    h.o.early_stop = 8;
    h.time_of = [](const Workload &, const Schedule &) { return 2.0; };  // nothing is ever better
    TuneResult r = h.run({test_spec("blur3x3")});
    EXPECT_EQ(r.workloads[0].stop_reason, "early stop");
    EXPECT_GE(r.workloads[0].trials, 9);
    EXPECT_LE(r.workloads[0].trials, 9 + h.o.batch_size);
}

TEST(TuneLoopTest, TimeBudgetStopsTheRun) {
    Harness h;
    h.o.trials = 0;
    h.o.time_budget_s = 60;
    h.seconds_per_candidate = 1;
    TuneResult r = h.run({test_spec("matmul"), test_spec("blur3x3")});
    int total = 0;
    for (const auto &w : r.workloads) {
        EXPECT_EQ(w.stop_reason, "time budget");
        total += w.run_trials;
    }
    EXPECT_LE(total, 60);
    EXPECT_GE(total, 60 - 2 * h.o.batch_size);
}

TEST(TuneLoopTest, SchedulerGivesMoreTrialsWhereThereIsMoreToGain) {
    Harness h;
    h.o.trials = 0;
    h.o.time_budget_s = 120;
    h.seconds_per_candidate = 1;
    // matmul: every schedule takes the same time (nothing to gain); blur3x3: every new
    // candidate is faster than the last (it keeps gaining), ending near matmul's time.
    int blur_measured = 0;
    h.time_of = [&](const Workload &w, const Schedule &) {
        return w.op() == "matmul" ? 3.0 : 3.0 + 30.0 / (1 + blur_measured++);
    };
    TuneResult r = h.run({test_spec("matmul"), test_spec("blur3x3")});
    ASSERT_EQ(r.workloads.size(), 2u);
    EXPECT_GT(r.workloads[1].run_trials, r.workloads[0].run_trials + 2 * h.o.batch_size)
        << r.workloads[0].run_trials << " vs " << r.workloads[1].run_trials;
    EXPECT_GE(r.workloads[0].run_trials, h.o.batch_size);  // its warm-up batch
}

TEST(TuneLoopTest, ChooseTaskWarmsUpFirstThenPrefersGain) {
    std::mt19937_64 rng(1);
    SchedulerOptions o;
    o.explore = 0;
    std::vector<TaskStats> t(3);
    t[0] = {true, 1, 1.0, 1.0};
    t[1] = {true, 0, 0.0, 0.0};
    t[2] = {true, 1, 1.0, 2.0};
    EXPECT_EQ(choose_task(t, o, rng), 1);  // no batch yet
    t[1] = {true, 1, 1.0, 1.0};
    EXPECT_EQ(choose_task(t, o, rng), 2);  // halved its time recently
    for (auto &x : t) x.active = false;
    EXPECT_EQ(choose_task(t, o, rng), -1);
}

TEST(TuneLoopTest, AWorkloadWhoseReferenceFailsIsReportedAndOthersGoOn) {
    Harness h;
    h.o.trials = 8;
    h.time_of = [](const Workload &w, const Schedule &s) -> double {
        if (w.op() == "matmul") throw_io("reference failed: out of memory", "matmul");
        return fake_ms(s);
    };
    TuneResult r = h.run({test_spec("matmul"), test_spec("blur3x3")});
    EXPECT_NE(r.workloads[0].error.find("reference failed"), std::string::npos);
    EXPECT_TRUE(r.workloads[1].error.empty());
    EXPECT_EQ(r.workloads[1].trials, 8);
}

TEST(TuneLoopTest, AWorkloadThatCannotMakeProgressStopsAndNamesItsDistinctErrors) {
    Harness h;
    h.o.trials = 200;
    h.o.batch_size = 8;
    NoteCollector notes;
    h.env.progress = &notes;
    // matmul: the heuristic and everything else fails (two distinct errors); blur3x3 works.
    h.runner = FakeRunner([&](const Workload &w, const Schedule &s, Fault) {
        if (w.op() != "matmul") return ok_result(fake_ms(s));
        MeasureResult r;
        r.status = Status::compile_error;
        r.error = fake_ms(s) > 20 ? "could not find var r802$x to reorder\nmore text"
                                  : "schedule names Func 'lambda_5'";
        return r;
    });
    h.o.trials = 24;
    TuneResult r = h.run({test_spec("matmul"), test_spec("blur3x3")});
    const WorkloadOutcome &m = r.workloads[0];
    EXPECT_EQ(m.stop_reason, "no progress");
    EXPECT_EQ(m.trials, 9);  // the failed heuristic alone (nothing to cap by), one batch: no more
    EXPECT_EQ(m.best_ms, 0);
    EXPECT_FALSE(m.confirmed);
    EXPECT_NE(m.error.find("the heuristic schedule included"), std::string::npos);
    // Each distinct error once, with its count, first line only.
    EXPECT_NE(m.error.find("compile_error: could not find var r802$x to reorder"), std::string::npos)
        << m.error;
    EXPECT_EQ(m.error.find("more text"), std::string::npos);
    int printed = 0;
    for (const auto &n : notes.notes) printed += n.find("no candidate ran ok") != std::string::npos;
    EXPECT_EQ(printed, 1);
    // Nothing of matmul is ok in the database; blur3x3 used its whole budget.
    EXPECT_TRUE(r.workloads[1].error.empty());
    EXPECT_EQ(r.workloads[1].trials, 24);
    EXPECT_GT(r.workloads[1].best_ms, 0);
    Lookup best = h.db->best(m.key, h.o.device_key);
    EXPECT_TRUE(best.records.empty());
}

TEST(TuneLoopTest, AFailingHeuristicAloneDoesNotStopAWorkloadThatHasOkCandidates) {
    Harness h;
    h.o.trials = 24;
    int n = 0;
    h.runner = FakeRunner([&](const Workload &w, const Schedule &s, Fault) {
        if (n++ == 0) {  // the first candidate measured is the heuristic
            MeasureResult r;
            r.status = Status::wrong_output;
            r.error = "output differs";
            return r;
        }
        return ok_result(fake_ms(s));
    });
    TuneResult r = h.run({test_spec("blur3x3")});
    EXPECT_EQ(r.workloads[0].trials, 24);
    EXPECT_TRUE(r.workloads[0].error.empty());
}

// The loop's side of the seam: a strategy gets this workload's population fastest first, never
// a measured hash to propose, and observes every measured search batch.
TEST(TuneLoopTest, AStrategySeesThePopulationAndObservesEveryMeasuredBatch) {
    struct Recording : SearchStrategy {
        int *proposals, *observed;
        Recording(int *p, int *o) : proposals(p), observed(o) {}
        std::string name() const override { return "recording"; }
        bool uses_model() const override { return false; }
        std::vector<Schedule> propose(const SearchRequest &r, std::mt19937_64 &rng) override {
            ++*proposals;
            double last = 0;
            for (const Schedule &s : r.population) {
                EXPECT_GT(r.exclude.count(schedule_hash(s)), 0u) << "a population member is unmeasured";
                EXPECT_GE(fake_ms(s), last) << "the population is not fastest first";
                last = fake_ms(s);
            }
            return propose_random(r.space, r.n, r.exclude, rng);
        }
        void observe(const std::vector<Schedule> &batch, const std::vector<MeasureResult> &results) override {
            EXPECT_EQ(batch.size(), results.size());
            *observed += (int)batch.size();
        }
    };
    Harness h;
    int proposals = 0, observed = 0;
    h.env.make_search = [&] { return std::make_unique<Recording>(&proposals, &observed); };
    h.o.trials = 20;
    h.o.search_strategy = "not consulted when a factory is injected";
    TuneResult r = h.run({test_spec("blur3x3")});
    EXPECT_TRUE(r.workloads[0].error.empty()) << r.workloads[0].error;
    EXPECT_EQ(r.workloads[0].run_trials, 20);
    EXPECT_EQ(observed, 20);
    EXPECT_GE(proposals, 5);
    EXPECT_EQ(h.model->predict_calls, 0);  // the strategy does not use the model
}

TEST(TuneLoopTest, ProposingAheadOverlapsTheNextProposalWithMeasuringAndKeepsTheBudgetExact) {
    // `tune --mpi`: while a batch is measured, the next one is proposed on another thread.
    struct Watching : SearchStrategy {
        std::atomic<bool> *measuring;
        std::atomic<int> *during, *total;
        Watching(std::atomic<bool> *m, std::atomic<int> *d, std::atomic<int> *t)
            : measuring(m), during(d), total(t) {}
        std::string name() const override { return "watching"; }
        bool uses_model() const override { return false; }
        std::vector<Schedule> propose(const SearchRequest &r, std::mt19937_64 &rng) override {
            ++*total;
            // A proposal made ahead starts just before its batch is measured: give the
            // measurement up to 50 ms to begin, so a busy machine (ctest -j2) does not decide
            // the count. A proposal in turn waits in vain: nothing measures meanwhile.
            for (int i = 0; i < 50 && !*measuring; i++)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            if (*measuring) ++*during;
            return propose_random(r.space, r.n, r.exclude, rng);
        }
    };
    for (bool ahead : {false, true}) {
        Harness h;
        std::atomic<bool> measuring{false};
        std::atomic<int> during{0}, total{0};
        h.env.make_search = [&] { return std::make_unique<Watching>(&measuring, &during, &total); };
        h.time_of = [&](const Workload &, const Schedule &s) {
            measuring = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            measuring = false;
            return fake_ms(s);
        };
        h.o.propose_ahead = ahead;
        h.o.trials = 22;
        h.o.batch_size = 5;
        h.o.confirm_top = 0;
        TuneResult r = h.run({test_spec("matmul"), test_spec("blur3x3")});
        for (const auto &w : r.workloads) {
            EXPECT_TRUE(w.error.empty()) << w.error;
            EXPECT_EQ(w.trials, 22) << w.workload;
            auto hs = h.hashes(w.key);
            EXPECT_EQ(hs.size(), 22u);
            EXPECT_EQ(std::set<std::string>(hs.begin(), hs.end()).size(), hs.size()) << "a hash stored twice";
        }
        if (ahead) {
            EXPECT_GE(during.load(), 4) << "of " << total.load() << " proposals";
        } else {
            EXPECT_EQ(during.load(), 0);
        }
    }
}

TEST(TuneLoopTest, AnUnknownStrategyIsAUsageError) {
    Harness h;
    h.o.search_strategy = "annealing";
    try {
        h.run({test_spec("blur3x3")});
        FAIL() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(e.what()).find("'annealing'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(h.runner.candidates_measured(), 0);
}

TEST(TuneLoopTest, CompilesAreCappedByTheWorkloadsMedianCompile) {
    Harness h;
    h.o.trials = 40;
    h.o.confirm_top = 0;
    h.o.compile_cap_factor = 20;
    h.o.compile_cap_floor_s = 1;
    // Every other schedule compiles in 0.1 s, the rest in 0.3 s, one in 30 s in a few.
    h.compile_s_of = [](const Schedule &s) {
        unsigned long x = std::stoul(schedule_hash(s).substr(0, 4), nullptr, 16);
        return x % 7 == 0 ? 30.0 : x % 2 ? 0.1 : 0.3;
    };
    TuneResult r = h.run({test_spec("matmul")});
    ASSERT_EQ(r.workloads[0].trials, 40);
    // The heuristic's batch has no best and no compile time yet: no cap of its own. After it,
    // each candidate's limit is 20 x the median ok compile so far (0.1 or 0.3 s: 2 or 6 s).
    const auto &caps = h.runner.compile_timeouts();
    ASSERT_EQ(caps.size(), 39u);
    for (double cap : caps) EXPECT_TRUE(cap == 2.0 || cap == 6.0) << cap;
    // The 30 s compiles after the first batch were stopped as timeouts; nothing else failed.
    const std::string first = h.runner.batches().at(0).at(0);
    int timeouts = 0, slow = 0;
    h.db->scan({}, [&](const Record &rec) {
        const bool is_slow = h.compile_s_of(rec.schedule.get<Schedule>()) > 10;
        const bool capped = rec.schedule_hash != first;
        slow += is_slow && capped;
        timeouts += rec.result.status == Status::timeout;
        EXPECT_EQ(rec.result.status, is_slow && capped ? Status::timeout : Status::ok) << rec.schedule_hash;
    });
    EXPECT_GT(slow, 0);
    EXPECT_EQ(timeouts, slow);
    // Off (factor 0): nothing is cut.
    Harness off;
    off.o.trials = 40;
    off.o.compile_cap_factor = 0;
    off.compile_s_of = h.compile_s_of;
    off.run({test_spec("matmul")});
    EXPECT_TRUE(off.runner.compile_timeouts().empty());
    // With the run cap off, the compile cap alone brings no run limit and no cutoff.
    Harness compile_only;
    compile_only.o.trials = 20;
    compile_only.o.run_cap_factor = 0;
    compile_only.compile_s_of = [](const Schedule &) { return 0.1; };
    compile_only.run({test_spec("matmul")});
    EXPECT_FALSE(compile_only.runner.compile_timeouts().empty());
    for (double cap : compile_only.runner.compile_timeouts()) EXPECT_EQ(cap, 10);  // the floor
    EXPECT_TRUE(compile_only.runner.run_timeouts().empty());
    EXPECT_TRUE(compile_only.runner.cutoffs().empty());
}

TEST(TuneLoopTest, RunsAreCappedByTheBestTimeSoFar) {
    Harness h;
    h.o.trials = 12;
    h.o.confirm_top = 0;
    h.o.run_cap_factor = 20;
    h.o.measure.warmup = 1;  // 9 runs per candidate: 3 + warmup + min_repeats
    h.o.measure.min_repeats = 5;
    h.o.measure.min_seconds = 0.1;
    h.time_of = [](const Workload &, const Schedule &) { return 100.0; };  // 100 ms each
    TuneResult r = h.run({test_spec("matmul")});
    ASSERT_EQ(r.workloads[0].trials, 12);
    // The first batch, the heuristic alone, has no best yet: the runner's own limit. Then
    // 20 * 0.1 s * 9 runs + 0.1 s.
    ASSERT_EQ(h.runner.batches().at(0).size(), 1u);
    ASSERT_EQ(h.runner.run_timeouts().size(), 11u);
    for (double cap : h.runner.run_timeouts()) EXPECT_DOUBLE_EQ(cap, 18.1);
    // And a candidate slower than 4 x 100 ms is timed by that one run.
    ASSERT_EQ(h.runner.cutoffs().size(), 11u);
    for (double cutoff : h.runner.cutoffs()) EXPECT_DOUBLE_EQ(cutoff, 400);
    Harness off;
    off.o.trials = 12;
    off.o.run_cap_factor = 0;
    off.run({test_spec("matmul")});
    EXPECT_TRUE(off.runner.run_timeouts().empty());
}

TEST(TuneLoopTest, RandomSearchNeedsNoModelOrFeaturizer) {
    Harness h;
    h.env.model = nullptr;
    h.env.featurizer = nullptr;
    h.o.trials = 9;
    TuneResult r = h.run({test_spec("blur3x3")});
    EXPECT_EQ(r.workloads[0].trials, 9);
}

TEST(TuneLoopTest, ParseDuration) {
    EXPECT_DOUBLE_EQ(parse_duration("8h"), 8 * 3600);
    EXPECT_DOUBLE_EQ(parse_duration("30m"), 1800);
    EXPECT_DOUBLE_EQ(parse_duration("90s"), 90);
    EXPECT_DOUBLE_EQ(parse_duration("1h30m"), 5400);
    EXPECT_DOUBLE_EQ(parse_duration("45"), 45);
    for (const char *bad : {"", "h", "8x", "1h30", "-5m", "0s", "abc"})
        EXPECT_THROW(parse_duration(bad), Error) << bad;
}

}  // namespace htune::test
