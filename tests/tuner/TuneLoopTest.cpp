// The tuning loop (tuner/Tuner.h) with fakes for every slow seam: FakeRunner
// (times from a synthetic cost of the schedule), FakeCostModel (ranks by the
// same synthetic features, i.e. a perfect model), a fake featurizer and a fake
// clock. Runs in seconds.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "db/Database.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tests/support/FakeCostModel.h"
#include "tests/support/FakeRunner.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadSet.h"

namespace htune::test {

namespace {

// Synthetic features of a schedule: how far its split factors are from 16, the
// compute_root Funcs, whether its stages vectorize and run in parallel. The
// fake "time" grows with them.
std::vector<float> fake_features(const Schedule &s) {
    float tile = 0, roots = 0, novec = 0, nopar = 0;
    for (const auto &[name, f] : s.funcs) {
        if (f.placement == Placement::root) roots += 1;
        for (const auto &st : f.stages) {
            for (const auto &sp : st.splits)
                for (int x : sp.factors) tile += std::fabs(std::log2((float)std::max(x, 1)) - 4.0f);
            if (st.vectorize.empty()) novec += 1;
            if (st.parallel.empty()) nopar += 1;
        }
    }
    return {tile, roots, novec, nopar};
}

double fake_ms(const Schedule &s) {
    auto f = fake_features(s);
    return 1.0 + f[0] + 2 * f[1] + 3 * f[2] + 3 * f[3];
}

FeatureSchema fake_schema() { return {"fake-features", 1, {"tile", "roots", "novec", "nopar"}}; }

FeaturizerFactory fake_featurizer() {
    return [](const Workload &, const ScheduleSpace &) -> FeaturizeFunction {
        return [](const std::vector<Schedule> &batch) {
            FeatureMatrix m(fake_schema(), 0);
            for (const auto &s : batch) m.add_row(fake_features(s));
            return m;
        };
    };
}

// The FakeCostModel scores -(weighted sum of features): the same order as
// fake_ms.
std::unique_ptr<FakeCostModel> perfect_model() {
    return std::make_unique<FakeCostModel>(
        [](const float *r, size_t) { return -(r[0] + 2 * r[1] + 3 * r[2] + 3 * r[3]); });
}

MeasureResult ok_result(double ms) {
    MeasureResult r;
    r.status = Status::ok;
    r.min_ms = r.median_ms = ms;
    r.repeats = 5;
    r.threads = 2;
    return r;
}

struct Harness {
    std::unique_ptr<Database> db = open_database(":memory:");
    double now = 0;
    double seconds_per_candidate = 0;
    std::function<double(const Workload &, const Schedule &)> time_of =
        [](const Workload &, const Schedule &s) { return fake_ms(s); };
    // time_of < 0: the candidate fails (runtime_error).
    FakeRunner runner{[this](const Workload &w, const Schedule &s, Fault) {
        now += seconds_per_candidate;
        double ms = time_of(w, s);
        if (ms >= 0) return ok_result(ms);
        MeasureResult r;
        r.status = Status::runtime_error;
        r.error = "fake failure";
        return r;
    }};
    std::unique_ptr<FakeCostModel> model = perfect_model();
    TuneOptions o;
    TuneEnv env;

