// Many-workload selection for tune and compare (see WorkloadSet.h).
#include "tuner/WorkloadSet.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ops/Error.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace htune {

void WorkloadSetOptions::add_to(po::options_description &desc) {
  desc.add_options()(
      "op", po::value(&ops)->composing(),
      "built-in operator (repeatable; each at its default size)")(
      "param,p", po::value(&params)->composing(),
      "operator parameter key=value (only with one --op)")(
      "generator-lib", po::value(&generator_lib),
      "shared library that registers Halide Generators")(
      "generator", po::value(&generator),
      "registered name of the Generator to use")(
      "generator-param,g", po::value(&generator_params)->composing(),
      "GeneratorParam key=value (repeatable)")(
      "suite", po::value(&suite),
      "every built-in operator: 'default' (bench sizes) or 'small' (test "
      "sizes)")("workloads", po::value(&workloads_file),
                "JSON file listing workloads (ops or Generators with params)")(
      "test-size", po::bool_switch(&test_size),
      "--op operators at their small test size");
}

bool WorkloadSetOptions::given() const {
  return !ops.empty() || !generator_lib.empty() || !generator.empty() ||
         !suite.empty() || !workloads_file.empty();
}

std::vector<WorkloadSpec> suite_specs(const std::string &suite) {
  if (suite != "default" && suite != "small")
    throw_usage("unknown suite '" + suite + "' (valid: default, small)");
  std::vector<WorkloadSpec> out;
  for (const auto &alg : builtin_ops()) {
    WorkloadSpec s;
    s.op = alg->name();
    if (suite == "small")
      s.params = alg->test_params();
    out.push_back(s);
  }
  return out;
}

std::vector<WorkloadSpec> read_workloads_file(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw_usage("cannot read workloads file '" + path + "'");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception &e) {
    throw_usage("workloads file '" + path + "' is not valid JSON: " + e.what());
  }
  if (j.is_object() && j.contains("workloads"))
    j = j["workloads"];
  if (!j.is_array())
    throw_usage("workloads file '" + path +
                "' must hold a JSON array of workloads");
  if (j.empty())
    throw_usage("workloads file '" + path + "' lists no workloads");
  fs::path dir = fs::absolute(fs::path(path)).parent_path();
  std::vector<WorkloadSpec> out;
  for (size_t i = 0; i < j.size(); ++i) {
    WorkloadSpec s;
    try {
      s = j[i].get<WorkloadSpec>();
    } catch (const Error &e) {
      throw_usage("workloads file '" + path + "', entry " + std::to_string(i) +
                  ": " + e.what());
    } catch (const nlohmann::json::exception &e) {
      throw_usage("workloads file '" + path + "', entry " + std::to_string(i) +
                  ": " + e.what());
    }
    if (s.is_generator() && fs::path(s.generator_lib).is_relative())
      s.generator_lib = (dir / s.generator_lib).lexically_normal().string();
    out.push_back(s);
  }
  return out;
}

std::vector<WorkloadSpec> WorkloadSetOptions::specs() const {
  if (!given())
    throw_usage("no workload given: use --op NAME (repeatable), "
                "--generator-lib/--generator, "
                "--suite default|small or --workloads FILE.json");
  if (!params.empty() && ops.size() != 1)
    throw_usage(
        "-p applies to exactly one --op (got " + std::to_string(ops.size()) +
        "); use --workloads FILE.json to give parameters to several workloads");
  std::vector<WorkloadSpec> out;
  for (const auto &op : ops) {
    WorkloadOptions one;
    one.op = op;
    one.params = params;
    one.test_size = test_size;
    out.push_back(one.spec());
  }
  if (!generator_lib.empty() || !generator.empty() ||
      !generator_params.empty()) {
    WorkloadOptions one;
    one.generator_lib = generator_lib;
    one.generator = generator;
    one.generator_params = generator_params;
    out.push_back(one.spec());
  }
  if (!suite.empty())
    for (auto &s : suite_specs(suite))
      out.push_back(s);
  if (!workloads_file.empty())
    for (auto &s : read_workloads_file(workloads_file))
      out.push_back(s);
  std::vector<WorkloadSpec> unique;
  for (auto &s : out) {
    bool seen = false;
    for (const auto &u : unique)
      seen = seen || u == s;
    if (!seen)
      unique.push_back(s);
  }
  // Resolve every workload now so that a bad one fails before any work starts.
  for (const auto &s : unique)
    make_workload(s);
  return unique;
}

} // namespace htune
