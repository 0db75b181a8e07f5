// Synthetic measurements with a known ranking for cost-model tests: time = workload scale x
// exp(f(features)) x small log-normal noise, so the true order within a workload is known.
// Header-only (tests/CMakeLists globs *.cpp); used by XgbModelTest and MetricsTest.
#pragma once

#include <cmath>
#include <random>
#include <string>

#include "cost_model/CostModel.h"

namespace htune::testing {

inline FeatureSchema synthetic_schema(int cols = 20, int version = 1) {
    FeatureSchema s{"synthetic", version, {}};
    for (int c = 0; c < cols; ++c) s.columns.push_back("f" + std::to_string(c));
    return s;
}

struct Dataset {
    FeatureMatrix x;
    std::vector<double> times;  // seconds
    std::vector<GroupId> groups;
};

// log(time) without the workload scale and noise: the ground truth a model should learn.
inline double true_log_time(const float *f) {
    return 1.5 * f[0] - 1.0 * f[1] + 0.8 * f[2] * f[3] + 0.5 * std::sin(3.0 * f[4]);
}

// `groups` workloads x `rows_per_group` candidates; rows interleaved across groups on
// purpose (the model must not assume contiguous groups). noise = stddev of log-time noise.
inline Dataset make_synthetic(int groups, int rows_per_group, unsigned seed, double noise = 0.01,
                              int cols = 20) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0, 1);
    std::normal_distribution<double> n(0, noise);
    Dataset d{FeatureMatrix(synthetic_schema(cols), 0), {}, {}};
    for (int i = 0; i < rows_per_group; ++i)
        for (int g = 0; g < groups; ++g) {
            std::vector<float> row(cols);
            for (float &v : row) v = u(rng);
            d.x.add_row(row);
            double scale = 1e-3 * (1 + g);  // workloads of different sizes
            d.times.push_back(scale * std::exp(true_log_time(row.data()) + n(rng)));
            d.groups.push_back(GroupId(100 + g));
        }
    return d;
}

inline Dataset subset(const Dataset &d, const std::vector<std::size_t> &rows) {
    return {select_rows(d.x, rows), select_rows(d.times, rows), select_rows(d.groups, rows)};
}

}  // namespace htune::testing
