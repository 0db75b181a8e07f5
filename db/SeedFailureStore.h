// SeedFailureStore: autoschedulers that gave no seed for a workload on a device type, so that a
// resumed `htune tune` does not spend that compile again. Part of Database (db/Database.h); the
// policy that reads them is tuner/SeedProvider.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "measure/MeasureResult.h"

namespace htune {

// An autoscheduler that gave no seed for a workload on a device type.
struct SeedFailure {
    std::string autoscheduler;              // "Adams2019"
    Status status = Status::compile_error;  // compile_error, timeout, crash, ... (text in SQL)
    std::string error;                      // first line of the error
    double limit_s = 0;                     // the compile timeout it ran under
    // The workers' address-space limit it ran under, MiB: 0 = none, -1 = not recorded (a
    // failure remembered before schema 3, when the limit was not stored).
    double memory_limit_mb = 0;
    std::string halide_version;
    int64_t timestamp = 0;  // Unix seconds; 0 = now
};

// Not thread-safe (see Database). Every method throws htune::Error (kind sqlite) on failure.
class SeedFailureStore {
public:
    virtual ~SeedFailureStore() = default;

    // Remembers (replaces) an autoscheduler's failure to seed a workload on a device type.
    virtual void put_seed_failure(const std::string &workload_key, const std::string &device_key,
                                  const SeedFailure &f) = 0;
    // The remembered failures of a workload on a device type, by autoscheduler name.
    virtual std::vector<SeedFailure> seed_failures(const std::string &workload_key,
                                                   const std::string &device_key) = 0;
    // Forgets one (it seeded after all).
    virtual void clear_seed_failure(const std::string &workload_key, const std::string &device_key,
                                    const std::string &autoscheduler) = 0;
};

}  // namespace htune
