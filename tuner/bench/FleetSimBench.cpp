// Bench program (not a test): how `htune tune --mpi` scales with the number of measurement
// hosts (issue 26), simulated, since this machine has 2 cores. For each host count H it runs the
// real tuning loop (guided search, the real featurizer and XGBoost model, the real SQLite commits
// into a fresh database) with the --mpi default batch size (16 x H), against a runner that
// simulates the fleet:
//   - each candidate occupies one host for a fixed time with noise (lognormal: --candidate-s,
//     --noise), and the runner hands candidates out one at a time to whichever host is free
//     first, as MpiFleet does; a batch ends when its last candidate does (its makespan);
//   - the coordinator's own time (search, featurizing, model updates, commits) is the real wall
//     time spent outside the runner, measured. As under --mpi, rank 0 proposes a workload's next
//     batch while the current one is measured (TuneOptions::propose_ahead; --no-ahead turns it
//     off): that proposal's time counts only where it outlasts the batch's makespan.
// The simulated clock is the sum of both. Reported per H: candidates, simulated minutes,
// candidates/min, speed-up over one host and efficiency (speed-up / H), the coordinator's seconds
// per candidate and its share of the simulated time. Each host measures --per-host candidates
// (so the run grows with H). The candidates' "times" are synthetic (from the schedule's
// structure and hash), so the search has something to rank; they do not matter for throughput.
//   htune_bench_fleet [--hosts 1,4,16,64] [--per-host 48] [--candidate-s 4] [--noise 0.3]
//                     [--ops matmul,conv2d,blur3x3] [--seed 1] [--no-ahead] [--json FILE]
// --json writes htune-bench-fleet/1 (the run's provenance, settings, a row per H), which
// ./bench_report.py renders into docs/BENCHMARKS.md.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <queue>
#include <random>

#include "cost_model/CostModel.h"
#include "cost_model/Featurizer.h"
#include "db/Database.h"
#include "db/DeviceKey.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Schedule.h"
#include "tuner/Command.h"
#include "tuner/Tuner.h"

using namespace htune;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A synthetic time for a schedule: fewer root Funcs, vectorized and parallel stages are faster,
// plus a deterministic spread from its hash.
double synthetic_ms(const Schedule &s) {
    double ms = 1.0;
    for (const auto &[name, f] : s.funcs) {
        if (f.placement == Placement::root) ms += 0.5;
        for (const auto &st : f.stages)
            ms += (st.vectorize.empty() ? 1.0 : 0.0) + (st.parallel.empty() ? 1.0 : 0.0);
    }
    const std::string h = schedule_hash(s);
    return ms * (1.0 + (double)std::stoull(h.substr(0, 8), nullptr, 16) / 4294967295.0);
}

class SimulatedFleet : public Runner {
public:
    SimulatedFleet(int hosts, double candidate_s, double noise, uint64_t seed)
        : hosts_(hosts), candidate_s_(candidate_s), noise_(noise), rng_(seed), last_(Clock::now()) {}

    std::vector<MeasureResult> measure_candidates(const Workload &,
                                                  const std::vector<Candidate> &batch) override {
        coordinator_s_ += seconds_since(last_);
        // All hosts are free when a batch starts (the coordinator waits for the whole batch).
        std::priority_queue<double, std::vector<double>, std::greater<double>> free_at;
        for (int h = 0; h < hosts_; h++) free_at.push(0.0);
        std::normal_distribution<double> n(0.0, 1.0);
        double makespan = 0;
        std::vector<MeasureResult> out;
        for (const Candidate &c : batch) {
            const double t =
                candidate_s_ * std::exp(noise_ * n(rng_) - noise_ * noise_ / 2);  // mean candidate_s
            const double start = free_at.top();
            free_at.pop();
            free_at.push(start + t);
            makespan = std::max(makespan, start + t);
            host_busy_s_ += t;
            MeasureResult r;
            r.min_ms = r.median_ms = synthetic_ms(c.schedule);
            r.repeats = 3;
            r.threads = 2;
            out.push_back(r);
        }
        measure_s_ += makespan;
        last_makespan_ = makespan;
        candidates_ += (int)batch.size();
        rounds_++;
        last_ = Clock::now();
        return out;
    }

