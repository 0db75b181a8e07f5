// Timing helpers of the cost-model benches (PredictBench.cpp, FeaturizeBench.cpp).
#pragma once

#include <chrono>
#include <ctime>
#include <fstream>
#include <string>

namespace htune::bench {

// CPU seconds of this process: on a shared machine wall time also counts other jobs' time.
inline double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The 1-minute load average, printed with the figures: on a shared 2-core box the load changes
// them several-fold.
inline std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string one;
    return f >> one ? one : "?";
}

}  // namespace htune::bench