    Harness() {
        o.device_key = "x86-64-linux-avx2|fake cpu|2t";
        o.trials = 24;
        o.batch_size = 4;
        o.seed = 1;
        o.search.pool = 96;
        env.runner = &runner;
        env.model = model.get();
        env.featurizer = fake_featurizer();
        env.clock = [this] { return now; };
    }
    TuneResult run(const std::vector<WorkloadSpec> &specs) {
        env.db = db.get();
        return tune(specs, o, env);
    }
    std::vector<std::string> hashes(const std::string &key) {
        std::vector<std::string> out;
        RecordQuery q;
        q.workload_key = key;
        q.device_key = o.device_key;
        db->scan(q, [&](const Record &r) { out.push_back(r.schedule_hash); });
        return out;
    }
};

WorkloadSpec test_spec(const std::string &op) { return spec_of(make_workload(op, true)); }

}  // namespace

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

// Collects the notes a run prints.
struct NoteCollector : Progress {
    std::vector<std::string> notes;
    void update(const std::vector<ProgressRow> &, int, double) override {}
    void note(const std::string &line) override { notes.push_back(line); }
    void finish() override {}
};

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
    EXPECT_EQ(m.trials, 8);  // one batch, with the failed heuristic: no more
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

TEST(TuneLoopTest, AutoschedulerSchedulesSeedTheFirstBatchAndFailuresAreNotes) {
    Harness h;
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, h.env.target);
    std::mt19937_64 rng(42);
    Schedule imported = space.sample(rng);
    Schedule invalid = imported;
    invalid.funcs["harris"].placement = Placement::inline_;  // an output cannot be inlined
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {}),
                               Candidate::autoscheduler("Adams2019", "/x/a.so", {}),
                               Candidate::autoscheduler("Li2018", "/x/l.so", {})};
    int calls = 0;
    h.runner.importer = [&](const Workload &, const std::vector<Candidate> &cs) {
        calls++;
        EXPECT_EQ(cs.size(), 3u);
        std::vector<ImportedCandidate> out(cs.size());
        out[0].schedule = imported;
        out[1].status = Status::crash;
        out[1].error = "worker killed by signal 6";
        out[2].schedule = invalid;
        return out;
    };
    std::ostringstream log;
    auto progress = make_progress(log, false);
    h.env.progress = progress.get();
    h.o.trials = 8;
    TuneResult r = h.run({spec_of(w)});
    ASSERT_EQ(r.workloads.size(), 1u);
    EXPECT_TRUE(r.workloads[0].error.empty()) << r.workloads[0].error;
    EXPECT_EQ(calls, 1);
    // The heuristic, then the imported schedule, in the first batch.
    ASSERT_FALSE(h.runner.batches().empty());
    const auto &first = h.runner.batches()[0];
    ASSERT_GE(first.size(), 2u);
    EXPECT_EQ(first[1], schedule_hash(imported));
    EXPECT_NE(log.str().find("seeded with Mullapudi2016's schedule " + schedule_hash(imported)),
              std::string::npos)
        << log.str();
    EXPECT_NE(log.str().find("Adams2019 gave no seed (crash: worker killed by signal 6)"), std::string::npos)
        << log.str();
    EXPECT_NE(log.str().find("Li2018's schedule is not valid here"), std::string::npos) << log.str();
    // Seeds are their own switch, not the strategy's: random search takes them when asked (the
    // same first batch), and none when the list is empty.
    Harness random;
    random.o.search_strategy = "random";
    random.o.autoscheduler_seeds = h.o.autoscheduler_seeds;
    random.runner.importer = h.runner.importer;
    random.o.trials = 4;
    random.run({spec_of(w)});
    EXPECT_EQ(calls, 2);
    ASSERT_FALSE(random.runner.batches().empty());
    EXPECT_EQ(random.runner.batches()[0].at(1), schedule_hash(imported));
    Harness none;
    none.o.search_strategy = "random";
    none.runner.importer = h.runner.importer;
    none.o.trials = 4;
    none.run({spec_of(w)});
    EXPECT_EQ(calls, 2);
}

// An autoscheduler's schedule is measured in a workload's first batch, where timings can be
// slow (a cold worker); the confirmation measures it again beside the best records, in
// confirm_rounds rounds, so the best is decided among equals.
TEST(TuneLoopTest, ConfirmationRemeasuresTheAutoschedulerSeedsInRoundsAndKeepsEachBestRound) {
    Harness h;
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, h.env.target);
    std::mt19937_64 rng(7);
    Schedule imported = space.sample(rng);
    const std::string ih = schedule_hash(imported);
    const std::string hh = schedule_hash(space.heuristic());
    ASSERT_NE(ih, hh);
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {})};
    h.runner.importer = [&](const Workload &, const std::vector<Candidate> &cs) {
        std::vector<ImportedCandidate> out(cs.size());
        out[0].schedule = imported;
        return out;
    };
    std::map<std::string, int> calls;
    h.time_of = [&](const Workload &, const Schedule &s) {
        std::string k = schedule_hash(s);
        int n = calls[k]++;
        if (k == ih) return n == 0 ? 1000.0 : n == 1 ? 0.9 : 0.7;  // slow first, then the fastest
        if (k == hh && n == 2) return -1.0;                        // fails its second confirmation round
        return fake_ms(s) + 1 - 0.1 * n;                           // every later measurement a little faster
    };
    h.o.trials = 16;
    h.o.confirm_top = 3;
    h.o.confirm_rounds = 2;
    TuneResult r = h.run({spec_of(w)});
    ASSERT_EQ(r.workloads.size(), 1u);
    EXPECT_TRUE(r.workloads[0].confirmed);
    // Two confirmation rounds, each with the heuristic, the imported schedule (its 1000 ms kept
    // it out of the top 3) and the 3 best.
    const auto &batches = h.runner.batches();
    ASSERT_GE(batches.size(), 3u);
    for (size_t b = batches.size() - 2; b < batches.size(); b++) {
        const auto &hs = batches[b];
        EXPECT_EQ(hs.size(), 5u);
        EXPECT_NE(std::find(hs.begin(), hs.end(), ih), hs.end()) << "the imported schedule is confirmed";
        EXPECT_NE(std::find(hs.begin(), hs.end(), hh), hs.end()) << "the heuristic is confirmed";
    }
    EXPECT_EQ(calls[ih], 3);
    // The seed's best round (0.7 ms) makes it the best.
    Lookup best = h.db->best(w.key(), h.o.device_key);
    ASSERT_EQ(best.records.size(), 1u);
    EXPECT_EQ(best.records[0].schedule_hash, ih);
    EXPECT_DOUBLE_EQ(best.records[0].result.min_ms, 0.7);
    EXPECT_EQ(r.workloads[0].best_hash, ih);
    // A record that failed a round is stored failed; the others keep their better round.
    int confirmed_others = 0;
    RecordQuery q;
    q.workload_key = w.key();
    q.device_key = h.o.device_key;
    h.db->scan(q, [&](const Record &rec) {
        if (rec.schedule_hash == hh) {
            EXPECT_EQ(rec.result.status, Status::runtime_error);
        } else if (rec.schedule_hash != ih && calls[rec.schedule_hash] == 3) {
            confirmed_others++;
            EXPECT_EQ(rec.result.status, Status::ok);
            EXPECT_NEAR(rec.result.min_ms, fake_ms(rec.schedule.get<Schedule>()) + 0.8, 1e-9);
        }
    });
    EXPECT_EQ(confirmed_others, 3);
}

