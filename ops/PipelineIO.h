// Generic analysis of any Pipeline's inputs and outputs (found by walking its IR, so it works
// for built-in ops and Generators alike): shapes from estimates, binding buffers to inputs.
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

namespace htune {

struct BufferShape {
    std::string name;
    Halide::Type type;
    // Per dimension. Outputs: their estimates. Inputs: the estimates grown to what the
    // pipeline reads for the outputs' estimates (bounds inference, ops/Regions.h): a stencil
    // without boundary conditions reads past the output's edges.
    std::vector<int> min, extent;
    // Inputs only: the estimates, kept when bounds inference grew the shape (else empty), and
    // per dimension whether the reads there are known (false: data-dependent and unclamped,
    // sized from the estimate alone).
    std::vector<int> estimate_min, estimate_extent;
    std::vector<bool> reads_known;
    bool grown() const { return !estimate_extent.empty(); }
    size_t bytes() const;
};

struct ScalarInput {
    std::string name;
    Halide::Type type;
    double value = 0;  // the estimate (or default) bound when running
};

struct PipelineIO {
    std::vector<BufferShape> inputs;   // sorted by name
    std::vector<ScalarInput> scalars;  // sorted by name
    std::vector<BufferShape> outputs;  // one per output Func value, in pipeline order
};

// Every Function reachable from the pipeline's outputs, keyed by (Halide's unique) name.
std::map<std::string, Halide::Internal::Function> pipeline_functions(const Halide::Pipeline &p);

// Halide 14 makes Func names unique with a "$N" suffix whose N depends on how many Funcs the
// process created before, so raw names differ between two builds of the same algorithm.
// "C$12" -> "C". Everything persistent (schedules, features, reports) keys on stable names.
std::string strip_unique_suffix(const std::string &name);
// Every "$N" removed, wherever it occurs ("C$2_intm" -> "C_intm"): for naming, in messages and
// reports, Funcs that a schedule made from a uniquified name (an rfactor intermediate).
std::string without_unique_suffixes(const std::string &name);

// Halide name -> stable name for every Function of `p`: the stripped name, or, when two
// Functions strip to the same name, "name#k" with k their creation order (0-based).
std::map<std::string, std::string> stable_func_names(const Halide::Pipeline &p);

// True for the wrapper Func Halide makes for an ImageParam ("A_im"): a pure copy of an input.
bool is_input_wrapper(const Halide::Internal::Function &f);

// Describes the inputs and outputs of `p`; throws a usage Error naming any input or output
// without estimates (htune and Halide's autoschedulers both need them).
PipelineIO describe_io(const Halide::Pipeline &p);

// Binds `inputs` (in describe_io order) to the buffer Parameters of `p`, and every scalar
// Parameter to its estimate. Must be called on the same Pipeline object that is realized.
void bind_inputs(const Halide::Pipeline &p, const std::vector<Halide::Buffer<>> &inputs);

// Allocates output buffers shaped like `io.outputs`.
std::vector<Halide::Buffer<>> allocate_outputs(const PipelineIO &io);

// True when some definition converts a float to an integer (a cast, e.g. an index or a pixel
// computed in float). Halide may fuse, fold and reorder float arithmetic differently under
// different schedules (not under strict_float), so such integers can differ by one.
bool converts_float_to_int(const Halide::Pipeline &p);

// A stable hash (16 hex digits) of the algorithm: every Function's definitions, with
// auto-generated name suffixes removed so it does not depend on construction order.
std::string structure_hash(const Halide::Pipeline &p);

}  // namespace htune
