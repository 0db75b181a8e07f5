// Built-in operator registry and WorkloadSpec -> Workload resolution (see OpRegistry.h).
#include "ops/OpRegistry.h"

#include <algorithm>

#include "ops/Error.h"
#include "ops/GeneratorLib.h"
#include "ops/builtin/Builtins.h"

namespace htune {

namespace {

class BuiltinAlgorithm : public Algorithm {
public:
    explicit BuiltinAlgorithm(OpDef def) : def_(std::move(def)) {}
    std::string name() const override { return def_.name; }
    std::string summary() const override { return def_.summary; }
    const std::vector<ParamSpec> &params() const override { return def_.params; }
    std::vector<std::pair<std::string, std::string>> test_params() const override { return def_.test; }
    Halide::Pipeline build(const ParamValues &v) const override { return def_.build(v); }
    Halide::Pipeline build_as_written(const ParamValues &v) const override {
        return def_.build_as_written ? def_.build_as_written(v) : Halide::Pipeline();
    }
    double flops(const ParamValues &v) const override { return def_.flops ? def_.flops(v) : 0.0; }
    double min_bytes(const ParamValues &v) const override { return def_.bytes ? def_.bytes(v) : -1.0; }
    ValueRange input_range(const std::string &input, Halide::Type type) const override {
        auto it = def_.ranges.find(input);
        return it != def_.ranges.end() ? it->second : Algorithm::input_range(input, type);
    }
    double tolerance() const override { return def_.tolerance; }

private:
    OpDef def_;
};

}  // namespace

AlgorithmPtr make_builtin(OpDef def) { return std::make_shared<BuiltinAlgorithm>(std::move(def)); }

const std::vector<AlgorithmPtr> &builtin_ops() {
    static const std::vector<AlgorithmPtr> ops = [] {
        std::vector<OpDef> defs;
        add_linear_algebra_ops(defs);
        add_dnn_ops(defs);
        add_dnn_layer_ops(defs);
        add_image_ops(defs);
        std::vector<AlgorithmPtr> out;
        for (auto &d : defs) out.push_back(make_builtin(std::move(d)));
        return out;
    }();
    return ops;
}

AlgorithmPtr find_op(const std::string &name) {
    for (const auto &a : builtin_ops())
        if (a->name() == name) return a;
    throw_usage("unknown operator '" + name + "' (run `htune ops` to list them)");
}

bool WorkloadSpec::operator==(const WorkloadSpec &o) const {
    auto a = params, b = o.params;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return op == o.op && generator_lib == o.generator_lib && a == b;
}

void to_json(nlohmann::json &j, const WorkloadSpec &s) {
    j = nlohmann::json{{"op", s.op}};
    if (!s.generator_lib.empty()) j["generator_lib"] = s.generator_lib;
    nlohmann::json params = nlohmann::json::object();
    for (const auto &kv : s.params) params[kv.first] = kv.second;
    j["params"] = params;
    if (s.flops > 0) j["flops"] = s.flops;
    if (s.count != 1) j["count"] = s.count;
    if (!s.label.empty()) j["name"] = s.label;
}

void from_json(const nlohmann::json &j, WorkloadSpec &s) {
    if (!j.is_object() || !j.contains("op") || !j["op"].is_string())
        throw_usage("workload entry needs a string field \"op\": " + j.dump());
    s.op = j["op"].get<std::string>();
    s.generator_lib = j.value("generator_lib", std::string());
    s.params.clear();
    s.flops = 0;
    if (j.contains("flops")) {
        if (!j["flops"].is_number() || j["flops"].get<double>() <= 0)
            throw_usage("workload \"flops\" must be a positive number: " + j.dump());
        s.flops = j["flops"].get<double>();
    }
    s.count = 1;
    if (j.contains("count")) {
        if (!j["count"].is_number() || !(j["count"].get<double>() > 0))
            throw_usage("workload \"count\" must be a positive number: " + j.dump());
        s.count = j["count"].get<double>();
    }
    s.label.clear();
    if (j.contains("name")) {
        if (!j["name"].is_string()) throw_usage("workload \"name\" must be a string: " + j.dump());
        s.label = j["name"].get<std::string>();
    }
    if (j.contains("params")) {
        if (!j["params"].is_object()) throw_usage("workload \"params\" must be an object: " + j.dump());
        for (auto it = j["params"].begin(); it != j["params"].end(); ++it) {
            const auto &v = it.value();
            s.params.emplace_back(it.key(), v.is_string() ? v.get<std::string>() : v.dump());
        }
    }
}

Workload make_workload(const WorkloadSpec &spec) {
    if (!spec.is_generator()) {
        AlgorithmPtr alg = find_op(spec.op);
        Workload w(alg, resolve_params(spec.op, alg->params(), spec.params));
        w.set_flops_override(spec.flops);
        return w;
    }
    AlgorithmPtr alg = load_generator(spec.generator_lib, spec.op);
    auto kvs = spec.params;
    for (const auto &kv : kvs)
        if (is_reserved_generator_param(kv.first))
            throw_usage("generator " + spec.op + ": parameter '" + kv.first + "' is set by htune, not by -g");
    std::sort(kvs.begin(), kvs.end());
    ParamValues values;
    for (const auto &kv : kvs) values.set(kv.first, kv.second);
    Workload w(alg, values);
    w.set_flops_override(spec.flops);
    w.io();  // builds once: an unknown GeneratorParam or missing estimate fails here, clearly
    return w;
}

Workload make_workload(const std::string &op, bool test_size) {
    AlgorithmPtr alg = find_op(op);
    return Workload(alg, resolve_params(op, alg->params(),
                                        test_size ? alg->test_params()
                                                  : std::vector<std::pair<std::string, std::string>>{}));
}

WorkloadSpec spec_of(const Workload &w) {
    WorkloadSpec s;
    s.op = w.op();
    s.generator_lib = w.algorithm().library();
    s.params = w.params().items();
    s.flops = w.flops_override();
    return s;
}

}  // namespace htune
