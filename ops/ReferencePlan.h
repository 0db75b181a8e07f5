// How a workload's reference output is computed: the schedule that defines "correct" for
// every candidate. Every Func at the root is obviously right but can be impossible: Halide
// refuses a buffer of 2^31 bytes or more (without the large_buffers feature) and a 4-D
// intermediate of a non-local means can be several GB. Start at plan_reference().
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

namespace htune {

struct PipelineIO;

struct ReferencePlan {
    // Funcs (canonical names) too large for the root, left where Halide's default schedule
    // puts them instead (inlined; a Func with updates is computed per point where it is used):
    // largest first, until no root buffer reaches 2^31 bytes and the root buffers total at
    // most the budget. Outputs always stay at the root.
    std::vector<std::string> inlined;
    // An output buffer reaches 2^31 bytes: the reference is compiled with
    // Target::LargeBuffers.
    bool large_buffers = false;
    double root_bytes = 0;  // the root buffers' total (Funcs with known extents)
    // One line for `htune ops --describe`.
    std::string describe() const;
};

// Halide refuses a buffer of this many bytes or more unless the target has large_buffers (which
// makes every index 64-bit): a Func whose buffer would reach it cannot be computed at the root
// of a normal build. The reference plan and the schedule space (schedules/SpaceRules.h) cut here.
constexpr double kHalideBufferLimit = 2147483648.0;  // 2^31

// Root buffers past this total are inlined, largest first (bytes).
constexpr double kReferenceBudgetBytes = 3.0 * (1ull << 30);

// The plan for a canonical pipeline (Workload::build) whose outputs `io` describes.
ReferencePlan plan_reference(const Halide::Pipeline &p, const PipelineIO &io,
                             double budget_bytes = kReferenceBudgetBytes);

// Schedules the fresh pipeline `p` as `plan` says and returns the target to compile it for.
Halide::Target apply_reference_plan(const ReferencePlan &plan, Halide::Pipeline &p, const Halide::Target &t);

}  // namespace htune
