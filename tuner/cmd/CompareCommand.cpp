// `htune compare`: measure workloads under naive, heuristic, Halide's
// autoschedulers, the tuned record, openblas and onednn with one protocol; print a
// table per workload, optionally JSON and HTML.
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "db/DeviceKey.h"
#include "measure/Machine.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tuner/Command.h"
#include "tuner/Compare.h"
#include "tuner/Report.h"
#include "tuner/WorkloadOptions.h"
#include "tuner/WorkloadSet.h"

#ifndef HTUNE_HALIDE_PLUGIN_DIR
#define HTUNE_HALIDE_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/halide14"
#endif

namespace po = boost::program_options;

namespace htune {

namespace {

bool file_exists(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

// Opens `path` for writing before any measuring, so a bad path fails in a
// second, not after minutes of work.
void open_output(std::ofstream &out, const std::string &path, const char *option) {
    if (path.empty()) return;
    out.open(path);
    if (!out) throw_io(std::string("compare: cannot write the ") + option + " file '" + path + "'", path);
}

int run_compare(const std::vector<std::string> &args) {
    WorkloadSetOptions workloads;
    MeasureCliOptions mcli;
    mcli.measure.min_repeats = 5;
    std::string db_path = kDefaultDatabasePath, json_path, html_path, schedules,
                plugin_dir = HTUNE_HALIDE_PLUGIN_DIR;
    double naive_limit = 10;
    int rounds = 1;
    po::options_description desc("htune compare options");
    workloads.add_to(desc);
    desc.add_options()("db", po::value(&db_path)->default_value(db_path),
                       "tuning database to read the tuned record and history "
                       "from (read only; a missing "
                       "default file means no tuned rows)")("json", po::value(&json_path),
                                                            "also write the results as JSON to FILE")(
        "html", po::value(&html_path), "also write a self-contained HTML report to FILE")(
        "schedules",
        po::value(&schedules)
            ->default_value(
                "naive,heuristic,mullapudi2016,li2018,adams2019,as_written,tuned,openblas,onednn"),
        "rows to measure, in this order (openblas applies to matmul only; onednn to conv2d, "
        "conv, depthwise_separable_conv, pool, fully_connected, add, attention, matmul, softmax and "
        "layernorm; as_written to "
        "Generators, as their own schedule builds them)")(
        "naive-limit", po::value(&naive_limit)->default_value(naive_limit, number_text(naive_limit)),
        "skip the naive row when its runs would take longer than this many "
        "seconds")("plugin-dir", po::value(&plugin_dir)->default_value(plugin_dir),
                   "directory of Halide's libautoschedule_*.so plugins")(
        "rounds", po::value(&rounds)->default_value(rounds),
        "measure each workload's rows this many times, one round after another, and report "
        "each row's best round (for machines whose speed drifts)");
    mcli.add_to(desc, "seconds allowed per compile (an autoscheduler's search included)");
    po::variables_map vm;
    if (parse_command_line("compare", args, desc, vm, nullptr,
                           "(--op NAME [-p k=v ...] | --op A --op B ... | --suite default|small|corpus "
                           "| --workloads "
                           "FILE.json | --generator-lib LIB --generator NAME [-g k=v ...])  "
                           "[--db FILE] [--json "
                           "FILE] [--html FILE] [--schedules LIST] [--naive-limit S] [--rounds N]"))
        return 0;
    if (!workloads.given())
        throw_usage(
            "compare: choose workloads with --op, --suite, --workloads or "
            "--generator-lib/--generator");
    CompareOptions o;
    o.schedules = parse_compare_schedules(schedules);
    if (!(naive_limit > 0)) throw_usage("compare: --naive-limit must be > 0 seconds");
    if (rounds < 1 || rounds > 100) throw_usage("compare: --rounds must be between 1 and 100");
    o.rounds = rounds;
    const MeasureOptions m = mcli.finish("compare");
    std::vector<WorkloadSpec> specs = workloads.specs();  // validates the selection
    // A model file, or workloads with counts: an end-to-end report after the per-layer tables.
    ModelInfo model = workloads.model();
    bool counted = false;
    for (const WorkloadSpec &s : specs) counted = counted || s.count != 1;
    if (!model.is_model) model = ModelInfo();
    if (!model.is_model && counted) model.name = "total";
    std::vector<Workload> selected;
    for (const WorkloadSpec &s : specs) selected.push_back(make_workload(s));
    std::ofstream json_out, html_out;
    open_output(json_out, json_path, "--json");
    open_output(html_out, html_path, "--html");
    auto runner = make_worker_runner(m);  // validates the measurement options
    std::unique_ptr<Database> db;
    if (!vm["db"].defaulted() || file_exists(db_path)) {
        OpenOptions oo;
        oo.create = false;
        db = open_database(db_path, oo);
    }

    const int threads = resolved_threads(m);
    CompareReport report;
    report.device_key = current_device(parse_target(m.target), threads).key();
    o.naive_limit_s = naive_limit;
    o.plugin_dir = plugin_dir;
    o.device_key = report.device_key;
    o.machine.parallelism = threads;
    o.machine.last_level_cache_bytes = last_level_cache_bytes();
    o.timed_runs = 3 + m.warmup + m.min_repeats;
    report.peaks = measure_peaks(threads);
    std::cout << "device: " << report.device_key << "\n" << format_peaks(report.peaks) << "\n";
    std::cout << "database: "
              << (db ? "'" + db_path + "' (read only)" : "none ('" + db_path + "' does not exist)") << "\n\n"
              << std::flush;

    report.model = model;
    for (size_t i = 0; i < selected.size(); i++) {
        CompareWorkload cw = compare_workload(*runner, selected[i], db.get(), o, report.peaks);
        cw.count = specs[i].count;
        cw.label = specs[i].label;
        std::cout << format_table(cw) << "\n" << std::flush;
        report.workloads.push_back(std::move(cw));
    }
    if (report.has_model()) std::cout << format_model(summarize_model(report)) << "\n" << std::flush;
    if (json_out.is_open()) {
        nlohmann::json j = to_json(report);
        j["run"] = run_provenance("compare", args);
        json_out << j.dump(2) << "\n";
        if (!json_out.flush()) throw_io("compare: cannot write '" + json_path + "'", json_path);
        std::cout << "json: " << json_path << "\n";
    }
    if (html_out.is_open()) {
        html_out << render_html(report);
        if (!html_out.flush()) throw_io("compare: cannot write '" + html_path + "'", html_path);
        std::cout << "html: " << html_path << "\n";
    }
    return 0;
}

}  // namespace

Command compare_command() {
    return {"compare",
            "measure naive, heuristic, Halide's autoschedulers, the tuned record "
            "(and openblas, onednn) side by side",
            run_compare};
}

}  // namespace htune
