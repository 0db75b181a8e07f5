// The search benchmark (tuner/bench/SearchBench.h): its figures on synthetic curves (trials to
// within 5%, final best, "A reaches B's final best", never reached), the SVG, the loop's
// best-so-far curve behind `htune tune --json`'s curve_ms, and a tiny end-to-end run of the real
// binary (three strategies, one seed, a few trials at test size, resumed).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "db/DeviceKey.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tests/RunCommand.h"
#include "tests/support/FakeRunner.h"
#include "tuner/Tuner.h"
#include "tuner/bench/SearchBench.h"

namespace htune::test {

namespace {

BenchRun run_of(const std::string &workload, const std::string &strategy, uint64_t seed,
                std::vector<double> curve) {
    BenchRun r;
    r.workload = workload;
    r.strategy = strategy;
    r.seed = seed;
    r.curve = std::move(curve);
    r.ok = final_best(r.curve) > 0;
    return r;
}

size_t count_of(const std::string &text, const std::string &what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
    return n;
}

const std::vector<std::string> kStrategies = {"guided", "evolution", "random"};

// The end-to-end benches: blur3x3 at its test size, one seed, quick measurements, no
// autoscheduler seeds, output under `dir`.
SearchBenchOptions blur_bench(const std::string &dir, std::vector<std::string> strategies, int trials,
                              int batch_size) {
    SearchBenchOptions o;
    o.htune = HTUNE_BINARY;
    o.workloads = {spec_of(make_workload("blur3x3", true))};
    o.strategies = std::move(strategies);
    o.seeds = 1;
    o.trials = trials;
    o.batch_size = batch_size;
    o.out_dir = dir + "/out";
    o.tune_args = {"--seed-autoschedulers", "none", "--min-repeats", "2", "--min-seconds", "0.01"};
    return o;
}

}  // namespace

TEST(SearchBenchTest, FinalBestTrialsToReachAndMedianCountNotReachedAsLargest) {
    std::vector<double> c = {0, 0, 10, 8, 8, 5, 5};
    EXPECT_EQ(final_best(c), 5);
    EXPECT_EQ(final_best({0, 0}), 0);
    EXPECT_EQ(trials_to_reach(c, 8), 3);
    EXPECT_EQ(trials_to_reach(c, 9), 3);
    EXPECT_EQ(trials_to_reach(c, 5.25), 5);
    EXPECT_EQ(trials_to_reach(c, 4.9), kNotReached);
    EXPECT_EQ(trials_to_reach({0, 0}, 100), kNotReached) << "nothing ran ok: never reached";

    EXPECT_EQ(median_of({3, 1, 2}), 2);
    EXPECT_EQ(median_of({4, 1, 3, 2}), 2.5);
    EXPECT_EQ(median_of({1, kNotReached, 2}), 2) << "one of three never reached";
    EXPECT_EQ(median_of({1, kNotReached, kNotReached}), kNotReached);
    EXPECT_EQ(median_of({1, 2, 3, kNotReached}), 2.5);
    EXPECT_EQ(median_of({1, 2, kNotReached, kNotReached}), kNotReached) << "half never reached";
    EXPECT_EQ(median_of({}), kNotReached);

    auto n = normalized_curve({0, 10, 5}, 5, 5);
    EXPECT_EQ(n, (std::vector<double>{0, 0.5, 1, 1, 1})) << "padded with the last value";
}

TEST(SearchBenchTest, SummarizeGivesTrialsToWithinFinalBestsReachRatiosAndHeadlines) {
    // Workload a: guided finds 10 ms by trial 2, evolution by trial 6 (seed 0) or 8 (seed 1),
    // random never gets below 20. Workload b: guided and evolution alike; random's one run
    // failed and its other nothing ran ok in.
    std::vector<BenchRun> runs = {
        run_of("a", "guided", 0, {0, 30, 10, 10, 10, 10, 10, 10, 10, 10}),
        run_of("a", "guided", 1, {0, 30, 12, 10.4, 10.4, 10.4, 10.4, 10.4, 10.4, 10.4}),
        run_of("a", "evolution", 0, {0, 30, 30, 25, 25, 20, 10.2, 10.2, 10.2, 10.2}),
        run_of("a", "evolution", 1, {0, 30, 30, 25, 25, 20, 20, 20, 11, 11}),
        run_of("a", "random", 0, {0, 30, 30, 30, 30, 30, 30, 25, 25, 25}),
        run_of("a", "random", 1, {0, 30, 30, 30, 30, 30, 30, 30, 30, 20}),
        run_of("b", "guided", 0, {0, 4, 4, 2, 2}),
        run_of("b", "guided", 1, {0, 4, 4, 4, 2}),
        run_of("b", "evolution", 0, {0, 4, 4, 2, 2}),
        run_of("b", "evolution", 1, {0, 4, 2, 2, 2}),
        run_of("b", "random", 0, {}),
        run_of("b", "random", 1, {0, 0, 0, 0, 0}),
    };
    runs[10].error = "htune tune exited with 1";
    BenchSummary s = summarize(runs, kStrategies);
    ASSERT_EQ(s.workloads.size(), 2u);
    const WorkloadStats &a = s.workloads[0];
    EXPECT_EQ(a.workload, "a");
    EXPECT_EQ(a.best_known_ms, 10);
    ASSERT_EQ(a.strategies.size(), 3u);
    // Within 5% of 10 ms = at most 10.5 ms.
    EXPECT_EQ(a.strategies[0].trials_to_within, (std::vector<double>{2, 3}));
    EXPECT_EQ(a.strategies[0].median_trials_to_within, 2.5);
    EXPECT_DOUBLE_EQ(a.strategies[0].median_final_ms, 10.2);
    EXPECT_EQ(a.strategies[1].trials_to_within, (std::vector<double>{6, kNotReached}));
    EXPECT_EQ(a.strategies[1].median_trials_to_within, kNotReached);
    EXPECT_DOUBLE_EQ(a.strategies[1].median_final_ms, 10.6);
    EXPECT_EQ(a.strategies[2].median_trials_to_within, kNotReached);
    EXPECT_DOUBLE_EQ(a.strategies[2].median_final_ms, 22.5);
    // guided reaches evolution's final best (10.6 ms): trials 2 and 3 -> 2.5 of 9.
    ASSERT_EQ(a.reach.size(), 2u);
    EXPECT_TRUE(a.reach[0].defined);
    EXPECT_DOUBLE_EQ(a.reach[0].target_ms, 10.6);
    EXPECT_EQ(a.reach[0].trials, (std::vector<double>{2, 3}));
    EXPECT_EQ(a.reach[0].b_trials, 9);
    EXPECT_DOUBLE_EQ(a.reach[0].ratio, 2.5 / 9);
    // evolution reaches random's 22.5 ms at trial 5 on both seeds.
    EXPECT_EQ(a.reach[1].trials, (std::vector<double>{5, 5}));
    EXPECT_DOUBLE_EQ(a.reach[1].ratio, 5.0 / 9);

    const WorkloadStats &b = s.workloads[1];
    EXPECT_EQ(b.best_known_ms, 2);
    EXPECT_EQ(b.strategies[2].runs, 2);
    EXPECT_EQ(b.strategies[2].failed, 2);
    EXPECT_TRUE(b.strategies[2].final_ms.empty());
    EXPECT_EQ(b.strategies[2].median_final_ms, 0);
    EXPECT_DOUBLE_EQ(b.reach[0].ratio, 3.5 / 4);  // guided: trials 3 and 4 to reach 2 ms
    EXPECT_FALSE(b.reach[1].defined) << "random has no ok run on b";

    ASSERT_EQ(s.headlines.size(), 2u);
    EXPECT_EQ(s.headlines[0].a, "guided");
    EXPECT_EQ(s.headlines[0].b, "evolution");
    EXPECT_EQ(s.headlines[0].workloads, 2);
    EXPECT_EQ(s.headlines[0].reached, 2);
    EXPECT_DOUBLE_EQ(s.headlines[0].median_ratio, (2.5 / 9 + 3.5 / 4) / 2);
    EXPECT_EQ(s.headlines[1].workloads, 1);
    EXPECT_DOUBLE_EQ(s.headlines[1].median_ratio, 5.0 / 9);

    // Median normalized curves: one per strategy, as long as the longest run, in [0, 1].
    ASSERT_EQ(s.median_curves.size(), 3u);
    for (const auto &c : s.median_curves) {
        ASSERT_EQ(c.size(), 10u);
        EXPECT_EQ(c[0], 0);
        for (double v : c) EXPECT_TRUE(v >= 0 && v <= 1) << v;
    }
    EXPECT_EQ(s.median_curves[0].back(), median_of({1, 10 / 10.4, 1, 1}));

    nlohmann::json j = search_bench_json(runs, s);
    EXPECT_EQ(j["format"], "htune-bench-search/1");
    EXPECT_EQ(j["runs"].size(), runs.size());
    EXPECT_TRUE(j["workloads"][0]["strategies"][1]["trials_to_within_5pct"][1].is_null()) << "never reached";
    EXPECT_TRUE(j["workloads"][0]["strategies"][1]["median_trials_to_within_5pct"].is_null());
    EXPECT_TRUE(j["workloads"][1]["reach"][1]["ratio"].is_null());
    EXPECT_FALSE(j["workloads"][1]["reach"][1]["defined"].get<bool>());
    EXPECT_EQ(j["headlines"][0]["reached"], 2);
    EXPECT_EQ(j["median_curves"]["random"].size(), 10u);
}

TEST(SearchBenchTest, AStrategyThatNeverReachesTheOthersBestIsNotReachedOnTheMedianWorkload) {
    std::vector<BenchRun> runs;
    for (const char *w : {"a", "b", "c"}) {
        runs.push_back(run_of(w, "guided", 0, {0, 9, 9, 9, 9}));
        runs.push_back(run_of(w, "evolution", 0, {0, 9, 8, 8, 8}));
    }
    runs[0].curve = {0, 9, 8, 8, 8};  // guided reaches 8 on a only
    BenchSummary s = summarize(runs, {"guided", "evolution"});
    ASSERT_EQ(s.headlines.size(), 1u);
    EXPECT_EQ(s.headlines[0].workloads, 3);
    EXPECT_EQ(s.headlines[0].reached, 1);
    EXPECT_EQ(s.headlines[0].median_ratio, kNotReached);
    EXPECT_TRUE(search_bench_json(runs, s)["headlines"][0]["median_ratio"].is_null());
}

TEST(SearchBenchTest, MeasurementNoiseIsTheSpreadOfOneScheduleOverRuns) {
    BenchRun a, b, c;
    a.times = {{"h1", 1.0}, {"h2", 2.0}, {"h3", 5.0}, {"only_a", 1.0}};
    b.times = {{"h1", 1.1}, {"h2", 2.0}, {"h3", 4.0}};
    c.times = {{"h1", 1.2}, {"only_c", 3.0}};
    NoiseStats n = measurement_noise({&a, &b, &c});
    EXPECT_EQ(n.schedules, 3) << "h1, h2 and h3 are in two runs or more";
    // Spreads: h1 0.2, h2 0, h3 0.25.
    EXPECT_DOUBLE_EQ(n.median_spread, 0.2);
    EXPECT_DOUBLE_EQ(n.p90_spread, 0.25);
    EXPECT_EQ(measurement_noise({&a}).schedules, 0);
}

TEST(SearchBenchTest, TheSvgIsValidXmlWithOnePolylinePerStrategy) {
    std::vector<BenchRun> runs = {run_of("a", "guided", 0, {0, 4, 2}), run_of("a", "evolution", 0, {0, 4, 3}),
                                  run_of("a", "random", 0, {0, 5, 4})};
    std::string svg = search_bench_svg(summarize(runs, kStrategies), "a <title> & more");
    EXPECT_EQ(count_of(svg, "<polyline"), 3u);
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("a &lt;title&gt; &amp; more"), std::string::npos);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_EQ(count_of(svg, "http"), 1u) << "only the SVG namespace, no external reference";
    std::string dir = temp_dir(), path = dir + "/plot.svg";
    std::ofstream(path) << svg;
    // A real XML parser (python3 is what bench_report.py needs anyway).
    CommandResult r = run_shell(
        "python3 -c \"import sys, xml.etree.ElementTree as E; root = E.parse(sys.argv[1]).getroot(); "
        "print(root.tag, len(root.findall('{http://www.w3.org/2000/svg}polyline')))\" " +
        path);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "{http://www.w3.org/2000/svg}svg 3\n");
    run_shell("rm -rf " + dir);
}

