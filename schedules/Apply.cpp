// apply_schedule / to_cpp (see Apply.h). TEMPORARY: only the empty schedule is supported
// until the real implementation lands.
#include "schedules/Apply.h"

#include "ops/Error.h"

namespace htune {

void apply_schedule(const Schedule &s, Halide::Pipeline &p, const Halide::Target &target) {
    if (!s.funcs.empty()) throw Error(ErrorKind::internal, "apply_schedule: not implemented yet");
}

std::string to_cpp(const Schedule &s, const Halide::Pipeline &p) { return "// (empty schedule)\n"; }

}  // namespace htune
