// TuneOptions: everything one `htune tune` run is configured with (stored with the run). The
// loop (Tuner.h) and its parts (SeedProvider.h, Confirmation.h, TuneReport.h) read it; nothing
// here is copied from another options struct: the measurement protocol is the runner's own
// MeasureOptions (measure/Runner.h), held as `measure`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "measure/Machine.h"
#include "measure/Runner.h"
#include "tuner/SearchStrategy.h"
#include "tuner/TaskScheduler.h"

namespace htune {

struct TuneOptions {
    // Per workload: stop once the database holds this many records (any status,
    // the heuristic included) of the workload on this device type, so a resumed
    // run continues up to the same total. 0 = no limit (then time_budget_s or
    // early_stop must end the run).
    int trials = 64;
    double time_budget_s = 0;        // whole run (search rounds), wall seconds; 0 = none
    int early_stop = 0;              // stop a workload after this many of its trials without a new best
    double min_improvement = 0.005;  // a "new best" is at least this much (relative) faster
    int batch_size = 16;
    uint64_t seed = 0;
    // The SearchStrategy (make_search_strategy): "guided", "evolution" or "random". Seeds and
    // sketches below apply to every strategy, so that an ablation changes one thing.
    std::string search_strategy = "guided";
    int min_ok_rows = 2;         // ok rows of a workload before evolutionary proposals (SearchRequest::warm)
    int confirm_top = 5;         // re-measured at the end, with the heuristic and the autoschedulers'
                                 // imported schedules; 0 = no confirmation
    int confirm_rounds = 2;      // the confirmation batch is measured this many times, one round
                                 // after another; each record keeps its best round (any failed
                                 // round fails it)
    int seeds_per_workload = 3;  // best schedules taken from each other workload of the same op; 0 = none
    int population = 32;         // measured schedules kept as parents
    // Once a workload has a best time, a candidate's run job (all its runs) may take at most
    // max(1 s, run_cap_factor * best * runs_per_candidate()) + measure.min_seconds before it is
    // stopped as a timeout: at bench sizes a bad candidate otherwise runs until the runner's
    // limit, 10x the (slow) reference per run. 0 = the runner's limit only.
    double run_cap_factor = 20;
    // Once a workload has a best time, a candidate with a run more than cutoff_factor x best is
    // timed by that run alone (TimingPolicy::cutoff_ms): 2 runs instead of 7 for what cannot be
    // the best. 0 = every candidate timed in full.
    double cutoff_factor = 4;
    // Once a workload has a best time, a candidate's compile may take at most
    // max(compile_cap_floor_s, compile_cap_factor x the median compile of its ok candidates)
    // (and never more than measure.compile_timeout_s) before it is stopped as a timeout: a
    // compile 20x slower than the workload's usual one comes from unrolling or inlining run
    // wild: in 4 runs of 15 minutes on ResNet-18, the 3 compiles over 8 s that finished gave
    // schedules 18-190x slower than their layer's best, and one that did not cost 2 minutes.
    // 0 = measure.compile_timeout_s only.
    double compile_cap_factor = 20;
    double compile_cap_floor_s = 10;
    // This machine's fp32 FMA peak and memory bandwidth (measure_peaks; 0 = unknown) and its
    // last-level cache: what the weighted scheduler bounds a workload's expected gain with
    // (roofline_ms, TaskStats::floor_ms).
    MachinePeaks peaks;
    double cache_bytes = 0;
    // The measurement options the runner was made with (make_worker_runner). The loop reads the
    // timing protocol (run_cap_factor above) and the limits of the seed-failure policy from them.
    MeasureOptions measure;
    // Autoscheduler candidates (Candidate::autoscheduler) whose schedules, imported into the
    // space (Runner::import_autoschedules), seed each workload's search; empty = none.
    std::vector<Candidate> autoscheduler_seeds;
    // An autoscheduler that gave no seed for a workload is remembered in the database
    // (Database::put_seed_failure) and not asked again on this device type, unless Halide
    // changed, it timed out under a shorter compile limit than measure.compile_timeout_s, it
    // failed otherwise under a smaller memory limit than measure.address_space_bytes (the
    // workers' address space, 0 = none; Adams2019 can run out of 4 GiB), or
    // `retry_seed_failures` (SeedProvider.h).
    bool retry_seed_failures = false;
    // A Generator that schedules itself (Workload::build_as_written) seeds its search with that
    // schedule, imported into the space like the autoschedulers' and under the same failure
    // policy (as "as_written"); `htune tune --seed-as-written on|off`.
    bool as_written_seed = true;
    // ScheduleSpace::sketches() (register-tiled reductions) seed each workload's search too,
    // after the autoschedulers' (`htune tune --sketches on|off`).
    bool sketch_seeds = true;
    // Propose each workload's next batch while its current batch is measured, from the state
    // before that batch's results (`htune tune --mpi`: rank 0 is idle while the hosts measure).
    // Takes effect once a workload has a best time and min_ok_rows rows.
    bool propose_ahead = false;
    std::string device_key;
    int64_t run_id = 0;
    std::string feature_schema;  // "name/version" stored in each record
    SearchOptions search;
    SchedulerOptions scheduler;
    // Non-empty: the workloads are a network's layers (a model file, or workloads with counts),
    // named so. The loop then tracks the model latency, the sum of count x best time
    // (TuneResult::model_curve), the progress shows it, and a new best of a layer is offered to
    // its look-alikes (the same operator at other parameters, where it fits their space) as a
    // seed.
    std::string model_name;

    // Runs of one candidate's run job: two correctness runs (two input sets) + warm-up + timed runs.
    int runs_per_candidate() const { return 3 + measure.warmup + measure.min_repeats; }
    // The workers' memory limit in MiB (0 = none), as seed failures record it.
    double memory_limit_mb() const { return (double)measure.address_space_bytes / (1024 * 1024); }
};

// Parses "8h", "30m", "90s", "1h30m", "45" (seconds) into seconds (--time-budget); throws a
// usage Error naming the text otherwise.
double parse_duration(const std::string &text);

}  // namespace htune
