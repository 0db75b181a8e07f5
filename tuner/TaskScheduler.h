// TaskScheduler: which workload gets the next batch of a many-workload run (in
// the spirit of Ansor's task scheduler, not round-robin). Every active workload
// first gets one warm-up batch (command-line order); after that, the next batch
// goes to the workload with the largest expected gain = weight x (recent
// relative improvement + an exploration bonus that shrinks with the batches it
// already had), where weight mixes its share of the summed best times (time
// share: where a relative gain saves most time) with an equal share; plus, with
// probability `explore`, a random active workload.
#pragma once

#include <random>
#include <vector>

namespace htune {

struct TaskStats {
    bool active = true;         // false: done (budget, early stop, exhausted, error)
    int rounds = 0;             // batches it got in this run
    double best_ms = 0;         // best time now (0 = none yet)
    double best_ms_before = 0;  // best time `window` trials ago in this run (or at its start)
};

struct SchedulerOptions {
    double explore = 0.1;  // probability of a random active workload
    double bonus = 0.05;   // exploration bonus of a workload with no rounds; /
                           // sqrt(1 + rounds)
};

// Index of the next workload, or -1 when none is active. Deterministic for a
// given rng state.
int choose_task(const std::vector<TaskStats> &tasks, const SchedulerOptions &options, std::mt19937_64 &rng);

// The expected gain choose_task ranks by (exposed for tests and the progress
// log).
double expected_gain(const std::vector<TaskStats> &tasks, size_t i, const SchedulerOptions &options);

}  // namespace htune
