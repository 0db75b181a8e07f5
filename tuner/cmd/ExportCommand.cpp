// `htune export`: write records of a tuning database as JSON Lines (the portable tuning log),
// optionally only some operators or one device type.
#include <iostream>

#include "db/Database.h"
#include "db/Jsonl.h"
#include "ops/Error.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

int run_export(const std::vector<std::string> &args) {
    po::options_description desc("htune export options");
    std::string db_path = kDefaultDatabasePath, out_path;
    RecordQuery q;
    desc.add_options()("db", po::value(&db_path), "tuning database (default ./htune.db)")(
        "op", po::value(&q.ops)->composing(), "only this operator or Generator name (repeatable)")(
        "device-key", po::value(&q.device_key), "only this device type")(
        "ok-only", po::bool_switch(&q.ok_only), "only successful measurements")(
        "output", po::value(&out_path), "OUT.jsonl ('-' for stdout)");
    po::positional_options_description pos;
    pos.add("output", 1);
    po::variables_map vm;
    if (parse_command_line("export", args, desc, vm, &pos,
                           "[--db FILE] [--op NAME ...] [--device-key KEY] [--ok-only] OUT.jsonl"))
        return 0;
    if (out_path.empty()) throw_usage("export: give the output file OUT.jsonl (or '-' for stdout)");
    OpenOptions options;
    options.create = false;
    auto db = open_database(db_path, options);
    if (out_path == "-") {
        export_jsonl(*db, q, std::cout);
        return 0;
    }
    // Written beside the target and renamed, so a failed export never leaves half a log.
    int64_t n = 0;
    write_atomically(out_path, [&](std::ostream &out) { n = export_jsonl(*db, q, out); });
    std::cout << "exported " << n << " records to " << out_path << "\n";
    return 0;
}

}  // namespace

Command export_command() {
    return {"export", "write tuning records as JSON Lines (a portable tuning log)", run_export};
}

}  // namespace htune
