// Bench program (not a test): does each autoscheduler's schedule import exactly? For every
// workload of a workload file (or built-in OP names) and every plugin, runs the plugin in this
// process, imports its schedule into htune's space and prints whether the import is valid, how
// many adaptations it needed (each listed) and whether it computes the reference. One line per
// (workload, plugin), then a summary; --json FILE writes the same as JSON
// (htune-bench-import/1: the run's provenance, a row per (workload, plugin), the counts per
// plugin), which ./bench_report.py renders into docs/BENCHMARKS.md.
//   htune_bench_import_report [--plugins mullapudi2016,adams2019] [--json FILE] [--source] [--save DIR]
//       (--workloads FILE | OP ...)
// --source prints each autoscheduler's schedule as Halide C++ (its schedule_source) before the
// import's verdict: what to read when an adaptation needs explaining. --save DIR writes each
// imported schedule as DIR/OP-PLUGIN.json (htune's schedule JSON), to replay it on its own.
// Autoschedulers run with full search (Adams2019's beam too); minutes per Generator at test size.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "measure/Machine.h"
#include "ops/BufferCompare.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/Import.h"
#include "schedules/Space.h"
#include "tuner/Command.h"

using namespace htune;

namespace {

const char *plugin_scheduler(const std::string &plugin) {
    if (plugin == "adams2019") return "Adams2019";
    if (plugin == "li2018") return "Li2018";
    return "Mullapudi2016";
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<std::string> plugins = {"mullapudi2016", "adams2019"};
    std::vector<WorkloadSpec> specs;
    std::string json_path;
    bool print_source = false;
    std::string save_dir;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--plugins" && i + 1 < argc) {
            plugins = split_list(argv[++i]);
        } else if (a == "--json" && i + 1 < argc) {
            json_path = argv[++i];
        } else if (a == "--save" && i + 1 < argc) {
            save_dir = argv[++i];
        } else if (a == "--source") {
            print_source = true;
        } else if (a == "--workloads" && i + 1 < argc) {
            std::ifstream in(argv[++i]);
            if (!in) {
                std::cerr << "htune_bench_import_report: cannot read workload file " << argv[i] << "\n";
                return 2;
            }
            for (const auto &j : nlohmann::json::parse(in)) specs.push_back(j.get<WorkloadSpec>());
        } else if (!a.empty() && a[0] == '-') {
            std::cerr << "htune_bench_import_report: unknown option " << a << "\n";
            return 2;
        } else {
            specs.push_back(WorkloadSpec{a, "", {}});
        }
    }
    if (specs.empty()) {
        std::cerr
            << "usage: htune_bench_import_report [--plugins LIST] [--json FILE] [--source] [--save DIR] "
               "(--workloads FILE | OP ...)\n";
        return 2;
    }
    Halide::Target t = host_target();
    nlohmann::json report = nlohmann::json::array();
    std::map<std::string, int> exact, correct, total;
    for (const std::string &plugin : plugins)
        Halide::load_plugin(std::string(HTUNE_HALIDE_PLUGIN_DIR) + "/libautoschedule_" + plugin + ".so");
    for (const WorkloadSpec &spec : specs) {
        Workload w =
            spec.generator_lib.empty() ? make_workload(spec.op, /*test_size=*/true) : make_workload(spec);
        ScheduleSpace space(w, t);
        auto in = w.make_inputs(1);
        auto ref = w.reference(in, t);
        for (const std::string &plugin : plugins) {
            nlohmann::json row = {{"workload", w.canonical()}, {"plugin", plugin}};
            total[plugin]++;
            try {
                Halide::Pipeline p = w.build();
                // The MachineParams `htune tune` seeds with: this machine's cores and last-level cache.
                Halide::AutoSchedulerResults res =
                    p.auto_schedule(plugin_scheduler(plugin), t,
                                    Halide::MachineParams((int)std::thread::hardware_concurrency(),
                                                          last_level_cache_bytes(), 40));
                if (print_source) std::cout << res.schedule_source << "\n";
                ImportedSchedule im = import_schedule(p, space);
                if (!save_dir.empty()) {
                    const std::string file = save_dir + "/" + w.op() + "-" + plugin + ".json";
                    if (!(std::ofstream(file) << nlohmann::json(im.schedule).dump(1) << "\n"))
                        throw std::runtime_error("cannot write " + file);
                }
                Halide::Pipeline q = w.build();
                apply_schedule(im.schedule, q, t);
                auto outs = w.make_outputs();
                realize_into(q, in, outs, t);
                Comparison c = compare_outputs(outs, ref, w.tolerance(), w.integer_tolerance());
                row["adaptations"] = im.changes;
                row["correct"] = c.ok;
                exact[plugin] += im.changes.empty();
                correct[plugin] += c.ok;
                std::cout << w.canonical() << " " << plugin << ": " << im.changes.size() << " adaptation(s), "
                          << (c.ok ? "computes the reference" : "WRONG OUTPUT: " + c.message) << "\n";
                for (const auto &ch : im.changes) std::cout << "    " << ch << "\n";
            } catch (const std::exception &e) {
                row["error"] = e.what();
                std::cout << w.canonical() << " " << plugin << ": no import: " << e.what() << "\n";
            }
            report.push_back(row);
        }
    }
    for (const std::string &plugin : plugins)
        std::cout << plugin << ": " << exact[plugin] << " of " << total[plugin] << " imported exactly, "
                  << correct[plugin] << " compute the reference\n";
    if (!json_path.empty()) {
        std::string command = "htune_bench_import_report";
        for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];
        nlohmann::json run = run_provenance("bench_import_report", {});
        run["command"] = command;
        nlohmann::json counts = nlohmann::json::object();
        for (const std::string &plugin : plugins)
            counts[plugin] = {
                {"workloads", total[plugin]}, {"exact", exact[plugin]}, {"correct", correct[plugin]}};
        nlohmann::json out = {{"format", "htune-bench-import/1"},
                              {"run", run},
                              {"target", t.to_string()},
                              {"rows", report},
                              {"counts", counts}};
        std::ofstream(json_path) << out.dump(1) << "\n";
    }
    return 0;
}
