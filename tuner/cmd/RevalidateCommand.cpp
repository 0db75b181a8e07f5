// `htune revalidate`: after an upgrade (or an import), verify every workload whose best record
// was not measured here by this htune and Halide version, within a time budget; running it again
// continues with the workloads still pending, read from the database (tuner/Verify.h).
#include <chrono>
#include <iostream>

#include "db/DeviceKey.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tuner/Command.h"
#include "tuner/TuneOptions.h"
#include "tuner/Verify.h"

namespace po = boost::program_options;

namespace htune {

namespace {

// A workload whose best is not current, with the record that makes it so.
struct Pending {
    std::string key;
    Record best;
    Fallback level = Fallback::none;
};

std::vector<Pending> pending_workloads(RecordStore &db, const std::string &device_key) {
    std::vector<Pending> out;
    for (const std::string &key : db.workload_keys(DeviceKey::parse(device_key).target)) {
        Lookup best = db.best(key, device_key);
        if (best.records.empty()) continue;
        if (best.level == Fallback::exact_device && trust_of(best.records.front()) == Trust::current)
            continue;
        out.push_back({key, best.records.front(), best.level});
    }
    return out;
}

std::string why(const Pending &p) {
    if (p.level == Fallback::same_target) return "measured on " + p.best.device_key;
    return describe_trust(p.best);
}

int run_revalidate(const std::vector<std::string> &args) {
    VerifyCliOptions cli;
    std::string db_path = kDefaultDatabasePath, json_path, budget;
    bool dry_run = false;
    po::options_description desc("htune revalidate options");
    desc.add_options()("db", po::value(&db_path)->default_value(db_path), "tuning database (must exist)")(
        "time-budget", po::value(&budget),
        "stop starting new workloads after this wall-clock time, e.g. 30m, 2h (run again to continue)")(
        "dry-run", po::bool_switch(&dry_run), "list the workloads that need revalidation, measure nothing")(
        "json", po::value(&json_path), "also write the verdicts as JSON to FILE");
    cli.verify.top = 1;
    cli.add_to(desc);
    po::variables_map vm;
    if (parse_command_line("revalidate", args, desc, vm, nullptr,
                           "[--db FILE] [--time-budget T] [--top K] [--rounds N] [--tolerance PCT] "
                           "[--json FILE] [--dry-run]"))
        return 0;
    double budget_s = budget.empty() ? 0 : parse_duration(budget);
    if (!budget.empty() && !(budget_s > 0)) throw_usage("revalidate: --time-budget must be > 0");
    cli.check("revalidate");
    if (dry_run && !json_path.empty()) throw_usage("revalidate: --json reports a run: drop it or --dry-run");
    if (!json_path.empty()) check_writable("revalidate", json_path);
    auto start = std::chrono::steady_clock::now();
    VerifySession session;
    if (dry_run) {
        // Opens the database only: no run is stored and no worker is started.
        OpenOptions oo;
        oo.create = false;
        session.db = open_database(db_path, oo);
        MeasureOptions m = cli.measure.finish("revalidate");
        session.verify = cli.verify;
        session.verify.device_key = current_device(parse_target(m.target), resolved_threads(m)).key();
    } else {
        session = start_verify_session("revalidate", args, db_path, cli);
    }
    const VerifyOptions &o = session.verify;
    std::vector<Pending> pending = pending_workloads(*session.db, o.device_key);
    size_t total = session.db->workload_keys(DeviceKey::parse(o.device_key).target).size();
    std::cout
        << "database: '" << db_path << "', device " << o.device_key << " (htune " << htune_version()
        << ", Halide " << halide_version() << ")\n"
        << pending.size() << " of " << total
        << " workload(s) need revalidation (their best was not measured here by this htune and Halide)\n";
    if (dry_run) {
        for (const Pending &p : pending) std::cout << "  " << p.key << "  " << why(p) << "\n";
        return 0;
    }
    if (!pending.empty()) std::cout << "\n" << verify_table_header() << "\n" << std::flush;
    nlohmann::json report = nlohmann::json::array();
    int done = 0, errors = 0, holds = 0, slower = 0, fails = 0;
    for (const Pending &p : pending) {
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // At least one workload per run, so that running again always makes progress.
        if (budget_s > 0 && done > 0 && elapsed >= budget_s) break;
        VerifyWorkload v;
        try {
            Workload w = make_workload(p.best.workload);
            if (w.key() != p.key) {
                v.key = p.key;
                v.name = p.key.substr(0, p.key.rfind('#'));
                v.error = "its algorithm changed since it was tuned (its key is now " + w.key() + ")";
            } else {
                v = verify_workload(w, *session.db, *session.runner, o);
            }
        } catch (const Error &e) {
            if (e.kind() == ErrorKind::sqlite) throw;
            v.key = p.key;
            v.name = p.key.substr(0, p.key.rfind('#'));
            v.error = std::string("cannot rebuild the workload: ") + e.what();
        }
        std::cout << format_rows(v) << std::flush;
        done++;
        errors += !v.error.empty();
        for (const VerifyRow &r : v.rows) {
            holds += r.verdict == Verdict::holds;
            slower += r.verdict == Verdict::slower;
            fails += r.verdict == Verdict::fails;
        }
        report.push_back(to_json(v));
    }
    size_t left = pending_workloads(*session.db, o.device_key).size();
    if (!pending.empty()) {
        std::cout << "\nrevalidated " << done << " workload(s): " << holds << " hold, " << slower
                  << " slower, " << fails << " now fail";
        if (errors) std::cout << ", " << errors << " not verified";
        std::cout << "\n";
    }
    if (left > 0)
        std::cout << left << " workload(s) still need revalidation"
                  << (done < (int)pending.size() ? " (time budget reached)" : "")
                  << "; run `htune revalidate` again to continue\n";
    if (!json_path.empty()) {
        nlohmann::json j =
            verify_report("htune-revalidate/1", db_path, o, report, run_provenance("revalidate", args),
                          {{"pending_before", pending.size()}, {"pending_after", left}});
        write_atomically(json_path, [&](std::ostream &out) { out << j.dump(2) << "\n"; });
        std::cout << "json: " << json_path << "\n";
    }
    return errors ? 1 : 0;
}

}  // namespace

Command revalidate_command() {
    return {"revalidate",
            "verify every workload whose best was measured by another htune or Halide version (resumable)",
            run_revalidate};
}

}  // namespace htune
