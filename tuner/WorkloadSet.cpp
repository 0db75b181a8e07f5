// Many-workload selection for tune and compare (see WorkloadSet.h).
#include "tuner/WorkloadSet.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ops/Error.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace htune {

void WorkloadSetOptions::add_to(po::options_description &desc) {
    desc.add_options()("op", po::value(&ops)->composing(),
                       "built-in operator (repeatable; each at its default size)")(
        "param,p", po::value(&params)->composing(), "operator parameter key=value (only with one --op)")(
        "generator-lib", po::value(&generator_lib), "shared library that registers Halide Generators")(
        "generator", po::value(&generator), "registered name of the Generator to use")(
        "generator-param,g", po::value(&generator_params)->composing(),
        "GeneratorParam key=value (repeatable)")(
        "suite", po::value(&suite),
        "every built-in operator: 'default' (bench sizes), 'small' (test "
        "sizes) or 'corpus' (four sizes each, test to bench: a training set "
        "for `htune retrain`)")("workloads", po::value(&workloads_file),
                                "JSON file listing workloads (ops or Generators with params)")(
        "test-size", po::bool_switch(&test_size), "--op operators at their small test size");
}

bool WorkloadSetOptions::given() const {
  return !ops.empty() || !generator_lib.empty() || !generator.empty() ||
         !suite.empty() || !workloads_file.empty();
}

namespace {

// The operator's parameters a fraction `t` of the way from its test size (t = 0) to its bench
// size (t = 1): every integer or real parameter the two sizes give different positive values is
// interpolated geometrically (rounded and kept in the parameter's range); the others keep their
// test value. Only parameters the test size names are listed, so t = 1 is the bench size.
std::vector<std::pair<std::string, std::string>> between_sizes(const Algorithm &alg, double t) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &[name, test_value] : alg.test_params()) {
        std::string value = test_value;
        for (const ParamSpec &p : alg.params()) {
            if (p.name != name || (p.type != ParamType::integer && p.type != ParamType::real)) continue;
            double a = std::stod(test_value), b = std::stod(p.default_value);
            if (!(a > 0 && b > 0) || a == b) break;
            double v = a * std::pow(b / a, t);
            if (p.min <= p.max) v = std::min(p.max, std::max(p.min, v));
            if (p.type == ParamType::integer) {
                value = std::to_string(std::llround(v));
            } else {
                std::ostringstream os;
                os << std::setprecision(3) << v;
                value = os.str();
            }
            break;
        }
        out.emplace_back(name, value);
    }
    return out;
}

}  // namespace

std::vector<WorkloadSpec> suite_specs(const std::string &suite) {
    if (suite != "default" && suite != "small" && suite != "corpus")
        throw_usage("unknown suite '" + suite + "' (valid: default, small, corpus)");
    std::vector<WorkloadSpec> out;
    for (const auto &alg : builtin_ops()) {
        WorkloadSpec s;
        s.op = alg->name();
        if (suite == "small") s.params = alg->test_params();
        if (suite != "corpus") {
            out.push_back(s);
            continue;
        }
        // Test size, a third and two thirds of the way (log scale), bench size.
        for (double t : {0.0, 1.0 / 3, 2.0 / 3}) {
            s.params = between_sizes(*alg, t);
            if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
        }
        s.params.clear();
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
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
