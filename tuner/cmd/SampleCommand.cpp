// `htune sample`: draw N distinct schedules from each selected workload's schedule space, measure them
// (and the heuristic schedule) through measure/, and summarize statuses and speed.
#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <set>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "measure/Runner.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "schedules/Space.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"
#include "tuner/WorkloadSet.h"

namespace po = boost::program_options;

namespace htune {

namespace {

constexpr int kAttemptsPerSchedule = 100;  // sampling attempts allowed per requested schedule

struct SampleArgs {
    WorkloadSetOptions workloads;
    int count = 0;
    uint64_t seed = 0;
    std::string json_path, faults, db_path;
    MeasureCliOptions measure_cli;
    MeasureOptions measure;  // measure_cli.finish()
};

std::string ratio_text(double x) {
    std::ostringstream os;
    os << std::setprecision(3) << x << "x";
    return os.str();
}

// Samples and measures one workload; prints its report and returns its JSON summary.
nlohmann::json sample_one(const SampleArgs &a, const Workload &w, Runner &runner,
                          const std::vector<Fault> &faults, Database *db) {
    ScheduleSpace space(w, parse_target(a.measure.target));
    std::mt19937_64 rng(a.seed);
    std::vector<Schedule> sampled;
    std::set<std::string> seen;
    long attempts = 0, max_attempts = (long)kAttemptsPerSchedule * a.count;
    while ((int)sampled.size() < a.count && attempts < max_attempts) {
        Schedule s = space.sample(rng);
        attempts++;
        if (seen.insert(schedule_hash(s)).second) sampled.push_back(std::move(s));
    }
    std::cout << "workload:   " << w.canonical() << "\n"
              << "sampled:    " << sampled.size() << " distinct schedule(s) in " << attempts
              << " attempt(s), seed " << a.seed << "\n";
    if ((int)sampled.size() < a.count)
        std::cout << "note:       the schedule space yielded only " << sampled.size()
                  << " distinct schedule(s) in " << max_attempts << " attempts (asked for " << a.count
                  << ")\n";

    // Batch: the heuristic first (the baseline, never faulted), then the samples.
    std::vector<Schedule> batch = {space.heuristic()};
    std::vector<Fault> batch_faults(1 + sampled.size(), Fault::none);
    batch.insert(batch.end(), sampled.begin(), sampled.end());
    for (size_t k = 0; k < faults.size(); k++) {
        if (k >= sampled.size()) {
            std::cout << "note:       not enough distinct candidates to inject '" << to_string(faults[k])
                      << "'\n";
            continue;
        }
        batch_faults[1 + k] = faults[k];
    }
    std::vector<MeasureResult> results = runner.measure(w, batch, batch_faults);
    const MeasureResult &heur = results[0];
    if (db) {
        // Injected faults are not measurements of the schedule: they are not stored.
        std::vector<Record> records;
        for (size_t i = 0; i < results.size(); i++) {
            if (batch_faults[i] != Fault::none) continue;
            std::string key =
                current_device(parse_target(a.measure.target), resolved_threads(a.measure)).key();
            records.push_back(
                make_record(w, key, nlohmann::json(batch[i]), schedule_hash(batch[i]), results[i]));
        }
        CommitStats st = db->commit(records);
        std::cout << "database:   " << st.inserted << " record(s) stored in '" << a.db_path << "' ("
                  << st.duplicates << " already there)\n";
    }

    std::map<Status, int> counts;
    std::vector<double> speedups;
    nlohmann::json candidates = nlohmann::json::array();
    std::cout << "candidates:\n";
    for (size_t i = 1; i < results.size(); i++) {
        const MeasureResult &r = results[i];
        counts[r.status]++;
        if (r.status == Status::ok && heur.status == Status::ok && r.median_ms > 0)
            speedups.push_back(heur.median_ms / r.median_ms);
        std::string hash = schedule_hash(batch[i]);
        candidates.push_back({{"hash", hash}, {"fault", to_string(batch_faults[i])}, {"result", r}});
        std::cout << "  #" << std::left << std::setw(3) << i << hash << "  " << std::setw(14)
                  << to_string(r.status);
        if (r.status == Status::ok)
            std::cout << "median " << r.median_ms << " ms (" << r.repeats << " runs)";
        else
            std::cout << r.error.substr(0, std::min<size_t>(r.error.find('\n'), 100));
        std::cout << (batch_faults[i] != Fault::none
                          ? std::string("  [injected ") + to_string(batch_faults[i]) + "]"
                          : "")
                  << "\n";
    }
    std::cout << "heuristic:  " << to_string(heur.status);
    if (heur.status == Status::ok)
        std::cout << ", median " << heur.median_ms << " ms";
    else
        std::cout << ": " << heur.error.substr(0, 200);
    std::cout << "  (threads " << heur.threads << ")\n";
    std::cout << "status:     ";
    nlohmann::json j = {{"total", (int)sampled.size()}};
    bool first = true;
    for (Status s : {Status::ok, Status::compile_error, Status::runtime_error, Status::timeout, Status::crash,
                     Status::wrong_output}) {
        j[to_string(s)] = counts[s];
        std::cout << (first ? "" : ", ") << to_string(s) << " " << counts[s];
        first = false;
    }
    std::cout << "\n";
    nlohmann::json speed = {{"min", nullptr}, {"median", nullptr}, {"max", nullptr}};
    if (!speedups.empty()) {
        std::sort(speedups.begin(), speedups.end());
        size_t n = speedups.size();
        double median = n % 2 ? speedups[n / 2] : 0.5 * (speedups[n / 2 - 1] + speedups[n / 2]);
        speed = {{"min", speedups.front()}, {"median", median}, {"max", speedups.back()}};
        std::cout << "speedup vs heuristic (heuristic median / candidate median, >1 = faster): min "
                  << ratio_text(speedups.front()) << ", median " << ratio_text(median) << ", max "
                  << ratio_text(speedups.back()) << "\n";
    } else {
        std::cout << "speedup vs heuristic: n/a ("
                  << (heur.status == Status::ok ? "no candidate ran ok" : "the heuristic failed") << ")\n";
    }
    j["speedup_vs_heuristic"] = speed;
    j["workload"] = w.canonical();
    j["seed"] = a.seed;
    j["attempts"] = attempts;
    j["heuristic"] = heur;
    j["candidates"] = candidates;
    return j;
}

int run_sample(const std::vector<std::string> &args) {
    SampleArgs a;
    po::options_description desc("htune sample options");
    a.workloads.add_to(desc);
    desc.add_options()("count", po::value(&a.count), "number of distinct schedules to sample (required)")(
        "seed", po::value(&a.seed)->default_value(0), "random seed of the sampler")(
        "json", po::value(&a.json_path), "also write the summary as JSON to FILE")(
        "db", po::value(&a.db_path),
        "also store every measurement (not injected faults) in this tuning database")(
        "inject-fault", po::value(&a.faults),
        "make one distinct candidate per listed kind misbehave: crash,hang,oom,wrong_output");
    a.measure_cli.add_to(desc);
    po::variables_map vm;
    if (parse_command_line("sample", args, desc, vm, nullptr,
                           "--op NAME [-p k=v ...] | --generator-lib LIB --generator NAME [-g k=v ...] | "
                           "--workloads FILE | --suite NAME  --count N [--seed S] [--json FILE] [--db FILE] "
                           "[--inject-fault LIST]"))
        return 0;
    if (!vm.count("count")) throw_usage("sample: --count N is required");
    if (a.count < 1) throw_usage("sample: --count must be >= 1");
    std::vector<Fault> faults = parse_fault_list(a.faults);
    a.measure = a.measure_cli.finish("sample");
    std::ofstream json_out;
    if (!a.json_path.empty()) {  // fail before measuring, not after
        json_out.open(a.json_path);
        if (!json_out) throw_io("sample: cannot write '" + a.json_path + "'", a.json_path);
    }

    auto runner = make_worker_runner(a.measure);  // validates the measurement options
    std::vector<Workload> workloads;
    for (const WorkloadSpec &spec : a.workloads.specs()) workloads.push_back(make_workload(spec));
    std::unique_ptr<Database> db;
    if (!a.db_path.empty()) db = open_database(a.db_path);  // a bad file fails before measuring
    nlohmann::json all = nlohmann::json::array();
    std::vector<std::string> lines;
    for (const Workload &w : workloads) {
        if (workloads.size() > 1) std::cout << "\n";
        nlohmann::json j = sample_one(a, w, *runner, faults, db.get());
        std::ostringstream line;
        line << std::left << std::setw(44) << w.canonical() << " heuristic " << std::setw(14)
             << j["heuristic"]["status"].get<std::string>();
        for (const char *st : {"ok", "compile_error", "runtime_error", "timeout", "crash", "wrong_output"})
            if (j[st].get<int>() > 0 || std::string(st) == "ok") line << " " << st << " " << j[st].get<int>();
        lines.push_back(line.str());
        all.push_back(j);
    }
    if (workloads.size() > 1) {
        std::cout << "\nsummary (" << workloads.size() << " workloads, " << a.count << " samples each):\n";
        for (const auto &l : lines) std::cout << "  " << l << "\n";
    }
    if (json_out.is_open()) {
        nlohmann::json j = all.size() == 1 ? all[0] : nlohmann::json{{"workloads", all}};
        j["run"] = run_provenance("sample", args);
        json_out << j.dump(2) << "\n";
        if (!json_out) throw_io("sample: cannot write '" + a.json_path + "'", a.json_path);
    }
    return 0;
}

}  // namespace

Command sample_command() {
    return {"sample", "sample N distinct schedules, measure them, summarize status and speed", run_sample};
}

}  // namespace htune
