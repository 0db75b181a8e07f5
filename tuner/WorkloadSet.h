// Workload selection shared by the commands that take MANY workloads (`htune
// tune`, `htune compare`): repeated --op, one --op with -p, a Generator,
// --suite default|small|corpus, or
// --workloads FILE.json. Single-workload commands use WorkloadOptions.h
// instead.
#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

// A model file (examples/models/*.json, docs/WORKLOADS.md "Model files"): a network as the
// distinct shapes of its layers, each with how often it occurs:
//   {"model": "resnet18", "description": "...", "source": "...",
//    "parameters": {"batch": 1},
//    "layers": [{"name": "layer1.conv", "op": "conv", "params": {"N": "batch", "W": 56, ...},
//                "count": 4}, ...]}
// A layer parameter given as a product of integers and model parameters ("batch", "batch*128")
// takes their value; --model-param NAME=VALUE overrides a parameter's value.
struct ModelInfo {
    bool is_model = false;  // the file has "layers"
    std::string name;       // "model", else the file's stem
    std::string description;
    std::vector<std::pair<std::string, long long>> parameters;  // overrides applied
};
struct WorkloadSetOptions {
  std::vector<std::string> ops;    // --op, repeatable
  std::vector<std::string> params; // -p k=v: only with exactly one --op
  std::string generator_lib, generator;
  std::vector<std::string> generator_params;
  std::string suite;          // "default", "small" or "corpus" (suite_specs)
  std::string workloads_file;             // JSON list of WorkloadSpec objects, or a model file
  std::vector<std::string> model_params;  // --model-param NAME=VALUE (a model file's parameters)
  bool test_size = false;     // --op at its test size

  // Adds --op, -p, --generator-lib, --generator, -g, --suite, --workloads,
  // --model-param, --test-size.
  void add_to(boost::program_options::options_description &desc);
  bool given() const;
  // The selected workloads in command-line order (ops, Generator, suite, file),
  // duplicates removed. Throws a usage Error naming the problem (nothing
  // selected, -p with several
  // --op, unknown suite, unreadable or malformed file, unknown operator).
  std::vector<WorkloadSpec> specs() const;
  // The model the --workloads file describes (is_model false for a plain list or no file).
  ModelInfo model() const;
};

// The built-in suites: "default" = every built-in operator at its bench size,
// "small" = at its test size, "corpus" = at four sizes from test to bench size
// (the sizes between interpolated geometrically; parameters that shape the
// pipeline, such as pyramid levels, vary too): what `htune tune --suite corpus`
// measures as a pretraining set for `htune retrain`. Throws a usage Error for
// another name.
std::vector<WorkloadSpec> suite_specs(const std::string &suite);

// Reads the model part of a workloads file; throws a usage Error for a malformed parameter or
// a bad override (also any override when the file is not a model).
ModelInfo read_model_info(const std::string &path, const std::vector<std::string> &overrides = {});

// Reads a workloads file: a JSON array (or {"workloads": [...]}) of
// {"op": NAME, "params": {k: v}, "generator_lib": PATH, "count": N, "name": TEXT}, or a model
// file (ModelInfo) with `model_params` overrides. A relative generator_lib is resolved against
// the file's directory. A model's layers of the same shape (after its parameters and the
// operator's defaults are filled in) are one workload: their counts add up and their names are
// joined; a plain list's repeated entry is dropped. Throws a usage Error naming the file and
// entry (and the layer's name).
std::vector<WorkloadSpec> read_workloads_file(const std::string &path,
                                              const std::vector<std::string> &model_params = {});

} // namespace htune
