// TaskScheduler: which workload gets the next batch of a many-workload run. Three objectives
// (SchedulerOptions::objective, `htune tune --scheduler`):
//   balanced (a plain list of workloads, each with equal standing): in the spirit of Ansor's
//     task scheduler, not round-robin. The next batch goes to the workload with the largest
//     expected gain = weight x (recent relative improvement + an exploration bonus that shrinks
//     with the batches it already had), where weight mixes its share of the summed best times
//     (time share: where a relative gain saves most time) with an equal share.
//   weighted (a model file: the objective is the network's latency, the sum of count x time):
//     Ansor's objective (Zheng et al., OSDI 2020, section 6). The next batch goes to the
//     workload whose batch is expected to cut that sum most: count x (alpha x its recent slope
//     (time saved per batch lately) + (1 - alpha) x an optimistic forecast, the larger of its
//     best / batches so far and its best minus beta x the time it would take at the best
//     throughput (FLOP/s) a similar workload reached in this run: the same operator, with an
//     arithmetic intensity (FLOPs per byte it must move) within 2x of its own, so a depthwise
//     convolution is not held to a dense one's throughput). That forecast is never more than
//     the time between its best and its roofline (TaskStats::floor_ms, when the machine's peaks
//     are known): a layer already at this machine's FMA peak or memory bandwidth has nothing left
//     to win, however heavy it is, and gets batches only while it still improves (the slope) or
//     by exploration.
//   round_robin: the workload with the fewest batches; a baseline for benchmarks.
// Every active workload first gets one warm-up batch: in command-line order (balanced,
// round-robin), or heaviest first, by count x best (weighted; a workload with no time yet before
// those); after that, with probability `explore`, a random active workload (balanced and
// weighted).
#pragma once

#include <random>
#include <string>
#include <vector>

namespace htune {

struct TaskStats {
    bool active = true;         // false: done (budget, early stop, exhausted, error)
    int rounds = 0;             // batches it got in this run
    double best_ms = 0;         // best time now (0 = none yet)
    double best_ms_before = 0;  // best time `window_rounds` batches ago in this run (or at its start)
    int window_rounds = 0;      // batches between best_ms_before and best_ms
    double weight = 1;          // its count in the model (WorkloadSpec::count)
    double flops = 0;           // of one run (0 = unknown)
    double bytes = 0;           // the least it must move (Workload::min_bytes; 0 = unknown)
    std::string group;          // similar workloads share it (the operator); "" = none
    double floor_ms = 0;        // the least time it can take here: its flops at the FMA peak or
                                // its bytes at the memory bandwidth, the longer (0 = unknown)
};

enum class SchedulerObjective { balanced, weighted, round_robin };

struct SchedulerOptions {
    SchedulerObjective objective = SchedulerObjective::balanced;
    double explore = 0.1;  // probability of a random active workload
    double bonus = 0.05;   // balanced: exploration bonus of a workload with no rounds; /
                           // sqrt(1 + rounds)
    double alpha = 0.2;    // weighted: share of the backward slope (Ansor's alpha)
    double beta = 2;       // weighted: how far from a similar workload's throughput (Ansor's beta)
};

// "balanced", "weighted", "round-robin"; parse_objective throws a usage Error naming the value.
std::string objective_name(SchedulerObjective o);
SchedulerObjective parse_objective(const std::string &name);

// Index of the next workload, or -1 when none is active. Deterministic for a
// given rng state.
int choose_task(const std::vector<TaskStats> &tasks, const SchedulerOptions &options, std::mt19937_64 &rng);

// The expected gain choose_task ranks by (exposed for tests and the progress
// log): balanced, a weighted relative gain; weighted, the expected reduction of the sum of
// count x best_ms by one batch, in ms; round_robin, -rounds.
double expected_gain(const std::vector<TaskStats> &tasks, size_t i, const SchedulerOptions &options);

}  // namespace htune
