// The timing protocol: warm-up, then timed repeats until both a minimum count and a minimum
// total time are reached; summarized as min, median and spread. Used inside the worker.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

namespace htune {

struct TimingPolicy {
    int warmup = 1;            // untimed runs before the timed ones
    int min_repeats = 5;       // timed runs: at least this many ...
    double min_seconds = 0.2;  // ... and at least this much total timed time, seconds
    int max_repeats = 10000;   // hard cap on timed runs
    // > 0: a run (warm-up or timed) slower than this many ms ends the timing, that run the last
    // sample: a candidate several times slower than the best known needs no precise time, and
    // seven runs of it can cost minutes (Candidate::cutoff_ms).
    double cutoff_ms = 0;
    bool operator==(const TimingPolicy &o) const {
        return warmup == o.warmup && min_repeats == o.min_repeats && min_seconds == o.min_seconds &&
               max_repeats == o.max_repeats && cutoff_ms == o.cutoff_ms;
    }
};
void to_json(nlohmann::json &j, const TimingPolicy &p);
// Throws a usage Error for negative counts or a non-positive cap.
void from_json(const nlohmann::json &j, TimingPolicy &p);

struct TimingStats {
    double min_ms = 0, median_ms = 0, max_ms = 0, total_ms = 0;
    double spread = 0;  // (max - min) / min; 0 for fewer than two samples
    int repeats = 0;
};

// Summarizes samples in milliseconds (median of an even count = mean of the middle two).
TimingStats summarize(std::vector<double> samples_ms);

// Calls `run` policy.warmup times untimed, then times calls (steady clock) until both
// min_repeats and min_seconds are reached or max_repeats is. With a cutoff, a warm-up run slower
// than it is the one sample, and a timed run slower than it is the last. Exceptions from `run`
// propagate.
TimingStats time_repeats(const TimingPolicy &policy, const std::function<void()> &run);

}  // namespace htune
