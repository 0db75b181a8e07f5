// Verify.h: re-measuring stored records and judging whether they still hold.
#include "tuner/Verify.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cost_model/Featurizer.h"
#include "db/DeviceKey.h"
#include "db/Record.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tuner/WorkloadOptions.h"

namespace htune {

const char *to_string(Verdict v) {
    switch (v) {
        case Verdict::holds:
            return "holds";
        case Verdict::slower:
            return "slower";
        case Verdict::fails:
            return "fails";
    }
    return "fails";
}

namespace {

// Milliseconds with four significant digits ("0.01234", "12.35").
std::string ms_text(double ms) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", ms);
    return buf;
}

// o.rounds measurements of `batch`, each result its best round (a failed round stays failed,
// as in the tune confirmation). Throws what the runner throws.
std::vector<MeasureResult> measure_rounds(Runner &runner, const Workload &w,
                                          const std::vector<Schedule> &batch, int rounds) {
    std::vector<MeasureResult> results;
    for (int round = 0; round < std::max(1, rounds); round++) {
        std::vector<MeasureResult> now = runner.measure(w, batch);
        if (results.empty()) {
            results = std::move(now);
            continue;
        }
        for (size_t i = 0; i < results.size() && i < now.size(); i++) {
            if (results[i].status != Status::ok) continue;
            if (now[i].status != Status::ok || now[i].min_ms < results[i].min_ms) results[i] = now[i];
        }
    }
    return results;
}

}  // namespace

VerifyRow judge(const Record &old, const MeasureResult &now, double tolerance_pct) {
    VerifyRow row;
    row.old = old;
    row.now = now;
    if (now.status != Status::ok) {
        row.verdict = Verdict::fails;
        return row;
    }
    if (old.result.min_ms > 0) row.change_pct = (now.min_ms - old.result.min_ms) / old.result.min_ms * 100;
    row.verdict = row.change_pct > tolerance_pct ? Verdict::slower : Verdict::holds;
    return row;
}

std::string verdict_text(const VerifyRow &row) {
    switch (row.verdict) {
        case Verdict::holds:
            return std::string("holds (") + (row.change_pct >= 0 ? "+" : "") + fixed_text(row.change_pct, 1) +
                   "%)";
        case Verdict::slower:
            return "slower by " + fixed_text(row.change_pct, 1) + "%";
        case Verdict::fails: {
            std::string s = std::string("now fails: ") + to_string(row.now.status);
            if (row.now.status == Status::wrong_output)
                s += " (max error " + ms_text(row.now.max_error) + ")";
            else if (!row.now.error.empty())
                s += " (" + row.now.error.substr(0, row.now.error.find('\n')).substr(0, 80) + ")";
            return s;
        }
    }
    return "";
}

VerifyWorkload verify_workload(const Workload &w, RecordStore &db, Runner &runner, const VerifyOptions &o) {
    VerifyWorkload v;
    v.key = w.key();
    v.name = v.key.substr(0, v.key.rfind('#'));
    Lookup top = db.top_k(v.key, o.device_key, std::max(1, o.top));
    v.level = top.level;
    if (top.records.empty()) {
        v.error = "no ok record on this device type or its target to verify";
        return v;
    }
    std::vector<Schedule> batch;
    std::vector<Record> olds;
    for (const Record &r : top.records) {
        try {
            batch.push_back(r.schedule.get<Schedule>());
            olds.push_back(r);
        } catch (const std::exception &) {
            // A schedule this htune cannot read cannot be re-measured; the others still can.
        }
    }
    if (batch.empty()) {
        v.error = "its records hold schedules this htune cannot read";
        return v;
    }
    std::vector<MeasureResult> results;
    try {
        results = measure_rounds(runner, w, batch, o.rounds);
    } catch (const std::exception &e) {
        v.error = std::string("cannot measure: ") + e.what();
        return v;
    }
    if (results.size() != batch.size()) {
        v.error = "the runner returned " + std::to_string(results.size()) + " results for " +
                  std::to_string(batch.size()) + " schedules";
        return v;
    }
    std::vector<Record> fresh;
    for (size_t i = 0; i < batch.size(); i++) {
        Record rec = make_record(w, o.device_key, nlohmann::json(batch[i]), olds[i].schedule_hash, results[i],
                                 o.feature_schema);
        rec.run_id = o.run_id;
        fresh.push_back(std::move(rec));
        v.rows.push_back(judge(olds[i], results[i], o.tolerance_pct));
    }
    db.commit(fresh, OnDuplicate::replace);
    return v;
}

std::string verify_table_header() {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%-34s %7s  %-16s  %-13s %10s %10s  %s", "workload", "record", "schedule",
                  "was", "old ms", "new ms", "verdict");
    return buf;
}