TEST(SearchBenchTest, TheLoopReportsItsBestSoFarCurveOnePointPerTrial) {
    auto db = open_database(":memory:");
    FakeRunner runner;  // ok, times from each schedule's hash
    TuneOptions o;
    o.device_key = "x86-64-linux-avx2|fake cpu|2t";
    o.trials = 10;
    o.batch_size = 4;
    o.seed = 1;
    o.search_strategy = "random";
    o.confirm_top = 0;
    TuneEnv env;
    env.runner = &runner;
    env.db = db.get();
    TuneResult r = tune({spec_of(make_workload("matmul", true))}, o, env);
    ASSERT_EQ(r.workloads.size(), 1u);
    const WorkloadOutcome &w = r.workloads[0];
    ASSERT_EQ(w.curve.size(), 11u);
    EXPECT_EQ(w.curve[0], 0) << "a fresh database: no best before the first trial";
    for (size_t i = 1; i < w.curve.size(); i++) {
        EXPECT_GT(w.curve[i], 0);
        if (i > 1) {
            EXPECT_LE(w.curve[i], w.curve[i - 1]);
        }
    }
    EXPECT_EQ(w.curve.back(), w.best_ms);
    double min_stored = 0;
    db->scan({}, [&](const Record &rec) {
        if (min_stored == 0 || rec.result.min_ms < min_stored) min_stored = rec.result.min_ms;
    });
    EXPECT_EQ(w.curve.back(), min_stored);
}

