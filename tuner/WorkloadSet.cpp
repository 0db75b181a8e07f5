// Many-workload selection for tune and compare (see WorkloadSet.h).
#include "tuner/WorkloadSet.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
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
                                "JSON file listing workloads (ops or Generators with params), or a "
                                "model file (examples/models/*.json: layers with counts)")(
        "model-param", po::value(&model_params)->composing(),
        "a model file's parameter NAME=VALUE, e.g. batch=8 (repeatable)")(
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

namespace {

nlohmann::json read_json_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw_usage("cannot read workloads file '" + path + "'");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception &e) {
        throw_usage("workloads file '" + path + "' is not valid JSON: " + e.what());
    }
    return j;
}

bool is_identifier(const std::string &t) {
    if (t.empty() || std::isdigit((unsigned char)t[0])) return false;
    for (char c : t)
        if (!std::isalnum((unsigned char)c) && c != '_') return false;
    return true;
}

// A layer's parameter value with the model's parameters put in: a string that is a product of
// integers and at least one name ("batch", "batch*128") becomes the product; a name that is not
// a model parameter is an error when the rest is such a product ("batch*seqq"); any other
// string ("relu", "max") stays as it is.
std::string substitute(const std::string &value, const std::map<std::string, long long> &model_params,
                       const std::string &where) {
    std::vector<std::string> tokens;
    std::stringstream ss(value);
    for (std::string t; std::getline(ss, t, '*');) {
        t.erase(0, t.find_first_not_of(' '));
        t.erase(t.find_last_not_of(' ') + 1);
        tokens.push_back(t);
    }
    bool named = false;
    for (const auto &t : tokens) {
        const bool number = !t.empty() && std::all_of(t.begin(), t.end(),
                                                      [](char c) { return std::isdigit((unsigned char)c); });
        if (!number && !is_identifier(t)) return value;
        named = named || !number;
    }
    if (!named) return value;
    if (tokens.size() == 1 && !model_params.count(tokens[0])) return value;  // a word: "relu"
    long long product = 1;
    for (const auto &t : tokens) {
        if (is_identifier(t)) {
            auto it = model_params.find(t);
            if (it == model_params.end())
                throw_usage(where + ": '" + value + "' names '" + t + "', which is not a model parameter");
            product *= it->second;
        } else {
            product *= std::stoll(t);
        }
    }
    return std::to_string(product);
}

}  // namespace

namespace {

// The model part of workloads file `path`, whose JSON is `j`.
ModelInfo model_info_of(const nlohmann::json &j, const std::string &path, const std::vector<std::string> &overrides) {
    ModelInfo m;
    if (!j.is_object() || !j.contains("layers")) {
        if (!overrides.empty())
            throw_usage("--model-param: workloads file '" + path + "' is not a model (it has no \"layers\")");
        return m;
    }
    m.is_model = true;
    m.name = j.value("model", fs::path(path).stem().string());
    m.description = j.value("description", std::string());
    if (j.contains("parameters")) {
        if (!j["parameters"].is_object())
            throw_usage("model file '" + path + "': \"parameters\" must be an object of integers");
        for (auto it = j["parameters"].begin(); it != j["parameters"].end(); ++it) {
            if (!it.value().is_number_integer() || it.value().get<long long>() < 1 ||
                !is_identifier(it.key()))
                throw_usage("model file '" + path + "': parameter '" + it.key() +
                            "' must be a name with a positive integer value");
            m.parameters.emplace_back(it.key(), it.value().get<long long>());
        }
    }
    for (const auto &kv : overrides) {
        auto eq = kv.find('=');
        std::string key = kv.substr(0, eq);
        auto it = std::find_if(m.parameters.begin(), m.parameters.end(),
                               [&](const auto &p) { return p.first == key; });
        if (eq == std::string::npos || it == m.parameters.end())
            throw_usage("--model-param '" + kv + "': model '" + m.name + "' has " +
                        (m.parameters.empty() ? std::string("no parameters")
                                              : "the parameters " +
                                                    [&] {
                                                        std::string names;
                                                        for (const auto &p : m.parameters)
                                                            names += (names.empty() ? "" : ", ") + p.first;
                                                        return names;
                                                    }()) +
                        " (give NAME=VALUE)");
        long long v = 0;
        try {
            size_t used = 0;
            v = std::stoll(kv.substr(eq + 1), &used);
            if (used != kv.size() - eq - 1) v = 0;
        } catch (const std::exception &) {
            v = 0;
        }
        if (v < 1) throw_usage("--model-param '" + kv + "': the value must be a positive integer");
        it->second = v;
    }
    return m;
}

}  // namespace

