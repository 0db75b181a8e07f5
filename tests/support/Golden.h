// Golden files of the refactoring tests (SketchGoldenTest, FeaturizerGoldenTest): the test
// workloads they cover, and one table format, key (a target or machine configuration) ->
// workload canonical form -> list of strings (hashes), written under HTUNE_UPDATE_GOLDEN=1 (a
// test-only switch, not configuration of htune) and compared entry by entry otherwise.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

using GoldenTable = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

// Every built-in operator and every corpus Generator (tests/generators) at its test size, and
// the example Generator.
inline std::vector<Workload> golden_test_workloads() {
    std::vector<Workload> out;
    for (const auto &a : builtin_ops()) out.push_back(make_workload(a->name(), /*test_size=*/true));
    std::ifstream in(HTUNE_TEST_GENERATOR_WORKLOADS);
    for (const auto &spec : nlohmann::json::parse(in).get<std::vector<WorkloadSpec>>())
        out.push_back(make_workload(spec));
    out.push_back(
        make_workload(WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}}));
    return out;
}

// Compares one entry: (key, workload, actual list, golden list); reports its own failures.
using GoldenEntryCheck =
    std::function<void(const std::string &, const std::string &, const std::vector<std::string> &,
                       const std::vector<std::string> &)>;

// Under HTUNE_UPDATE_GOLDEN=1 writes `actual` to `path` and skips the test; otherwise every key
// and workload of `actual` must be in the file (each entry checked by `check`, by default
// equal lists) and every workload of the file must still be tested.
inline void check_golden(const std::string &path, const GoldenTable &actual, const GoldenEntryCheck &check) {
    const char *update = std::getenv("HTUNE_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        std::ofstream out(path);
        out << nlohmann::json(actual).dump(1) << "\n";
        ASSERT_TRUE(out.good()) << path;
        GTEST_SKIP() << "wrote " << path;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path << " (HTUNE_UPDATE_GOLDEN=1 writes it)";
    const auto golden = nlohmann::json::parse(in).get<GoldenTable>();
    for (const auto &[key, by_workload] : actual) {
        auto t = golden.find(key);
        ASSERT_NE(t, golden.end()) << key << " is not in " << path;
        for (const auto &[workload, list] : by_workload) {
            auto g = t->second.find(workload);
            if (g == t->second.end())
                ADD_FAILURE() << key << " " << workload << " is not in " << path;
            else
                check(key, workload, list, g->second);
        }
    }
    for (const auto &[key, by_workload] : golden)
        for (const auto &kv : by_workload)
            EXPECT_TRUE(actual.count(key) && actual.at(key).count(kv.first))
                << key << " " << kv.first << " is no longer a test workload";
}

// Lists must be equal; `what` names the list in the message.
inline GoldenEntryCheck equal_lists(const std::string &path, const std::string &what) {
    return [path, what](const std::string &key, const std::string &workload,
                        const std::vector<std::string> &a, const std::vector<std::string> &g) {
        EXPECT_EQ(a, g) << key << " " << workload << ": " << what << " hashes differ from " << path;
    };
}

}  // namespace htune
