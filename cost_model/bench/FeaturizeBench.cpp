// htune_bench_featurize: how many candidates per second the tuner can score
// (featurize + XGBoost predict), per operator at bench size. Samples the
// candidates first (not timed), trains a model on a few hundred of them (fake
// times), then times featurize and predict of the whole batch. Not a test: it
// prints numbers, it asserts nothing. Usage: htune_bench_featurize [candidates]
// [nthread] [op ...]   (default 2000 1 matmul harris local_laplacian)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "cost_model/CostModel.h"
#include "cost_model/Featurizer.h"
#include "cost_model/bench/BenchClock.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"

using namespace htune;
using namespace htune::bench;

int main(int argc, char **argv) {
    std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
    int nthread = argc > 2 ? std::atoi(argv[2]) : 1;
    std::vector<std::string> ops;
    for (int i = 3; i < argc; i++) ops.push_back(argv[i]);
    if (ops.empty()) ops = {"matmul", "harris", "local_laplacian"};
    Halide::Target target = htune::host_target();
    std::printf("feature schema: %s; %zu candidates per op, XGBoost nthread %d\n",
                feature_schema().describe().c_str(), n, nthread);
    for (const std::string &op : ops) {
        Workload w = make_workload(op);
        ScheduleSpace space(w, target);
        std::mt19937_64 rng(1);
        std::vector<Schedule> batch;
        batch.push_back(space.heuristic());
        while (batch.size() < n) batch.push_back(space.sample(rng));
        Featurizer featurizer(space);

        // A model trained like the tuner's (rank:pairwise, default rounds) on 300
        // candidates.
        std::vector<Schedule> train_batch(batch.begin(), batch.begin() + std::min<std::size_t>(300, n));
        FeatureMatrix train = featurizer.featurize(train_batch);
        std::vector<double> times;
        std::normal_distribution<double> noise(0, 0.3);
        std::size_t proxy = 0;
        while (feature_schema().columns[proxy] != "g.log_time_proxy") proxy++;
        for (std::size_t r = 0; r < train.rows; r++)
            times.push_back(std::exp2(train.at(r, proxy) + noise(rng)));
        XgbOptions options;
        options.nthread = nthread;
        auto model = make_xgboost_model(options);
        model->train(train, times, std::vector<GroupId>(train.rows, 0));

        auto t0 = std::chrono::steady_clock::now();
        double c0 = cpu_seconds();
        FeatureMatrix x = featurizer.featurize(batch);
        double featurize_s = seconds_since(t0), featurize_cpu = cpu_seconds() - c0;
        t0 = std::chrono::steady_clock::now();
        c0 = cpu_seconds();
        std::vector<float> scores = model->predict(x);
        double predict_s = seconds_since(t0), predict_cpu = cpu_seconds() - c0;
        x.check_valid("bench");
        double checksum = 0;
        for (float s : scores) checksum += s;
        std::printf(
            "%-16s %3zu Funcs %3zu stages: featurize %6.1f us/cand, predict %5.1f "
            "us/cand, "
            "%8.0f candidates/s wall, %8.0f per CPU-second (checksum %.3f)\n",
            op.c_str(), space.analysis().funcs().size(),
            [&] {
                std::size_t s = 0;
                for (const auto &f : space.analysis().funcs()) s += f.stages.size();
                return s;
            }(),
            featurize_s / n * 1e6, predict_s / n * 1e6, n / (featurize_s + predict_s),
            n / (featurize_cpu + predict_cpu), checksum);
    }
    std::printf("1-minute load average: %s (figures scale with it on a shared machine)\n",
                load_average().c_str());
    return 0;
}