ModelInfo read_model_info(const std::string &path, const std::vector<std::string> &overrides) {
    return model_info_of(read_json_file(path), path, overrides);
}

std::vector<WorkloadSpec> read_workloads_file(const std::string &path,
                                              const std::vector<std::string> &model_params) {
    nlohmann::json j = read_json_file(path);
    const ModelInfo model = model_info_of(j, path, model_params);
    const std::string what = model.is_model ? "model file" : "workloads file";
    if (model.is_model)
        j = j["layers"];
    else if (j.is_object() && j.contains("workloads"))
        j = j["workloads"];
    if (!j.is_array())
        throw_usage(what + " '" + path + "' must hold a JSON array of " +
                    (model.is_model ? "layers" : "workloads"));
    if (j.empty())
        throw_usage(what + " '" + path + "' lists no " + (model.is_model ? "layers" : "workloads"));
    std::map<std::string, long long> values(model.parameters.begin(), model.parameters.end());
    fs::path dir = fs::absolute(fs::path(path)).parent_path();
    std::vector<WorkloadSpec> out;
    std::vector<std::string> canon;  // a model's: the resolved shape of each entry of `out`
    for (size_t i = 0; i < j.size(); ++i) {
        std::string where = what + " '" + path + "', entry " + std::to_string(i);
        if (j[i].is_object() && j[i].contains("name") && j[i]["name"].is_string())
            where += " ('" + j[i]["name"].get<std::string>() + "')";
        WorkloadSpec s;
        try {
            s = j[i].get<WorkloadSpec>();
            for (auto &kv : s.params) kv.second = substitute(kv.second, values, where);
            if (s.is_generator() && fs::path(s.generator_lib).is_relative())
                s.generator_lib = (dir / s.generator_lib).lexically_normal().string();
            if (!model.is_model) {  // a plain list: a repeated entry is dropped, as on the command line
                if (std::find(out.begin(), out.end(), s) != out.end()) continue;
            } else {
                // A model's layers are resolved (defaults filled in) to find repeated shapes: one
                // workload, its counts added and its names joined. A plain list's entries are
                // compared as written, so that nothing is loaded before it is needed.
                std::string c = s.generator_lib + "|" + make_workload(s).canonical();
                auto seen = std::find(canon.begin(), canon.end(), c);
                if (seen != canon.end()) {
                    WorkloadSpec &first = out[seen - canon.begin()];
                    first.count += s.count;
                    if (!s.label.empty()) first.label += (first.label.empty() ? "" : ", ") + s.label;
                    continue;
                }
                canon.push_back(c);
            }
        } catch (const Error &e) {
            throw_usage(where + ": " + e.what());
        } catch (const nlohmann::json::exception &e) {
            throw_usage(where + ": " + e.what());
        }
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
  if (!model_params.empty() && workloads_file.empty())
      throw_usage("--model-param needs a model file: --workloads MODEL.json");
  if (!workloads_file.empty())
      for (auto &s : read_workloads_file(workloads_file, model_params)) out.push_back(s);
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

ModelInfo WorkloadSetOptions::model() const {
    if (workloads_file.empty()) return ModelInfo();
    return read_model_info(workloads_file, model_params);
}

} // namespace htune
