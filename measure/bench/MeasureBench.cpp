// Bench program (not a test) for the measurement figures the issue notes report:
//   htune_bench_measure heuristic [OP ...]   heuristic vs Halide's default schedule, bench size
//   htune_bench_measure spread OP [N]        the same schedule measured in N separate batches
//   htune_bench_measure throughput OP [N]    candidates per minute for N sampled schedules
//   htune_bench_measure peak                 this machine's fp32 FMA peak and bandwidth now, as
//                                            one JSON line (what compare measures; for scripted
//                                            benches such as ./bench_schedulers.py)
// Everything goes through the real worker runner (the same protocol as htune sample/tune).
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <random>

#include "measure/Machine.h"
#include "measure/Runner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"

using namespace htune;

namespace {

MeasureOptions options() {
    MeasureOptions o;
    o.worker_exe = HTUNE_BINARY;
    o.min_repeats = 3;
    o.min_seconds = 0.3;
    o.run_timeout_factor = 20;
    o.run_timeout_floor_s = 120;  // Halide's default schedule can take seconds per run
    o.compile_timeout_s = 300;
    o.address_space_bytes = size_t(16) << 30;
    return o;
}

std::string describe(const MeasureResult &r) {
    std::ostringstream os;
    if (r.status == Status::ok)
        os << std::fixed << std::setprecision(3) << r.min_ms << " ms";
    else
        os << to_string(r.status);
    return os.str();
}

int heuristic(const std::vector<std::string> &ops_in) {
    std::vector<std::string> ops = ops_in;
    if (ops.empty())
        for (const auto &a : builtin_ops()) ops.push_back(a->name());
    // Halide's default schedule runs for seconds at bench size: no warm-up and 2 timed runs
    // (after the correctness run).
    MeasureOptions o = options();
    o.warmup = 0;
    o.min_repeats = 2;
    auto runner = make_worker_runner(o);
    std::cout << std::left << std::setw(26) << "workload" << std::setw(14) << "default" << std::setw(14)
              << "heuristic"
              << "speedup\n";
    for (const auto &op : ops) {
        Workload w = make_workload(op);
        ScheduleSpace space(w, htune::host_target());
        // Halide's default schedule inlines everything: for deep pyramids that is exponential
        // work (and compile time), so those are reported as skipped.
        bool skip_default = op == "local_laplacian" || op == "interpolate";
        std::vector<Schedule> batch = {space.heuristic()};
        if (!skip_default) batch.push_back(Schedule{});
        auto r = runner->measure(w, batch);
        std::cout << std::setw(26) << op << std::setw(14) << (skip_default ? "skipped" : describe(r[1]))
                  << std::setw(14) << describe(r[0]);
        if (!skip_default && r[0].status == Status::ok && r[1].status == Status::ok)
            std::cout << std::fixed << std::setprecision(2) << r[1].min_ms / r[0].min_ms << "x";
        std::cout << std::endl;
    }
    return 0;
}

int spread(const std::string &op, int n) {
    auto runner = make_worker_runner(options());
    Workload w = make_workload(op);
    Schedule h = ScheduleSpace(w, htune::host_target()).heuristic();
    std::vector<double> mins;
    for (int i = 0; i < n; i++) {
        MeasureResult r = runner->measure(w, {h})[0];
        std::cout << "batch " << i + 1 << ": " << describe(r) << " (median " << r.median_ms << " ms, "
                  << r.repeats << " repeats)" << std::endl;
        if (r.status == Status::ok) mins.push_back(r.min_ms);
    }
    if (mins.empty()) return 1;
    auto [lo, hi] = std::minmax_element(mins.begin(), mins.end());
    std::cout << w.canonical() << ": recorded min time over " << mins.size() << " batches: " << *lo << " .. "
              << *hi << " ms, max/min = " << std::setprecision(4) << *hi / *lo << "\n";
    return 0;
}

int throughput(const std::string &op, int n) {
    MeasureOptions o = options();
    o.run_timeout_floor_s = 2;  // the tuning defaults
    o.run_timeout_factor = 10;
    o.min_repeats = 5;
    o.min_seconds = 0.2;
    auto runner = make_worker_runner(o);
    Workload w = make_workload(op);
    ScheduleSpace space(w, htune::host_target());
    std::mt19937_64 rng(1);
    std::vector<Schedule> batch;
    for (int i = 0; i < n; i++) batch.push_back(space.sample(rng));
    runner->measure(w, {space.heuristic()});  // reference + worker start-up, not counted
    auto t0 = std::chrono::steady_clock::now();
    auto results = runner->measure(w, batch);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::map<std::string, int> counts;
    for (const auto &r : results) counts[to_string(r.status)]++;
    std::cout << w.canonical() << ": " << n << " candidates in " << s << " s = " << 60.0 * n / s
              << " candidates/min (";
    for (const auto &kv : counts) std::cout << kv.first << " " << kv.second << " ";
    std::cout << ")\n";
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (!args.empty() && args[0] == "heuristic") return heuristic({args.begin() + 1, args.end()});
        if (args.size() >= 2 && args[0] == "spread")
            return spread(args[1], args.size() > 2 ? std::stoi(args[2]) : 10);
        if (args.size() == 1 && args[0] == "peak") {
            const int threads = resolved_threads(MeasureOptions());
            const MachinePeaks p = measure_peaks(threads);
            std::cout << std::fixed << std::setprecision(1) << "{\"peak_gflops\": " << p.peak_gflops
                      << ", \"bandwidth_gbs\": " << p.bandwidth_gbs << ", \"fma_isa\": \"" << p.fma_isa
                      << "\", \"threads\": " << p.threads << "}\n";
            return 0;
        }
        if (args.size() >= 2 && args[0] == "throughput")
            return throughput(args[1], args.size() > 2 ? std::stoi(args[2]) : 32);
    } catch (const std::exception &e) {
        std::cerr << "htune_bench_measure: error: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "usage: htune_bench_measure heuristic [OP ...] | spread OP [N] | throughput OP [N] | peak\n";
    return 2;
}
