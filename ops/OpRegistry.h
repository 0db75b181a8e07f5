// The built-in operator suite and the one way to turn a WorkloadSpec (built-in op or user
// Generator) into a Workload. Start at `make_workload`.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/Workload.h"

namespace htune {

// Declarative description of a built-in operator (ops/builtin/*.cpp add these).
struct OpDef {
    std::string name, summary;
    std::vector<ParamSpec> params;                          // defaults = "bench" size
    std::vector<std::pair<std::string, std::string>> test;  // overrides for "test" size
    std::function<Halide::Pipeline(const ParamValues &)> build;
    // The same pipeline with a hand-written schedule as a Halide expert writes it for a CPU
    // (Algorithm::build_as_written: the `as_written` compare row and tune seed); may be empty.
    std::function<Halide::Pipeline(const ParamValues &)> build_as_written;
    std::function<double(const ParamValues &)> flops;  // may be empty (unknown)
    std::function<double(const ParamValues &)> bytes;  // may be empty (io total)
    std::map<std::string, ValueRange> ranges;          // per input name
    double tolerance = 1e-3;
};

AlgorithmPtr make_builtin(OpDef def);

// Every built-in operator, in listing order.
const std::vector<AlgorithmPtr> &builtin_ops();
// Throws a usage Error "unknown operator 'x' (run `htune ops`)".
AlgorithmPtr find_op(const std::string &name);

// What a user names on the command line or in a workloads file: a built-in op or a Generator
// in a shared library, plus parameter assignments. Plain value, JSON round trip.
struct WorkloadSpec {
    std::string op;             // built-in operator name, or the Generator's registered name
    std::string generator_lib;  // empty for built-in operators
    std::vector<std::pair<std::string, std::string>> params;
    // Operations of one run, as the user counts them (JSON "flops", optional): overrides the
    // operator's own figure and the count from the algorithm (Workload::flops). 0 = not given.
    double flops = 0;
    // Its weight in a network (JSON "count", optional): how often this shape occurs in the model,
    // what a weighted run multiplies its time by (`htune tune --workloads MODEL.json` minimizes
    // the sum of count x time; `htune compare` totals it). Not part of its identity.
    double count = 1;
    std::string label = "";  // the model's name(s) for it (JSON "name"), e.g. "layer1.conv1"; may be empty

    bool is_generator() const { return !generator_lib.empty(); }
    // Parameter order does not matter (a JSON object has none); count and label do not count.
    bool operator==(const WorkloadSpec &o) const;
};
void to_json(nlohmann::json &j, const WorkloadSpec &s);
void from_json(const nlohmann::json &j, WorkloadSpec &s);

// Validates and resolves the spec; throws a usage Error naming the bad part.
Workload make_workload(const WorkloadSpec &spec);
// A built-in op at its default (bench) or test size.
Workload make_workload(const std::string &op, bool test_size = false);
// The spec of a resolved workload (all parameters explicit), so a worker can rebuild it.
WorkloadSpec spec_of(const Workload &w);

}  // namespace htune