TEST(SearchBenchTest, ReadTuneSummaryTakesTheCurveAndSaysWhyARunFailed) {
    std::string dir = temp_dir();
    auto write = [&](const std::string &name, const std::string &text) {
        std::ofstream(dir + "/" + name) << text;
        return dir + "/" + name;
    };
    BenchRun ok = read_tune_summary(
        write("ok.json",
              R"({"format": "htune-tune-summary/1", "device": "dev", "elapsed_s": 3.5, "stopped": false,
                  "run": {"commit": "abc"}, "workloads": [{"workload": "matmul:M=64", "best_ms": 1.5,
                  "heuristic_ms": 4, "stop": "trials", "error": null, "curve_ms": [null, 4, 2, 2]}]})"));
    EXPECT_TRUE(ok.ok) << ok.error;
    EXPECT_EQ(ok.curve, (std::vector<double>{0, 4, 2, 2}));
    EXPECT_EQ(ok.workload, "matmul:M=64");
    EXPECT_EQ(ok.best_ms, 1.5);
    EXPECT_EQ(ok.device, "dev");
    EXPECT_EQ(ok.commit, "abc");
    EXPECT_EQ(ok.elapsed_s, 3.5);

    BenchRun missing = read_tune_summary(dir + "/none.json");
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("no summary"), std::string::npos);
    BenchRun error = read_tune_summary(write(
        "error.json", R"({"format": "htune-tune-summary/1", "workloads": [{"workload": "w", "best_ms": null,
            "error": "no candidate ran ok in 48 trial(s)\n    48x crash", "curve_ms": [null, null]}]})"));
    EXPECT_FALSE(error.ok);
    EXPECT_EQ(error.error, "no candidate ran ok in 48 trial(s)");
    BenchRun stopped = read_tune_summary(write(
        "stopped.json", R"({"format": "htune-tune-summary/1", "stopped": true, "workloads": [{"workload": "w",
            "error": null, "curve_ms": [null, 3]}]})"));
    EXPECT_FALSE(stopped.ok);
    EXPECT_NE(stopped.error.find("stopped"), std::string::npos);
    BenchRun old = read_tune_summary(
        write("old.json",
              R"({"format": "htune-tune-summary/1", "workloads": [{"workload": "w", "error": null}]})"));
    EXPECT_FALSE(old.ok);
    EXPECT_NE(old.error.find("curve_ms"), std::string::npos);
    run_shell("rm -rf " + dir);
}

