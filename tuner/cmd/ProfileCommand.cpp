// `htune profile`: one schedule of one workload under Halide's sampling profiler, the time per
// Func (tuner/Profile.h). The schedule is one of compare's Halide rows (naive, heuristic, an
// autoscheduler, as_written, tuned) or a schedule JSON file; it runs in this process, on the
// same synthesized inputs as the measurements.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "measure/Machine.h"
#include "ops/CanonicalPipeline.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "ops/PipelineIO.h"
#include "schedules/Apply.h"
#include "schedules/Space.h"
#include "tuner/Command.h"
#include "tuner/Compare.h"
#include "tuner/Profile.h"
#include "tuner/WorkloadOptions.h"
#include "tuner/WorkloadSet.h"

namespace po = boost::program_options;

namespace htune {

namespace {

const char *kRows = "naive, heuristic, mullapudi2016, li2018, adams2019, as_written or tuned";

struct Options {
    std::string schedules, schedule_file, db_path = kDefaultDatabasePath,
                                          plugin_dir = HTUNE_HALIDE_PLUGIN_DIR;
    int threads = 0;
};

bool known_row(const std::string &row) {
    return row == "naive" || row == "heuristic" || row == "as_written" || row == "tuned" || plugin_name(row);
}

// The workload's pipeline scheduled as `row` says (empty: the schedule file), and what was
// profiled ("tuned (record ...)").
Halide::Pipeline scheduled_pipeline(const Workload &w, const std::string &row, const Options &o,
                                    const Halide::Target &target, std::string *what) {
    *what = row;
    if (row.empty()) {
        std::ifstream in(o.schedule_file);
        if (!in)
            throw_io("profile: cannot read the schedule file '" + o.schedule_file + "'", o.schedule_file);
        Schedule s;
        try {
            s = nlohmann::json::parse(in).get<Schedule>();
        } catch (const std::exception &e) {
            throw_usage("profile: '" + o.schedule_file + "' is not a schedule JSON: " + e.what());
        }
        Halide::Pipeline p = w.build();
        apply_schedule(s, p, target);
        *what = "file " + o.schedule_file;
        return p;
    }
    if (row == "naive") return w.build();
    if (row == "heuristic") {
        Halide::Pipeline p = w.build();
        apply_schedule(ScheduleSpace(w, target).heuristic(), p, target);
        return p;
    }
    if (row == "as_written") {
        if (!w.has_own_schedule())
            throw_usage("profile: " + w.canonical() + " has no schedule of its own (as_written)");
        return w.build_as_written();
    }
    if (const char *plugin = plugin_name(row)) {
        const std::string path = plugin_path(o.plugin_dir, row);
        if (access(path.c_str(), R_OK) != 0) throw_usage("profile: plugin '" + path + "' not found");
        Halide::load_plugin(path);
        Halide::Pipeline p = w.build();
        p.auto_schedule(plugin, target, Halide::MachineParams(o.threads, last_level_cache_bytes(), 40));
        return p;
    }
    if (row == "tuned") {
        OpenOptions oo;
        oo.create = false;
        std::unique_ptr<Database> db = open_database(o.db_path, oo);
        Lookup best = db->best(w.key(), current_device(target, o.threads).key());
        if (best.records.empty())
            throw_usage("profile: no tuned record in '" + o.db_path + "' for " + w.canonical());
        Halide::Pipeline p = w.build();
        apply_schedule(best.records[0].schedule.get<Schedule>(), p, target);
        *what = "tuned (record " + best.records[0].schedule_hash + ", " + to_string(best.level) + ")";
        return p;
    }
    throw Error(ErrorKind::internal, "profile: unknown row '" + row + "'");
}

int run_profile(const std::vector<std::string> &args) {
    WorkloadSetOptions workloads;
    Options o;
    std::string json_path;
    double seconds = 2;
    po::options_description desc("htune profile options");
    workloads.add_to(desc);
    desc.add_options()(
        "schedule", po::value(&o.schedules),
        (std::string("the schedules to profile, comma-separated, one after another: ") + kRows).c_str())(
        "schedule-file", po::value(&o.schedule_file),
        "profile this schedule JSON instead (htune best --json's schedule)")(
        "db", po::value(&o.db_path)->default_value(o.db_path),
        "tuning database of the tuned record (read only)")(
        "seconds", po::value(&seconds)->default_value(seconds, "2"),
        "run the pipeline this long (Halide samples every ~1 ms; the reports of all runs are summed)")(
        "threads", po::value(&o.threads)->default_value(0, "all cores"), "threads the pipeline runs on")(
        "plugin-dir", po::value(&o.plugin_dir)->default_value(o.plugin_dir),
        "directory of Halide's libautoschedule_*.so plugins")("json", po::value(&json_path),
                                                              "also write the profiles as JSON to FILE");
    po::variables_map vm;
    if (parse_command_line(
            "profile", args, desc, vm, nullptr,
            "(--op NAME [-p k=v ...] | --generator-lib LIB --generator NAME [-g k=v ...] | "
            "--workloads FILE.json) (--schedule ROW[,ROW...] | --schedule-file FILE) [--db FILE] "
            "[--seconds S] [--threads N] [--json FILE]"))
        return 0;
    if (!workloads.given())
        throw_usage("profile: choose one workload with --op, --workloads or --generator-lib/--generator");
    if (o.schedules.empty() == o.schedule_file.empty())
        throw_usage("profile: give exactly one of --schedule and --schedule-file");
    std::vector<std::string> rows =
        o.schedule_file.empty() ? split_list(o.schedules) : std::vector<std::string>{""};
    for (const std::string &row : rows)
        if (!row.empty() && !known_row(row))
            throw_usage("profile: --schedule must name rows among " + std::string(kRows) + ", not '" + row +
                        "'");
    if (rows.empty()) throw_usage("profile: --schedule names no row");
    if (!(seconds > 0) || seconds > 600) throw_usage("profile: --seconds must be > 0 and at most 600");
    if (o.threads < 0) throw_usage("profile: --threads must be >= 1 (or 0 for all cores)");
    std::vector<WorkloadSpec> specs = workloads.specs();
    if (specs.size() != 1) throw_usage("profile: give one workload, not " + std::to_string(specs.size()));
    if (o.threads == 0) o.threads = default_thread_count();
    // Before Halide's thread pool starts: the pipeline runs on o.threads.
    setenv("HL_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
    std::ofstream json_out;
    if (!json_path.empty()) {
        json_out.open(json_path);
        if (!json_out) throw_io("profile: cannot write the --json file '" + json_path + "'", json_path);
    }

    Workload w = make_workload(specs[0]);
    const Halide::Target target = host_target();
    std::vector<Halide::Buffer<>> inputs = w.make_inputs(1), outputs = w.make_outputs();
    nlohmann::json profiles = nlohmann::json::array();
    for (const std::string &row : rows) {
        std::string what;
        Halide::Pipeline p = scheduled_pipeline(w, row, o, target, &what);
        // The report names Funcs as htune does everywhere (issue 22's canonical names): Halide's
        // own ("f12$3") depend on what else this process built. Funcs a schedule added (wrappers,
        // rfactor intermediates) and Halide's runtime keep Halide's names, without the "$N".
        std::map<std::string, std::string> names;
        try {
            names = canonical_func_names(p);
        } catch (const Error &) {
            names.clear();
        }
        ProfileReport r = profile_pipeline(p, inputs, outputs, target, seconds);
        for (const FuncProfile &f : r.funcs)
            if (!names.count(f.name) || names[f.name] == f.name)
                names[f.name] = without_unique_suffixes(f.name);
        rename_funcs(r, names);
        r.workload = w.canonical();
        r.schedule = what;
        std::cout << format_profile(r) << "\n" << std::flush;
        profiles.push_back(to_json(r));
    }
    if (json_out.is_open()) {
        nlohmann::json j;
        j["format"] = "htune-profile/1";
        j["workload"] = w.canonical();
        j["threads"] = o.threads;
        j["seconds"] = seconds;
        j["profiles"] = profiles;
        j["run"] = run_provenance("profile", args);
        json_out << j.dump(2) << "\n";
        if (!json_out.flush()) throw_io("profile: cannot write '" + json_path + "'", json_path);
        std::cout << "json: " << json_path << "\n";
    }
    return 0;
}

}  // namespace

Command profile_command() {
    return {"profile", "where schedules of a workload spend their time, per Func (Halide's profiler)",
            run_profile};
}

}  // namespace htune
