// `htune tune` end to end with real measurements at test size: resume after
// SIGKILL, budgets, the summary JSON, and one-line usage errors.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "db/Database.h"
#include "tests/RunCommand.h"

namespace htune::test {

namespace {

// Fast measurement settings for tests: few repeats, short minimum timing.
const std::string kFast = " --min-repeats 2 --min-seconds 0.01 ";

void write_file(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

int64_t count_records(const std::string &db_path) {
    auto db = open_database(db_path);
    return db->count();
}

}  // namespace

TEST(TuneCliTest, ResumeAfterKillMeasuresNoHashTwiceAndEndsAtTheBudget) {
    std::string dir = temp_dir();
    std::string db = dir + "/t.db";
    std::string cmd = std::string(HTUNE_BINARY) +
                      " tune --op matmul --test-size --trials 12 --batch-size 4 --seed 3" + kFast + "--db " +
                      db;
    CommandResult bg = run_shell(cmd + " >" + dir + "/first.log 2>&1 & echo $!");
    ASSERT_EQ(bg.exit_code, 0);
    pid_t pid = (pid_t)std::stol(bg.out);
    // Wait for the first committed batch, then kill the tuner mid-run.
    int64_t n = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
        if (access(db.c_str(), F_OK) == 0) {
            try {
                n = count_records(db);
            } catch (const std::exception &) {
                n = 0;  // being created
            }
        }
        if (n >= 4) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid, SIGKILL);
    ASSERT_GE(n, 4) << read_file(dir + "/first.log");
    int64_t at_kill = count_records(db);
    EXPECT_LT(at_kill, 12) << "the first run finished before it was killed";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    CommandResult r = run_shell(cmd + " --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto d = open_database(db);
    std::vector<std::string> hashes;
    d->scan({}, [&](const Record &rec) { hashes.push_back(rec.schedule_hash); });
    EXPECT_EQ(hashes.size(), 12u);
    EXPECT_EQ(std::set<std::string>(hashes.begin(), hashes.end()).size(), hashes.size());
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    ASSERT_EQ(j["workloads"].size(), 1u);
    const auto &w = j["workloads"][0];
    EXPECT_EQ(w["trials"], 12);
    EXPECT_EQ(w["trials_this_run"], 12 - at_kill);
    EXPECT_EQ(w["stop"], "trials");
    EXPECT_TRUE(w["best_ms"].is_number());
    EXPECT_EQ(w["best_hash"].get<std::string>().size(), 16u);
    EXPECT_NE(r.out.find("matmul:"), std::string::npos) << r.out;  // the summary table
    run_shell("rm -rf " + dir);
}

TEST(TuneCliTest, SigtermStopsAfterTheBatchInFlightAndWritesTheSummary) {
    // An overnight run stopped by a job scheduler (SIGTERM) or Ctrl-C keeps what it measured,
    // skips the rest, prints and writes its summary, and exits 128 + the signal.
    std::string dir = temp_dir();
    std::string db = dir + "/t.db";
    std::string cmd = std::string(HTUNE_BINARY) +
                      " tune --op matmul --test-size --trials 60 --batch-size 4 --seed 5 "
                      "--seed-autoschedulers none" +
                      kFast + "--db " + db + " --json " + dir + "/s.json";
    CommandResult bg = run_shell("(" + cmd + " >" + dir + "/out.log 2>" + dir + "/err.log; echo $? >" + dir +
                                 "/rc) >/dev/null 2>&1 &");
    ASSERT_EQ(bg.exit_code, 0);
    int64_t n = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline && n < 4) {
        if (access(db.c_str(), F_OK) == 0) {
            try {
                n = count_records(db);
            } catch (const std::exception &) {
                n = 0;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GE(n, 4) << read_file(dir + "/err.log");
    CommandResult pid = run_shell("pgrep -f '^" + std::string(HTUNE_BINARY) + " tune .*" + db + "'");
    ASSERT_EQ(pid.exit_code, 0) << "the tuner is not running";
    ASSERT_EQ(kill((pid_t)std::stol(pid.out), SIGTERM), 0);
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline && read_file(dir + "/rc").empty())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(read_file(dir + "/rc"), "143\n") << read_file(dir + "/err.log");
    EXPECT_NE(read_file(dir + "/err.log").find("stopped by SIGTERM"), std::string::npos);
    EXPECT_NE(read_file(dir + "/out.log").find("matmul:"), std::string::npos) << "the summary table";
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    EXPECT_EQ(j["stopped"], true);
    const auto &w = j["workloads"][0];
    EXPECT_EQ(w["stop"], "stopped");
    const int64_t stored = count_records(db);
    EXPECT_EQ(w["trials"], stored);
    EXPECT_LT(stored, 60);
    EXPECT_EQ((stored - 1) % 4, 0) << "whole batches only: the heuristic alone, then batches of 4";
    auto d = open_database(db);
    d->scan({}, [&](const Record &rec) { EXPECT_EQ(rec.result.status, Status::ok) << rec.result.error; });
    run_shell("rm -rf " + dir);
}

TEST(TuneCliTest, TimeBudgetAndRandomSearchThroughTheCli) {
    std::string dir = temp_dir();
    CommandResult r = run_htune(
        "tune --op blur3x3 --test-size --trials 0 --time-budget 1s "
        "--batch-size 3 "
        "--search random --confirm 1" +
        kFast + "--db " + dir + "/t.db --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    const auto &w = j["workloads"][0];
    EXPECT_EQ(w["stop"], "time budget");
    EXPECT_GE(w["trials"].get<int>(), 3);
    EXPECT_LE(w["trials"].get<int>(), 12);
    EXPECT_EQ(w["trials"].get<int>() % 3, 0);
    // The defaults of the switches an ablation changes are recorded too: seeds and sketches apply
    // to every strategy.
    EXPECT_EQ(j["options"]["search"], "random");
    EXPECT_EQ(j["options"]["sketches"], "on");
    EXPECT_EQ(j["options"]["param_seeds"], 3);
    EXPECT_EQ(j["options"]["seed_autoschedulers"], nlohmann::json({"mullapudi2016", "adams2019"}));
    run_shell("rm -rf " + dir);
}

// The ablation switches through the CLI: the strategy and the seeds settings are stored with the
// run (the database's runs table) and in the summary JSON, and the stderr header says them.
TEST(TuneCliTest, EvolutionWithoutSketchesOrSeedsIsRecordedWithTheRun) {
    std::string dir = temp_dir();
    CommandResult r = run_htune(
        "tune --op blur3x3 --test-size --trials 6 --batch-size 3 --search evolution --sketches off "
        "--seed-autoschedulers none --param-seeds 0 --confirm 0" +
        kFast + "--db " + dir + "/t.db --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("evolution search, sketches off, autoscheduler seeds none"), std::string::npos)
        << r.err;
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    EXPECT_EQ(j["workloads"][0]["trials"], 6);
    EXPECT_EQ(j["options"]["search"], "evolution");
    EXPECT_EQ(j["options"]["sketches"], "off");
    EXPECT_EQ(j["options"]["param_seeds"], 0);
    EXPECT_EQ(j["options"]["seed_autoschedulers"], nlohmann::json::array());
    auto db = open_database(dir + "/t.db");
    auto run = db->run(j["run_id"].get<int64_t>());
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->options["search"], "evolution");
    EXPECT_EQ(run->options["sketches"], "off");
    EXPECT_EQ(run->options, j["options"]);
    run_shell("rm -rf " + dir);
}

// A model file end to end: --model-param, the weighted scheduler by default, the model latency
// in the progress lines, the summary and the JSON (its total is the sum of count x best).
TEST(TuneCliTest, AModelFileIsTunedForTheSumOfCountTimesTime) {
    std::string dir = temp_dir();
    write_file(dir + "/tiny.json", R"({"model": "tiny", "parameters": {"batch": 1},
      "layers": [
        {"name": "a", "op": "add", "params": {"N": "batch", "C": 8, "W": 12, "H": 10}, "count": 2},
        {"name": "p", "op": "pool", "params": {"N": "batch", "C": 8, "W": 12, "H": 10}},
        {"name": "b", "op": "add", "params": {"N": "batch", "C": 8, "W": 12, "H": 10}}]})");
    CommandResult r = run_htune("tune --workloads " + dir + "/tiny.json --model-param batch=2 --trials 6 " +
                                "--batch-size 3 --seed-autoschedulers none --confirm 0" + kFast + "--db " +
                                dir + "/t.db --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("model tiny, weighted scheduler"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("| tiny latency "), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("tiny latency (sum of count x time over 2 distinct layers, 4 in all)"),
              std::string::npos)
        << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    ASSERT_EQ(j["workloads"].size(), 2u);
    EXPECT_EQ(j["workloads"][0]["workload"], "add:N=2,C=8,W=12,H=10,act=relu");
    EXPECT_EQ(j["workloads"][0]["count"], 3);
    EXPECT_EQ(j["workloads"][0]["name"], "a, b");
    double total = 0;
    for (const auto &w : j["workloads"]) total += w["count"].get<double>() * w["best_ms"].get<double>();
    EXPECT_EQ(j["model"]["name"], "tiny");
    EXPECT_NEAR(j["model"]["best_ms"].get<double>(), total, 1e-9 * total);
    ASSERT_FALSE(j["model"]["curve"].empty());
    EXPECT_NEAR(j["model"]["curve"].back()["ms"].get<double>(), total, 1e-9 * total);
    EXPECT_EQ(j["options"]["scheduler"], "weighted");
    // A bad model parameter is one error line.
    CommandResult bad = run_htune("tune --workloads " + dir +
                                  "/tiny.json --model-param seq=2 --trials 6 --db " + dir + "/u.db");
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
    EXPECT_NE(bad.err.find("model 'tiny' has the parameters batch"), std::string::npos) << bad.err;
    CommandResult sched =
        run_htune("tune --op add --test-size --scheduler fair --trials 6 --db " + dir + "/u.db");
    EXPECT_EQ(sched.exit_code, 2) << sched.err;
    EXPECT_NE(sched.err.find("--scheduler must be balanced, weighted or round-robin, not 'fair'"),
              std::string::npos)
        << sched.err;
    EXPECT_NE(access((dir + "/u.db").c_str(), F_OK), 0) << "a usage error created the database";
    run_shell("rm -rf " + dir);
}

// A model whose layers are Generators (the everyday-style test library): parameters substituted
// into GeneratorParams, same-shape layers merged, tuned for the sum of count x time, and `best`
// finds each layer's record under the model's own parameter values.
TEST(TuneCliTest, AModelOfGeneratorLayersIsTunedForTheSumOfCountTimesTime) {
    std::string dir = temp_dir();
    const std::string lib = HTUNE_TEST_GENERATORS;
    write_file(dir + "/gen.json", R"({"model": "genmodel", "parameters": {"batch": 4, "images": 2},
      "layers": [
        {"name": "fc1", "op": "mlp", "generator_lib": ")" +
                                      lib + R"(",
         "params": {"batch": "batch", "din": "16", "hidden": "32", "dout": "8"}, "count": 2},
        {"name": "conv", "op": "conv_layer", "generator_lib": ")" +
                                      lib + R"(",
         "params": {"batch": "images", "in_channels": "4", "out_channels": "8", "width": "16", "height": "12"}},
        {"name": "fc2", "op": "mlp", "generator_lib": ")" +
                                      lib + R"(",
         "params": {"batch": "batch", "din": "16", "hidden": "32", "dout": "8"}}]})");
    CommandResult r = run_htune("tune --workloads " + dir + "/gen.json --trials 6 --batch-size 3 " +
                                "--seed-autoschedulers none --confirm 0" + kFast + "--db " + dir +
                                "/t.db --json " + dir + "/s.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("model genmodel, weighted scheduler (roofline from peak: "), std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("genmodel latency (sum of count x time over 2 distinct layers, 4 in all)"),
              std::string::npos)
        << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/s.json"));
    ASSERT_EQ(j["workloads"].size(), 2u) << j.dump(1);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto &w : j["workloads"]) by_name[w["name"].get<std::string>()] = w;
    ASSERT_EQ(by_name.count("fc1, fc2"), 1u) << j.dump(1);
    EXPECT_EQ(by_name["fc1, fc2"]["count"], 3);
    EXPECT_NE(by_name["fc1, fc2"]["workload"].get<std::string>().find("batch=4"), std::string::npos);
    EXPECT_NE(by_name["conv"]["workload"].get<std::string>().find("batch=2"), std::string::npos);
    double total = 0;
    for (const auto &w : j["workloads"]) {
        EXPECT_TRUE(w["error"].is_null()) << w.dump();
        EXPECT_GT(w["best_ms"].get<double>(), 0) << w.dump();
        total += w["count"].get<double>() * w["best_ms"].get<double>();
    }
    EXPECT_NEAR(j["model"]["best_ms"].get<double>(), total, 1e-9 * total);
    // The peaks the weighted scheduler's roofline came from.
    EXPECT_GT(j["machine"]["peak_gflops"].get<double>(), 0) << j.dump(1);
    EXPECT_GT(j["machine"]["bandwidth_gbs"].get<double>(), 0) << j.dump(1);
    // The database holds records of both Generator layers; `best` reads the merged layer's back.
    CommandResult best = run_htune("best --db " + dir + "/t.db --generator-lib " + lib +
                                   " --generator mlp -g batch=4 -g din=16 -g hidden=32 -g dout=8");
    EXPECT_EQ(best.exit_code, 0) << best.err;
    EXPECT_NE(best.out.find(by_name["fc1, fc2"]["best_hash"].get<std::string>()), std::string::npos)
        << best.out << by_name["fc1, fc2"].dump();
    run_shell("rm -rf " + dir);
}

TEST(TuneCliTest, BadInputIsOneErrorLineAndExit2) {
    std::string dir = temp_dir();
    for (std::string args :
         {"tune --op no_such_op --trials 4", "tune --op blur3x3 --test-size --time-budget 8x",
          "tune --op blur3x3 --test-size --search annealing", "tune --op blur3x3 --test-size --search Guided",
          "tune --op blur3x3 --test-size --sketches maybe", "tune --op blur3x3 --test-size --sketches",
          "tune --op blur3x3 --test-size --param-seeds -1", "tune --op blur3x3 --test-size --trials 0",
          "tune --trials 4", "tune --op blur3x3 --test-size --seed-autoschedulers adams,foo",
          "tune --op blur3x3 --test-size --memory-limit-mb -1"}) {
        CommandResult r = run_htune(args + " --db " + dir + "/t.db");
        EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
        EXPECT_EQ(r.err.rfind("htune: error: ", 0), 0u) << r.err;
    }
    EXPECT_NE(access((dir + "/t.db").c_str(), F_OK), 0) << "a usage error created the database";
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
