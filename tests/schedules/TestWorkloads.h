// The workloads the schedule-space and featurizer tests run over: every builtin op at its test
// size, and the example Generator (HTUNE_EXAMPLE_GEN) under the name "example_generator".
#pragma once

#include <string>
#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

inline Workload workload_named(const std::string &name) {
    if (name == "example_generator")
        return make_workload(
            WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}});
    return make_workload(name, /*test_size=*/true);
}

inline std::vector<std::string> workload_names() {
    std::vector<std::string> names;
    for (const auto &a : builtin_ops()) names.push_back(a->name());
    names.push_back("example_generator");
    return names;
}

}  // namespace htune
