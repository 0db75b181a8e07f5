// Adams2019's unsharp schedule at bench size, written by hand on the unsharp test Generator:
// gray computed at detail's y and stored at output's x, where detail itself is computed
// (FuncSchedule::store_with_consumer), detail's helpers at its y, the rest at the root.
#pragma once

#include <Halide.h>

#include <set>
#include <string>

#include "schedules/PipelineAnalysis.h"

namespace htune {

// The Funcs computed at detail's y besides gray.
inline const std::set<std::string> &unsharp_in_detail() {
    static const std::set<std::string> names = {"blur_y", "blur_x", "sum#1", "sum#2"};
    return names;
}

// Applies that schedule to `p` (built from the unsharp Generator). output's x tile of 32 is
// split again by 3 (a tile its inner factor does not divide) when `inner_by_3`; its y tile
// is parallel otherwise.
inline void schedule_like_adams2019_unsharp(Halide::Pipeline p, bool inner_by_3 = false) {
    auto fns = functions_by_stable_name(p);
    auto F = [&](const std::string &n) { return Halide::Func(fns.at(n)); };
    for (const auto &[name, fn] : fns)
        if (name != "output" && name != "detail" && name != "gray" && !unsharp_in_detail().count(name) &&
            name.rfind("lambda", 0) != 0)
            Halide::Func(fn).compute_root();
    Halide::Var x("x"), y("y"), c("c"), xi("xi"), xii("xii"), yi("yi");
    if (inner_by_3)
        F("output")
            .split(y, y, yi, 16)
            .split(x, x, xi, 32)
            .split(xi, xi, xii, 3)
            .reorder(xii, xi, yi, c, x, y);
    else
        F("output").split(y, y, yi, 16).split(x, x, xi, 32).reorder(xi, yi, c, x, y).parallel(y);
    F("detail").split(y, y, yi, 4).compute_at(F("output"), x);
    for (const auto &n : unsharp_in_detail()) F(n).compute_at(F("detail"), y);
    F("gray").compute_at(F("detail"), y).store_at(F("output"), x);
}

}  // namespace htune
