// `htune devices`: the device types in a tuning database, with record counts, marking the
// device type of this machine, and this machine's caches and cores (what the features use).
#include <iomanip>
#include <iostream>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "measure/Machine.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

int run_devices(const std::vector<std::string> &args) {
    po::options_description desc("htune devices options");
    std::string db_path = kDefaultDatabasePath;
    bool as_json = false;
    desc.add_options()("db", po::value(&db_path), "tuning database (default ./htune.db)")(
        "json", po::bool_switch(&as_json),
        "print a JSON object (devices, this_machine, this_machine_caches) instead of a table");
    po::variables_map vm;
    if (parse_command_line("devices", args, desc, vm, nullptr, "[--db FILE] [--json]")) return 0;
    OpenOptions options;
    options.create = false;
    auto db = open_database(db_path, options);
    std::vector<DeviceSummary> devices = db->devices();
    std::string here = host_device().key();
    const MachineCaches &caches = probe_caches();
    if (as_json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &d : devices)
            list.push_back({{"key", d.key},
                            {"target", d.target},
                            {"cpu_model", d.cpu_model},
                            {"threads", d.threads},
                            {"records", d.records},
                            {"ok_records", d.ok_records},
                            {"workloads", d.workloads},
                            {"this_machine", d.key == here}});
        nlohmann::json j = {{"devices", list},
                            {"this_machine", here},
                            {"this_machine_caches",
                             {{"l1d_bytes", caches.l1d_bytes},
                              {"l2_bytes", caches.l2_bytes},
                              {"l3_bytes", caches.l3_bytes},
                              {"cores", caches.cores},
                              {"source", caches.source}}}};
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    const std::string caches_line = "this machine's caches: " + describe(caches) + "\n";
    if (devices.empty()) {
        std::cout << "no device types in '" << db_path << "' yet\nthis machine: " << here << "\n"
                  << caches_line;
        return 0;
    }
    std::cout << std::right << std::setw(9) << "records" << std::setw(9) << "ok" << std::setw(11)
              << "workloads"
              << "  device key (target|cpu model|threads)\n";
    for (const auto &d : devices)
        std::cout << std::setw(9) << d.records << std::setw(9) << d.ok_records << std::setw(11) << d.workloads
                  << "  " << d.key << (d.key == here ? "  (this machine)" : "") << "\n";
    std::cout << caches_line;
    return 0;
}

}  // namespace

Command devices_command() {
    return {"devices", "list the device types in a tuning database, with record counts", run_devices};
}

}  // namespace htune