TEST(TuneLoopTest, AutoschedulerFailuresAreRememberedAndNotAskedAgainOnResume) {
    Harness h;
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, h.env.target);
    std::mt19937_64 rng(42);
    Schedule imported = space.sample(rng);
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {}),
                               Candidate::autoscheduler("Adams2019", "/x/a.so", {})};
    h.o.measure.compile_timeout_s = 120;
    h.o.measure.address_space_bytes = size_t(4096) << 20;
    std::vector<std::vector<std::string>> asked;
    bool adams_works = false;
    h.runner.importer = [&](const Workload &, const std::vector<Candidate> &cs) {
        asked.emplace_back();
        std::vector<ImportedCandidate> out(cs.size());
        for (size_t i = 0; i < cs.size(); i++) {
            asked.back().push_back(cs[i].name);
            out[i].schedule = imported;
            if (cs[i].name == "Adams2019" && !adams_works) {
                out[i].status = Status::compile_error;
                out[i].error = "std::bad_alloc\nmore detail";
            }
        }
        return out;
    };
    std::ostringstream log;
    auto progress = make_progress(log, false);
    h.env.progress = progress.get();
    h.o.trials = 8;
    h.run({spec_of(w)});
    using Names = std::vector<std::string>;
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0], (Names{"Mullapudi2016", "Adams2019"}));
    auto failures = h.db->seed_failures(w.key(), h.o.device_key);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].autoscheduler, "Adams2019");
    EXPECT_EQ(failures[0].status, "compile_error");
    EXPECT_EQ(failures[0].error, "std::bad_alloc");
    EXPECT_EQ(failures[0].limit_s, 120);
    EXPECT_EQ(failures[0].memory_limit_mb, 4096);
    EXPECT_EQ(failures[0].halide_version, std::string(halide_version()));
    EXPECT_NE(
        log.str().find("Adams2019 gave no seed (compile_error: std::bad_alloc); the workers may use 4096 "
                       "MiB: a larger --memory-limit-mb asks it again"),
        std::string::npos)
        << log.str();

    // Resume: Adams2019 is not asked again, and the log says why.
    h.o.trials = 12;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(asked[1], (Names{"Mullapudi2016"}));
    EXPECT_NE(log.str().find("Adams2019 gave no seed in an earlier run (compile_error: std::bad_alloc); not "
                             "asked again (--retry-seeds asks)"),
              std::string::npos)
        << log.str();

    // --retry-seeds asks it; it fails again and stays remembered.
    h.o.retry_seed_failures = true;
    h.o.trials = 16;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 3u);
    EXPECT_EQ(asked[2], (Names{"Mullapudi2016", "Adams2019"}));
    EXPECT_EQ(h.db->seed_failures(w.key(), h.o.device_key).size(), 1u);

    // A larger memory limit asks it again; it fails again and is remembered under that limit,
    // so the same limit does not ask a second time (a smaller one neither).
    h.o.retry_seed_failures = false;
    h.o.measure.address_space_bytes = size_t(16000) << 20;
    h.o.trials = 17;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 4u);
    EXPECT_EQ(asked[3], (Names{"Mullapudi2016", "Adams2019"}));
    failures = h.db->seed_failures(w.key(), h.o.device_key);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].memory_limit_mb, 16000);
    h.o.trials = 18;
    h.run({spec_of(w)});
    h.o.measure.address_space_bytes = size_t(8000) << 20;
    h.o.trials = 19;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 6u);
    EXPECT_EQ(asked[4], (Names{"Mullapudi2016"}));
    EXPECT_EQ(asked[5], (Names{"Mullapudi2016"}));

    // A timeout under a shorter compile limit than this run's is asked again; when it seeds,
    // the failure is forgotten.
    SeedFailure timeout = failures[0];
    timeout.status = "timeout";
    timeout.limit_s = 60;
    h.db->put_seed_failure(w.key(), h.o.device_key, timeout);
    adams_works = true;
    h.o.trials = 20;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 7u);
    EXPECT_EQ(asked[6], (Names{"Mullapudi2016", "Adams2019"}));
    EXPECT_TRUE(h.db->seed_failures(w.key(), h.o.device_key).empty());
}

