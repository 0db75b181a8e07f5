// The canonical form of a Pipeline: the same algorithm rebuilt with names that survive a
// rebuild, and with no schedule. Every Pipeline htune works on passes through here
// (Workload::build), so the schedule space, apply, import, features, database keys and
// `htune build` all see the same names in every process. Start at canonical_pipeline().
#pragma once

#include <Halide.h>

#include <map>
#include <string>

namespace htune {

// How the names are derived (DESIGN.md, "Names that survive a rebuild"). Halide makes names
// unique with process-global counters ("blur$3", "f12", "lambda_5", "sum$2", "v7",
// "r452$x"), so two builds of one algorithm disagree. Here:
//  - Funcs: the *base* of Halide's name is what the user wrote: "$N" is dropped, and the
//    names Halide invents for unnamed Funcs ("f12" -> "f", "lambda_5" -> "lambda") keep
//    their prefix only; BoundaryConditions' and inline reductions' Funcs keep theirs
//    ("repeat_edge", "sum", "maximum", ...). A base used by one Func is its name. When
//    several Funcs share a base (Funcs made in a loop, two `sum`s, two unnamed Funcs), each
//    is "base#k", k its rank among them in *definition order*: a depth-first walk from the
//    outputs (in pipeline order) through each Func's pure definition, then its updates,
//    visiting the calls of each definition's args, values and predicate in the order they
//    appear. That walk depends only on the algorithm's structure: not on how many Funcs the
//    process made before, and not on sizes (so records transfer between size settings).
//  - Vars: a Func's pure arg that Halide named ("v12", an unnamed Var) becomes "v<i>", i its
//    position in the Func's args; vars the user named ("x") and implicit vars ("_0") stay.
//  - RDoms: an update's reduction domain that Halide named ("r452") becomes "r" (one RDom
//    per stage, so the RVars "r$x", "r$y" are unique in their stage); a named RDom keeps its
//    name. Each (Func, update) gets its own copy of the domain, predicate included.
// Inputs (Parameters) are not renamed: their names are the pipeline's interface.
//
// The rebuild copies definitions only (pure, updates, extern definitions, estimates on the
// Funcs and on the outputs' buffers): whatever the algorithm's author scheduled (compute_at,
// store_at, splits, Func::in wrappers, bound, specializations, ...) is dropped, so every
// schedule htune applies starts from a clean slate. A schedule that changed the algorithm's
// structure (an rfactor) stays as the structure it made.
Halide::Pipeline canonical_pipeline(const Halide::Pipeline &p);

// Halide name -> canonical name for every Function reachable from `p`'s outputs (what
// canonical_pipeline names them; `htune ops --describe` shows it).
std::map<std::string, std::string> canonical_func_names(const Halide::Pipeline &p);

// What canonical_pipeline calls the loop var `var` of Function `f` (Halide's name for it): a
// pure arg Halide named ("v12") is "v<i>" by its position, an RVar of an unnamed RDom
// ("r452$x") is "r$x"; anything else keeps its name. For reading a schedule written on the
// pipeline as built (the `as_written` import).
std::string canonical_var_name(const Halide::Internal::Function &f, const std::string &var);

// True when any Function of `p` carries a scheduling directive: a compute or store level, a
// split, a loop type other than serial, a reorder, a wrapper (Func::in), bound, prefetch,
// fused pair, specialization, memory type, async or memoize. A Generator built with
// auto_schedule=false that writes no schedule has none (its `as_written` row would be Halide's
// defaults, the `naive` row).
bool has_schedule_directives(const Halide::Pipeline &p);

// The base of a Halide Func name (see above): "blur$3" -> "blur", "f12" -> "f",
// "lambda_5" -> "lambda".
std::string func_base_name(const std::string &halide_name);

}  // namespace htune