TEST(SearchBenchTest, EndToEndEveryStrategyInAFreshDatabaseAFailedRunReportedAndResume) {
    std::string dir = temp_dir();
    // The last strategy fails in htune.
    SearchBenchOptions o = blur_bench(dir, {"guided", "evolution", "random", "nonesuch"}, 6, 3);
    std::vector<BenchRun> runs = run_search_bench(o);
    ASSERT_EQ(runs.size(), 4u);
    for (size_t i = 0; i < 3; i++) {
        const BenchRun &r = runs[i];
        EXPECT_TRUE(r.ok) << r.strategy << ": " << r.error << "\n" << read_file(r.log);
        EXPECT_EQ(r.strategy, o.strategies[i]);
        EXPECT_EQ(r.workload, make_workload("blur3x3", true).canonical());
        EXPECT_EQ(r.curve.size(), 7u) << "a fresh database: 6 trials from nothing";
        EXPECT_EQ(r.curve[0], 0);
        EXPECT_FALSE(r.reused);
        EXPECT_TRUE(std::filesystem::exists(r.db));
        EXPECT_EQ(open_database(r.db)->count(), 6) << "its own database holds only its own trials";
        std::string command = read_file(r.summary);
        EXPECT_NE(command.find("--search " + r.strategy), std::string::npos);
        EXPECT_NE(command.find("--confirm 0"), std::string::npos);
    }
    EXPECT_FALSE(runs[3].ok);
    EXPECT_EQ(runs[3].exit_code, 2);
    EXPECT_NE(runs[3].error.find("exited with 2"), std::string::npos) << runs[3].error;

    BenchSummary s = summarize(runs, o.strategies);
    ASSERT_EQ(s.workloads.size(), 1u);
    EXPECT_GT(s.workloads[0].best_known_ms, 0);
    EXPECT_EQ(s.workloads[0].strategies[3].failed, 1);
    // One --seed: every strategy measured the same first batch (the heuristic at least).
    EXPECT_GE(s.workloads[0].noise.schedules, 1);
    EXPECT_EQ(runs[0].times.size(), (size_t)open_database(runs[0].db)->count({{}, "", "", true}));
    nlohmann::json j = search_bench_json(runs, s);
    EXPECT_FALSE(j["runs"][3]["error"].is_null());

    // Again: the ok runs are reused as they are, the failed one runs again (and fails again).
    std::vector<BenchRun> again = run_search_bench(o);
    ASSERT_EQ(again.size(), 4u);
    for (size_t i = 0; i < 3; i++) {
        EXPECT_TRUE(again[i].reused) << again[i].strategy;
        EXPECT_EQ(again[i].curve, runs[i].curve);
    }
    EXPECT_FALSE(again[3].reused);
    EXPECT_FALSE(again[3].ok);
    // Another trial count is another command: nothing is reused.
    o.trials = 4;
    o.strategies = {"random"};
    std::vector<BenchRun> other = run_search_bench(o);
    ASSERT_EQ(other.size(), 1u);
    EXPECT_FALSE(other[0].reused);
    EXPECT_EQ(other[0].curve.size(), 5u);
    run_shell("rm -rf " + dir);
}

