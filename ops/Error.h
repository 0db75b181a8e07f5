// htune's one error type: everything that is not a candidate's measured outcome throws
// htune::Error with a kind and context. Start here to see how the CLI maps kinds to exits.
#pragma once

#include <stdexcept>
#include <string>

namespace htune {

enum class ErrorKind { usage, io, halide, xgboost, sqlite, internal };

const char *to_string(ErrorKind kind);

class Error : public std::runtime_error {
public:
    // `message` is one line naming what was wrong; `context` names the op, path or hash.
    Error(ErrorKind kind, const std::string &message, std::string context = "");

    ErrorKind kind() const { return kind_; }
    const std::string &context() const { return context_; }

private:
    ErrorKind kind_;
    std::string context_;
};

// Shorthands for the common kinds.
[[noreturn]] void throw_usage(const std::string &message);
[[noreturn]] void throw_io(const std::string &message, const std::string &path = "");

}  // namespace htune
