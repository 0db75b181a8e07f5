// Bench program (not a test): how close an imported autoscheduler schedule comes to the
// plugin's own, at bench size. For each workload and plugin it imports the plugin's schedule
// (the seeds `htune tune` starts from), then measures side by side, in one batch per round:
//   own       the plugin's schedule as the plugin leaves it
//   imported  the import, applied by htune (the seed)
//   default   the import with every split's tail reset to the space's default
//   heuristic htune's heuristic
//   htune_bench_import [--rounds N] [--plugins mullapudi2016,adams2019] OP ...
//   htune_bench_import --sketches [--rounds N] OP ...   the heuristic vs ScheduleSpace::sketches()
// Each cell is the best of N rounds (each round measures every row once more).
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "measure/Machine.h"
#include "measure/Runner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tuner/Command.h"
#include "tuner/Compare.h"

using namespace htune;

namespace {

std::string cell(double ms) {
    if (ms <= 0) return "-";
    std::ostringstream os;
    os << std::fixed << std::setprecision(2) << ms;
    return os.str();
}

// Each row's fastest ok time over the rounds so far (0: none yet).
void keep_best(std::vector<double> &best, const std::vector<MeasureResult> &res) {
    for (size_t i = 0; i < res.size(); i++)
        if (res[i].status == Status::ok && (best[i] == 0 || res[i].min_ms < best[i])) best[i] = res[i].min_ms;
}

}  // namespace

int main(int argc, char **argv) {
    int rounds = 3;
    bool sketches = false;
    std::vector<std::string> plugins = {"mullapudi2016", "adams2019"}, ops;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--rounds" && i + 1 < argc)
            rounds = std::stoi(argv[++i]);
        else if (a == "--plugins" && i + 1 < argc)
            plugins = split_list(argv[++i]);
        else if (a == "--sketches")
            sketches = true;
        else
            ops.push_back(a);
    }
    if (ops.empty()) {
        std::cerr << "usage: htune_bench_import [--rounds N] [--plugins LIST | --sketches] OP ...\n";
        return 2;
    }
    MeasureOptions o;
    o.worker_exe = HTUNE_BINARY;
    o.min_repeats = 3;
    o.min_seconds = 0.2;
    o.run_timeout_factor = 20;
    o.compile_timeout_s = 300;
    o.address_space_bytes = size_t(16) << 30;
    auto runner = make_worker_runner(o);
    if (sketches) {
        // htune_bench_import --sketches OP ...: the heuristic and each of the space's sketches.
        for (const auto &op : ops) {
            Workload w = make_workload(op);
            ScheduleSpace space(w, htune::host_target());
            std::vector<Schedule> batch = {space.heuristic()};
            for (auto &s : space.sketches()) batch.push_back(s);
            std::vector<double> best(batch.size(), 0);
            for (int round = 0; round < rounds; round++) keep_best(best, runner->measure(w, batch));
            std::cout << op << ": heuristic " << cell(best[0]) << " ms; sketches:";
            for (size_t i = 1; i < best.size(); i++)
                std::cout << " " << schedule_hash(batch[i]) << "=" << cell(best[i]);
            std::cout << std::endl;
        }
        return 0;
    }
    AutoschedulerMachine machine;
    machine.parallelism = 2;
    machine.last_level_cache_bytes = last_level_cache_bytes();
    std::cout << std::left << std::setw(18) << "workload" << std::setw(15) << "plugin" << std::setw(10)
              << "own" << std::setw(10) << "imported" << std::setw(10) << "default" << std::setw(11)
              << "heuristic"
              << "tails kept / adaptations (ms, best of " << rounds << ")" << std::endl;
    for (const auto &op : ops) {
        Workload w = make_workload(op);
        ScheduleSpace space(w, htune::host_target());
        std::vector<Candidate> autos;
        for (const auto &p : plugins)
            autos.push_back(
                Candidate::autoscheduler(plugin_name(p), plugin_path(HTUNE_HALIDE_PLUGIN_DIR, p), machine));
        auto imported = runner->import_autoschedules(w, autos);
        for (size_t k = 0; k < plugins.size(); k++) {
            std::cout << std::setw(18) << op << std::setw(15) << plugins[k];
            const ImportedCandidate &ic = imported[k];
            if (ic.status != Status::ok) {
                std::cout << "no import: " << to_string(ic.status) << std::endl;
                continue;
            }
            Schedule plain = ic.schedule;
            int tails = 0;
            for (auto &kv : plain.funcs)
                for (auto &st : kv.second.stages)
                    for (auto &d : st.splits)
                        if (!d.tail.empty()) {
                            d.tail.clear();
                            tails++;
                        }
            std::vector<Candidate> batch = {autos[k], Candidate::of(ic.schedule), Candidate::of(plain),
                                            Candidate::of(space.heuristic())};
            std::vector<double> best(batch.size(), 0);
            for (int r = 0; r < rounds; r++) {
                auto res = runner->measure_candidates(w, batch);
                keep_best(best, res);
                for (size_t i = 0; i < res.size() && r == 0; i++)
                    if (res[i].status != Status::ok)
                        std::cerr << op << " " << plugins[k] << " row " << i << ": "
                                  << to_string(res[i].status) << " " << res[i].error.substr(0, 200)
                                  << std::endl;
            }
            for (double b : best) std::cout << std::setw(b == best[3] ? 11 : 10) << cell(b);
            std::cout << tails << " / " << ic.changes.size() << std::endl;
        }
    }
    return 0;
}
