// Confirmation: the end of a tuning run (DESIGN.md, "Measurement protocol": re-measure the top
// few at the end). The loop (Tuner.cpp) calls confirm() once per workload after the search.
#pragma once

#include "tuner/Task.h"
#include "tuner/TuneOptions.h"
#include "tuner/Tuner.h"

namespace htune {

// Re-measures, side by side, what decides the workload's best: the heuristic (when it ran ok),
// the autoschedulers' imported schedules that were measured (the bar the search must clear;
// measured early in the run, they would otherwise keep a first-batch time) and the
// o.confirm_top best records of the exact device type. The batch is measured o.confirm_rounds
// times, one round after another (fewer when env.stop_requested()); each record keeps its best
// round and any failed round fails it. The records replace the stored ones in one transaction;
// then t's best, heuristic time, trial and failure counts are read back and t.confirmed is set.
// A runner failure is a note (through `note`) and leaves t and the database as they were.
void confirm(Task &t, const TuneOptions &o, TuneEnv &env, const NoteFunction &note);

}  // namespace htune
