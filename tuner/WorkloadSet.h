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

struct WorkloadSetOptions {
  std::vector<std::string> ops;    // --op, repeatable
  std::vector<std::string> params; // -p k=v: only with exactly one --op
  std::string generator_lib, generator;
  std::vector<std::string> generator_params;
  std::string suite;          // "default", "small" or "corpus" (suite_specs)
  std::string workloads_file; // JSON list of WorkloadSpec objects
  bool test_size = false;     // --op at its test size

  // Adds --op, -p, --generator-lib, --generator, -g, --suite, --workloads,
  // --test-size.
  void add_to(boost::program_options::options_description &desc);
  bool given() const;
  // The selected workloads in command-line order (ops, Generator, suite, file),
  // duplicates removed. Throws a usage Error naming the problem (nothing
  // selected, -p with several
  // --op, unknown suite, unreadable or malformed file, unknown operator).
  std::vector<WorkloadSpec> specs() const;
};

// The built-in suites: "default" = every built-in operator at its bench size,
// "small" = at its test size, "corpus" = at four sizes from test to bench size
// (the sizes between interpolated geometrically; parameters that shape the
// pipeline, such as pyramid levels, vary too): what `htune tune --suite corpus`
// measures as a pretraining set for `htune retrain`. Throws a usage Error for
// another name.
std::vector<WorkloadSpec> suite_specs(const std::string &suite);

// Reads a workloads file: a JSON array (or {"workloads": [...]}) of
// {"op": NAME, "params": {k: v}, "generator_lib": PATH}. A relative
// generator_lib is resolved against the file's directory. Throws a usage Error
// naming the file and entry.
std::vector<WorkloadSpec> read_workloads_file(const std::string &path);

} // namespace htune
