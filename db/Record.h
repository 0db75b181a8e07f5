// Record: one measured candidate as stored in the tuning database and written as one JSON
// Lines entry (its to_json is the portable "tuning log" format). Start here, then Database.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "measure/MeasureResult.h"
#include "ops/OpRegistry.h"

namespace htune {

// Tag of the JSONL line format; bump the number when a field changes meaning.
constexpr const char *kRecordFormat = "htune-record/1";

// How a record came into this database (the `provenance` column; not part of the JSONL line,
// which is always `imported` wherever it is read). docs/DATABASE.md, "Provenance".
enum class Provenance {
    measured,  // measured by an htune process that wrote it here (tune, sample, verify, revalidate)
    imported,  // read from a tuning log (`htune import`): measured somewhere, by someone, not checked
};
const char *to_string(Provenance p);                      // "measured", "imported"
Provenance provenance_from_string(const std::string &s);  // throws a usage Error for another value

struct Record {
    int64_t id = 0;             // row id in one database (commit order); 0 before commit
    std::string workload_key;   // Workload::key(): canonical form + "#" + structure hash
    WorkloadSpec workload;      // rebuilds the workload: make_workload(workload)
    double flops = 0;           // of the workload (Workload::flops()); 0 = unknown
    std::string device_key;     // DeviceKey::key() of the device type it was measured on
    nlohmann::json schedule;    // Schedule JSON (schedules/Schedule.h); opaque to db/
    std::string schedule_hash;  // schedule_hash(schedule): 16 hex digits, the dedup key
    MeasureResult result;
    std::string htune_version, halide_version;
    std::string feature_schema;  // cost-model feature schema "name/version"; "" = none
    int64_t timestamp = 0;       // Unix seconds (UTC) when measured
    int64_t run_id = 0;          // runs.id in this database; 0 = none (e.g. imported)
    Provenance provenance = Provenance::measured;

    bool operator==(const Record &o) const;
    bool operator!=(const Record &o) const { return !(*this == o); }
};

// The JSONL line. `id` and `run_id` are local to one database and are not written.
void to_json(nlohmann::json &j, const Record &r);
// Validates every field; throws a usage Error naming the bad field. id and run_id become 0.
void from_json(const nlohmann::json &j, Record &r);

// A record for `w` measured now on `device_key`, stamped with this build's versions.
Record make_record(const Workload &w, const std::string &device_key, nlohmann::json schedule,
                   std::string schedule_hash, MeasureResult result, std::string feature_schema = "");

// How far a record can be trusted on its own device type, best first: `current` = measured here
// by this htune and Halide version; `stale` = measured here by another htune or Halide version;
// `imported` = from a tuning log, never measured by this database's htune.
enum class Trust { current, stale, imported };
Trust trust_of(const Record &r);
const char *to_string(Trust t);  // "measured here", "stale", "imported"
// One phrase for `best`/`build`/`verify`: "measured here (htune 0.1.0, Halide 14.0.0)",
// "stale: measured here with htune 0.0.9, Halide 13.0.0 (this is htune 0.1.0, Halide 14.0.0)",
// "imported (not measured on this machine)".
std::string describe_trust(const Record &r);

// GFLOP/s of an ok record (0 when its flops or time is unknown).
double gflops(const Record &r);

}  // namespace htune
