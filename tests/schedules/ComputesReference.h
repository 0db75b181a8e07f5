// Shared by the schedule tests: realize a schedule of a workload and compare it with
// the reference output.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/BufferCompare.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/Schedule.h"

namespace htune {

// Applies `s` to a fresh pipeline, realizes it and compares with the reference.
inline Comparison realize_and_compare(const Workload &w, const Schedule &s,
                                      const std::vector<Halide::Buffer<>> &in,
                                      const std::vector<Halide::Buffer<>> &ref) {
    Halide::Target t = htune::host_target();
    Halide::Pipeline p = w.build();
    apply_schedule(s, p, t);
    auto outs = w.make_outputs();
    realize_into(p, in, outs, t);
    return compare_outputs(outs, ref, w.tolerance());
}

inline void expect_computes_reference(const Workload &w, const Schedule &s,
                                      const std::vector<Halide::Buffer<>> &in,
                                      const std::vector<Halide::Buffer<>> &ref) {
    Comparison c = realize_and_compare(w, s, in, ref);
    EXPECT_TRUE(c.ok) << w.canonical() << ": " << c.message << "\n" << nlohmann::json(s).dump();
}

// The same on inputs made from `seed`.
inline void expect_computes_reference(const Workload &w, const Schedule &s, uint64_t seed) {
    auto in = w.make_inputs(seed);
    expect_computes_reference(w, s, in, w.reference(in, htune::host_target()));
}

}  // namespace htune
