// apply(): translate a Schedule into Halide scheduling calls on a fresh Pipeline; to_cpp():
// the same schedule as Halide C++ a user can paste into their algorithm.
#pragma once

#include <Halide.h>

#include <string>

#include "schedules/Schedule.h"

namespace htune {

struct FuncInfo;
struct StageInfo;

// The tail strategy a split of `var` (of `stage` of `f`, placed as `fs` says) gets when its
// DimSplit::tail is "": chosen so a candidate never reads outside what the algorithm reads
// (Halide's Auto picks RoundUp for updates and over-computes). ShiftInwards only where the whole
// region is computed at once (pure stage of a root Func with a known extent >= factor, checked
// by the space); GuardWithIf elsewhere: per-tile regions of compute_at Funcs can be smaller
// than the factor, and updates must not be applied twice to the same point.
Halide::TailStrategy default_tail(const FuncInfo &f, const FuncSchedule &fs, const StageInfo &stage,
                                  const std::string &var);
// The strategy a split gets: its explicit tail, else default_tail.
Halide::TailStrategy tail_strategy(const DimSplit &d, const FuncInfo &f, const FuncSchedule &fs,
                                   const StageInfo &stage);
// DimSplit::tail's name for a strategy ("" for Auto and the predicated ones, which the space
// does not use).
std::string tail_name(Halide::TailStrategy t);

// Whether the outermost loop of split `d` is one of several loops `st` fuses into its parallel
// loop.
bool outer_loop_fused(const DimSplit &d, const StageSchedule &st);
// Whether apply() writes split `d` (tail strategy `tail`) of stage schedule `st` innermost first
// (the innermost factor first, then the ratios outwards; same loops and points): guarded splits
// in several levels whose factors each divide the one outside, unless the outer loop is fused
// (Apply.cpp says why).
bool writes_innermost_first(const DimSplit &d, const StageSchedule &st, Halide::TailStrategy tail);

// Applies `s` to the Funcs of `p` (which must be freshly built and unscheduled). Funcs the
// schedule does not mention keep Halide's defaults. Throws a usage Error (the candidate is
// invalid: status compile_error) naming the Func and the reason, before any compilation.
void apply_schedule(const Schedule &s, Halide::Pipeline &p, const Halide::Target &target);

// Halide C++ statements equivalent to `s` for pipeline `p` (Func variables named by their
// stable names, with '#' -> '_'). `p` supplies the Var/RVar names of each stage.
std::string to_cpp(const Schedule &s, const Halide::Pipeline &p);

}  // namespace htune
