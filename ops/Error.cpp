// htune::Error: the project error type (see Error.h).
#include "ops/Error.h"

namespace htune {

const char *to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::io: return "io";
    case ErrorKind::halide: return "halide";
    case ErrorKind::xgboost: return "xgboost";
    case ErrorKind::sqlite: return "sqlite";
    case ErrorKind::internal: return "internal";
    }
    return "internal";
}

Error::Error(ErrorKind kind, const std::string &message, std::string context)
    : std::runtime_error(message), kind_(kind), context_(std::move(context)) {}

void throw_usage(const std::string &message) { throw Error(ErrorKind::usage, message); }

void throw_io(const std::string &message, const std::string &path) {
    throw Error(ErrorKind::io, message, path);
}

}  // namespace htune
