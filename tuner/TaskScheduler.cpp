// TaskScheduler.h: choosing the workload of the next batch.
#include "tuner/TaskScheduler.h"

#include <algorithm>
#include <cmath>

#include "ops/Error.h"

namespace htune {

std::string objective_name(SchedulerObjective o) {
    switch (o) {
        case SchedulerObjective::balanced:
            return "balanced";
        case SchedulerObjective::weighted:
            return "weighted";
        case SchedulerObjective::round_robin:
            return "round-robin";
    }
    return "?";
}

SchedulerObjective parse_objective(const std::string &name) {
    for (SchedulerObjective o :
         {SchedulerObjective::balanced, SchedulerObjective::weighted, SchedulerObjective::round_robin})
        if (objective_name(o) == name) return o;
    throw_usage("--scheduler must be balanced, weighted or round-robin, not '" + name + "'");
}

namespace {

double balanced_gain(const std::vector<TaskStats> &tasks, size_t i, const SchedulerOptions &o) {
    double sum = 0;
    int n = 0;
    for (const auto &t : tasks)
        if (t.active) {
            sum += t.best_ms;
            n++;
        }
    const TaskStats &t = tasks[i];
    if (n == 0) return 0;
    double share = sum > 0 ? t.best_ms / sum : 1.0 / n;
    double weight = 0.5 * share + 0.5 / n;
    double rate = 0;
    if (t.best_ms > 0 && t.best_ms_before > 0)
        rate = std::max(0.0, (t.best_ms_before - t.best_ms) / t.best_ms_before);
    return weight * (rate + o.bonus / std::sqrt(1.0 + t.rounds));
}

// Whether a and b do about as much arithmetic per byte they must move (within 2x; unknown bytes
// count as similar): what bounds the throughput they can reach.
bool similar_intensity(const TaskStats &a, const TaskStats &b) {
    if (!(a.bytes > 0 && b.bytes > 0)) return true;
    const double ratio = (a.flops / a.bytes) / (b.flops / b.bytes);
    return ratio >= 0.5 && ratio <= 2;
}

// Ansor's gradient, as a reduction of sum(count x best_ms) in ms per batch.
double weighted_reduction(const std::vector<TaskStats> &tasks, size_t i, const SchedulerOptions &o) {
    const TaskStats &t = tasks[i];
    if (t.best_ms <= 0) return 0;  // nothing ran ok yet: only exploration picks it
    double backward = 0;
    if (t.best_ms_before > 0 && t.window_rounds > 0)
        backward = std::max(0.0, t.best_ms_before - t.best_ms) / t.window_rounds;
    double forward = t.best_ms / std::max(1, t.rounds);
    if (t.flops > 0 && !t.group.empty()) {
        double best_rate = 0;  // FLOP per ms, the best a similar workload reached
        for (const TaskStats &k : tasks)
            if (k.group == t.group && k.best_ms > 0 && k.flops > 0 && similar_intensity(t, k))
                best_rate = std::max(best_rate, k.flops / k.best_ms);
        if (best_rate > 0) forward = std::max(forward, t.best_ms - o.beta * t.flops / best_rate);
    }
    if (t.floor_ms > 0) forward = std::min(forward, std::max(0.0, t.best_ms - t.floor_ms));
    return t.weight * (o.alpha * backward + (1 - o.alpha) * forward);
}

// Whether workload i gets its warm-up batch before workload j (-1: none yet). Balanced and
// round-robin: command-line order. Weighted: the largest count x best first, since the first
// batch of a workload that has only its heuristic and seeds cuts its time most, so the heaviest
// layers of a model improve first; a workload with no time yet (nothing ran ok) goes first, in
// command-line order, as nothing says what it weighs.
bool warm_up_before(const std::vector<TaskStats> &tasks, int i, int j, const SchedulerOptions &o) {
    if (j < 0) return true;
    if (o.objective != SchedulerObjective::weighted) return false;
    const TaskStats &a = tasks[i], &b = tasks[j];
    if (b.best_ms <= 0) return false;
    if (a.best_ms <= 0) return true;
    return a.weight * a.best_ms > b.weight * b.best_ms;
}

}  // namespace

double expected_gain(const std::vector<TaskStats> &tasks, size_t i, const SchedulerOptions &o) {
    if (!tasks[i].active) return 0;
    switch (o.objective) {
        case SchedulerObjective::weighted:
            return weighted_reduction(tasks, i, o);
        case SchedulerObjective::round_robin:
            return -tasks[i].rounds;
        case SchedulerObjective::balanced:
            break;
    }
    return balanced_gain(tasks, i, o);
}

int choose_task(const std::vector<TaskStats> &tasks, const SchedulerOptions &o, std::mt19937_64 &rng) {
    std::vector<int> active;
    int warm_up = -1;  // a workload still to get its warm-up batch
    for (size_t i = 0; i < tasks.size(); i++)
        if (tasks[i].active) {
            if (tasks[i].rounds == 0 && warm_up_before(tasks, (int)i, warm_up, o)) warm_up = (int)i;
            active.push_back((int)i);
        }
    if (warm_up >= 0) return warm_up;
    if (active.empty()) return -1;
    if (o.objective != SchedulerObjective::round_robin &&
        std::uniform_real_distribution<double>(0, 1)(rng) < o.explore)
        return active[rng() % active.size()];
    int best = active[0];
    double best_gain = -1e300;
    for (int i : active) {
        double g = expected_gain(tasks, i, o);
        if (g > best_gain) {
            best_gain = g;
            best = i;
        }
    }
    return best;
}

}  // namespace htune