TEST(TuneLoopTest, SketchesFollowTheAutoschedulerSeedsInTheFirstBatch) {
    Harness h;
    Workload w = make_workload("conv2d", true);
    ScheduleSpace space(w, h.env.target);
    std::vector<Schedule> sketches = space.sketches();
    ASSERT_GE(sketches.size(), 2u);
    std::mt19937_64 rng(7);
    Schedule imported = space.sample(rng);
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {})};
    h.runner.importer = [&](const Workload &, const std::vector<Candidate> &cs) {
        std::vector<ImportedCandidate> out(cs.size());
        out[0].schedule = imported;
        return out;
    };
    std::ostringstream log;
    auto progress = make_progress(log, false);
    h.env.progress = progress.get();
    h.o.trials = 16;
    h.o.batch_size = 16;
    h.run({spec_of(w)});
    ASSERT_FALSE(h.runner.batches().empty());
    const auto &first = h.runner.batches()[0];
    // Seeds take at most half a batch: heuristic, the import, then the sketches in order.
    ASSERT_GE(first.size(), 4u);
    EXPECT_EQ(first[0], schedule_hash(space.heuristic()));
    EXPECT_EQ(first[1], schedule_hash(imported));
    for (size_t i = 0; i < sketches.size() && 2 + i < 8; i++)
        EXPECT_EQ(first[2 + i], schedule_hash(sketches[i]));
    EXPECT_NE(log.str().find("sketch(es) of"), std::string::npos) << log.str();
    // Turned off: none of them is measured.
    Harness off;
    off.o.sketch_seeds = false;
    off.o.trials = 16;
    off.run({spec_of(w)});
    for (const auto &b : off.runner.batches())
        for (const auto &hash : b) EXPECT_NE(hash, schedule_hash(sketches[0]));
}

// The ablations change one thing. Given the same seeds and sketches, every strategy measures the
// same first batch (the heuristic, the seeds, then warm-up samples from the same rng); from the
// second batch on their proposals differ, and only guided trains or asks the model.
TEST(TuneLoopTest, EveryStrategyMeasuresTheSameSeedsAndOnlyGuidedUsesTheModel) {
    Workload w = make_workload("conv2d", true);
    ScheduleSpace space(w, host_target());
    std::mt19937_64 rng(7);
    Schedule imported = space.sample(rng);
    std::map<std::string, std::vector<std::vector<std::string>>> batches;
    for (std::string strategy : search_strategy_names()) {
        Harness h;
        h.o.search_strategy = strategy;
        h.o.trials = 24;
        h.o.batch_size = 8;
        h.o.confirm_top = 0;
        h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {})};
        h.runner.importer = [&](const Workload &, const std::vector<Candidate> &cs) {
            std::vector<ImportedCandidate> out(cs.size());
            out[0].schedule = imported;
            return out;
        };
        TuneResult r = h.run({spec_of(w)});
        EXPECT_EQ(r.workloads[0].trials, 24) << strategy;
        batches[strategy] = h.runner.batches();
        if (strategy == "guided") {
            EXPECT_GT(h.model->predict_calls, 0);
            EXPECT_GT(h.model->update_calls + h.model->train_calls, 0);
        } else {
            EXPECT_EQ(h.model->predict_calls, 0) << strategy;
            EXPECT_EQ(h.model->update_calls + h.model->train_calls, 0) << strategy;
        }
    }
    const auto &g = batches["guided"], &e = batches["evolution"], &r = batches["random"];
    ASSERT_EQ(g.size(), 3u);
    ASSERT_EQ(e.size(), 3u);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(g[0], e[0]);
    EXPECT_EQ(g[0], r[0]);
    EXPECT_EQ(g[0].at(1), schedule_hash(imported));
    EXPECT_EQ(g[0].at(2), schedule_hash(space.sketches().at(0)));
    // Seeds still fill half of the second batch (the same ones); the strategies' halves differ.
    EXPECT_NE(g[1], e[1]);
    EXPECT_NE(g[1], r[1]);
    EXPECT_NE(e[1], r[1]);
    for (size_t i = 0; i < 4; i++) {
        EXPECT_EQ(g[1][i], e[1][i]);
        EXPECT_EQ(g[1][i], r[1][i]);
    }
}

