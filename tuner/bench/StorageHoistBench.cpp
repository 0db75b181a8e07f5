// Bench program (not a test): does Halide 14 compute right what the space allows as storage
// hoisted more than one loop (hoisted_storage_reason, schedules/SpaceRules.h)? Sampling never
// draws such storage; imports (Adams2019) and their mutations keep it. For each workload: draw
// valid samples, pick one Func computed inside another's loops, move its storage to a random
// loop at least two loops further out, keep the schedule where the space still accepts it, and
// measure it against the reference in isolated workers (correctness run only). Prints per
// workload how many were ok, wrong_output or another failure, each failure with the Func, its
// loops and the error, and writes each failing schedule to --dump DIR when given.
// --cross-dim keeps only storage two loops out at a loop of the dimension of the loop between,
// another one than the compute loop's (nl_means' Adams2019 form: computed at an x loop, stored
// at the next y loop out over one y loop), which the space allows only at the split level just
// outside the loop between, where no arg the loop between moves is moved by the compute loop's
// dim too (hoisted_storage_reason; SpaceRules.cpp reports what was found with it relaxed).
// --replay FILE (repeatable) measures dumped schedules instead, each as it is and with every
// hoisted storage put back where its Func is computed: a failure the second one shares is not
// the hoisting's (one workload; Generators through --workloads).
//   htune_bench_storage_hoist [--count N] [--seed S] [--dump DIR] [--cross-dim] [--replay FILE]...
//       (--workloads FILE | OP ...)
// OP names are built-ins at their test size; a workload file may list Generators.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "measure/Runner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Loops.h"
#include "schedules/Space.h"
#include "tuner/WorkloadSet.h"

using namespace htune;

