// Seeds in the tuning loop (tuner/SeedProvider.h): the autoschedulers' imported schedules, the
// space's sketches and other parameters' best schedules, measured first by every strategy when
// switched on, and the seed-failure policy across resumed runs; end to end with the fakes of
// TuneHarness.h. SeedProvider alone: SeedProviderTest.cpp.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "db/Database.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tests/tuner/TuneHarness.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadSet.h"

namespace htune::test {

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
    h.log_progress();
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
    EXPECT_NE(h.log.str().find("seeded with Mullapudi2016's schedule " + schedule_hash(imported)),
              std::string::npos)
        << h.log.str();
    EXPECT_NE(h.log.str().find("Adams2019 gave no seed (crash: worker killed by signal 6)"),
              std::string::npos)
        << h.log.str();
    EXPECT_NE(h.log.str().find("Li2018's schedule is not valid here"), std::string::npos) << h.log.str();
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

// Adams2019 out of address space mostly aborts the worker (seen on local_laplacian and nl_means
// at bench size under the default 4096 MiB): the note says what to do about it.
TEST(TuneLoopTest, AnAutoschedulerThatAbortsUnderAMemoryLimitIsReportedAsOutOfMemory) {
    Harness h;
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, h.env.target);
    std::mt19937_64 rng(42);
    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Adams2019", "/x/a.so", {})};
    h.o.measure.address_space_bytes = size_t(4096) << 20;
    FlakyImporter importer;
    importer.schedule = space.sample(rng);
    importer.failure.status = Status::crash;
    importer.failure.error = "worker killed by signal 6 (Aborted) while compiling";
    h.runner.importer = std::ref(importer);
    h.log_progress();
    h.o.trials = 4;
    h.run({spec_of(w)});
    EXPECT_NE(h.log.str().find("Adams2019 gave no seed (crash: worker killed by signal 6 (Aborted) while "
                               "compiling); likely out of memory: the workers may use 4096 MiB"),
              std::string::npos)
        << h.log.str();
    // Without a limit there is nothing to raise: no such hint.
    Harness h2;
    h2.o.autoscheduler_seeds = h.o.autoscheduler_seeds;
    h2.o.measure.address_space_bytes = 0;
    FlakyImporter importer2 = importer;
    h2.runner.importer = std::ref(importer2);
    h2.log_progress();
    h2.o.trials = 4;
    h2.run({spec_of(w)});
    EXPECT_NE(h2.log.str().find("Adams2019 gave no seed (crash"), std::string::npos) << h2.log.str();
    EXPECT_EQ(h2.log.str().find("likely out of memory"), std::string::npos) << h2.log.str();
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
    FlakyImporter importer;
    importer.schedule = imported;
    importer.failure.status = Status::compile_error;
    importer.failure.error = "std::bad_alloc\nmore detail";
    h.runner.importer = std::ref(importer);
    const auto &asked = importer.asked;
    h.log_progress();
    h.o.trials = 8;
    h.run({spec_of(w)});
    using Names = std::vector<std::string>;
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0], (Names{"Mullapudi2016", "Adams2019"}));
    auto failures = h.db->seed_failures(w.key(), h.o.device_key);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].autoscheduler, "Adams2019");
    EXPECT_EQ(failures[0].status, Status::compile_error);
    EXPECT_EQ(failures[0].error, "std::bad_alloc");
    EXPECT_EQ(failures[0].limit_s, 120);
    EXPECT_EQ(failures[0].memory_limit_mb, 4096);
    EXPECT_EQ(failures[0].halide_version, std::string(halide_version()));
    EXPECT_NE(
        h.log.str().find("Adams2019 gave no seed (compile_error: std::bad_alloc); likely out of memory: the "
                         "workers may use 4096 MiB, a larger --memory-limit-mb asks it again"),
        std::string::npos)
        << h.log.str();

    // Resume: Adams2019 is not asked again, and the log says why.
    h.o.trials = 12;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(asked[1], (Names{"Mullapudi2016"}));
    EXPECT_NE(
        h.log.str().find("Adams2019 gave no seed in an earlier run (compile_error: std::bad_alloc); not "
                         "asked again (--retry-seeds asks)"),
        std::string::npos)
        << h.log.str();

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
    timeout.status = Status::timeout;
    timeout.limit_s = 60;
    h.db->put_seed_failure(w.key(), h.o.device_key, timeout);
    importer.adams_works = true;
    h.o.trials = 20;
    h.run({spec_of(w)});
    ASSERT_EQ(asked.size(), 7u);
    EXPECT_EQ(asked[6], (Names{"Mullapudi2016", "Adams2019"}));
    EXPECT_TRUE(h.db->seed_failures(w.key(), h.o.device_key).empty());
}

