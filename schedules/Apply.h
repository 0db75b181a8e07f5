// apply(): translate a Schedule into Halide scheduling calls on a fresh Pipeline; to_cpp():
// the same schedule as Halide C++ a user can paste into their algorithm.
#pragma once

#include <Halide.h>

#include <string>

#include "schedules/Schedule.h"

namespace htune {

// Applies `s` to the Funcs of `p` (which must be freshly built and unscheduled). Funcs the
// schedule does not mention keep Halide's defaults. Throws a usage Error (the candidate is
// invalid: status compile_error) naming the Func and the reason, before any compilation.
void apply_schedule(const Schedule &s, Halide::Pipeline &p, const Halide::Target &target);

// Halide C++ statements equivalent to `s` for pipeline `p` (Func variables named by their
// stable names, with '#' -> '_'). `p` supplies the Var/RVar names of each stage.
std::string to_cpp(const Schedule &s, const Halide::Pipeline &p);

}  // namespace htune
