// `htune tune`: tune one or many workloads into the tuning database
// (tuner/Tuner.h is the loop; this file parses options, wires the real runner,
// XGBoost model, featurizer and progress, and prints the summary).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cost_model/CostModel.h"
#include "cost_model/Featurizer.h"
#include "db/Database.h"
#include "db/DeviceKey.h"
#include "measure/Machine.h"
#include "measure/MpiFleet.h"
#include "measure/Runner.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tuner/Command.h"
#include "tuner/Compare.h"
#include "tuner/Training.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadOptions.h"
#include "tuner/WorkloadSet.h"

namespace po = boost::program_options;

namespace htune {

namespace {

// SIGINT/SIGTERM: finish the batch being measured, commit it, skip the confirmation and print
// the summary (an overnight run stopped by Ctrl-C or a job scheduler keeps every measurement
// and says where it got). A second signal ends the process at once (the default action).
volatile sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int sig) {
    g_stop_signal = sig;
    signal(sig, SIG_DFL);
}

std::string fixed(double x, int digits) {
    if (!(x > 0)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return buf;
}

std::string ms_text(double x) {
    if (!(x > 0)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

// The sum of count x `ms` of every workload, or 0 when one has no such time.
double model_total(const TuneResult &r, double WorkloadOutcome::*ms) {
    double sum = 0;
    for (const auto &w : r.workloads) {
        if (!(w.*ms > 0)) return 0;
        sum += w.count * w.*ms;
    }
    return sum;
}

void print_summary(std::ostream &os, const TuneResult &r, const std::string &model_name) {
    size_t wname = 8;
    for (const auto &w : r.workloads) wname = std::max(wname, w.workload.size());
    os << std::left << std::setw((int)wname + 2) << "workload" << std::right << std::setw(8) << "trials"
       << std::setw(8) << "failed" << std::setw(14) << "heuristic ms" << std::setw(12) << "best ms"
       << std::setw(10) << "GFLOP/s" << std::setw(9) << "speedup"
       << "  stop\n";
    for (const auto &w : r.workloads) {
        os << std::left << std::setw((int)wname + 2) << w.workload << std::right << std::setw(8) << w.trials
           << std::setw(8) << w.failures << std::setw(14) << ms_text(w.heuristic_ms) << std::setw(12)
           << ms_text(w.best_ms) << std::setw(10) << fixed(w.gflops, 1) << std::setw(9)
           << (w.speedup > 0 ? fixed(w.speedup, 2) + "x" : "-") << "  "
           << (w.error.empty() ? w.stop_reason : "error: " + w.error.substr(0, w.error.find('\n')))
           << (w.count != 1 ? "  (x" + ms_text(w.count) + ")" : "") << "\n";
    }
    if (model_name.empty()) return;
    const double best = model_total(r, &WorkloadOutcome::best_ms),
                 heuristic = model_total(r, &WorkloadOutcome::heuristic_ms);
    double counted = 0;
    for (const auto &w : r.workloads) counted += w.count;
    os << model_name << " latency (sum of count x time over " << r.workloads.size() << " distinct layers, "
       << ms_text(counted) << " in all): best " << ms_text(best) << " ms, heuristic " << ms_text(heuristic)
       << " ms" << (best > 0 && heuristic > 0 ? ", " + fixed(heuristic / best, 2) + "x" : "")
       << (best > 0 ? "" : " (a layer has no best time)") << "\n";
}

nlohmann::json summary_json(const TuneResult &r, const std::string &device_key, int64_t run_id,
                            const std::string &db_path, const std::string &model_name) {
    nlohmann::json ws = nlohmann::json::array();
    auto num = [](double x) { return x > 0 ? nlohmann::json(x) : nlohmann::json(nullptr); };
    for (const auto &w : r.workloads) {
        nlohmann::json curve = nlohmann::json::array();
        for (double ms : w.curve) curve.push_back(num(ms));
        ws.push_back({{"workload", w.workload},
                      {"key", w.key},
                      {"count", w.count},
                      {"name", w.label},
                      {"trials", w.trials},
                      {"trials_this_run", w.run_trials},
                      {"failures", w.failures},
                      {"heuristic_ms", num(w.heuristic_ms)},
                      {"best_ms", num(w.best_ms)},
                      {"gflops", num(w.gflops)},
                      {"speedup", num(w.speedup)},
                      {"best_hash", w.best_hash},
                      {"heuristic_hash", w.heuristic_hash},
                      {"confirmed", w.confirmed},
                      {"curve_ms", curve},
                      {"stop", w.stop_reason},
                      {"error", w.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(w.error)}});
    }
    nlohmann::json out = {{"format", "htune-tune-summary/1"},
                          {"database", db_path},
                          {"device", device_key},
                          {"run_id", run_id},
                          {"elapsed_s", r.elapsed_s},
                          {"stopped", r.stopped},
                          {"workloads", ws}};
    if (!model_name.empty()) {
        // The model latency over the run's wall-clock time (TuneResult::model_curve).
        nlohmann::json curve = nlohmann::json::array();
        for (const ModelPoint &p : r.model_curve) curve.push_back({{"elapsed_s", p.elapsed_s}, {"ms", p.ms}});
        out["model"] = {{"name", model_name},
                        {"best_ms", num(model_total(r, &WorkloadOutcome::best_ms))},
                        {"heuristic_ms", num(model_total(r, &WorkloadOutcome::heuristic_ms))},
                        {"curve", curve}};
    }
    return out;
}

int run_tune(const std::vector<std::string> &args) {
    WorkloadSetOptions set;
    TuneOptions o;
    MeasureCliOptions mcli;
    std::string db_path = kDefaultDatabasePath, time_budget, json_path, search = "guided", sketches = "on",
                seed_as_written = "on", model_path, scheduler = "auto";
    bool cold = false, no_transfer = false, use_mpi = false, coordinator_measures = false;
    double host_timeout = 60;
    std::string seed_autoschedulers = "mullapudi2016,adams2019", plugin_dir = HTUNE_HALIDE_PLUGIN_DIR;
    po::options_description desc("htune tune options");
    set.add_to(desc);
    desc.add_options()("db", po::value(&db_path)->default_value(db_path), "tuning database file")(
        "trials", po::value(&o.trials)->default_value(o.trials),
        "per workload: tune until the database holds N measurements of it on "
        "this device type "
        "(the heuristic and earlier runs included; 0 = no limit)")(
        "time-budget", po::value(&time_budget), "wall-clock budget of the whole search, e.g. 8h, 30m, 90s")(
        "early-stop", po::value(&o.early_stop)->default_value(0),
        "stop a workload after N trials without a new best (>= 0.5% faster); 0 = "
        "off")("batch-size", po::value(&o.batch_size)->default_value(o.batch_size),
               "candidates measured per round")("seed", po::value(&o.seed)->default_value(0),
                                                "seed of the proposals (reproducible for a given database)")(
        "search", po::value(&search)->default_value(search),
        "guided (evolutionary search ranked by the cost model), evolution (the same search ranked "
        "at random: what the model adds) or random (fresh samples of the space); seeds and "
        "sketches apply to each")(
        "sketches", po::value(&sketches)->default_value(sketches),
        "on|off: seed each workload's search with the space's sketches (register-tiled "
        "reductions etc.)")(
        "param-seeds", po::value(&o.seeds_per_workload)->default_value(o.seeds_per_workload),
        "seed each workload with the N best schedules of the same op at each other parameter "
        "setting in the database; 0 = none")(
        "epsilon",
        po::value(&o.search.epsilon)->default_value(o.search.epsilon, number_text(o.search.epsilon)),
        "share of each guided or evolution batch picked at random")(
        "confirm", po::value(&o.confirm_top)->default_value(o.confirm_top),
        "re-measure the N best of each workload (and the heuristic and the autoschedulers' "
        "imported schedules) at the end; 0 = skip")(
        "confirm-rounds", po::value(&o.confirm_rounds)->default_value(o.confirm_rounds),
        "measure that confirmation batch this many times, one round after another; each record "
        "keeps its best round")("cold", po::bool_switch(&cold),
                                "ignore the stored transfer model (same as --no-transfer)")(
        "no-transfer", po::bool_switch(&no_transfer), "ignore the stored transfer model")(
        "model", po::value(&model_path),
        "warm-start from this model file (`htune retrain --out`) instead of the database's")(
        "seed-autoschedulers", po::value(&seed_autoschedulers)->default_value(seed_autoschedulers),
        "Halide autoschedulers whose schedules (imported into the space) seed each workload's "
        "search: a list of mullapudi2016, li2018, adams2019, or none")(
        "seed-as-written", po::value(&seed_as_written)->default_value(seed_as_written),
        "on|off: seed a Generator's search with the schedule its own code applies (imported into "
        "the space), when it has one")(
        "retry-seeds", po::bool_switch(&o.retry_seed_failures),
        "ask autoschedulers again that gave no seed for a workload in an earlier run (the "
        "database remembers them)")("plugin-dir", po::value(&plugin_dir)->default_value(plugin_dir),
                                    "directory of Halide's libautoschedule_*.so plugins")(
        "json", po::value(&json_path), "also write the summary as JSON to FILE")(
        "scheduler", po::value(&scheduler)->default_value(scheduler),
        "which workload gets the next batch: weighted (minimize the model latency, the sum of "
        "count x time: the default for a model file or workloads with counts), balanced (each "
        "workload with equal standing: the default otherwise) or round-robin")(
        "compile-cap-factor",
        po::value(&o.compile_cap_factor)
            ->default_value(o.compile_cap_factor, number_text(o.compile_cap_factor)),
        "once a workload has a best time, stop a candidate's compile after max(10 s, N x the "
        "median compile of the workload's ok candidates) (never later than --compile-timeout); "
        "0 = --compile-timeout only")(
        "mpi", po::bool_switch(&use_mpi),
        "under mpirun: rank 0 searches and writes the database, every other rank measures (same "
        "device type only); the default --batch-size is multiplied by the number of hosts")(
        "mpi-coordinator-measures", po::bool_switch(&coordinator_measures),
        "with --mpi: rank 0 measures candidates too, while it waits for the hosts")(
        "mpi-host-timeout", po::value(&host_timeout)->default_value(60),
        "with --mpi: seconds of silence (no result, no heartbeat) after which a measurement host "
        "is lost and its candidate measured elsewhere (needs mpirun --enable-recovery; else a "
        "lost host ends the job)");
    mcli.add_to(desc);
    po::variables_map vm;
    if (parse_command_line("tune", args, desc, vm, nullptr,
                           "(--op NAME ... [-p k=v] [--test-size] | --suite "
                           "default|small|corpus | --workloads FILE.json | "
                           "--generator-lib LIB --generator NAME [-g k=v]) "
                           "[--trials N] [--time-budget T] "
                           "[--early-stop N] [--search " +
                               search_strategy_choices("|", "|") +
                               "] [--sketches on|off] [--db FILE] [--json FILE]"))
        return 0;
    cold = cold || no_transfer;
    if (cold && !model_path.empty()) throw_usage("tune: --model and --cold exclude each other");
    if (!time_budget.empty()) o.time_budget_s = parse_duration(time_budget);
    const auto &strategies = search_strategy_names();
    if (std::find(strategies.begin(), strategies.end(), search) == strategies.end())
        throw_usage("tune: --search must be " + search_strategy_choices() + ", not '" + search + "'");
    o.search_strategy = search;
    if (sketches != "on" && sketches != "off")
        throw_usage("tune: --sketches must be on or off, not '" + sketches + "'");
    o.sketch_seeds = sketches == "on";
    if (seed_as_written != "on" && seed_as_written != "off")
        throw_usage("tune: --seed-as-written must be on or off, not '" + seed_as_written + "'");
    o.as_written_seed = seed_as_written == "on";
    if (o.seeds_per_workload < 0) throw_usage("tune: --param-seeds must be >= 0");
    if (o.trials < 0) throw_usage("tune: --trials must be >= 0");
    if (o.batch_size < 1) throw_usage("tune: --batch-size must be >= 1");
    if (o.early_stop < 0) throw_usage("tune: --early-stop must be >= 0");
    if (o.confirm_top < 0) throw_usage("tune: --confirm must be >= 0");
    if (o.confirm_rounds < 1) throw_usage("tune: --confirm-rounds must be >= 1");
    if (!(o.compile_cap_factor >= 0)) throw_usage("tune: --compile-cap-factor must be >= 0");
    if (o.trials == 0 && o.time_budget_s == 0 && o.early_stop == 0)
        throw_usage(
            "tune: --trials 0 needs another budget (--time-budget or "
            "--early-stop)");
    // One set of measurement options: the runner is made with them and the loop reads them
    // (run caps, the seed-failure limits).
    o.measure = mcli.finish("tune");
    const MeasureOptions &m = o.measure;
    validate(m);  // here, not only in make_worker_runner: under --mpi rank 0 may make none
    std::vector<std::string> seeders;
    if (seed_autoschedulers != "none") {
        std::stringstream list(seed_autoschedulers);
        for (std::string name; std::getline(list, name, ',');) {
            if (!plugin_name(name))
                throw_usage("tune: --seed-autoschedulers: unknown autoscheduler '" + name +
                            "' (expected mullapudi2016, li2018, adams2019 or none)");
            seeders.push_back(name);
        }
    }
    std::vector<WorkloadSpec> specs = set.specs();  // usage errors before anything is measured
    const ModelInfo model_info = set.model();
    bool counted = false;
    for (const auto &s : specs) counted = counted || s.count != 1;
    if (model_info.is_model)
        o.model_name = model_info.name;
    else if (counted)
        o.model_name = "total";
    // A network's budget is the model's: with --time-budget and no --trials, no layer is capped.
    if (!o.model_name.empty() && vm["trials"].defaulted() && o.time_budget_s > 0) o.trials = 0;
    if (scheduler == "auto")
        o.scheduler.objective =
            o.model_name.empty() ? SchedulerObjective::balanced : SchedulerObjective::weighted;
    else
        o.scheduler.objective = parse_objective(scheduler);
    Halide::Target target = parse_target(m.target);
    int threads = resolved_threads(m);
    o.device_key = current_device(target, threads).key();
    // --mpi: every rank parsed the same command line above; the measurement hosts stop here.
    std::unique_ptr<MpiSession> mpi;  // outlives the runner: MPI_Finalize comes last
    if (coordinator_measures && !use_mpi) throw_usage("tune: --mpi-coordinator-measures needs --mpi");
    if (!(host_timeout > 0)) throw_usage("tune: --mpi-host-timeout must be > 0");
    if (use_mpi) {
        mpi = std::make_unique<MpiSession>();
        if (mpi->rank() > 0) return run_measurement_host(*mpi, m, o.device_key, host_timeout);
    }
    // Transfer from a file (e.g. a model retrained elsewhere, or with operators held out):
    // loaded before the database is touched, so a missing file or another feature schema is
    // one error line and no run.
    XgbOptions xo;
    xo.nthread = 1;  // compiles run alongside: one XGBoost thread is far faster
                     // than two there
    xo.seed = o.seed;
    std::unique_ptr<CostModel> file_model;
    if (!model_path.empty()) {
        XgbOptions wo = xo;
        wo.warm_start = true;
        file_model = make_xgboost_model(wo);
        file_model->load(model_path, &feature_schema());
    }
    std::ofstream json_out;
    if (!json_path.empty()) {
        json_out.open(json_path);
        if (!json_out) throw_io("tune: cannot write '" + json_path + "'", json_path);
    }

    std::unique_ptr<Runner> runner =
        mpi ? make_mpi_runner(*mpi, o.device_key, std::cerr,
                              coordinator_measures ? make_worker_runner(m) : nullptr,
                              host_timeout)
            : make_worker_runner(m);  // validates m
    const int hosts = mpi ? mpi_host_count(*runner) : 0;
    if (hosts > 1 && vm["batch-size"].defaulted()) o.batch_size *= hosts;
    o.propose_ahead = mpi != nullptr;  // rank 0 proposes the next batch while the hosts measure
    auto db = open_database(db_path);
    const FeatureSchema &schema = feature_schema();
    o.feature_schema = schema.name + "/" + std::to_string(schema.version);

    RunInfo info;
    info.seed = o.seed;
    std::string line = "htune tune";
    for (const auto &a : args) line += " " + a;
    info.command_line = line;
    info.options = {{"trials", o.trials},
                    {"time_budget_s", o.time_budget_s},
                    {"early_stop", o.early_stop},
                    {"batch_size", o.batch_size},
                    {"search", search},
                    {"sketches", sketches},
                    {"seed_autoschedulers", seeders},
                    {"seed_as_written", o.as_written_seed},
                    {"param_seeds", o.seeds_per_workload},
                    {"epsilon", o.search.epsilon},
                    {"confirm", o.confirm_top},
                    {"confirm_rounds", o.confirm_rounds},
                    {"workers", m.workers},
                    {"threads", threads},
                    {"min_repeats", m.min_repeats},
                    {"min_seconds", m.min_seconds},
                    {"transfer", !cold},
                    {"model", model_path},
                    {"mpi_hosts", hosts},
                    {"scheduler", objective_name(o.scheduler.objective)},
                    {"network", o.model_name}};
    o.run_id = db->begin_run(info);
    // The weighted scheduler's roofline (TaskStats::floor_ms): well under a second of
    // microbenchmarks, before any worker starts.
    const MachinePeaks &peaks = o.peaks;
    if (o.scheduler.objective == SchedulerObjective::weighted) {
        o.peaks = measure_peaks(threads);
        o.cache_bytes = (double)last_level_cache_bytes();
    }

    AutoschedulerMachine machine;
    machine.parallelism = threads;
    machine.last_level_cache_bytes = last_level_cache_bytes();
    for (const std::string &name : seeders) {
        std::string path = plugin_path(plugin_dir, name);
        if (access(path.c_str(), R_OK) != 0)
            std::cerr << "htune tune: warning: no " << plugin_name(name) << " seeds: plugin '" << path
                      << "' not found" << std::endl;
        else
            o.autoscheduler_seeds.push_back(Candidate::autoscheduler(plugin_name(name), path, machine));
    }

    const bool uses_model = make_search_strategy(o.search_strategy, o.search)->uses_model();
    std::unique_ptr<CostModel> model;
    bool pretrained = false;
    if (uses_model && file_model) {
        model = std::move(file_model);
        pretrained = model->is_trained();
    } else if (uses_model && !cold) {
        // Transfer: warm-start from the model `htune retrain` stored for this
        // device type; each update adds trees fitted on this run's data to it.
        XgbOptions wo = xo;
        wo.warm_start = true;
        model = load_stored_model(*db, o.device_key, wo);
        pretrained = model && model->is_trained();
    }
    if (!model) model = make_xgboost_model(xo);

    TuneEnv env;
    env.runner = runner.get();
    env.db = db.get();
    env.model = uses_model ? model.get() : nullptr;
    env.model_pretrained = pretrained;
    env.target = target;
    env.featurizer = [threads](const Workload &, const ScheduleSpace &space) -> FeaturizeFunction {
        auto f = std::make_shared<Featurizer>(space, threads);
        return [f](const std::vector<Schedule> &batch) { return f->featurize(batch); };
    };
    g_stop_signal = 0;
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    env.stop_requested = [] { return g_stop_signal != 0; };
    bool live = isatty(STDERR_FILENO);
    auto progress = make_progress(std::cerr, live);
    env.progress = progress.get();
    std::cerr << "htune tune: " << specs.size() << " workload(s), run " << o.run_id << ", database '"
              << db_path << "', device " << o.device_key << ", " << search << " search"
              << (uses_model ? (pretrained ? (model_path.empty() ? " (transfer: the stored model)"
                                                                 : " (transfer: " + model_path + ")")
                                           : " (model trained from scratch)")
                             : "")
              << (hosts > 0 ? ", " + std::to_string(hosts) + " MPI measurement host(s)" : "") << ", sketches "
              << sketches << ", autoscheduler seeds "
              << (o.autoscheduler_seeds.empty() ? std::string("none") : seed_autoschedulers)
              << (o.as_written_seed ? ", the Generators' own schedules as seeds" : "")
              << (o.trials > 0 ? ", " + std::to_string(o.trials) + " trials per workload" : "")
              << (o.time_budget_s > 0 ? ", time budget " + format_duration(o.time_budget_s) : "")
              << (o.model_name.empty() ? "" : ", model " + o.model_name) << ", "
              << objective_name(o.scheduler.objective) << " scheduler"
              << (peaks.peak_gflops > 0 ? " (roofline from " + format_peaks(peaks) + ")" : "") << std::endl;

    TuneResult r = tune(specs, o, env);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (r.stopped)
        std::cerr << "htune tune: stopped by " << (g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM")
                  << " after the batch in flight; run the same command again to resume" << std::endl;

    print_summary(std::cout, r, o.model_name);
    std::cout << "elapsed " << format_duration(r.elapsed_s) << "; best schedules: htune best --db " << db_path
              << " WORKLOAD (--op NAME [-p k=v ...] or --generator-lib LIB --generator NAME [-g k=v ...])\n";
    if (json_out.is_open()) {
        nlohmann::json j = summary_json(r, o.device_key, o.run_id, db_path, o.model_name);
        j["options"] = info.options;  // the strategy and seeds switches, as stored with the run
        j["run"] = run_provenance("tune", args);
        if (peaks.peak_gflops > 0)
            j["machine"] = {{"peak_gflops", peaks.peak_gflops},
                            {"bandwidth_gbs", peaks.bandwidth_gbs},
                            {"threads", peaks.threads},
                            {"fma_isa", peaks.fma_isa}};
        json_out << j.dump(2) << "\n";
        if (!json_out) throw_io("tune: cannot write '" + json_path + "'", json_path);
    }
    if (r.stopped) return 128 + (g_stop_signal ? (int)g_stop_signal : SIGTERM);
    for (const auto &w : r.workloads)
        if (!w.error.empty()) return 1;
    return 0;
}

}  // namespace

Command tune_command() {
    return {"tune",
            "tune workloads (" + search_strategy_choices() +
                " search, many workloads, budgets, resume) "
                "into the database",
            run_tune};
}

}  // namespace htune