TEST(TuneLoopTest, TheHeuristicAndImportsComeFirstAloneThenTheSketches) {
    Harness h;
    Workload w = make_workload("conv2d", true);
    ScheduleSpace space(w, h.env.target);
    std::vector<Schedule> sketches = space.sketches();
    ASSERT_GE(sketches.size(), 2u);
    std::mt19937_64 rng(7);
    Schedule imported = space.sample(rng);
    h.seed_with(imported);
    h.log_progress();
    h.o.trials = 16;
    h.o.batch_size = 16;
    h.run({spec_of(w)});
    ASSERT_GE(h.runner.batches().size(), 2u);
    // The heuristic and the import alone (their best caps the runs after), then the sketches in
    // order; seeds take at most half a batch.
    EXPECT_EQ(h.runner.batches()[0],
              (std::vector<std::string>{schedule_hash(space.heuristic()), schedule_hash(imported)}));
    const auto &second = h.runner.batches()[1];
    std::vector<std::string> expected;  // the sketches not measured yet, in order, no hash twice
    std::set<std::string> taken(h.runner.batches()[0].begin(), h.runner.batches()[0].end());
    for (const Schedule &s : sketches)
        if (taken.insert(schedule_hash(s)).second && expected.size() < 7)
            expected.push_back(schedule_hash(s));
    ASSERT_GE(second.size(), expected.size());
    EXPECT_EQ(std::vector<std::string>(second.begin(), second.begin() + expected.size()), expected);
    EXPECT_NE(h.log.str().find("sketch(es) of"), std::string::npos) << h.log.str();
    // Turned off: none of them is measured.
    Harness off;
    off.o.sketch_seeds = false;
    off.o.trials = 16;
    off.run({spec_of(w)});
    for (const auto &b : off.runner.batches())
        for (const auto &hash : b) EXPECT_NE(hash, schedule_hash(sketches[0]));
}

// The ablations change one thing. Given the same seeds and sketches, every strategy measures the
// same seeds: the heuristic and the import alone, then the sketches in the next batches (at most
// half of each); the strategies' own proposals differ, and only guided trains or asks the model.
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
        h.seed_with(imported);
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
    ASSERT_EQ(g.size(), 4u);
    ASSERT_EQ(e.size(), 4u);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(g[0], e[0]);
    EXPECT_EQ(g[0], r[0]);
    EXPECT_EQ(g[0], (std::vector<std::string>{schedule_hash(space.heuristic()), schedule_hash(imported)}));
    EXPECT_EQ(g[1].at(0), schedule_hash(space.sketches().at(0)));
    // Seeds fill half of the next batches (the same ones); the strategies' halves differ.
    for (size_t b = 1; b < 3; b++) {
        EXPECT_NE(g[b], e[b]) << "batch " << b;
        EXPECT_NE(g[b], r[b]) << "batch " << b;
        EXPECT_NE(e[b], r[b]) << "batch " << b;
        for (size_t i = 0; i < 4; i++) {
            EXPECT_EQ(g[b][i], e[b][i]) << "batch " << b;
            EXPECT_EQ(g[b][i], r[b][i]) << "batch " << b;
        }
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

}  // namespace htune::test
