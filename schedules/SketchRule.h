// SketchRule: one family of sketches, the search starting points beyond the heuristic
// (Ansor's sketches) that ScheduleSpace::sketches() returns. Start at sketch_rules() in
// Sketches.cpp (the families in order); each family is one file under schedules/sketches/.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedules/Schedule.h"

namespace htune {

class ScheduleSpace;  // schedules/Space.h

// What a rule sees; every reference outlives the call.
struct SketchInput {
    const ScheduleSpace &space;            // its analysis(), target() and validate()
    const Schedule &heuristic;             // ScheduleSpace::heuristic(): where every sketch starts
    const std::vector<Schedule> &earlier;  // the sketches kept from the rules before, in order

    // `f` applied to the heuristic, then to every earlier sketch, in that order: what it gives
    // (a family that builds on the sketches before it).
    std::vector<Schedule> on_each_start(
        const std::function<std::optional<Schedule>(const Schedule &)> &f) const;
};

class SketchRule {
public:
    virtual ~SketchRule() = default;
    // The family's name in a few words ("fused register tiles").
    virtual std::string name() const = 0;
    // The family's sketches for this pipeline, in order; empty when it does not apply. The
    // caller keeps those that validate() accepts and that no rule gave before, so a rule may
    // return candidates without checking either.
    virtual std::vector<Schedule> sketches(const SketchInput &in) const = 0;
};

// A rule of a name and a function: the families so far need no state of their own.
std::unique_ptr<SketchRule> make_sketch_rule(std::string name,
                                             std::vector<Schedule> (*sketches)(const SketchInput &));

// The families, in the order their sketches come out of ScheduleSpace::sketches().
const std::vector<std::unique_ptr<SketchRule>> &sketch_rules();

}  // namespace htune
