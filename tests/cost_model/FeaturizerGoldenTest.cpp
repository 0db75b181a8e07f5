// Golden feature rows: for every built-in operator, every corpus Generator (tests/generators)
// and the example Generator at its test size, on two fixed machine configurations, the
// featurizer's row of the heuristic, of no schedule at all, of every sketch and of seeded
// samples and mutations, stored as a hash of the row's float bits in
// tests/data/cost_model/features_golden.json. A refactoring of the featurizer that changes
// any bit of any row fails here with the workload and the schedule named. After an INTENDED
// change of the features (with a feature_schema() version bump), regenerate it with
//   HTUNE_UPDATE_GOLDEN=1 build/tests/cost_model_tests --gtest_filter='FeaturizerGolden.*'
// and review its diff. (A test-only switch, not configuration of htune.)
//
// Each entry also records the schedule's hash: when that differs, the schedule space (heuristic,
// sketches, sampling) changed, not the featurizer, and the message says so.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cost_model/Featurizer.h"
#include "ops/Hash.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"

namespace htune {

namespace {

const std::string kGoldenPath = std::string(HTUNE_TEST_DATA) + "/cost_model/features_golden.json";

// Fixed targets, thread counts and caches rather than the host's, so that the golden file holds
// on every machine.
struct Config {
    std::string name, target;
    int threads;
    MachineCaches caches;
};
const std::vector<Config> kConfigs = {
    {"avx2_2t_2c", "x86-64-linux-avx-avx2-f16c-fma-sse41", 2, {32 << 10, 512 << 10, 32 << 20, 2, "golden-a"}},
    {"avx512_8t_4c",
     "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41",
     8,
     {48 << 10, 1280 << 10, 30 << 20, 4, "golden-b"}},
};

std::vector<Workload> test_workloads() {
    std::vector<Workload> out;
    for (const auto &a : builtin_ops()) out.push_back(make_workload(a->name(), /*test_size=*/true));
    std::ifstream in(HTUNE_TEST_GENERATOR_WORKLOADS);
    for (const auto &spec : nlohmann::json::parse(in).get<std::vector<WorkloadSpec>>())
        out.push_back(make_workload(spec));
    out.push_back(
        make_workload(WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}}));
    return out;
}

// The schedules featurized per workload, in order: the heuristic, no schedule at all (every
// Func compute_root with Halide's loops), the sketches, then seeded samples each followed by
// two mutations (compute_at, rfactor and wrapper placements come from these).
std::vector<Schedule> test_schedules(const ScheduleSpace &space) {
    std::vector<Schedule> out = {space.heuristic(), Schedule{}};
    for (const Schedule &s : space.sketches()) out.push_back(s);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 8; i++) {
        Schedule s = space.sample(rng);
        out.push_back(s);
        for (int k = 0; k < 2; k++) out.push_back(s = space.mutate(s, rng));
    }
    return out;
}

std::string row_hash(const std::vector<float> &row) {
    std::string bytes(row.size() * sizeof(float), '\0');
    std::memcpy(bytes.data(), row.data(), bytes.size());
    return hex16(fnv1a64(bytes));
}

// "<schedule hash> <feature row hash>" per schedule, in test_schedules() order.
using Rows = std::vector<std::string>;

}  // namespace

TEST(FeaturizerGolden, FeatureRowsOfEveryTestWorkloadMatchTheGoldenFile) {
    // config name -> workload canonical form -> rows
    std::map<std::string, std::map<std::string, Rows>> actual;
    const std::vector<Workload> workloads = test_workloads();
    for (const Config &c : kConfigs)
        for (const Workload &w : workloads) {
            ScheduleSpace space(w, Halide::Target(c.target));
            Featurizer f(space, c.threads, c.caches);
            Rows rows;
            for (const Schedule &s : test_schedules(space))
                rows.push_back(schedule_hash(s) + " " + row_hash(f.features(s)));
            ASSERT_TRUE(actual[c.name].emplace(w.canonical(), rows).second)
                << "two test workloads are " << w.canonical();
        }

    const char *update = std::getenv("HTUNE_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        std::ofstream out(kGoldenPath);
        out << nlohmann::json(actual).dump(1) << "\n";
        ASSERT_TRUE(out.good()) << kGoldenPath;
        GTEST_SKIP() << "wrote " << kGoldenPath;
    }
    std::ifstream in(kGoldenPath);
    ASSERT_TRUE(in.good()) << kGoldenPath << " (HTUNE_UPDATE_GOLDEN=1 writes it)";
    const auto golden = nlohmann::json::parse(in).get<std::map<std::string, std::map<std::string, Rows>>>();
    for (const auto &[name, by_workload] : actual) {
        auto t = golden.find(name);
        ASSERT_NE(t, golden.end()) << "configuration " << name << " is not in " << kGoldenPath;
        for (const auto &[workload, rows] : by_workload) {
            auto g = t->second.find(workload);
            if (g == t->second.end()) {
                ADD_FAILURE() << name << " " << workload << " is not in " << kGoldenPath;
                continue;
            }
            if (rows.size() != g->second.size()) {
                ADD_FAILURE() << name << " " << workload << ": " << rows.size()
                              << " schedules, the golden file has " << g->second.size()
                              << " (the schedule space changed, not the featurizer)";
                continue;
            }
            for (size_t i = 0; i < rows.size(); i++) {
                // Both "<schedule hash> <row hash>", 16 hex digits each.
                const std::string sched = rows[i].substr(0, 16), golden_sched = g->second[i].substr(0, 16);
                if (sched != golden_sched) {
                    ADD_FAILURE() << name << " " << workload << " schedule #" << i << " is " << sched
                                  << ", the golden file has " << golden_sched
                                  << " (the schedule space changed, not the featurizer)";
                    continue;
                }
                EXPECT_EQ(rows[i], g->second[i]) << name << " " << workload << " schedule #" << i
                                                 << ": the feature row differs from the golden file";
            }
        }
    }
    for (const auto &[name, by_workload] : golden)
        for (const auto &kv : by_workload)
            EXPECT_TRUE(actual[name].count(kv.first))
                << name << " " << kv.first << " is no longer a test workload";
}

}  // namespace htune
