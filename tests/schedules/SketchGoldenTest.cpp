// Golden hashes of the heuristic schedule and of ScheduleSpace::sketches() (in order) for every
// built-in operator, every corpus Generator (tests/generators) and the example Generator at
// its test size, on two fixed targets (AVX2; AVX-512, which adds rfactor tile shapes): a
// refactoring of the sketch families that changes any sketch, or their order, fails here with
// the workload named. The golden file is tests/data/schedules/sketch_golden.json. After an
// INTENDED change of the heuristic or of a sketch family, regenerate it with
//   HTUNE_UPDATE_GOLDEN=1 build/tests/schedules_tests --gtest_filter='SketchGolden.*'
// and review its diff. (A test-only switch, not configuration of htune.) The second test pins
// the sampler and the mutations the same way (sample_golden.json).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tests/support/Golden.h"

namespace htune {

namespace {

const std::string kGoldenPath = std::string(HTUNE_TEST_DATA) + "/schedules/sketch_golden.json";

// Fixed rather than the host's, so that the golden file holds on every machine.
const std::vector<std::pair<std::string, std::string>> kTargets = {
    {"avx2", "x86-64-linux-avx-avx2-f16c-fma-sse41"},
    {"avx512", "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41"},
};

// [heuristic hash, sketch hashes in order]
std::vector<std::string> hashes(const ScheduleSpace &space) {
    std::vector<std::string> out = {schedule_hash(space.heuristic())};
    for (const Schedule &s : space.sketches()) out.push_back(schedule_hash(s));
    return out;
}

}  // namespace

TEST(SketchGolden, HeuristicAndSketchHashesOfEveryTestWorkloadMatchTheGoldenFile) {
    GoldenTable actual;  // target name -> workload canonical form -> hashes
    const std::vector<Workload> workloads = golden_test_workloads();
    for (const auto &[name, target] : kTargets)
        for (const Workload &w : workloads)
            ASSERT_TRUE(
                actual[name].emplace(w.canonical(), hashes(ScheduleSpace(w, Halide::Target(target)))).second)
                << "two test workloads are " << w.canonical();
    check_golden(kGoldenPath, actual, equal_lists(kGoldenPath, "[heuristic, sketches...]"));
}

// The sampler and the mutations from a fixed seed: a refactoring of the space's rules
// (SpaceRules.cpp, SpaceSampling.cpp, SpaceMutations.cpp) that changes what a seed draws fails
// here. Regenerated the same way as the sketch golden file (sample_golden.json).
TEST(SketchGolden, SampledAndMutatedHashesFromAFixedSeedMatchTheGoldenFile) {
    GoldenTable actual;
    const auto &[name, target] = kTargets[0];
    for (const Workload &w : golden_test_workloads()) {
        ScheduleSpace space(w, Halide::Target(target));
        std::mt19937_64 rng(11);
        std::vector<std::string> h;
        for (int i = 0; i < 6; i++) {
            Schedule s = space.sample(rng);
            h.push_back(schedule_hash(s));
            for (int k = 0; k < 2; k++) h.push_back(schedule_hash(s = space.mutate(s, rng)));
        }
        actual[name][w.canonical()] = h;
    }
    const std::string path = std::string(HTUNE_TEST_DATA) + "/schedules/sample_golden.json";
    check_golden(path, actual, equal_lists(path, "[sample, mutation, mutation]..."));
}

}  // namespace htune
