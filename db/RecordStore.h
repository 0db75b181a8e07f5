// RecordStore: the measured records of the tuning database. Commit measured batches, ask what
// was measured, look up the best schedules per (workload, device type) with fallback. Part of
// Database (db/Database.h); implementation: SqliteRecords.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "db/Record.h"

namespace htune {

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
// What a commit does with a record whose schedule is already stored (same identity): skip it;
// replace it (a re-measurement, `htune verify`: the results and the timestamp are the new
// ones); or confirm it (`htune tune`'s end-of-run confirmation: the results are replaced, the
// timestamp stays the moment the schedule was first measured, so a tuning curve drawn from the
// timestamps still shows when each best was found).
enum class OnDuplicate { skip, replace, confirm };

// One point of a tuning curve: trial n (1-based, commit order), when it was measured, and the
// best time so far.
struct HistoryPoint {
    int trial = 0;
    int64_t record_id = 0;
    int64_t timestamp = 0;  // the record's Record::timestamp (Unix seconds, UTC)
    Status status = Status::ok;
    double min_ms = 0;   // this trial's time (0 unless ok)
    double best_ms = 0;  // best ok time up to and including this trial; 0 before the first ok
};

struct DeviceSummary {
    std::string key, target, cpu_model;
    int threads = 0;
    int64_t records = 0, ok_records = 0, workloads = 0;
};

// Which records scan/count visit; empty fields match everything.
struct RecordQuery {
    std::vector<std::string> ops;  // workload op (built-in operator or Generator name)
    std::string workload_key, device_key;
    bool ok_only = false;
};

// Not thread-safe (see Database). Every method throws htune::Error (kind sqlite) on failure.
class RecordStore {
public:
    virtual ~RecordStore() = default;

    // Stores `batch` in ONE transaction: all of it or (on error/kill) none of it.
    virtual CommitStats commit(const std::vector<Record> &batch,
                               OnDuplicate on_duplicate = OnDuplicate::skip) = 0;

    virtual bool has(const std::string &workload_key, const std::string &device_key,
                     const std::string &schedule_hash) = 0;
    // Every schedule hash measured (any status) for the pair: what a resumed run skips.
    virtual std::set<std::string> measured_hashes(const std::string &workload_key,
                                                  const std::string &device_key) = 0;

    // The k best ok records of the exact device type or, when it has none, of device types
    // with the same target; `level` says which answered. Within a level, records measured here by
    // this htune and Halide version (trust_of: current) come first, fastest first; then, when
    // fewer than k, the others (stale, imported), fastest first, except schedules that have a
    // current record of any status (a failure measured now outranks an old success). One record
    // per schedule hash.
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
    // Keys of the workloads with an ok record on a device type of Halide target `target`, in the
    // order they entered the database.
    virtual std::vector<std::string> workload_keys(const std::string &target) = 0;
};

}  // namespace htune
