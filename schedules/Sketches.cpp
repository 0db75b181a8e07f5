// ScheduleSpace::sketches(): the sketch families (SketchRule, one file each under
// schedules/sketches/) in the order their sketches come out, and the walk over them that keeps
// the valid, distinct ones.
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schedules/SketchRule.h"
#include "schedules/Space.h"

namespace htune {

// One line per rule: X(factory), where schedules/sketches/<Family>.cpp defines
// `std::unique_ptr<SketchRule> factory()` (with make_sketch_rule, or a SketchRule of its own).
// The order is that of the sketches: the fused register tiles first (they keep their
// accumulators in registers), the families that build on every sketch before them (scatter at
// consumer rows, gathers, private copies) after those they combine with, the register tiles at
// the root last. A new family: its file (and its CMakeLists.txt entry), and a line here.
#define HTUNE_SKETCH_RULES(X)        \
    X(fused_register_tiles_rule)     \
    X(rfactor_tiles_rule)            \
    X(scatter_chains_rule)           \
    X(sliding_windows_rule)          \
    X(pyramids_rule)                 \
    X(scatter_at_consumer_rows_rule) \
    X(interleaved_gathers_rule)      \
    X(private_copies_rule)           \
    X(root_register_tiles_rule)

#define HTUNE_DECLARE_SKETCH_RULE(factory) std::unique_ptr<SketchRule> factory();
HTUNE_SKETCH_RULES(HTUNE_DECLARE_SKETCH_RULE)
#undef HTUNE_DECLARE_SKETCH_RULE

const std::vector<std::unique_ptr<SketchRule>> &sketch_rules() {
    static const std::vector<std::unique_ptr<SketchRule>> rules = [] {
        std::vector<std::unique_ptr<SketchRule>> r;
#define HTUNE_ADD_SKETCH_RULE(factory) r.push_back(factory());
        HTUNE_SKETCH_RULES(HTUNE_ADD_SKETCH_RULE)
#undef HTUNE_ADD_SKETCH_RULE
        return r;
    }();
    return rules;
}

std::vector<Schedule> SketchInput::on_each_start(
    const std::function<std::optional<Schedule>(const Schedule &)> &f) const {
    std::vector<Schedule> out;
    if (std::optional<Schedule> s = f(heuristic)) out.push_back(std::move(*s));
    for (const Schedule &start : earlier)
        if (std::optional<Schedule> s = f(start)) out.push_back(std::move(*s));
    return out;
}

namespace {

// make_sketch_rule's rule.
class FunctionRule final : public SketchRule {
public:
    FunctionRule(std::string name, std::vector<Schedule> (*sketches)(const SketchInput &))
        : name_(std::move(name)), sketches_(sketches) {}
    std::string name() const override { return name_; }
    std::vector<Schedule> sketches(const SketchInput &in) const override { return sketches_(in); }

private:
    std::string name_;
    std::vector<Schedule> (*sketches_)(const SketchInput &);
};

}  // namespace

std::unique_ptr<SketchRule> make_sketch_rule(std::string name,
                                             std::vector<Schedule> (*sketches)(const SketchInput &)) {
    return std::make_unique<FunctionRule>(std::move(name), sketches);
}

std::vector<Schedule> ScheduleSpace::sketches() const {
    const Schedule base = heuristic();
    std::vector<Schedule> out;
    std::set<std::string> seen;  // (the heuristic itself is not a sketch, and is not in here)
    for (const auto &rule : sketch_rules())
        for (Schedule &s : rule->sketches(SketchInput{*this, base, out}))
            if (validate(s).empty() && seen.insert(schedule_hash(s)).second) out.push_back(std::move(s));
    return out;
}

}  // namespace htune
