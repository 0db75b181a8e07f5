// import_schedule: Halide's internal schedule of each Function (Internal::FuncSchedule and the
// StageSchedule of every definition) -> htune's Schedule. Each stage is translated on its own
// (ImportStage.cpp: split chains, order, vector, unroll and parallel loops); LoopLevels give
// compute_at/store_at. Then every Func that is not valid in the space is brought into it one
// adaptation at a time.
#include "schedules/Import.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "ops/CanonicalPipeline.h"
#include "ops/Error.h"
#include "ops/PipelineIO.h"
#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/ImportStage.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RuleHelpers.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"

namespace htune {

using namespace Halide;
using Halide::Internal::ForType;
using rules::contains;

namespace {

struct Placed {
    Placement placement = Placement::root;
    std::string func, var;  // compute_at: consumer (stable name) and Halide loop var
    std::string store_func, store_var;
    bool store_root = false;  // compute_at with storage hoisted to the root
};

// Whether a compute_at Func is stored at the loop it is computed at (no store_at of its own).
bool stored_where_computed(const Placed &p) {
    return !p.store_root && (p.store_func.empty() || (p.store_func == p.func && p.store_var == p.var));
}

// Halide's loop var `var` of the Function named `func` (Halide's name) as the space names it.
using VarNames = std::function<std::string(const std::string &func, const std::string &var)>;

Placed placement_of(const Internal::Function &fn, const std::map<std::string, std::string> &stable,
                    const VarNames &var_name) {
    Placed p;
    LoopLevel cl = fn.schedule().compute_level(), sl = fn.schedule().store_level();
    cl.lock();
    sl.lock();
    if (cl.is_inlined()) {
        p.placement = Placement::inline_;
        return p;
    }
    if (cl.is_root()) return p;
    p.placement = Placement::at;
    auto name = [&](const std::string &h) {
        auto it = stable.find(h);
        if (it == stable.end()) throw_usage(fn.name() + ": computed at unknown Func '" + h + "'");
        return it->second;
    };
    p.func = name(cl.func());
    p.var = var_name(cl.func(), cl.var().name());
    if (!sl.is_inlined() && !sl.is_root()) {
        p.store_func = name(sl.func());
        p.store_var = var_name(sl.func(), sl.var().name());
    }
    p.store_root = sl.is_root();
    return p;
}

// A copy of a stage's schedule with every loop name as the space names it (`var_name` of the
// Function `func`); a name made by a split keeps its own, and so does a piece of a dim it
// splits ("v12.xi" -> "v0.xi").
Internal::StageSchedule with_canonical_names(const Internal::StageSchedule &hs, const std::string &func,
                                             const VarNames &var_name) {
    Internal::StageSchedule c = hs.get_copy();
    auto rename = [&](std::string &n) {
        std::string head = n.substr(0, n.find('.'));
        n = var_name(func, head) + n.substr(head.size());
    };
    for (auto &sp : c.splits()) {
        rename(sp.old_var);
        rename(sp.outer);
        rename(sp.inner);
    }
    for (auto &d : c.dims()) rename(d.var);
    for (auto &rv : c.rvars()) rename(rv.var);
    return c;
}

}  // namespace

// One import; the Funcs in `one_level` (computed inside another's loops) keep one split level.
// When another such Func's multi-level splits have tails (multi_level_split_reason), its name
// goes to `redo` and the result is not final.
static ImportedSchedule import_with(const Halide::Pipeline &scheduled, const ScheduleSpace &space,
                                    ImportNames names, const std::set<std::string> &one_level,
                                    std::set<std::string> &redo) {
    const PipelineAnalysis &a = space.analysis();
    const Halide::Target &target = space.target();
    const bool as_written = names == ImportNames::as_written;
    auto stable = as_written ? canonical_func_names(scheduled) : stable_func_names(scheduled);
    std::map<std::string, Internal::Function> fns, by_halide_name = pipeline_functions(scheduled);
    for (const auto &kv : by_halide_name)
        if (stable.count(kv.first)) fns[stable.at(kv.first)] = kv.second;
    VarNames var_name = [&](const std::string &func, const std::string &var) {
        if (!as_written) return var;
        auto it = by_halide_name.find(func);
        return it == by_halide_name.end() ? var : canonical_var_name(it->second, var);
    };
    ImportedSchedule out;
    Schedule &s = out.schedule;
    std::map<std::string, std::vector<StageMap>> maps;
    std::map<std::string, Placed> placed;
    for (const auto &kv : fns)
        if (!a.has(kv.first) && !is_input_wrapper(kv.second))
            throw_usage("schedule import: the schedule made Func '" + without_unique_suffixes(kv.first) +
                        "', which the space does not have (rfactor, in() or another wrapper)");
    for (const FuncInfo &f : a.funcs()) {
        auto it = fns.find(f.name);
        if (it == fns.end()) {
            // Mullapudi2016 inlines by substituting a Func's definition into its callers, so the
            // Func is gone from the scheduled pipeline.
            if (!f.can_inline) throw_usage("schedule import: the pipeline has no Func '" + f.name + "'");
            s.funcs[f.name].placement = Placement::inline_;
            placed[f.name].placement = Placement::inline_;
            continue;
        }
        const Internal::Function &fn = it->second;
        if ((int)fn.updates().size() + 1 != (int)f.stages.size())
            throw_usage("schedule import: Func '" + f.name + "' has another number of stages");
        Placed p = placement_of(fn, stable, var_name);
        if (p.placement == Placement::inline_ && !f.can_inline) p.placement = Placement::root;
        placed[f.name] = p;
        FuncSchedule &fs = s.funcs[f.name];
        fs.placement = p.placement;
        if (p.placement == Placement::inline_) continue;
        // reorder_storage: the storage dims innermost first, kept where they differ from args.
        std::vector<std::string> storage;
        for (const auto &d : fn.schedule().storage_dims()) storage.push_back(var_name(fn.name(), d.var));
        if (storage != f.args) fs.storage = storage;
        // A Func computed inside another's loops splits a dim in more than one level only without
        // tails (validate_func); that needs its placement, known below: tried first, then
        // imported again in one level where it had tails.
        size_t levels = p.placement == Placement::at && one_level.count(f.name) ? 1 : kMaxSplitLevels;
        for (size_t i = 0; i < f.stages.size(); i++) {
            Internal::StageSchedule hs = i == 0 ? fn.definition().schedule() : fn.updates()[i - 1].schedule();
            if (as_written) hs = with_canonical_names(hs, fn.name(), var_name);
            maps[f.name].push_back(translate_stage(f, f.stages[i], hs, levels, out.changes));
            fs.stages.push_back(maps[f.name].back().st);
        }
    }
    // compute_at / store_at: the consumer's loops are known now.
    for (const FuncInfo &f : a.funcs()) {
        const Placed &p = placed[f.name];
        FuncSchedule &fs = s.funcs[f.name];
        if (p.placement != Placement::at) continue;
        auto give_up = [&](const std::string &why) {
            out.changes.push_back(f.name + ": " + why + "; computed at the root instead");
            fs.placement = Placement::root;
        };
        if (!maps.count(p.func)) {
            give_up("its consumer " + p.func + " has no loops");
            continue;
        }
        // The consuming stage whose loops have that name (the Func's uses say which stages
        // call it).
        std::string loop;
        int stage = -1;
        auto uses = effective_uses(a, s, f);
        // First among the stages that consume f; then, for an enclosing Func that does not
        // consume it (a fusion group), the stage that has the loop (validate_func requires it to
        // be the only one).
        for (bool consumers_only : {true, false})
            for (int k = 0; k < (int)maps[p.func].size() && loop.empty(); k++) {
                if (consumers_only && !uses.count({p.func, k}) && maps[p.func].size() > 1) continue;
                loop = loop_named(maps[p.func][k], p.var);
                stage = k;
            }
        if (loop.empty()) {
            give_up("loop '" + p.var + "' of " + p.func + " not found");
            continue;
        }
        fs.at_func = p.func;
        fs.at_stage = stage;
        fs.at_loop = loop;
        if (!p.store_func.empty() && p.store_func == p.func) {
            std::string st = loop_named(maps[p.func][stage], p.store_var);
            if (st != loop) fs.store_loop = st;
        } else if (const Placed &c = placed[p.func]; !p.store_func.empty() && c.placement == Placement::at &&
                                                     c.func == p.store_func && c.var == p.store_var &&
                                                     stored_where_computed(c)) {
            // Stored where its consumer is computed (Adams2019's unsharp: gray).
            fs.store_with_consumer = true;
        } else if (!p.store_func.empty() || p.store_root) {
            out.changes.push_back(
                f.name + ": stored " +
                (p.store_root ? std::string("at the root") : "in " + p.store_func + "'s loops") +
                "; stored where it is computed instead");
        }
    }
    // Unrolled loops that only the placement makes constant (a Func inside a tile).
    for (const FuncInfo &f : a.funcs()) {
        FuncSchedule &fs = s.funcs[f.name];
        if (fs.placement == Placement::inline_) continue;
        ConstantRegion region = region_per_iteration(a, s, f);
        for (size_t i = 0; i < fs.stages.size(); i++) {
            LoopNest nest = loop_nest(f.stages[i], fs.stages[i], region);
            for (const auto &[ours, piece] : maps[f.name][i].unroll_if_constant) {
                if (!nest.known_extent.count(ours))
                    out.changes.push_back(f.name + " stage " + std::to_string(i) + ": unroll of '" + piece +
                                          "' dropped (no constant extent here)");
                else if (!contains(fs.stages[i].unroll, ours))
                    fs.stages[i].unroll.push_back(ours);
            }
        }
    }
    // Tails: kept where they differ from what apply() would choose for this placement.
    for (const FuncInfo &f : a.funcs()) {
        FuncSchedule &fs = s.funcs[f.name];
        if (fs.placement == Placement::inline_) continue;
        for (size_t i = 0; i < fs.stages.size(); i++)
            for (DimSplit &d : fs.stages[i].splits) {
                const auto &tails = maps[f.name][i].tails;
                auto t = tails.find(d.var);
                if (t == tails.end()) continue;
                std::string name = tail_name(t->second);
                // Tiles that inner factors do not divide are valid only with an explicit
                // shift_inwards or round_up (validate_stage), whatever this placement's default.
                if (maps[f.name][i].uneven_tiles.count(d.var) ||
                    (t->second != default_tail(f, fs, f.stages[i], d.var) && !name.empty()))
                    d.tail = name;
            }
    }
    for (const FuncInfo &f : a.funcs())
        if (!one_level.count(f.name) &&
            !multi_level_split_reason(f, s.funcs[f.name], tail_free_region(a, s, f)).empty())
            redo.insert(f.name);
    if (!redo.empty()) return out;
    // Bring every invalid Func into the space: consumers first, since their loops are what
    // producers are placed at. Each step is tried in turn until the Func is valid.
    std::optional<Schedule> heur;  // only when some Func needs it
    for (int pass = 0; pass < 4 && !space.validate(s).empty(); pass++) {
        for (auto f = a.funcs().rbegin(); f != a.funcs().rend(); ++f) {
            FuncSchedule &fs = s.funcs[f->name];
            std::string why = validate_func(a, target, s, *f);
            if (why.empty()) continue;
            std::vector<std::pair<std::string, std::function<void()>>> steps = {
                {"default tails",
                 [&] {
                     for (auto &st : fs.stages)
                         for (auto &d : st.splits) d.tail.clear();
                 }},
                {"stored where it is computed",
                 [&] {
                     fs.store_loop.clear();
                     fs.store_with_consumer = false;
                 }},
                {"unrolling dropped",
                 [&] {
                     for (auto &st : fs.stages) st.unroll.clear();
                 }},
                {"computed at the root",
                 [&] {
                     if (fs.placement != Placement::inline_) {
                         fs.placement = Placement::root;
                         fs.at_func = fs.at_loop = fs.store_loop = "";
                         fs.at_stage = 0;
                     }
                 }},
                {"the heuristic's schedule for it used",
                 [&] {
                     if (!heur) heur = space.heuristic();
                     fs = heur->funcs.at(f->name);
                 }},
            };
            for (auto &[what, step] : steps) {
                FuncSchedule before = fs;
                step();
                if (fs == before) continue;
                std::string now = validate_func(a, target, s, *f);
                if (now.empty()) {
                    out.changes.push_back(why + "; " + what);
                    break;
                }
                if (what == "default tails") fs = before;  // tails were not the problem: keep them
            }
        }
    }
    std::string why = space.validate(s);
    if (!why.empty()) throw_usage("schedule import: " + why);
    return out;
}

ImportedSchedule import_schedule(const Halide::Pipeline &scheduled, const ScheduleSpace &space,
                                 ImportNames names) {
    std::set<std::string> one_level;
    for (;;) {
        std::set<std::string> redo;
        ImportedSchedule out = import_with(scheduled, space, names, one_level, redo);
        if (redo.empty()) return out;
        one_level.insert(redo.begin(), redo.end());
    }
}

}  // namespace htune
