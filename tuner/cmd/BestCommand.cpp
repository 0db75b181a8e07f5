// `htune best`: the best tuned schedule of one workload for a device type (with fallback to
// device types with the same target), as JSON and as Halide C++ source.
#include <iomanip>
#include <iostream>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "ops/Error.h"
#include "schedules/Apply.h"
#include "schedules/Schedule.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

int run_best(const std::vector<std::string> &args) {
    po::options_description desc("htune best options");
    WorkloadOptions wo;
    std::string db_path = kDefaultDatabasePath, device_key;
    bool as_json = false;
    wo.add_to(desc);
    desc.add_options()("db", po::value(&db_path), "tuning database (default ./htune.db)")(
        "device-key", po::value(&device_key), "device type to look up (default: this machine, all cores)")(
        "json", po::bool_switch(&as_json), "print one JSON object instead of text");
    po::variables_map vm;
    if (parse_command_line("best", args, desc, vm, nullptr,
                           "--op NAME [-p k=v ...] | --generator-lib LIB --generator NAME [-g k=v ...] "
                           "[--db FILE] [--device-key KEY] [--json]"))
        return 0;
    if (device_key.empty()) device_key = host_device().key();
    DeviceKey::parse(device_key);  // a malformed key is a usage error, before any work

    Workload w = wo.workload();
    std::string key = w.key();
    OpenOptions options;
    options.create = false;
    auto db = open_database(db_path, options);
    Lookup found = db->best(key, device_key);
    if (found.records.empty()) {
        std::cerr << "htune: error: no tuned record for " << key << " on device " << device_key
                  << " (or any device with the same target features) in '" << db_path << "'\n";
        return 1;
    }
    const Record &r = found.records.front();
    Schedule schedule;
    try {
        schedule = r.schedule.get<Schedule>();
    } catch (const std::exception &e) {
        throw Error(ErrorKind::sqlite,
                    "database '" + db_path + "': record " + std::to_string(r.id) +
                        " holds a schedule this htune cannot read (" + e.what() + ")",
                    db_path);
    }
    std::string cpp;
    try {
        cpp = to_cpp(schedule, w.build());
    } catch (const Error &e) {
        throw Error(ErrorKind::internal,
                    "the best record (" + std::to_string(r.id) + ") of " + key + " in '" + db_path +
                        "' does not fit the workload: " + e.what(),
                    db_path);
    }
    double gf = w.flops() > 0 ? w.flops() / (r.result.min_ms * 1e-3) / 1e9 : 0;

    if (as_json) {
        nlohmann::json j = {{"workload", key},
                            {"device_key", device_key},
                            {"record_device_key", r.device_key},
                            {"fallback", to_string(found.level)},
                            {"provenance", to_string(r.provenance)},
                            {"trust", to_string(trust_of(r))},
                            {"record_htune_version", r.htune_version},
                            {"record_halide_version", r.halide_version},
                            {"record_id", r.id},
                            {"min_ms", r.result.min_ms},
                            {"median_ms", r.result.median_ms},
                            {"gflops", gf},
                            {"schedule_hash", r.schedule_hash},
                            {"schedule", r.schedule},
                            {"cpp", cpp}};
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "workload:  " << key << "\n"
              << "device:    " << device_key << "\n"
              << "answered:  " << to_string(found.level);
    if (found.level != Fallback::exact_device) std::cout << " (measured on " << r.device_key << ")";
    std::cout << "\n";
    // Preferred: measured here by this htune and Halide; otherwise say what answered instead.
    if (found.level != Fallback::exact_device)
        std::cout << "record:    from another device type (" << to_string(r.provenance) << " there, htune "
                  << r.htune_version << ", Halide " << r.halide_version << ")\n";
    else
        std::cout << "record:    " << describe_trust(r) << "\n";
    if (found.level != Fallback::exact_device || trust_of(r) != Trust::current)
        std::cout << "           not verified on this machine by this htune and Halide; `htune verify` "
                     "re-measures it\n";
    std::cout << std::setprecision(4) << "time:      " << r.result.min_ms << " ms min, " << r.result.median_ms
              << " ms median (" << r.result.repeats << " repeats, " << r.result.threads << " threads)\n"
              << "GFLOP/s:   ";
    if (gf > 0)
        std::cout << gf << "\n";
    else
        std::cout << "unknown (no FLOP count for this workload)\n";
    std::cout << "schedule:  " << r.schedule_hash << " (record " << r.id << ")\n"
              << r.schedule.dump(2) << "\n\n// Halide C++:\n"
              << cpp << (cpp.empty() || cpp.back() == '\n' ? "" : "\n");
    return 0;
}

}  // namespace

Command best_command() {
    return {"best", "print the best tuned schedule of a workload (JSON and C++)", run_best};
}

}  // namespace htune
