// SearchBench.h: the runs of the search benchmark. Each is `htune tune` (the binary, so that
// strategies, seeds, sketches and measurement are exactly the CLI's) on one workload with one
// strategy and one --seed, into a fresh database of its own under the output directory:
//   OUT/workloads/NN-NAME.json                 the workload, as a --workloads file
//   OUT/runs/NN-NAME/STRATEGY-seedK.{db,json,log}   its database, --json summary, stdout+stderr
// A run whose summary an earlier invocation wrote with the same command and that finished ok is
// reused (resume); any other run starts again from a fresh database.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "db/Database.h"
#include "ops/Error.h"
#include "tuner/bench/SearchBench.h"

namespace fs = std::filesystem;

namespace htune {

namespace {

std::string slug(size_t index, const std::string &name) {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%02zu-", index);
    std::string out = prefix;
    for (char c : name) {
        if (out.size() >= 64) break;
        out += std::isalnum((unsigned char)c) || c == '_' || c == '-' ? c : '_';
    }
    return out;
}

std::string first_line(const std::string &s) { return s.substr(0, s.find('\n')); }

// The last non-empty line of a log file (what a failed htune said last).
std::string last_line(const std::string &path) {
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return last;
}

std::string duration_text(double s) {
    char buf[32];
    if (s >= 60)
        std::snprintf(buf, sizeof buf, "%dm%02ds", (int)(s / 60), (int)std::fmod(s, 60));
    else
        std::snprintf(buf, sizeof buf, "%.1fs", s);
    return buf;
}

// Runs `exe args...` with stdout and stderr into `log_path`; returns its exit status (128 +
// signal when killed). After `timeout_s` (> 0) it is sent SIGTERM (htune stops between batches
// and writes its summary), then SIGKILL 60 s later. The child stays in our process group, so a
// Ctrl-C on the bench stops the tune too.
int run_process(const std::string &exe, const std::vector<std::string> &args, const std::string &log_path,
                double timeout_s, bool *timed_out) {
    *timed_out = false;
    pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        FILE *log = std::fopen(log_path.c_str(), "w");
        FILE *null_in = std::fopen("/dev/null", "r");
        if (log) {
            dup2(fileno(log), STDOUT_FILENO);
            dup2(fileno(log), STDERR_FILENO);
        }
        if (null_in) dup2(fileno(null_in), STDIN_FILENO);
        std::vector<char *> argv;
        argv.push_back(const_cast<char *>(exe.c_str()));
        for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv(exe.c_str(), argv.data());
        std::fprintf(stderr, "htune_bench_search: cannot run '%s'\n", exe.c_str());
        _exit(127);
    }
    auto start = std::chrono::steady_clock::now();
    bool termed = false;
    while (true) {
        int status = 0;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (got < 0) return 127;
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (timeout_s > 0 && !termed && elapsed > timeout_s) {
            kill(pid, SIGTERM);
            termed = true;
            *timed_out = true;
        }
        if (termed && elapsed > timeout_s + 60) kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// min_ms of every ok record of a run's database, by schedule hash; empty when unreadable.
std::map<std::string, double> ok_times(const std::string &db_path) {
    std::map<std::string, double> out;
    try {
        OpenOptions oo;
        oo.create = false;
        auto db = open_database(db_path, oo);
        RecordQuery q;
        q.ok_only = true;
        db->scan(q, [&](const Record &r) { out[r.schedule_hash] = r.result.min_ms; });
    } catch (const std::exception &) {
        out.clear();
    }
    return out;
}

bool has_option(const std::vector<std::string> &args, const std::string &name) {
    for (const auto &a : args)
        if (a == name || a.rfind(name + "=", 0) == 0) return true;
    return false;
}

}  // namespace

std::vector<std::string> tune_arguments(const SearchBenchOptions &o, const std::string &workloads_file,
                                        const std::string &strategy, uint64_t seed, const std::string &db,
                                        const std::string &summary, const std::string &model) {
    std::vector<std::string> args = {"tune", "--workloads", workloads_file, "--search", strategy};
    if (strategy == "transfer")
        args = {"tune", "--workloads", workloads_file, "--search", "guided", "--model", model};
    for (const auto &[flag, value] :
         std::vector<std::pair<std::string, std::string>>{{"--seed", std::to_string(seed)},
                                                          {"--trials", std::to_string(o.trials)},
                                                          {"--batch-size", std::to_string(o.batch_size)},
                                                          {"--db", db},
                                                          {"--json", summary}}) {
        args.push_back(flag);
        args.push_back(value);
    }
    // The confirmation re-measures the best few after the search: it does not change the curve
    // and costs two more rounds of compiles and runs per run, so it is off unless asked for.
    if (!has_option(o.tune_args, "--confirm")) {
        args.push_back("--confirm");
        args.push_back("0");
    }
    for (const auto &a : o.tune_args) args.push_back(a);
    return args;
}

BenchRun read_tune_summary(const std::string &path) {
    BenchRun r;
    r.summary = path;
    std::ifstream in(path);
    if (!in) {
        r.error = "htune tune wrote no summary";
        return r;
    }
    nlohmann::json j;
    try {
        in >> j;
    } catch (const std::exception &e) {
        r.error = "the summary is not valid JSON";
        return r;
    }
    try {
        if (j.value("format", "") != "htune-tune-summary/1" || !j["workloads"].is_array() ||
            j["workloads"].empty()) {
            r.error = "the summary holds no workload";
            return r;
        }
        const auto &w = j["workloads"][0];
        r.workload = w.value("workload", "");
        if (!w.contains("curve_ms")) {
            r.error = "the summary has no curve_ms (an htune without it)";
            return r;
        }
        for (const auto &x : w.at("curve_ms")) r.curve.push_back(x.is_number() ? x.get<double>() : 0.0);
        auto number = [&](const char *key) {
            return w.contains(key) && w[key].is_number() ? w[key].get<double>() : 0.0;
        };
        r.best_ms = number("best_ms");
        r.heuristic_ms = number("heuristic_ms");
        r.stop = w.value("stop", "");
        r.elapsed_s = j.value("elapsed_s", 0.0);
        r.device = j.value("device", "");
        if (j.contains("run") && j["run"].is_object()) r.commit = j["run"].value("commit", "");
        if (w.contains("error") && w["error"].is_string())
            r.error = first_line(w["error"].get<std::string>());
        else if (j.value("stopped", false))
            r.error = "stopped before the end of its budget";
    } catch (const std::exception &e) {
        r.error = std::string("malformed summary: ") + e.what();
        return r;
    }
    r.ok = r.error.empty() && final_best(r.curve) > 0;
    if (!r.ok && r.error.empty()) r.error = "no candidate ran ok";
    return r;
}

std::vector<std::string> transfer_retrain_arguments(const std::string &corpus_db, const std::string &op,
                                                    const std::string &model, const std::string &report) {
    return {"retrain", "--db", corpus_db, "--hold-out", op, "--out", model, "--json", report};
}

std::vector<BenchRun> run_search_bench(const SearchBenchOptions &o) {
    if (o.seeds < 1 || o.trials < 1 || o.batch_size < 1)
        throw_usage("bench: --seeds, --trials and --batch-size must be >= 1");
    const fs::path out = fs::absolute(o.out_dir);
    std::error_code ec;
    fs::create_directories(out / "workloads", ec);
    fs::create_directories(out / "runs", ec);
    if (!fs::is_directory(out / "runs")) throw_io("bench: cannot create '" + (out / "runs").string() + "'");

    const size_t total = o.workloads.size() * o.strategies.size() * (size_t)o.seeds;
    size_t done = 0;
    std::vector<BenchRun> runs;
    for (size_t i = 0; i < o.workloads.size(); i++) {
        WorkloadSpec spec = o.workloads[i];
        std::string name, setup_error;
        try {
            name = make_workload(spec).canonical();
        } catch (const std::exception &e) {
            name = spec.op;
            setup_error = first_line(e.what());
        }
        const std::string id = slug(i, name);
        const fs::path workloads_file = out / "workloads" / (id + ".json");
        if (setup_error.empty()) {
            if (spec.is_generator()) spec.generator_lib = fs::absolute(spec.generator_lib).string();
            std::ofstream wf(workloads_file);
            wf << nlohmann::json::array({nlohmann::json(spec)}).dump(2) << "\n";
            if (!wf) throw_io("bench: cannot write '" + workloads_file.string() + "'");
        }
        fs::create_directories(out / "runs" / id, ec);
        // The transfer arm's model: retrained once per operator on a copy of the corpus (retrain
        // stores its model in the database it reads), without that operator.
        std::string model, transfer_error;
        if (setup_error.empty() &&
            std::find(o.strategies.begin(), o.strategies.end(), "transfer") != o.strategies.end()) {
            const fs::path models = out / "models";
            fs::create_directories(models, ec);
            model = (models / (spec.op + ".bin")).string();
            const std::string copy = (models / "corpus.db").string();
            if (o.transfer_corpus.empty()) {
                transfer_error = "the transfer arm needs --transfer-corpus DB";
            } else if (!fs::exists(model)) {
                if (!fs::exists(copy)) fs::copy_file(o.transfer_corpus, copy, ec);
                const std::string log = (models / (spec.op + ".log")).string();
                if (o.log) *o.log << "retraining without " << spec.op << " (log " << log << ")" << std::endl;
                bool timed_out = false;
                int code = run_process(
                    o.htune,
                    transfer_retrain_arguments(copy, spec.op, model, (models / (spec.op + ".json")).string()),
                    log, 0, &timed_out);
                if (code != 0 || !fs::exists(model))
                    transfer_error = "htune retrain --hold-out " + spec.op + " failed: " + last_line(log);
            }
        }
        for (const std::string &strategy : o.strategies)
            for (uint64_t seed = 0; seed < (uint64_t)o.seeds; seed++) {
                const fs::path base = out / "runs" / id / (strategy + "-seed" + std::to_string(seed));
                const std::string db = base.string() + ".db", summary = base.string() + ".json",
                                  log = base.string() + ".log";
                std::vector<std::string> args =
                    tune_arguments(o, workloads_file.string(), strategy, seed, db, summary, model);
                std::string command = "htune";
                for (const auto &a : args) command += " " + a;
                done++;
                BenchRun r;
                bool reused = false;
                if (!setup_error.empty()) {
                    r.error = setup_error;
                } else if (strategy == "transfer" && !transfer_error.empty()) {
                    r.error = transfer_error;
                } else {
                    if (o.resume && fs::exists(summary)) {
                        r = read_tune_summary(summary);
                        nlohmann::json j;
                        try {
                            std::ifstream in(summary);
                            in >> j;
                        } catch (const std::exception &) {
                        }
                        reused = r.ok && j.is_object() && j.contains("run") &&
                                 j["run"].value("command", "") == command;
                    }
                    if (!reused) {
                        for (const char *suffix : {"", "-wal", "-shm", "-journal"})
                            fs::remove(db + suffix, ec);
                        fs::remove(summary, ec);
                        if (o.log)
                            *o.log << "[" << done << "/" << total << "] " << name << " " << strategy
                                   << " seed " << seed << ": running (log " << log << ")" << std::endl;
                        auto t0 = std::chrono::steady_clock::now();
                        bool timed_out = false;
                        int code = run_process(o.htune, args, log, o.run_timeout_s, &timed_out);
                        double wall =
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                        r = read_tune_summary(summary);
                        r.exit_code = code;
                        if (r.elapsed_s == 0) r.elapsed_s = wall;
                        if (timed_out) {
                            r.ok = false;
                            r.error = "stopped after the bench's --run-timeout of " +
                                      duration_text(o.run_timeout_s);
                        } else if (!r.ok && !fs::exists(summary)) {
                            r.error =
                                "htune tune exited with " + std::to_string(code) + ": " + last_line(log);
                        }
                    }
                }
                if (fs::exists(db)) r.times = ok_times(db);
                r.workload = name;
                r.strategy = strategy;
                r.seed = seed;
                r.reused = reused;
                r.db = db;
                r.summary = summary;
                r.log = log;
                if (o.log) {
                    *o.log << "[" << done << "/" << total << "] " << name << " " << strategy << " seed "
                           << seed << ": ";
                    if (r.ok)
                        *o.log << (reused ? "reused, " : "ok, ") << (r.curve.size() - 1) << " trials, best "
                               << final_best(r.curve) << " ms (" << duration_text(r.elapsed_s) << ")";
                    else
                        *o.log << "FAILED: " << r.error;
                    *o.log << std::endl;
                }
                runs.push_back(std::move(r));
            }
    }
    return runs;
}

}  // namespace htune
