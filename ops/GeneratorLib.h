// User Generators: dlopen a shared library that registers Halide Generators and expose one
// of them as an Algorithm (parameters = its GeneratorParams, inputs from its estimates).
#pragma once

#include <string>
#include <vector>

#include "ops/Algorithm.h"

namespace htune {

// Loads `lib_path` (once per process) and returns the names of the Generators it registered.
// Throws a usage Error when the file is missing or is not a loadable shared library.
std::vector<std::string> load_generator_library(const std::string &lib_path);

// The Generator `name` from `lib_path` as an Algorithm. Throws a usage Error naming the
// library and the available Generators when `name` is not registered there.
AlgorithmPtr load_generator(const std::string &lib_path, const std::string &name);

// GeneratorParams every Generator has that htune sets itself (target, auto_schedule,
// machine_params): a user may not set them with -g.
bool is_reserved_generator_param(const std::string &name);

}  // namespace htune
