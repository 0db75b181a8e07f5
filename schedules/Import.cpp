// import_schedule: Halide's internal schedule of each Function (Internal::FuncSchedule and the
// StageSchedule of every definition) -> htune's Schedule. Per stage, every split chain of a
// dimension is read as a list of pieces (outermost first; all but the first have a constant
// extent) and becomes one DimSplit; the final dims give the order, the vectorized, unrolled and
// parallel loops; LoopLevels give compute_at/store_at. Then every Func that is not valid in the
// space is brought into it one adaptation at a time.
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
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"

namespace htune {

using namespace Halide;
using Halide::Internal::ForType;

namespace {

struct Piece {
    std::string name;  // Halide's (qualified) dim name, e.g. "x.xi.xii"
    int extent = 0;    // constant trip count; 0 = not constant (the outermost piece)
    int span = 0;      // points of the dim it and the pieces inside it cover; 0 = not constant
};

// One translated stage: the StageSchedule and, for compute_at/store_at, Halide's final dim
// names (innermost first) with the loop each became in the StageSchedule.
struct StageMap {
    StageSchedule st;
    // Unrolled loops whose trip count is not constant by their splits: kept once the
    // placement shows it constant (AtRegion.h); (our loop, Halide's name).
    std::vector<std::pair<std::string, std::string>> unroll_if_constant;
    std::vector<std::pair<std::string, std::string>> dims;  // Halide dim -> our loop
    std::map<std::string, TailStrategy> tails;              // split dim -> its first split's tail
    std::set<std::string> uneven_tiles;  // dims whose inner factors do not all divide (explicit tail)
};

// What Halide does with TailStrategy::Auto (its documented rule).
TailStrategy resolve_auto(TailStrategy t, const StageInfo &info, const std::string &dim) {
    if (t != TailStrategy::Auto) return t;
    if (info.index == 0) return TailStrategy::ShiftInwards;
    return info.is_rvar(dim) ? TailStrategy::GuardWithIf : TailStrategy::RoundUp;
}

bool contains(const std::vector<std::string> &v, const std::string &s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// `var` names dim `dim` the way Halide's LoopLevel matching does: equal, or its last
// component(s) after a '.'.
bool names_dim(const std::string &dim, const std::string &var) {
    return dim == var ||
           (dim.size() > var.size() && dim.compare(dim.size() - var.size(), var.size(), var) == 0 &&
            dim[dim.size() - var.size() - 1] == '.');
}

StageMap translate_stage(const FuncInfo &fi, const StageInfo &info, const Internal::StageSchedule &hs,
                         size_t max_levels, std::vector<std::string> &changes) {
    const std::string &func = fi.name;
    const std::string where = func + " stage " + std::to_string(info.index) + ": ";
    StageMap out;
    std::map<std::string, std::vector<Piece>> pieces;  // stage dim -> its pieces, outermost first
    std::map<std::string, std::string> owner;          // piece name -> stage dim
    std::map<std::string, std::pair<std::string, std::string>> fused;  // fused name -> (inner, outer)
    std::vector<std::string> split_dims;                               // in the order of their first split
    std::map<std::string, std::vector<std::string>> not_dividing;      // dim -> what whole tiles change
    // Dims whose splits do not all shift inwards, or do not all round up.
    std::set<std::string> not_whole_tails;
    for (const auto &d : info.default_order) {
        pieces[d] = {Piece{d, 0, 0}};
        owner[d] = d;
    }
    auto find_piece = [&](const std::string &name) -> std::pair<std::vector<Piece> *, size_t> {
        auto it = owner.find(name);
        if (it == owner.end()) throw_usage(where + "'" + name + "' is not a loop of this stage");
        auto &list = pieces.at(it->second);
        for (size_t i = 0; i < list.size(); i++)
            if (list[i].name == name) return {&list, i};
        throw Error(ErrorKind::internal, where + "lost track of loop '" + name + "'");
    };
    for (const Internal::Split &sp : hs.splits()) {
        if (sp.is_split()) {
            const int64_t *f = Internal::as_const_int(sp.factor);
            if (!f || *f < 1) throw_usage(where + "split of '" + sp.old_var + "' by a non-constant factor");
            auto [list, i] = find_piece(sp.old_var);
            Piece p = (*list)[i];
            std::string dim = owner.at(p.name);
            if (!contains(split_dims, dim)) split_dims.push_back(dim);
            TailStrategy tail = resolve_auto(sp.tail, info, dim);
            if (!out.tails.count(dim)) out.tails[dim] = tail;
            // A factor that does not divide a constant piece: Halide runs the inner loop over a
            // shifted, rounded-up or guarded last tile. Shifted inwards or rounded up at every
            // level of a pure definition, the space holds it (factors are then the tiles' sizes,
            // 128 and 3 for 128 / 3); otherwise the piece grows to whole tiles below (129).
            if (p.extent > 0 && p.extent % *f != 0) {
                not_dividing[dim].push_back("split of '" + p.name + "' (" + std::to_string(p.extent) +
                                            ") by " + std::to_string(*f) + " kept with whole tiles (" +
                                            std::to_string((p.extent + *f - 1) / *f * *f) + ")");
            }
            if (tail != out.tails[dim] ||
                (tail != TailStrategy::ShiftInwards && tail != TailStrategy::RoundUp))
                not_whole_tails.insert(dim);
            // Rounded up on an output, the spill would write past the caller's buffer.
            if (tail == TailStrategy::RoundUp && fi.is_output) not_whole_tails.insert(dim);
            int stride = i + 1 < list->size() ? (*list)[i + 1].span : 1;
            Piece outer{sp.outer, p.extent > 0 ? (int)((p.extent + *f - 1) / *f) : 0, p.span},
                inner{sp.inner, (int)*f, stride > 0 ? (int)*f * stride : 0};
            (*list)[i] = outer;
            list->insert(list->begin() + i + 1, inner);
            owner.erase(p.name);
            owner[sp.outer] = owner[sp.inner] = dim;
        } else if (sp.is_rename()) {
            auto [list, i] = find_piece(sp.old_var);
            std::string dim = owner.at(sp.old_var);
            (*list)[i].name = sp.outer;
            owner.erase(sp.old_var);
            owner[sp.outer] = dim;
        } else if (sp.is_fuse()) {
            fused[sp.old_var] = {sp.inner, sp.outer};
        } else {
            throw_usage(where + "purified reduction loop '" + sp.old_var + "' is not in the space");
        }
    }
    // Final dims, innermost first, fused loops expanded into their pieces (inner first).
    struct Loop {
        std::string piece, halide;  // the piece; the Halide dim it is (part of)
        ForType type;
    };
    std::vector<Loop> loops;
    std::function<void(const std::string &, const std::string &, ForType)> expand =
        [&](const std::string &n, const std::string &h, ForType t) {
            auto it = fused.find(n);
            if (it == fused.end()) {
                find_piece(n);  // must exist
                loops.push_back({n, h, t});
                return;
            }
            expand(it->second.first, h, t);
            expand(it->second.second, h, t);
        };
    for (const Internal::Dim &d : hs.dims()) {
        if (d.var == Var::outermost().name()) continue;
        expand(d.var, d.var, d.for_type);
    }
    // Our splits and the loop each piece becomes.
    std::map<std::string, std::string> loop_of;  // piece -> our loop
    for (const auto &d : info.default_order)
        if (!contains(split_dims, d)) split_dims.push_back(d);
    for (const auto &d : split_dims) {
        const auto &list = pieces.at(d);
        size_t levels = list.size() - 1, keep = std::min(levels, max_levels);
        if (keep < levels)
            changes.push_back(where + "split of '" + d + "' in " + std::to_string(levels) +
                              " levels kept as " + std::to_string(keep));
        auto names = split_loop_names(d, keep);
        for (size_t i = 0; i < list.size(); i++) {
            size_t k = i + keep < list.size() ? 0 : i + keep + 1 - list.size();
            loop_of[list[i].name] = names[k];
        }
        if (keep == 1) out.st.splits.push_back({d, {list.back().extent}});
        if (keep >= 2) {
            // Factors outermost first: each level's tile size. Where every split divides, that
            // is the level's constant extent times the ones inside it; where some inner split
            // does not and all shift inwards (or all round up), the tile sizes Halide splits
            // (its pieces' spans).
            bool exact_tiles = not_dividing.count(d) && info.index == 0 && !not_whole_tails.count(d) &&
                               keep == levels && list[list.size() - keep].span > 0;
            std::vector<int> factors(keep);
            int inside = 1;
            for (size_t k = 0; k < keep; k++) {
                inside *= list[list.size() - 1 - k].extent;
                factors[keep - 1 - k] = exact_tiles ? list[list.size() - 1 - k].span : inside;
            }
            if (exact_tiles) {
                out.uneven_tiles.insert(d);
            } else if (not_dividing.count(d)) {
                for (const auto &c : not_dividing[d]) changes.push_back(where + c);
            }
            out.st.splits.push_back({d, factors});
        }
    }
    // Order: innermost first; pieces merged into one loop take the place of the outermost.
    std::vector<std::string> order;
    for (auto it = loops.rbegin(); it != loops.rend(); ++it)
        if (!contains(order, loop_of.at(it->piece))) order.push_back(loop_of.at(it->piece));
    std::reverse(order.begin(), order.end());
    LoopNest nest = loop_nest(info, StageSchedule{out.st.splits, order, "", {}, {}});
    // Vectorized: the innermost vectorized pure loop with a constant extent; moved innermost
    // only when a loop of its own dimension runs inside it (validate_stage).
    for (const Loop &l : loops) {
        if (l.type != ForType::Vectorized) continue;
        const std::string &ours = loop_of.at(l.piece);
        if (!out.st.vectorize.empty() || nest.is_rvar(ours) || !nest.constant.count(ours)) {
            if (ours != out.st.vectorize) changes.push_back(where + "vectorize of '" + l.piece + "' dropped");
            continue;
        }
        out.st.vectorize = ours;
        bool same_dim_inside = false;
        for (const auto &o : order) {
            if (o == ours) break;
            same_dim_inside = same_dim_inside || nest.dim.at(o) == nest.dim.at(ours);
        }
        if (same_dim_inside) {
            changes.push_back(where + "vectorized loop '" + l.piece + "' moved innermost");
            order.erase(std::find(order.begin(), order.end(), ours));
            order.insert(order.begin(), ours);
        }
    }
    // Parallel: the outermost run of adjacent parallel pure loops (serial loops may run outside
    // it), fused; a parallel loop nested inside that run is serial here.
    std::vector<std::string> par;  // outermost first
    enum { before, in_run, after } run = before;
    for (size_t i = order.size(); i-- > 0;) {
        const std::string &ours = order[i];
        bool is_par = false;
        for (const Loop &l : loops)
            if (loop_of.at(l.piece) == ours && l.type == ForType::Parallel) is_par = true;
        const bool can = is_par && !nest.is_rvar(ours) && ours != out.st.vectorize;
        if (run != after && can) {
            par.push_back(ours);
            run = in_run;
            continue;
        }
        if (run == in_run) run = after;
        if (is_par)
            changes.push_back(where + "parallel loop '" + ours + "' made serial (" +
                              (can ? "nested inside another parallel loop" : "a reduction or vector loop") +
                              ")");
    }
    out.st.parallel.assign(par.rbegin(), par.rend());
    // Unrolled: loops with a constant extent only.
    for (const Loop &l : loops) {
        if (l.type != ForType::Unrolled) continue;
        const std::string &ours = loop_of.at(l.piece);
        if (contains(out.st.unroll, ours)) continue;
        if (ours == out.st.vectorize || contains(out.st.parallel, ours)) {
            changes.push_back(where + "unroll of '" + l.piece + "' dropped (vectorized or parallel here)");
            continue;
        }
        if (!nest.known_extent.count(ours)) {
            std::pair<std::string, std::string> u{ours, l.piece};
            auto &pending = out.unroll_if_constant;
            if (std::find(pending.begin(), pending.end(), u) == pending.end()) pending.push_back(u);
            continue;
        }
        out.st.unroll.push_back(ours);
    }
    // Always explicit, as sampling and the heuristic write it.
    out.st.order = order;
    std::string fused_name = out.st.parallel.empty() ? "" : fused_loop_name(out.st.parallel);
    for (const Loop &l : loops) {
        std::string ours = loop_of.at(l.piece);
        if (contains(out.st.parallel, ours)) ours = fused_name;
        out.dims.emplace_back(l.halide, ours);
        if (l.halide != l.piece) out.dims.emplace_back(l.piece, ours);
    }
    return out;
}

// The loop of a translated stage that LoopLevel var `var` names; "" when none.
std::string loop_named(const StageMap &m, const std::string &var) {
    for (const auto &d : m.dims)
        if (d.first == var) return d.second;
    for (const auto &d : m.dims)
        if (names_dim(d.first, var)) return d.second;
    return "";
}

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
            throw_usage("schedule import: the schedule made Func '" + kv.first +
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
