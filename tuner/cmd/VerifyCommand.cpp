// `htune verify`: re-measure the best stored records of the chosen workloads on this machine,
// store the results as records measured here, and say which still hold (tuner/Verify.h).
#include <iostream>

#include "db/Version.h"
#include "ops/Error.h"
#include "tuner/Command.h"
#include "tuner/Verify.h"
#include "tuner/WorkloadSet.h"

namespace po = boost::program_options;

namespace htune {

namespace {

int run_verify(const std::vector<std::string> &args) {
    WorkloadSetOptions workloads;
    VerifyCliOptions cli;
    std::string db_path = kDefaultDatabasePath, json_path;
    po::options_description desc("htune verify options");
    workloads.add_to(desc);
    desc.add_options()("db", po::value(&db_path)->default_value(db_path), "tuning database (must exist)")(
        "json", po::value(&json_path), "also write the verdicts as JSON to FILE");
    cli.add_to(desc);
    po::variables_map vm;
    if (parse_command_line("verify", args, desc, vm, nullptr,
                           "(--op NAME [-p k=v ...] | --op A --op B ... | --suite default|small|corpus | "
                           "--workloads FILE.json | --generator-lib LIB --generator NAME [-g k=v ...]) "
                           "[--db FILE] [--top K] [--rounds N] [--tolerance PCT] [--json FILE]"))
        return 0;
    if (!workloads.given())
        throw_usage(
            "verify: choose workloads with --op, --suite, --workloads or --generator-lib/--generator "
            "(or `htune revalidate` for every stale one)");
    cli.check("verify");
    std::vector<Workload> selected;
    for (const WorkloadSpec &s : workloads.specs()) selected.push_back(make_workload(s));
    if (!json_path.empty()) check_writable("verify", json_path);
    VerifySession session = start_verify_session("verify", args, db_path, cli);
    const VerifyOptions &o = session.verify;

    std::cout << "database: '" << db_path << "', device " << o.device_key << " (htune " << htune_version()
              << ", Halide " << halide_version() << ")\n"
              << "verifying the " << o.top << " best record(s) of " << selected.size() << " workload(s), "
              << o.rounds << " round(s); a record holds unless it is now more than " << o.tolerance_pct
              << "% slower\n\n"
              << verify_table_header() << "\n"
              << std::flush;
    nlohmann::json report = nlohmann::json::array();
    int errors = 0, holds = 0, slower = 0, fails = 0;
    for (const Workload &w : selected) {
        VerifyWorkload v = verify_workload(w, *session.db, *session.runner, o);
        std::cout << format_rows(v) << std::flush;
        errors += !v.error.empty();
        for (const VerifyRow &r : v.rows) {
            holds += r.verdict == Verdict::holds;
            slower += r.verdict == Verdict::slower;
            fails += r.verdict == Verdict::fails;
        }
        report.push_back(to_json(v));
    }
    std::cout << "\n" << holds << " hold, " << slower << " slower, " << fails << " now fail";
    if (errors) std::cout << ", " << errors << " workload(s) not verified";
    std::cout << " (results stored as records measured here, run " << o.run_id << ")\n";
    if (!json_path.empty()) {
        nlohmann::json j =
            verify_report("htune-verify/1", db_path, o, report, run_provenance("verify", args));
        write_atomically(json_path, [&](std::ostream &out) { out << j.dump(2) << "\n"; });
        std::cout << "json: " << json_path << "\n";
    }
    return errors ? 1 : 0;
}

}  // namespace

Command verify_command() {
    return {"verify", "re-measure the best stored records of workloads here; say which still hold",
            run_verify};
}

}  // namespace htune
