// Typed operator parameters: ParamSpec (name, type, default, range) and ParamValues (the
// concrete values of one workload, kept as canonical text). Start at `resolve_params`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace htune {

enum class ParamType { integer, real, boolean, text };

struct ParamSpec {
    std::string name;
    ParamType type = ParamType::integer;
    std::string default_value;    // canonical text form
    double min = 0, max = 0;      // inclusive range for integer/real (ignored when min > max)
    std::vector<std::string> choices;  // allowed values for text params (empty: any)
    std::string help;
};

// Helper constructors for built-in ops.
ParamSpec int_param(const std::string &name, int64_t def, int64_t min, int64_t max,
                    const std::string &help);
ParamSpec real_param(const std::string &name, double def, double min, double max,
                     const std::string &help);

// Ordered (declaration order) name -> canonical text value.
class ParamValues {
public:
    ParamValues() = default;
    void set(const std::string &name, const std::string &value);
    bool has(const std::string &name) const;
    const std::string &text(const std::string &name) const;
    int64_t integer(const std::string &name) const;
    int i(const std::string &name) const { return (int)integer(name); }
    double real(const std::string &name) const;
    bool boolean(const std::string &name) const;
    const std::vector<std::pair<std::string, std::string>> &items() const { return items_; }
    bool operator==(const ParamValues &o) const { return items_ == o.items_; }
    bool operator!=(const ParamValues &o) const { return !(*this == o); }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// Parses "k=v" (as given to -p / -g) into a pair; throws a usage Error on bad syntax.
std::pair<std::string, std::string> parse_assignment(const std::string &text);

// Validates `given` against `specs` for operator `op`, fills defaults and returns the complete
// set in declaration order with canonical values. Throws a usage Error naming the first
// unknown parameter or bad value (e.g. "matmul: parameter N=-3 is out of range [1, 8192]").
ParamValues resolve_params(const std::string &op, const std::vector<ParamSpec> &specs,
                           const std::vector<std::pair<std::string, std::string>> &given);

// "name:k=v,k=v" in declaration order; "name" alone when there are no parameters.
std::string canonical_form(const std::string &op, const ParamValues &values);

// Inverse of canonical_form's syntax: "matmul:M=4,N=8" -> ("matmul", {{M,4},{N,8}}).
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> parse_canonical(
    const std::string &text);

const char *to_string(ParamType type);

}  // namespace htune
