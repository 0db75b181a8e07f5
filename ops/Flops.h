// Arithmetic counts of any Pipeline: what `compare` and `best` turn into GFLOP/s and % of peak
// when the algorithm does not state its own (user Generators). Start at count_flops().
#pragma once

#include <Halide.h>

namespace htune {

struct PipelineIO;

// Operations of one run of the algorithm as written: for every Func and stage, the arithmetic
// of its values (add, sub, mul, div, mod, min, max, select, comparisons, and one per math
// call such as exp or sqrt; index arithmetic inside calls and the update's own args is
// not counted) times the points it is defined over (the Func's required region for the
// outputs' estimates, times the RDom's extent for updates; predicates are ignored, so an
// RDom with where() counts its whole box). Inlined or recomputed work is not counted twice:
// this is the algorithm's work, as a user reads GFLOP/s. 0 when a region is unknown.
double count_flops(const Halide::Pipeline &p, const PipelineIO &io);

}  // namespace htune