// --sketches on|off: with it on, every strategy measures all the space's sketches; off, none.
TEST(TuneLoopTest, SketchesOnAreMeasuredByEveryStrategyAndOffByNone) {
    Workload w = make_workload("conv2d", true);
    ScheduleSpace space(w, host_target());
    std::vector<std::string> sketches;
    for (const Schedule &s : space.sketches()) sketches.push_back(schedule_hash(s));
    ASSERT_GE(sketches.size(), 2u);
    for (std::string strategy : search_strategy_names())
        for (bool on : {true, false}) {
            Harness h;
            h.o.search_strategy = strategy;
            h.o.sketch_seeds = on;
            h.o.batch_size = 16;
            h.o.trials = 16 + 2 * (int)sketches.size();  // seeds take up to half of each batch
            h.o.confirm_top = 0;
            h.run({spec_of(w)});
            auto stored = h.hashes(w.key());
            std::set<std::string> in_db(stored.begin(), stored.end());
            int found = 0;
            for (const auto &s : sketches) found += (int)in_db.count(s);
            EXPECT_EQ(found, on ? (int)sketches.size() : 0) << strategy << ", sketches " << on;
        }
}

// --param-seeds: the best schedules of the same op at other parameters seed every strategy.
TEST(TuneLoopTest, OtherParametersBestSchedulesSeedEveryStrategy) {
    WorkloadSpec a = test_spec("blur3x3"), b = a;
    for (auto &[k, v] : b.params)
        if (k == "W") v = std::to_string(std::stoi(v) + 64);
    ASSERT_NE(make_workload(a).key(), make_workload(b).key()) << "blur3x3 has no parameter W";
    for (std::string strategy : search_strategy_names())
        for (int seeds : {3, 0}) {
            Harness h;
            h.o.search_strategy = strategy;
            h.o.sketch_seeds = false;
            h.o.confirm_top = 0;
            h.o.trials = 8;
            TuneResult first = h.run({a});
            Lookup best = h.db->best(first.workloads[0].key, h.o.device_key);
            ASSERT_EQ(best.records.size(), 1u);
            Schedule s = best.records[0].schedule.get<Schedule>();
            Workload wb = make_workload(b);
            ASSERT_EQ(ScheduleSpace(wb, host_target()).validate(s), "") << "a's best does not fit b";
            h.o.seeds_per_workload = seeds;
            h.o.trials = 8;
            size_t before = h.runner.batches().size();
            h.run({b});
            ASSERT_GT(h.runner.batches().size(), before);
            const auto &b0 = h.runner.batches()[before];
            bool seeded = std::find(b0.begin(), b0.end(), schedule_hash(s)) != b0.end();
            EXPECT_EQ(seeded, seeds > 0) << strategy << ", --param-seeds " << seeds;
        }
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

TEST(TuneLoopTest, RunsAreCappedByTheBestTimeSoFar) {
    Harness h;
    h.o.trials = 12;
    h.o.confirm_top = 0;
    h.o.run_cap_factor = 20;
    h.o.measure.warmup = 1;  // 8 runs per candidate: 2 + warmup + min_repeats
    h.o.measure.min_repeats = 5;
    h.o.measure.min_seconds = 0.1;
    h.time_of = [](const Workload &, const Schedule &) { return 100.0; };  // 100 ms each
    TuneResult r = h.run({test_spec("matmul")});
    ASSERT_EQ(r.workloads[0].trials, 12);
    // The first batch has no best yet: the runner's own limit. Then 20 * 0.1 s * 8 runs + 0.1 s.
    ASSERT_EQ(h.runner.run_timeouts().size(), 8u);
    for (double cap : h.runner.run_timeouts()) EXPECT_DOUBLE_EQ(cap, 16.1);
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
