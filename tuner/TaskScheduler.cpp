// TaskScheduler.h: choosing the workload of the next batch.
#include "tuner/TaskScheduler.h"

#include <cmath>

namespace htune {

double expected_gain(const std::vector<TaskStats> &tasks, size_t i, const SchedulerOptions &o) {
    double sum = 0;
    int n = 0;
    for (const auto &t : tasks)
        if (t.active) {
            sum += t.best_ms;
            n++;
        }
    const TaskStats &t = tasks[i];
    if (!t.active || n == 0) return 0;
    double share = sum > 0 ? t.best_ms / sum : 1.0 / n;
    double weight = 0.5 * share + 0.5 / n;
    double rate = 0;
    if (t.best_ms > 0 && t.best_ms_before > 0)
        rate = std::max(0.0, (t.best_ms_before - t.best_ms) / t.best_ms_before);
    return weight * (rate + o.bonus / std::sqrt(1.0 + t.rounds));
}

int choose_task(const std::vector<TaskStats> &tasks, const SchedulerOptions &o, std::mt19937_64 &rng) {
    std::vector<int> active;
    for (size_t i = 0; i < tasks.size(); i++)
        if (tasks[i].active) {
            if (tasks[i].rounds == 0) return (int)i;  // warm-up batch first
            active.push_back((int)i);
        }
    if (active.empty()) return -1;
    if (std::uniform_real_distribution<double>(0, 1)(rng) < o.explore) return active[rng() % active.size()];
    int best = active[0];
    double best_gain = -1;
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