std::string format_rows(const VerifyWorkload &v) {
    std::ostringstream out;
    if (!v.error.empty()) {
        out << v.name << "  error: " << v.error << "\n";
        return out.str();
    }
    for (const VerifyRow &row : v.rows) {
        std::string was = to_string(trust_of(row.old));
        if (v.level == Fallback::same_target)
            was += "*";  // measured on another device type with the same target (see the note)
        char buf[512];
        std::snprintf(
            buf, sizeof buf, "%-34s %7lld  %-16s  %-13s %10s %10s  %s", v.name.c_str(), (long long)row.old.id,
            row.old.schedule_hash.c_str(), was.c_str(), ms_text(row.old.result.min_ms).c_str(),
            row.now.status == Status::ok ? ms_text(row.now.min_ms).c_str() : "-", verdict_text(row).c_str());
        out << buf << "\n";
    }
    if (v.level == Fallback::same_target)
        out << "  * measured on another device type with the same target ("
            << (v.rows.empty() ? "" : v.rows.front().old.device_key) << ")\n";
    return out.str();
}

nlohmann::json to_json(const VerifyWorkload &v) {
    nlohmann::json rows = nlohmann::json::array();
    for (const VerifyRow &r : v.rows) {
        nlohmann::json ok_or_null =
            r.now.status == Status::ok ? nlohmann::json(r.now.min_ms) : nlohmann::json();
        rows.push_back(
            {{"record_id", r.old.id},
             {"schedule_hash", r.old.schedule_hash},
             {"was", to_string(trust_of(r.old))},
             {"old_ms", r.old.result.min_ms},
             {"old_device_key", r.old.device_key},
             {"old_htune_version", r.old.htune_version},
             {"old_halide_version", r.old.halide_version},
             {"new_status", to_string(r.now.status)},
             {"new_ms", ok_or_null},
             {"new_error", r.now.error},
             {"verdict", to_string(r.verdict)},
             {"change_pct", r.now.status == Status::ok ? nlohmann::json(r.change_pct) : nlohmann::json()}});
    }
    return {{"workload", v.name},
            {"key", v.key},
            {"level", to_string(v.level)},
            {"error", v.error},
            {"rows", rows}};
}

bool best_is_current(RecordStore &db, const std::string &workload_key, const std::string &device_key) {
    Lookup best = db.best(workload_key, device_key);
    return best.level == Fallback::exact_device && !best.records.empty() &&
           trust_of(best.records.front()) == Trust::current;
}

void check_writable(const std::string &command, const std::string &path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    if (::access(dir.c_str(), W_OK) != 0 || std::filesystem::is_directory(path))
        throw_io(command + ": cannot write '" + path + "'", path);
}

void VerifyCliOptions::add_to(boost::program_options::options_description &desc) {
    namespace po = boost::program_options;
    desc.add_options()("top", po::value(&verify.top)->default_value(verify.top),
                       "re-measure the K best records of each workload")(
        "rounds", po::value(&verify.rounds)->default_value(verify.rounds),
        "measure them this many times, one round after another; each keeps its best round")(
        "tolerance", po::value(&verify.tolerance_pct)->default_value(verify.tolerance_pct),
        "a record no longer holds when it is more than this many percent slower than stored");
    measure.measure.min_repeats = 5;
    measure.add_to(desc);
}

void VerifyCliOptions::check(const std::string &command) const {
    if (verify.top < 1 || verify.top > 1000) throw_usage(command + ": --top must be between 1 and 1000");
    if (verify.rounds < 1 || verify.rounds > 100)
        throw_usage(command + ": --rounds must be between 1 and 100");
    if (!(verify.tolerance_pct >= 0) || verify.tolerance_pct > 1000)
        throw_usage(command + ": --tolerance must be a percentage between 0 and 1000");
    measure.finish(command);
}

VerifySession start_verify_session(const std::string &command, const std::vector<std::string> &args,
                                   const std::string &db_path, const VerifyCliOptions &cli) {
    cli.check(command);
    MeasureOptions m = cli.measure.finish(command);
    VerifySession s;
    s.verify = cli.verify;
    OpenOptions oo;
    oo.create = false;  // nothing to verify in a new file: a typo must not create one
    s.db = open_database(db_path, oo);
    int threads = resolved_threads(m);
    s.verify.device_key = current_device(parse_target(m.target), threads).key();
    const FeatureSchema &schema = feature_schema();
    s.verify.feature_schema = schema.name + "/" + std::to_string(schema.version);
    s.runner = make_worker_runner(m);  // validates the measurement options
    RunInfo info;
    info.command_line = "htune " + command;
    for (const auto &a : args) info.command_line += " " + a;
    info.options = {{"command", command},           {"top", s.verify.top},
                    {"rounds", s.verify.rounds},    {"tolerance_pct", s.verify.tolerance_pct},
                    {"workers", m.workers},         {"threads", threads},
                    {"min_repeats", m.min_repeats}, {"min_seconds", m.min_seconds}};
    s.verify.run_id = s.db->begin_run(info);
    return s;
}

nlohmann::json verify_report(const std::string &format, const std::string &db_path, const VerifyOptions &o,
                             const nlohmann::json &workloads, const nlohmann::json &run,
                             const nlohmann::json &extra) {
    nlohmann::json j = {{"format", format},
                        {"database", db_path},
                        {"device", o.device_key},
                        {"htune_version", htune_version()},
                        {"halide_version", halide_version()},
                        {"tolerance_pct", o.tolerance_pct},
                        {"top", o.top},
                        {"rounds", o.rounds},
                        {"run_id", o.run_id},
                        {"workloads", workloads},
                        {"run", run}};
    j.update(extra);
    return j;
}

}  // namespace htune
