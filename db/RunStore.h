// RunStore: the tuning runs of the database, each stored with its options so that it can be
// reproduced; records point at the run that measured them. Part of Database (db/Database.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace htune {

// One tuning run (stored with its options so that it can be reproduced).
struct RunInfo {
    int64_t id = 0;       // assigned by begin_run
    int64_t started = 0;  // Unix seconds; 0 = now
    nlohmann::json options = nlohmann::json::object();
    uint64_t seed = 0;
    std::string htune_version;  // "" = this build's
    std::string command_line;
};

// Not thread-safe (see Database). Every method throws htune::Error (kind sqlite) on failure.
class RunStore {
public:
    virtual ~RunStore() = default;

    // Stores `run` (its id is ignored) and returns the id assigned to it.
    virtual int64_t begin_run(const RunInfo &run) = 0;
    virtual std::optional<RunInfo> run(int64_t id) = 0;
};

}  // namespace htune
