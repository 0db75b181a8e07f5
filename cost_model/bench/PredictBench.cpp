// htune_bench_cost_model: how fast the XGBoost cost model scores candidates (the tuner scores
// thousands per round). Trains on synthetic data, then times predict on 10,000 x 200 features.
// Not a test: it prints numbers, it asserts nothing. Usage: htune_bench_cost_model [rows] [cols] [nthread]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "cost_model/CostModel.h"
#include "cost_model/bench/BenchClock.h"

using namespace htune;
using namespace htune::bench;

namespace {

FeatureMatrix random_matrix(const FeatureSchema &schema, std::size_t rows, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(0, 1);
    FeatureMatrix m(schema, rows);
    for (float &v : m.values) v = u(rng);
    return m;
}

}  // namespace

int main(int argc, char **argv) {
    std::size_t rows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    std::size_t cols = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200;
    FeatureSchema schema{"bench", 1, {}};
    for (std::size_t c = 0; c < cols; ++c) schema.columns.push_back("f" + std::to_string(c));

    // Training set: 20 workloads x 100 measured candidates, time depends on a few features.
    std::mt19937 rng(42);
    FeatureMatrix train = random_matrix(schema, 2000, rng);
    std::vector<double> times;
    std::vector<GroupId> groups;
    for (std::size_t r = 0; r < train.rows; ++r) {
        times.push_back(
            std::exp(2 * train.at(r, 0) - train.at(r, 1) + 0.5 * train.at(r, 2) * train.at(r, 3)));
        groups.push_back(GroupId(r / 100));
    }
    XgbOptions options;  // the defaults the tuner uses, except nthread when given
    if (argc > 3) options.nthread = std::atoi(argv[3]);
    auto model = make_xgboost_model(options);
    auto t0 = std::chrono::steady_clock::now();
    model->train(train, times, groups);
    double train_s = seconds_since(t0);

    FeatureMatrix x = random_matrix(schema, rows, rng);
    model->predict(x);  // warm-up (first call allocates XGBoost's buffers)
    const int reps = 10;
    t0 = std::chrono::steady_clock::now();
    double checksum = 0;
    for (int i = 0; i < reps; ++i)
        for (float s : model->predict(x)) checksum += s;
    double per_call = seconds_since(t0) / reps;

    std::printf("train: %zu rows x %zu features, %d rounds, max_depth %d, nthread %d: %.3f s\n", train.rows,
                cols, options.rounds, options.max_depth, options.nthread, train_s);
    std::printf("predict: %zu rows x %zu features: %.2f ms per call, %.0f rows/second (checksum %.3f)\n",
                rows, cols, per_call * 1e3, double(rows) / per_call, checksum);
    std::printf("1-minute load average: %s (figures scale with it on a shared machine)\n",
                load_average().c_str());
    return 0;
}
