// The tuning database seam: commit measured batches, ask what was measured, look up the best
// schedules per (workload, device type) with fallback. Implementation: SqliteDatabase.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/Record.h"

namespace htune {

// PRAGMA user_version this htune writes; older files are migrated, newer ones refused.
constexpr int kDatabaseSchemaVersion = 3;
constexpr const char *kDefaultDatabasePath = "htune.db";

struct OpenOptions {
    bool create = true;           // create the file when missing (else an io Error)
    int busy_timeout_ms = 30000;  // how long one statement waits on another process's lock
    int lock_wait_s = 600;        // how long a batch waits for the write lock in total
};

// Which level of the device fallback answered a lookup.
enum class Fallback { exact_device, same_target, none };
const char *to_string(Fallback f);  // "exact device", "same target features", "none"

struct Lookup {
    std::vector<Record> records;  // fastest first (min_ms); empty when level == none
    Fallback level = Fallback::none;
};

struct CommitStats {
    int64_t inserted = 0;    // new records
    int64_t duplicates = 0;  // same (workload, device, schedule hash) already there
};
enum class OnDuplicate { skip, replace };  // replace: a re-measurement updates the results

// One point of a tuning curve: trial n (1-based, commit order) and the best time so far.
struct HistoryPoint {
    int trial = 0;
    int64_t record_id = 0;
    Status status = Status::ok;
    double min_ms = 0;   // this trial's time (0 unless ok)
    double best_ms = 0;  // best ok time up to and including this trial; 0 before the first ok
};

struct DeviceSummary {
    std::string key, target, cpu_model;
    int threads = 0;
    int64_t records = 0, ok_records = 0, workloads = 0;
};

// One tuning run (stored with its options so that it can be reproduced).
struct RunInfo {
    int64_t id = 0;       // assigned by begin_run
    int64_t started = 0;  // Unix seconds; 0 = now
    nlohmann::json options = nlohmann::json::object();
    uint64_t seed = 0;
    std::string htune_version;  // "" = this build's
    std::string command_line;
};

// A saved cost model for one device type and feature schema.
struct StoredModel {
    std::string device_key, schema_name;
    int schema_version = 0;
    int64_t created = 0;  // Unix seconds; 0 = now
    std::vector<uint8_t> blob;
    nlohmann::json metrics = nlohmann::json::object();
};

// An autoscheduler that gave no seed for a workload on a device type (`htune tune` remembers it
// so that a resumed run does not spend that compile again).
struct SeedFailure {
    std::string autoscheduler;  // "Adams2019"
    std::string status;         // to_string(Status): compile_error, timeout, crash, ...
    std::string error;          // first line of the error
    double limit_s = 0;         // the compile timeout it ran under
    // The workers' address-space limit it ran under, MiB: 0 = none, -1 = not recorded (a
    // failure remembered before schema 3, when the limit was not stored).
    double memory_limit_mb = 0;
    std::string halide_version;
    int64_t timestamp = 0;  // Unix seconds; 0 = now
};

// Which records scan/count visit; empty fields match everything.
struct RecordQuery {
    std::vector<std::string> ops;  // workload op (built-in operator or Generator name)
    std::string workload_key, device_key;
    bool ok_only = false;
};

// Not thread-safe: one Database per thread. Any number of processes may share one file.
// Every method throws htune::Error (kind sqlite) with one line naming the file on failure.
class Database {
public:
    virtual ~Database() = default;

    // Stores `batch` in ONE transaction: all of it or (on error/kill) none of it.
    virtual CommitStats commit(const std::vector<Record> &batch,
                               OnDuplicate on_duplicate = OnDuplicate::skip) = 0;

    virtual bool has(const std::string &workload_key, const std::string &device_key,
                     const std::string &schedule_hash) = 0;
    // Every schedule hash measured (any status) for the pair: what a resumed run skips.
    virtual std::set<std::string> measured_hashes(const std::string &workload_key,
                                                  const std::string &device_key) = 0;

    // The k fastest ok records of the exact device type or, when it has none, of device types
    // with the same target; `level` says which answered.
    virtual Lookup top_k(const std::string &workload_key, const std::string &device_key, int k) = 0;
    Lookup best(const std::string &workload_key, const std::string &device_key) {
        return top_k(workload_key, device_key, 1);
    }
    // Best-so-far per trial, exact device type only, in commit order.
    virtual std::vector<HistoryPoint> history(const std::string &workload_key,
                                              const std::string &device_key) = 0;

    // Visits matching records in commit order (streams; nothing is held in memory).
    virtual void scan(const RecordQuery &q, const std::function<void(const Record &)> &visit) = 0;
    virtual int64_t count(const RecordQuery &q = {}) = 0;
    virtual std::vector<DeviceSummary> devices() = 0;

    virtual int64_t begin_run(const RunInfo &run) = 0;
    virtual std::optional<RunInfo> run(int64_t id) = 0;

    virtual void put_model(const StoredModel &model) = 0;
    // The newest model saved for the device type and schema, if any.
    virtual std::optional<StoredModel> get_model(const std::string &device_key,
                                                 const std::string &schema_name, int schema_version) = 0;

    // `PRAGMA integrity_check` ("ok" when healthy); reads the whole file.
    // Remembers (replaces) an autoscheduler's failure to seed a workload on a device type.
    virtual void put_seed_failure(const std::string &workload_key, const std::string &device_key,
                                  const SeedFailure &f) = 0;
    // The remembered failures of a workload on a device type, by autoscheduler name.
    virtual std::vector<SeedFailure> seed_failures(const std::string &workload_key,
                                                   const std::string &device_key) = 0;
    // Forgets one (it seeded after all).
    virtual void clear_seed_failure(const std::string &workload_key, const std::string &device_key,
                                    const std::string &autoscheduler) = 0;

    virtual std::string integrity_check() = 0;
    virtual const std::string &path() const = 0;
};

// Opens (creating and migrating as needed) the database at `path`; ":memory:" gives a private
// in-memory database (the fake for tests). Refuses, before writing anything, a file that is not
// an htune database, is corrupt, or was written by a newer htune.
std::unique_ptr<Database> open_database(const std::string &path, const OpenOptions &options = {});

}  // namespace htune
