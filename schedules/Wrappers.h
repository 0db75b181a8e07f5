// Wrappers (schedules/Schedule.h, FuncSchedule::wrap): a private copy of Func f for one of its
// consumers g, Halide's f.in(g). The wrapper reads f at the same coordinates (a plain copy, so
// an inlined f is evaluated inside it) and g reads the wrapper instead of f; f's other
// consumers are unchanged. Scheduled like any Func (root or compute_at), it lets an inlined
// Func that several consumers call be computed once per tile of the one consumer that
// recomputes it most (a stencil over it), where computing f itself there is not legal.
// Derived from PipelineAnalysis alone, so validation, sampling, apply() and to_cpp() agree.
#pragma once

#include <string>

#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

// "<func>_in_<consumer>": the schedule key of the wrapper of `func` for `consumer`.
std::string wrapper_func_name(const std::string &func, const std::string &consumer);

bool has_wrappers(const Schedule &s);

// The wrapper's structure: f's args and extents, one pure stage that loads f once per point,
// consumed by the stages of `consumer` that called f.
FuncInfo wrapper_info(const FuncInfo &f, const std::string &consumer);

// The analysis of the pipeline as `s` wraps it: each wrapper inserted right after its Func,
// the wrapped consumers' uses of f moved to the wrapper. When a wrap is illegal (the consumer
// does not call f, a name is taken, a Func not in `a` such as a wrapper), `*why` says so and the result is
// `a` unchanged.
PipelineAnalysis with_wrappers(const PipelineAnalysis &a, const Schedule &s, std::string *why);

}  // namespace htune
