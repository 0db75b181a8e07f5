// TuneReport: what a tuning run shows while it runs and returns at the end. Reporter sends the
// loop's notes and one progress row per workload after every batch to Progress (Progress.h);
// outcome_of makes the summary row of a workload (WorkloadOutcome, Tuner.h) that `htune tune`
// prints and writes as JSON.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tuner/Progress.h"
#include "tuner/Task.h"
#include "tuner/TuneOptions.h"
#include "tuner/Tuner.h"

namespace htune {

// A workload's line in the progress display: trials against the budget, best, GFLOP/s, speedup
// over the heuristic, failures, state and the time left at its rate so far.
ProgressRow progress_row(const Task &t, const TuneOptions &o);

// A workload's summary row.
WorkloadOutcome outcome_of(const Task &t);

// The loop's reporting: everything goes to `progress`, or nowhere when it is nullptr. Borrows it.
class Reporter {
public:
    explicit Reporter(Progress *progress) : progress_(progress) {}
    // One separate line (errors, seeds, stops).
    void note(const std::string &line) const {
        if (progress_) progress_->note(line);
    }
    // note() as a function, for SeedProvider and confirm().
    NoteFunction notes() const {
        return [this](const std::string &line) { note(line); };
    }
    // After a batch of tasks[changed] was committed.
    void batch_done(const std::vector<std::unique_ptr<Task>> &tasks, int changed, double elapsed_s,
                    const TuneOptions &o, const std::string &total = "") const;
    // The run is over (the summary follows).
    void finish() const {
        if (progress_) progress_->finish();
    }

private:
    Progress *progress_;
};

}  // namespace htune
