// Algorithm: one Halide algorithm family (a built-in operator or a user Generator) that
// builds a fresh, unscheduled Pipeline from parameter values. Workload.h binds it to values.
#pragma once

#include <Halide.h>

#include <memory>
#include <string>
#include <vector>

#include "ops/Params.h"

namespace htune {

// Range of the synthesized values of one input buffer (uniform in [lo, hi]).
struct ValueRange {
    double lo = 0.0, hi = 1.0;
};

class Algorithm {
public:
    virtual ~Algorithm() = default;

    virtual std::string name() const = 0;
    virtual std::string summary() const = 0;
    virtual const std::vector<ParamSpec> &params() const = 0;
    // Overrides of the defaults that give the small "test" size (realizes well under 1 s).
    virtual std::vector<std::pair<std::string, std::string>> test_params() const { return {}; }

    // A fresh Pipeline with new Funcs every call (so a Schedule can be applied to it), with
    // estimates on every input and output. Unscheduled: the Funcs carry no directives.
    virtual Halide::Pipeline build(const ParamValues &values) const = 0;
    // The pipeline as its author schedules it when no autoscheduler is asked for (a Generator
    // built with auto_schedule=false: its hand schedule, conditional or not, applied), for the
    // `as_written` reference row and seed. An undefined Pipeline when the algorithm has no
    // schedule of its own (most built-in operators; matmul and blur3x3 carry one).
    virtual Halide::Pipeline build_as_written(const ParamValues &values) const { return Halide::Pipeline(); }

    // Useful floating-point (or integer arithmetic) operations of one run; 0 when unknown.
    virtual double flops(const ParamValues &values) const { return 0.0; }
    // Minimum bytes moved by one run; < 0 means "sum of input and output sizes".
    virtual double min_bytes(const ParamValues &values) const { return -1.0; }
    // Value range of the synthesized contents of input `input`.
    virtual ValueRange input_range(const std::string &input, Halide::Type type) const;
    // Relative tolerance when comparing float outputs with the reference.
    virtual double tolerance() const { return 1e-3; }
    // The shared library a Generator came from; empty for built-in operators.
    virtual std::string library() const { return ""; }
};

using AlgorithmPtr = std::shared_ptr<const Algorithm>;

}  // namespace htune
