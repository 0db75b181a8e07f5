// Verify: re-measure the stored best schedules of a workload on this machine and say whether
// they still hold (`htune verify`, `htune revalidate`, `build --verify`). verify_workload() is
// the entry point; the commands are tuner/cmd/VerifyCommand.cpp and RevalidateCommand.cpp.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/Database.h"
#include "measure/Runner.h"
#include "tuner/WorkloadOptions.h"

namespace htune {

// Slower by more than this percentage than the stored time = the record no longer holds. The
// stored and new times are both the min over repeats (the new one the best of --rounds rounds);
// back to back on this machine they agree within a few percent, but its clock varies from day
// to day (docs/MACHINE.md), so the default leaves room for that.
constexpr double kDefaultVerifyTolerancePct = 25;

struct VerifyOptions {
    std::string device_key;  // this machine's device type: what is looked up and stored
    int top = 3;             // re-measure the `top` best records of each workload (>= 1)
    int rounds = 2;          // measure the batch this many times; each keeps its best round
    double tolerance_pct = kDefaultVerifyTolerancePct;
    std::string feature_schema;  // stamped on the new records ("" = none)
    int64_t run_id = 0;          // runs.id of this verification (0 = none)
};

enum class Verdict { holds, slower, fails };
const char *to_string(Verdict v);  // "holds", "slower", "fails"

struct VerifyRow {
    Record old;         // the stored record that was re-measured (as it was before)
    MeasureResult now;  // its result on this machine now (stored as a new record)
    Verdict verdict = Verdict::holds;
    double change_pct = 0;  // (now - old) / old * 100 of min_ms, when both are ok
};

struct VerifyWorkload {
    std::string name, key;            // display name (the key's canonical form) and Workload::key()
    Fallback level = Fallback::none;  // which device level the stored records came from
    std::vector<VerifyRow> rows;      // best stored first
    std::string error;                // why nothing was verified ("" when rows were measured)
};

// Looks up the o.top best ok records of `w` (RecordStore::top_k, with its device fallback),
// re-measures their schedules side by side with `runner` (o.rounds rounds), commits the results
// as records measured here under this build's versions, on o.device_key, in one transaction
// (a record of the same schedule, provenance and versions is updated; nothing else is touched)
// and returns one row per record. No record, or a runner that throws, gives `error` and no rows;
// nothing is written then. Throws only what the database throws.
VerifyWorkload verify_workload(const Workload &w, RecordStore &db, Runner &runner, const VerifyOptions &o);

// The verdict of `now` against the stored `old` (see kDefaultVerifyTolerancePct).
VerifyRow judge(const Record &old, const MeasureResult &now, double tolerance_pct);

// "holds (+3.1%)", "slower by 31.0%", "now fails: wrong_output (max error 0.25)".
std::string verdict_text(const VerifyRow &row);

// The header line and one line per row (or one "error: ..." line) of the verify table.
std::string verify_table_header();
std::string format_rows(const VerifyWorkload &v);

// {"workload", "key", "level", "error", "rows": [{"record_id", "schedule_hash", "was" (provenance
// and versions), "old_ms", "old_device_key", "old_htune_version", "old_halide_version",
// "new_status", "new_ms", "new_error", "verdict", "change_pct"}]}
nlohmann::json to_json(const VerifyWorkload &v);

// The JSON file of `htune verify` and `htune revalidate`: {"format", "database", "device",
// "htune_version", "halide_version", "tolerance_pct", "top", "rounds", "run_id", "workloads",
// "run"}, plus the fields of `extra` (revalidate's pending counts).
nlohmann::json verify_report(const std::string &format, const std::string &db_path, const VerifyOptions &o,
                             const nlohmann::json &workloads, const nlohmann::json &run,
                             const nlohmann::json &extra = nlohmann::json::object());

// Whether `w`'s best on `device_key` is measured here under this build's versions (then
// `htune revalidate` skips it): its lookup answers at the exact device and its first record is
// Trust::current.
bool best_is_current(RecordStore &db, const std::string &workload_key, const std::string &device_key);

// The options `verify`, `revalidate` and `build --verify` share: --top, --rounds, --tolerance
// and the measurement options (MeasureCliOptions).
struct VerifyCliOptions {
    VerifyOptions verify;
    MeasureCliOptions measure;

    void add_to(boost::program_options::options_description &desc);
    // Checks the values (naming `command` and the option); throws a usage Error.
    void check(const std::string &command) const;
};

// Throws an io Error "COMMAND: cannot write 'PATH'" unless PATH's directory is writable: checked
// before measuring, so a bad --json path fails at once; the file itself is written at the end
// with write_atomically (tuner/Command.h), so a failed run leaves none.
void check_writable(const std::string &command, const std::string &path);

// What a verifying command works with: the opened database (never created), a worker runner,
// this machine's device key and a run stored for this command line (its id in `verify.run_id`).
struct VerifySession {
    std::unique_ptr<Database> db;
    std::unique_ptr<Runner> runner;
    VerifyOptions verify;
};
VerifySession start_verify_session(const std::string &command, const std::vector<std::string> &args,
                                   const std::string &db_path, const VerifyCliOptions &cli);

}  // namespace htune