    void finish() { coordinator_s_ += seconds_since(last_), last_ = Clock::now(); }

    // The loop waited `s` for the batch proposed during the last batch's measurement. Here the
    // runner returned at once, so all of it was spent outside the runner; on a fleet only what
    // outlasts the makespan would be.
    void ahead_waited(double s) {
        coordinator_s_ -= s;
        ahead_s_ += s;
        overhang_s_ += std::max(0.0, s - last_makespan_);
    }

    int hosts_;
    double candidate_s_, noise_;
    std::mt19937_64 rng_;
    Clock::time_point last_;
    double coordinator_s_ = 0, measure_s_ = 0, host_busy_s_ = 0, last_makespan_ = 0;
    double ahead_s_ = 0, overhang_s_ = 0;  // proposing ahead: its time, and what outlasted batches
    int candidates_ = 0, rounds_ = 0;
};

}  // namespace

int main(int argc, char **argv) {
    std::vector<int> host_counts = {1, 4, 16, 64};
    int per_host = 48;
    double candidate_s = 4, noise = 0.3;
    std::vector<std::string> ops = {"matmul", "conv2d", "blur3x3"};
    uint64_t seed = 1;
    std::string json_path;
    bool ahead = true;
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        for (size_t i = 0; i < args.size(); i++) {
            auto value = [&]() -> const std::string & {
                if (i + 1 >= args.size()) throw_usage(args[i] + " needs a value");
                return args[++i];
            };
            if (args[i] == "--hosts") {
                host_counts.clear();
                for (const auto &h : split_list(value())) host_counts.push_back(std::stoi(h));
            } else if (args[i] == "--per-host") {
                per_host = std::stoi(value());
            } else if (args[i] == "--candidate-s") {
                candidate_s = std::stod(value());
            } else if (args[i] == "--noise") {
                noise = std::stod(value());
            } else if (args[i] == "--ops") {
                ops = split_list(value());
            } else if (args[i] == "--seed") {
                seed = std::stoull(value());
            } else if (args[i] == "--no-ahead") {
                ahead = false;
            } else if (args[i] == "--json") {
                json_path = value();
            } else {
                throw_usage("unknown option " + args[i]);
            }
        }
        if (host_counts.empty() || per_host < 1 || candidate_s <= 0 || noise < 0 || ops.empty())
            throw_usage("--hosts, --per-host, --candidate-s, --noise and --ops need positive values");
    } catch (const std::exception &e) {
        std::cerr << "htune_bench_fleet: " << e.what() << "\n";
        return 2;
    }

    std::vector<WorkloadSpec> specs;
    for (const auto &op : ops) specs.push_back(spec_of(make_workload(op, /*test_size=*/true)));
    char tmpl[] = "/tmp/htune_fleetXXXXXX";
    const std::string dir = mkdtemp(tmpl);
    nlohmann::json rows = nlohmann::json::array();
    double one_host_rate = 0;
    std::cout << std::left << std::setw(7) << "hosts" << std::right << std::setw(11) << "candidates"
              << std::setw(9) << "batch" << std::setw(12) << "sim. min" << std::setw(10) << "cand/min"
              << std::setw(10) << "speed-up" << std::setw(12) << "efficiency" << std::setw(14)
              << "coord s/cand" << std::setw(13) << "coord share"
              << "\n";
    for (int hosts : host_counts) {
        SimulatedFleet fleet(hosts, candidate_s, noise, seed);
        auto db = open_database(dir + "/h" + std::to_string(hosts) + ".db");
        TuneOptions o;
        o.batch_size = 16 * hosts;  // what --mpi does with the default --batch-size
        o.trials = std::max(2, per_host * hosts / (int)specs.size());
        o.seed = seed;
        o.confirm_top = 0;
        o.seeds_per_workload = 0;
        o.propose_ahead = ahead;
        o.device_key = host_device().key();
        const FeatureSchema &schema = feature_schema();
        o.feature_schema = schema.name + "/" + std::to_string(schema.version);
        XgbOptions xo;
        xo.nthread = 1;
        xo.seed = seed;
        auto model = make_xgboost_model(xo);
        TuneEnv env;
        env.runner = &fleet;
        env.db = db.get();
        env.model = model.get();
        env.ahead_waited = [&fleet](double s) { fleet.ahead_waited(s); };
        env.featurizer = [](const Workload &, const ScheduleSpace &space) -> FeaturizeFunction {
            auto f = std::make_shared<Featurizer>(space, 2);
            return [f](const std::vector<Schedule> &batch) { return f->featurize(batch); };
        };
        fleet.last_ = Clock::now();
        TuneResult r = tune(specs, o, env);
        fleet.finish();
        for (const auto &w : r.workloads)
            if (!w.error.empty()) {
                std::cerr << "htune_bench_fleet: " << w.workload << ": " << w.error << "\n";
                return 1;
            }
        const double sim_s = fleet.coordinator_s_ + fleet.overhang_s_ + fleet.measure_s_;
        const double rate = fleet.candidates_ / (sim_s / 60.0);
        if (one_host_rate == 0 && hosts == 1) one_host_rate = rate;
        const double speedup = one_host_rate > 0 ? rate / one_host_rate : 0;
        nlohmann::json row = {
            {"hosts", hosts},
            {"batch_size", o.batch_size},
            {"candidates", fleet.candidates_},
            {"rounds", fleet.rounds_},
            {"simulated_s", sim_s},
            {"measure_s", fleet.measure_s_},
            {"host_busy_s", fleet.host_busy_s_},
            {"coordinator_s", fleet.coordinator_s_},
            {"proposed_ahead_s", fleet.ahead_s_},
            {"proposed_ahead_overhang_s", fleet.overhang_s_},
            {"candidates_per_min", rate},
            {"speedup_vs_one_host", one_host_rate > 0 ? nlohmann::json(speedup) : nlohmann::json()},
            {"efficiency", one_host_rate > 0 ? nlohmann::json(speedup / hosts) : nlohmann::json()},
            {"coordinator_s_per_candidate", (fleet.coordinator_s_ + fleet.ahead_s_) / fleet.candidates_},
            {"coordinator_share", (fleet.coordinator_s_ + fleet.overhang_s_) / sim_s},
            {"host_utilisation", fleet.host_busy_s_ / (sim_s * hosts)}};
        rows.push_back(row);
        std::cout << std::left << std::setw(7) << hosts << std::right << std::fixed << std::setw(11)
                  << fleet.candidates_ << std::setw(9) << o.batch_size << std::setprecision(1)
                  << std::setw(12) << sim_s / 60 << std::setw(10) << rate << std::setprecision(2)
                  << std::setw(10) << speedup << std::setw(12) << (one_host_rate > 0 ? speedup / hosts : 0)
                  << std::setprecision(4) << std::setw(14)
                  << (fleet.coordinator_s_ + fleet.ahead_s_) / fleet.candidates_ << std::setprecision(3)
                  << std::setw(13) << (fleet.coordinator_s_ + fleet.overhang_s_) / sim_s << std::endl;
    }
    std::system(("rm -rf " + dir).c_str());
    if (!json_path.empty()) {
        nlohmann::json run = run_provenance("bench_fleet", args);
        std::string command = "htune_bench_fleet";
        for (const auto &a : args) command += " " + a;
        run["command"] = command;
        nlohmann::json out = {{"format", "htune-bench-fleet/1"},
                              {"run", run},
                              {"settings",
                               {{"per_host", per_host},
                                {"candidate_s", candidate_s},
                                {"noise", noise},
                                {"ops", ops},
                                {"seed", seed},
                                {"search", "guided"},
                                {"propose_ahead", ahead}}},
                              {"rows", rows}};
        std::ofstream f(json_path);
        f << out.dump(1) << "\n";
        if (!f) {
            std::cerr << "htune_bench_fleet: cannot write " << json_path << "\n";
            return 1;
        }
    }
    return 0;
}