TEST(SearchBenchTest, TheTransferArmWarmStartsFromAModelRetrainedWithoutTheOperator) {
    std::string dir = temp_dir(), corpus = dir + "/corpus.db";
    {
        // A corpus of fake measurements (times from the schedule's hash) of three operators,
        // on this machine's device type, as `htune tune` commits them.
        auto db = open_database(corpus);
        FakeRunner runner([](const Workload &, const Schedule &s, Fault) {
            MeasureResult r;
            r.min_ms = r.median_ms = 1.0 + std::stoull(schedule_hash(s).substr(0, 4), nullptr, 16) / 65536.0;
            r.repeats = 3;
            r.threads = default_thread_count();
            return r;
        });
        const std::string device = current_device(host_target(), default_thread_count()).key();
        for (const char *op : {"blur3x3", "unsharp_mask", "harris"}) {
            Workload w = make_workload(op, true);
            ScheduleSpace space(w, host_target());
            std::mt19937_64 rng(3);
            std::vector<Schedule> batch{space.heuristic()};
            while (batch.size() < 8) batch.push_back(space.sample(rng));
            std::vector<MeasureResult> results = runner.measure(w, batch);
            std::vector<Record> records;
            for (size_t i = 0; i < batch.size(); i++)
                records.push_back(make_record(w, device, nlohmann::json(batch[i]), schedule_hash(batch[i]),
                                              results[i], ""));
            db->commit(records);
        }
    }
    SearchBenchOptions o = blur_bench(dir, {"transfer", "guided"}, 4, 4);

    // Without a corpus the transfer runs fail saying why; the cold runs do not need one.
    std::vector<BenchRun> none = run_search_bench(o);
    ASSERT_EQ(none.size(), 2u);
    EXPECT_FALSE(none[0].ok);
    EXPECT_NE(none[0].error.find("needs --transfer-corpus"), std::string::npos) << none[0].error;
    EXPECT_TRUE(none[1].ok) << none[1].error;

    o.transfer_corpus = corpus;
    std::vector<BenchRun> runs = run_search_bench(o);
    ASSERT_EQ(runs.size(), 2u);
    ASSERT_TRUE(runs[0].ok) << runs[0].error << "\n" << read_file(runs[0].log);
    EXPECT_TRUE(runs[1].reused);
    const std::string model = o.out_dir + "/models/blur3x3.bin";
    EXPECT_TRUE(std::filesystem::exists(model));
    // The model never saw blur3x3: retrained on the two other operators' 16 records only.
    auto report = nlohmann::json::parse(read_file(o.out_dir + "/models/blur3x3.json"));
    EXPECT_EQ(report["hold_out"], nlohmann::json{"blur3x3"});
    EXPECT_EQ(report["records"], 16);
    EXPECT_EQ(report["operators"], (nlohmann::json{"unsharp_mask", "harris"}));
    // The run was guided, warm-started from that file, in a fresh database of its own.
    std::string summary = read_file(runs[0].summary);
    EXPECT_NE(summary.find("--search guided --model " + model), std::string::npos) << summary;
    EXPECT_NE(read_file(runs[0].log).find("(transfer: " + model + ")"), std::string::npos);
    EXPECT_EQ(open_database(runs[0].db)->count(), 4);
    EXPECT_EQ(open_database(corpus)->count(), 24) << "the corpus itself is left as it was";
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
