// Tuner: the tuning loop behind `htune tune` (DESIGN.md, "The data flow of one tuning
// round"). Start here, then Tuner.cpp's Loop::round. Per workload: a population (heuristic, the
// database's best schedules of the workload, its seeds from SeedProvider.h: the schedules
// Halide's autoschedulers make for it, the space's sketches, the best schedules of the same op
// at other parameters) -> the heuristic and the seeds switched on are measured first, whatever
// the strategy -> the workload's SearchStrategy (SearchStrategy.h: guided, evolution or random)
// proposes the rest of each batch -> Runner measures it -> one database transaction -> the
// cost model (only a model-ranked strategy's run has one) is updated on every ok row ->
// Reporter (TuneReport.h) shows progress -> TaskScheduler.h picks the next workload. At the
// end Confirmation.h re-measures the top few of each workload (and the heuristic) and replaces
// them in the database. Options: TuneOptions.h. Every seam (runner, database, model,
// featurizer, search strategy, clock, progress) is injected, so tests run the loop with fakes
// in seconds.
#pragma once

#include <Halide.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cost_model/CostModel.h"
#include "db/Database.h"
#include "measure/Runner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tuner/Progress.h"
#include "tuner/SearchStrategy.h"
#include "tuner/TaskScheduler.h"
#include "tuner/TuneOptions.h"

namespace htune {

// Given the workload and its schedule space, returns a function that featurizes
// schedules of it.
using FeaturizeFunction = std::function<FeatureMatrix(const std::vector<Schedule> &)>;
using FeaturizerFactory = std::function<FeaturizeFunction(const Workload &, const ScheduleSpace &)>;

struct TuneEnv {
    Runner *runner = nullptr;
    Database *db = nullptr;
    CostModel *model = nullptr;  // nullptr: a model-ranked strategy (guided) samples at random
    // Makes each workload's strategy; default make_search_strategy(options.search_strategy,
    // options.search). Tests inject fakes here.
    std::function<std::unique_ptr<SearchStrategy>()> make_search;
    bool model_pretrained = false;  // a transfer model: guide from the first batch
    FeaturizerFactory featurizer;
    Progress *progress = nullptr;
    Halide::Target target = htune::host_target();
    std::function<double()> clock;         // seconds (monotonic); default steady_clock
    std::function<bool()> stop_requested;  // polled between batches; default never
    // propose_ahead: called with the seconds the loop waited, after a batch was measured, for
    // the next batch proposed meanwhile (htune_bench_fleet's accounting); may be empty.
    std::function<void(double)> ahead_waited;
};

struct WorkloadOutcome {
    std::string workload, key;  // canonical name, database key
    double count = 1;           // its weight in the model (WorkloadSpec::count)
    std::string label;          // the model's name(s) for it (WorkloadSpec::label)
    std::string error;          // non-empty: this workload could not be tuned (others went on)
    std::string stop_reason;    // "trials", "early stop", "time budget",
                                // "exhausted", "stopped"
    int trials = 0;             // records in the database for it (this device type)
    int run_trials = 0;         // measured in this run (confirmation not counted)
    int failures = 0;           // non-ok records
    double heuristic_ms = 0;    // confirmed (re-measured) when confirmation ran; 0 = unknown/failed
    double best_ms = 0;         // min_ms of the database's best after confirmation
    double gflops = 0;
    double speedup = 0;  // heuristic_ms / best_ms; 0 = unknown
    std::string best_hash, heuristic_hash;
    bool confirmed = false;
    // The best-so-far curve of this run: curve[i] = the best min_ms after i trials of this run
    // (curve[0] = before its first trial, from the database's earlier records), as measured in
    // the search, before any confirmation; 0 = nothing ran ok yet. Size run_trials + 1 (empty
    // when the workload could not be set up). What `htune_bench_search` plots.
    std::vector<double> curve;
};

// The model latency (sum over the workloads of count x best time) at a moment of the run.
struct ModelPoint {
    double elapsed_s = 0;
    double ms = 0;
};

struct TuneResult {
    std::vector<WorkloadOutcome> workloads;
    // TuneOptions::model_name set: the model latency at the start (when every workload had a
    // best then) and after every batch that changed it, once every workload that did not fail
    // has a best time; as measured in the search, before any confirmation.
    std::vector<ModelPoint> model_curve;
    double elapsed_s = 0;
    bool stopped = false;  // stop_requested() ended it
};

// Runs the loop on `specs` (a spec that does not build, or whose reference
// fails, is reported in its outcome and the run goes on). Throws htune::Error
// for usage errors in `options`.
TuneResult tune(const std::vector<WorkloadSpec> &specs, const TuneOptions &options, TuneEnv &env);

}  // namespace htune
