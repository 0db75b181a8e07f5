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
#include "tests/support/Golden.h"

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
    GoldenTable actual;
    const std::vector<Workload> workloads = golden_test_workloads();
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

    check_golden(
        kGoldenPath, actual,
        [](const std::string &name, const std::string &workload, const Rows &rows, const Rows &golden) {
            if (rows.size() != golden.size()) {
                ADD_FAILURE() << name << " " << workload << ": " << rows.size()
                              << " schedules, the golden file has " << golden.size()
                              << " (the schedule space changed, not the featurizer)";
                return;
            }
            for (size_t i = 0; i < rows.size(); i++) {
                // Both "<schedule hash> <row hash>", 16 hex digits each.
                const std::string sched = rows[i].substr(0, 16), golden_sched = golden[i].substr(0, 16);
                if (sched != golden_sched) {
                    ADD_FAILURE() << name << " " << workload << " schedule #" << i << " is " << sched
                                  << ", the golden file has " << golden_sched
                                  << " (the schedule space changed, not the featurizer)";
                    continue;
                }
                EXPECT_EQ(rows[i], golden[i]) << name << " " << workload << " schedule #" << i
                                              << ": the feature row differs from the golden file";
            }
        });
}

}  // namespace htune
