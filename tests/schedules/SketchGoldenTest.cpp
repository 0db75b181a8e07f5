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

namespace htune {

namespace {

const std::string kGoldenPath = std::string(HTUNE_TEST_DATA) + "/schedules/sketch_golden.json";

// Fixed rather than the host's, so that the golden file holds on every machine.
const std::vector<std::pair<std::string, std::string>> kTargets = {
    {"avx2", "x86-64-linux-avx-avx2-f16c-fma-sse41"},
    {"avx512", "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41"},
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

// [heuristic hash, sketch hashes in order]
std::vector<std::string> hashes(const ScheduleSpace &space) {
    std::vector<std::string> out = {schedule_hash(space.heuristic())};
    for (const Schedule &s : space.sketches()) out.push_back(schedule_hash(s));
    return out;
}

using Golden = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

// Writes `actual` to `path` under HTUNE_UPDATE_GOLDEN=1 (and skips), else compares it with the
// file: every target and workload of each, hash lists equal. `what` names the hash list.
void check_golden(const std::string &path, const Golden &actual, const std::string &what) {
    const char *update = std::getenv("HTUNE_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        std::ofstream out(path);
        out << nlohmann::json(actual).dump(1) << "\n";
        ASSERT_TRUE(out.good()) << path;
        GTEST_SKIP() << "wrote " << path;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path << " (HTUNE_UPDATE_GOLDEN=1 writes it)";
    const auto golden = nlohmann::json::parse(in).get<Golden>();
    for (const auto &[name, by_workload] : actual)
        for (const auto &[workload, h] : by_workload) {
            auto t = golden.find(name);
            ASSERT_NE(t, golden.end()) << "target " << name << " is not in " << path;
            auto g = t->second.find(workload);
            if (g == t->second.end()) {
                ADD_FAILURE() << name << " " << workload << " is not in " << path;
                continue;
            }
            EXPECT_EQ(h, g->second) << name << " " << workload << ": " << what << " hashes differ from "
                                    << path;
        }
    for (const auto &[name, by_workload] : golden)
        for (const auto &kv : by_workload)
            EXPECT_TRUE(actual.count(name) && actual.at(name).count(kv.first))
                << name << " " << kv.first << " is no longer a test workload";
}

}  // namespace

TEST(SketchGolden, HeuristicAndSketchHashesOfEveryTestWorkloadMatchTheGoldenFile) {
    Golden actual;  // target name -> workload canonical form -> hashes
    const std::vector<Workload> workloads = test_workloads();
    for (const auto &[name, target] : kTargets)
        for (const Workload &w : workloads)
            ASSERT_TRUE(
                actual[name].emplace(w.canonical(), hashes(ScheduleSpace(w, Halide::Target(target)))).second)
                << "two test workloads are " << w.canonical();
    check_golden(kGoldenPath, actual, "[heuristic, sketches...]");
}

// The sampler and the mutations from a fixed seed: a refactoring of the space's rules
// (SpaceRules.cpp, SpaceSampling.cpp, SpaceMutations.cpp) that changes what a seed draws fails
// here. Regenerated the same way as the sketch golden file (sample_golden.json).
TEST(SketchGolden, SampledAndMutatedHashesFromAFixedSeedMatchTheGoldenFile) {
    Golden actual;
    const auto &[name, target] = kTargets[0];
    for (const Workload &w : test_workloads()) {
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
    check_golden(std::string(HTUNE_TEST_DATA) + "/schedules/sample_golden.json", actual,
                 "[sample, mutation, mutation]...");
}

}  // namespace htune