namespace {

// A valid sample with one Func's storage hoisted two or more loops out, or nothing after
// `tries` draws. `what` says which Func and where.
std::optional<Schedule> hoisted_sample(const ScheduleSpace &space, std::mt19937_64 &rng, bool cross_dim,
                                       std::string &what) {
    const PipelineAnalysis &a = space.analysis();
    for (int tries = 0; tries < 500; tries++) {
        Schedule s = space.sample(rng);
        if (!space.validate(s).empty()) continue;
        std::vector<std::string> at;
        for (const auto &[name, fs] : s.funcs)
            if (fs.placement == Placement::at && a.has(fs.at_func)) at.push_back(name);
        if (at.empty()) continue;
        const std::string name = at[rng() % at.size()];
        FuncSchedule &fs = s.funcs.at(name);
        const StageSchedule &gst = s.funcs.at(fs.at_func).stages.at(fs.at_stage);
        const LoopNest nest = loop_nest(a.func(fs.at_func).stages.at(fs.at_stage), gst);
        std::vector<std::string> loops = final_loops(nest, gst);
        auto ci = std::find(loops.begin(), loops.end(), fs.at_loop) - loops.begin();
        if (ci + 2 >= (long)loops.size()) continue;
        fs.store_loop = loops[ci + 2 + rng() % (loops.size() - ci - 2)];
        if (cross_dim) {
            auto dim = [&](const std::string &l) { return nest.dim.count(l) ? nest.dim.at(l) : l; };
            fs.store_loop = loops[ci + 2];
            if (dim(loops[ci + 2]) != dim(loops[ci + 1]) || dim(loops[ci + 1]) == dim(loops[ci])) continue;
        }
        if (!space.validate(s).empty()) continue;
        what = name + " computed at " + fs.at_func + "." + fs.at_loop + ", stored at " + fs.store_loop;
        return s;
    }
    return std::nullopt;
}

// A named built-in at its test size; a workload file's entry (a Generator) as given.
Workload bench_workload(const WorkloadSpec &spec) {
    return spec.generator_lib.empty() ? make_workload(spec.op, /*test_size=*/true) : make_workload(spec);
}

// --replay: each file's schedule as it is and with no storage hoisted, against the reference.
int replay_dumped(Runner &runner, const WorkloadSpec &spec, const std::vector<std::string> &files) {
    Workload w = bench_workload(spec);
    std::vector<Candidate> batch;
    for (const std::string &file : files) {
        std::ifstream in(file);
        if (!in) throw_usage("cannot read " + file);
        Schedule s = nlohmann::json::parse(in).get<Schedule>();
        batch.push_back(Candidate::of(s));
        for (auto &[name, fs] : s.funcs) {
            fs.store_loop.clear();
            fs.store_with_consumer = false;
        }
        batch.push_back(Candidate::of(s));
    }
    std::vector<MeasureResult> r = runner.measure_candidates(w, batch);
    for (size_t i = 0; i + 1 < r.size(); i += 2) {
        auto say = [](const MeasureResult &m) {
            std::string e = m.error.substr(0, m.error.find('\n')).substr(0, 120);
            return std::string(to_string(m.status)) + (e.empty() ? "" : " (" + e + ")");
        };
        std::cout << files[i / 2] << ": as dumped " << say(r[i]) << "; storage not hoisted " << say(r[i + 1])
                  << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    int count = 60;
    uint64_t seed = 5;
    std::string dump;
    bool cross_dim = false;
    std::vector<std::string> replay;
    std::vector<WorkloadSpec> specs;
    try {
        for (int i = 1; i < argc; i++) {
            std::string a = argv[i];
            if (a == "--count" && i + 1 < argc)
                count = std::stoi(argv[++i]);
            else if (a == "--seed" && i + 1 < argc)
                seed = std::stoull(argv[++i]);
            else if (a == "--dump" && i + 1 < argc)
                dump = argv[++i];
            else if (a == "--cross-dim")
                cross_dim = true;
            else if (a == "--replay" && i + 1 < argc)
                replay.push_back(argv[++i]);
            else if (a == "--workloads" && i + 1 < argc)
                for (auto &s : read_workloads_file(argv[++i])) specs.push_back(s);
            else if (!a.empty() && a[0] == '-')
                throw_usage("unknown option " + a);
            else
                specs.push_back(WorkloadSpec{a, "", {}});
        }
        if (specs.empty()) throw_usage("no workloads (--workloads FILE or OP names)");
        if (!replay.empty() && specs.size() != 1) throw_usage("--replay takes exactly one workload");
    } catch (const std::exception &e) {
        std::cerr << "htune_bench_storage_hoist: error: " << e.what()
                  << "\nusage: htune_bench_storage_hoist [--count N] [--seed S] [--dump DIR] [--cross-dim] "
                     "[--replay FILE]... "
                     "(--workloads FILE | OP ...)\n";
        return 2;
    }
    MeasureOptions o;
    o.workers = 2;
    o.warmup = 0;
    o.min_repeats = 1;
    o.min_seconds = 0;
    o.compile_timeout_s = 300;
    o.worker_exe = HTUNE_BINARY;
    auto runner = make_worker_runner(o);
    if (!replay.empty()) {
        try {
            return replay_dumped(*runner, specs[0], replay);
        } catch (const std::exception &e) {
            std::cerr << "htune_bench_storage_hoist: error: " << e.what() << "\n";
            return 2;
        }
    }
    int all = 0, all_wrong = 0, all_other = 0;
    for (const WorkloadSpec &spec : specs) {
        Workload w = bench_workload(spec);
        ScheduleSpace space(w, host_target());
        std::mt19937_64 rng(seed);
        std::vector<Candidate> batch;
        std::vector<std::string> what;
        for (int k = 0; k < count; k++) {
            std::string why;
            auto s = hoisted_sample(space, rng, cross_dim, why);
            if (!s) break;
            batch.push_back(Candidate::of(*s));
            what.push_back(why);
        }
        std::vector<MeasureResult> r = runner->measure_candidates(w, batch);
        int ok = 0, wrong = 0, other = 0;
        for (size_t i = 0; i < r.size(); i++) {
            if (r[i].status == Status::ok) {
                ok++;
                continue;
            }
            (r[i].status == Status::wrong_output ? wrong : other)++;
            std::cout << "  " << w.canonical() << ": " << to_string(r[i].status) << ": " << what[i] << ": "
                      << r[i].error.substr(0, r[i].error.find('\n')).substr(0, 160) << "\n";
            if (!dump.empty())
                std::ofstream(dump + "/" + w.op() + "-" + std::to_string(i) + ".json")
                    << nlohmann::json(batch[i].schedule).dump() << "\n";
        }
        std::cout << w.canonical() << ": " << batch.size() << " hoisted: ok " << ok << ", wrong_output "
                  << wrong << ", other failures " << other << std::endl;
        all += (int)batch.size();
        all_wrong += wrong;
        all_other += other;
    }
    std::cout << "total: " << all << " hoisted, wrong_output " << all_wrong << ", other failures "
              << all_other << std::endl;
    return 0;
}
