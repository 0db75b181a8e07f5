// Parameter validation and canonical text forms (see Params.h).
#include "ops/Params.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "ops/Error.h"

namespace htune {

namespace {

std::string format_real(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

bool parse_int(const std::string &s, int64_t &out) {
    if (s.empty()) return false;
    errno = 0;
    char *end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end != s.c_str() + s.size()) return false;
    out = v;
    return true;
}

bool parse_real(const std::string &s, double &out) {
    if (s.empty()) return false;
    errno = 0;
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return false;
    out = v;
    return true;
}

const ParamSpec *find_spec(const std::vector<ParamSpec> &specs, const std::string &name) {
    for (const auto &s : specs)
        if (s.name == name) return &s;
    return nullptr;
}

std::string known_names(const std::vector<ParamSpec> &specs) {
    std::string out;
    for (const auto &s : specs) out += (out.empty() ? "" : ", ") + s.name;
    return out.empty() ? "none" : out;
}

// Returns the canonical text of `value` for `spec`, or throws a usage error.
std::string canonicalize(const std::string &op, const ParamSpec &spec, const std::string &value) {
    auto bad = [&](const std::string &why) {
        throw_usage(op + ": parameter " + spec.name + "=" + value + " " + why);
    };
    switch (spec.type) {
    case ParamType::integer: {
        int64_t v;
        if (!parse_int(value, v)) bad("is not an integer");
        if (spec.min <= spec.max && (v < spec.min || v > spec.max))
            bad("is out of range [" + std::to_string((int64_t)spec.min) + ", " +
                std::to_string((int64_t)spec.max) + "]");
        return std::to_string(v);
    }
    case ParamType::real: {
        double v;
        if (!parse_real(value, v)) bad("is not a number");
        if (spec.min <= spec.max && (v < spec.min || v > spec.max))
            bad("is out of range [" + format_real(spec.min) + ", " + format_real(spec.max) + "]");
        return format_real(v);
    }
    case ParamType::boolean:
        if (value == "true" || value == "1") return "true";
        if (value == "false" || value == "0") return "false";
        bad("is not a boolean (true/false)");
        break;
    case ParamType::text:
        if (!spec.choices.empty()) {
            for (const auto &c : spec.choices)
                if (c == value) return value;
            std::string all;
            for (const auto &c : spec.choices) all += (all.empty() ? "" : ", ") + c;
            bad("is not one of {" + all + "}");
        }
        if (value.find_first_of(",:= ") != std::string::npos) bad("contains one of ',:= '");
        return value;
    }
    bad("has an unknown type");
    return value;
}

}  // namespace

const char *to_string(ParamType type) {
    switch (type) {
    case ParamType::integer: return "int";
    case ParamType::real: return "float";
    case ParamType::boolean: return "bool";
    case ParamType::text: return "string";
    }
    return "?";
}

ParamSpec int_param(const std::string &name, int64_t def, int64_t min, int64_t max,
                    const std::string &help) {
    ParamSpec s;
    s.name = name;
    s.type = ParamType::integer;
    s.default_value = std::to_string(def);
    s.min = (double)min;
    s.max = (double)max;
    s.help = help;
    return s;
}

ParamSpec real_param(const std::string &name, double def, double min, double max,
                     const std::string &help) {
    ParamSpec s;
    s.name = name;
    s.type = ParamType::real;
    s.default_value = format_real(def);
    s.min = min;
    s.max = max;
    s.help = help;
    return s;
}

void ParamValues::set(const std::string &name, const std::string &value) {
    for (auto &kv : items_)
        if (kv.first == name) {
            kv.second = value;
            return;
        }
    items_.emplace_back(name, value);
}

bool ParamValues::has(const std::string &name) const {
    for (const auto &kv : items_)
        if (kv.first == name) return true;
    return false;
}

const std::string &ParamValues::text(const std::string &name) const {
    for (const auto &kv : items_)
        if (kv.first == name) return kv.second;
    throw Error(ErrorKind::internal, "parameter '" + name + "' is not set");
}

int64_t ParamValues::integer(const std::string &name) const {
    int64_t v;
    if (!parse_int(text(name), v))
        throw Error(ErrorKind::internal, "parameter '" + name + "' is not an integer");
    return v;
}

double ParamValues::real(const std::string &name) const {
    double v;
    if (!parse_real(text(name), v))
        throw Error(ErrorKind::internal, "parameter '" + name + "' is not a number");
    return v;
}

bool ParamValues::boolean(const std::string &name) const { return text(name) == "true"; }

std::pair<std::string, std::string> parse_assignment(const std::string &text) {
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw_usage("expected key=value, got '" + text + "'");
    return {text.substr(0, eq), text.substr(eq + 1)};
}

ParamValues resolve_params(const std::string &op, const std::vector<ParamSpec> &specs,
                           const std::vector<std::pair<std::string, std::string>> &given) {
    std::map<std::string, std::string> chosen;
    for (const auto &kv : given) {
        const ParamSpec *spec = find_spec(specs, kv.first);
        if (!spec)
            throw_usage(op + ": unknown parameter '" + kv.first + "' (known: " +
                        known_names(specs) + ")");
        chosen[kv.first] = canonicalize(op, *spec, kv.second);
    }
    ParamValues out;
    for (const auto &spec : specs) {
        auto it = chosen.find(spec.name);
        out.set(spec.name,
                it != chosen.end() ? it->second : canonicalize(op, spec, spec.default_value));
    }
    return out;
}

std::string canonical_form(const std::string &op, const ParamValues &values) {
    std::string out = op;
    bool first = true;
    for (const auto &kv : values.items()) {
        out += first ? ":" : ",";
        out += kv.first + "=" + kv.second;
        first = false;
    }
    return out;
}

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> parse_canonical(
    const std::string &text) {
    auto colon = text.find(':');
    std::string name = text.substr(0, colon);
    if (name.empty()) throw_usage("workload '" + text + "' has no operator name");
    std::vector<std::pair<std::string, std::string>> kvs;
    if (colon != std::string::npos) {
        std::stringstream ss(text.substr(colon + 1));
        std::string item;
        while (std::getline(ss, item, ','))
            if (!item.empty()) kvs.push_back(parse_assignment(item));
    }
    return {name, kvs};
}

}  // namespace htune
