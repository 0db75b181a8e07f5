// Task: one workload's state during a tuning run (what the loop in Tuner.cpp, the confirmation
// and the report share), and the rules that read and change it: recording a measurement
// (add_result), the budgets that stop a workload (check_budgets), what the task scheduler sees
// (stats). Internal to the tuner: the public result is WorkloadOutcome (Tuner.h).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "measure/MeasureResult.h"
#include "ops/OpRegistry.h"
#include "schedules/Schedule.h"
#include "schedules/Space.h"
#include "tuner/SearchStrategy.h"
#include "tuner/SeedProvider.h"
#include "tuner/TaskScheduler.h"
#include "tuner/TuneOptions.h"
#include "tuner/Tuner.h"

namespace htune {

// One ok measurement of the workload, what the population and the model learn from.
struct Row {
    Schedule schedule;
    std::string hash;
    double ms = 0;
    std::vector<float> features;  // empty when no model is used
};

// The least time a run of `flops` arithmetic moving `bytes` can take on the machine o describes:
// the flops at the FMA peak or, when the bytes do not fit in its last-level cache, the bytes at
// its memory bandwidth, whichever is longer; 0 when the peaks are unknown.
double roofline_ms(double flops, double bytes, const TuneOptions &o);

struct Task {
    WorkloadSpec spec;
    std::unique_ptr<Workload> w;
    std::unique_ptr<ScheduleSpace> space;
    std::unique_ptr<SearchStrategy> search;  // this workload's (TuneOptions::search_strategy)
    FeaturizeFunction featurize;             // set only when the run uses a model
    std::string name, key;                   // canonical name, database key
    std::set<std::string> measured;          // every hash the database holds for it
    std::vector<Row> rows;                   // ok records, commit order
    int trials = 0, failures = 0, run_trials = 0, rounds = 0;
    double best_ms = 0;
    double ref_ms = 0;  // best at the last significant improvement (early stop)
    std::string best_hash;
    int since_improvement = 0;
    Schedule heuristic;
    std::string heuristic_hash;
    bool heuristic_measured = false;
    double heuristic_ms = 0;
    Seeds seeds;                // SeedProvider's; seeds.queue is taken first in each batch
    std::vector<double> curve;  // best after each trial of this run (curve[0] = at start)
    double measure_s = 0;       // seconds spent measuring its search batches in this run
    std::vector<double> ok_compile_s;  // compile times of its ok results (TuneOptions::compile_cap_factor)
    bool confirmed = false;
    bool active = true;
    std::string stop_reason, error;
    std::map<std::string, int> errors;  // distinct failures ("status: first line") -> count

    // Its name in notes and reports: the canonical name, or the op when it did not build.
    std::string display_name() const { return name.empty() ? spec.op : name; }

    // One measurement of `s` (new or loaded from the database): trials, failures, best, the
    // heuristic's time and the early-stop counter.
    void add_result(const Schedule &s, const std::string &hash, const MeasureResult &r, const TuneOptions &o);

    // Stops it (once; the first reason stays).
    void stop(const std::string &why);

    // Stops it when a budget is spent (trials, early stop) or it makes no progress. Returns the
    // note to print when it stopped for lack of progress (its distinct errors), else "".
    std::string check_budgets(const TuneOptions &o);

    // What the task scheduler (TaskScheduler.h) sees of it.
    TaskStats stats(const TuneOptions &o) const;

    // The compile limit of its next candidates (TuneOptions::compile_cap_factor), 0 = none of
    // its own (no ok compile yet, or the cap is off).
    double compile_cap_s(const TuneOptions &o) const;

private:
    std::string no_progress(const TuneOptions &o);
};

}  // namespace htune
