// SeedProvider: the seeds of each workload's search (DESIGN.md, "Search strategies and what the
// model is worth"). Start at SeedProvider::seeds. Seeds are not a strategy's business: the loop
// measures them first, whatever the strategy, when they are switched on, so every ablation
// changes one thing. In measuring order:
//   1. the schedules Halide's autoschedulers make for the workload, imported into its space
//      (TuneOptions::autoscheduler_seeds), and a Generator's own schedule (`as_written`,
//      TuneOptions::as_written_seed), with the seed-failure policy (known_seed_failure);
//   2. the space's sketches (TuneOptions::sketch_seeds);
//   3. the best schedules of the same op at other parameters that fit this workload's space
//      (TuneOptions::seeds_per_workload).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "db/Database.h"
#include "measure/Runner.h"
#include "ops/Workload.h"
#include "schedules/Schedule.h"
#include "schedules/Space.h"
#include "tuner/TuneOptions.h"

namespace htune {

// Prints one note line (Progress::note), e.g. "matmul: seeded with 3 sketch(es) of 3".
using NoteFunction = std::function<void(const std::string &)>;

// The seeds of one workload.
struct Seeds {
    // Not yet measured (no hash of the `measured` set given), in measuring order; a schedule may
    // appear in two groups (the loop skips a hash it has already taken).
    std::vector<Schedule> queue;
    // Every valid autoscheduler import of this run, measured before or not: the confirmation
    // re-measures them beside the best records (Confirmation.h).
    std::vector<Schedule> imported;
    // The proven schedules among `queue` (autoscheduler imports, other parameters' bests):
    // measured with the heuristic, alone, while the workload has no best time, so that their
    // best caps every later run (TuneOptions::run_cap_factor).
    std::vector<Schedule> pacers;
};

class SeedProvider {
public:
    // Borrows everything; `note` may be empty. Reads the options of `o` that name seeds:
    // autoscheduler_seeds, retry_seed_failures, sketch_seeds, seeds_per_workload, device_key,
    // and measure's compile and memory limits (the failure policy).
    SeedProvider(const TuneOptions &o, Runner &runner, Database &db, NoteFunction note);

    // Asks the autoschedulers (those the failure policy allows, in one import call), remembers
    // in the database each one that gives no seed and forgets each one that gives one again.
    // `measured` = the hashes the database holds for the workload (never queued). A plugin or
    // sketch that fails is a note; the run goes on. Throws only what the database throws.
    Seeds seeds(const Workload &w, const ScheduleSpace &space, const std::set<std::string> &measured);

private:
    std::vector<Schedule> autoscheduler_seeds(const Workload &w, const ScheduleSpace &space,
                                              const std::set<std::string> &measured,
                                              std::vector<Schedule> &imported);
    std::vector<Schedule> sketch_seeds(const Workload &w, const ScheduleSpace &space,
                                       const std::set<std::string> &measured);
    std::vector<Schedule> parameter_seeds(const Workload &w, const ScheduleSpace &space,
                                          const std::set<std::string> &measured);
    void note(const std::string &line) const {
        if (note_) note_(line);
    }

    const TuneOptions &o_;
    Runner &runner_;
    Database &db_;
    NoteFunction note_;
};

// The seed-failure policy. Of an autoscheduler's remembered failures on a workload (`failures`,
// Database::seed_failures), the one that rules out asking `autoscheduler` again under `o`, or
// nullptr when it is to be asked: always with o.retry_seed_failures; else when no failure of it
// was recorded under this Halide version, or it timed out under a shorter compile limit than
// o.measure.compile_timeout_s, or it failed otherwise under a smaller memory limit than
// o.memory_limit_mb() (no limit now counts as the largest, so a failure under no limit is not
// asked again for memory; a failure with no recorded limit (-1) counts as the default 4096 MiB).
const SeedFailure *known_seed_failure(const std::vector<SeedFailure> &failures,
                                      const std::string &autoscheduler, const TuneOptions &o);

}  // namespace htune
