// One stage's Halide schedule -> StageSchedule (see ImportStage.h). Every split chain of a
// dimension is read as a list of pieces (outermost first; all but the first have a constant
// extent) and becomes one DimSplit; the final dims give the order, the vectorized, unrolled and
// parallel loops.
#include "schedules/ImportStage.h"

#include <algorithm>
#include <optional>

#include "ops/Error.h"
#include "schedules/Apply.h"
#include "schedules/Loops.h"
#include "schedules/RuleHelpers.h"

namespace htune {

using namespace Halide;
using Halide::Internal::ForType;
using rules::contains;

namespace {

struct Piece {
    std::string name;  // Halide's (qualified) dim name, e.g. "x.xi.xii"
    int extent = 0;    // constant trip count; 0 = not constant (the outermost piece)
    int span = 0;      // points of the dim it and the pieces inside it cover; 0 = not constant
};

// What Halide does with TailStrategy::Auto (its documented rule).
TailStrategy resolve_auto(TailStrategy t, const StageInfo &info, const std::string &dim) {
    if (t != TailStrategy::Auto) return t;
    if (info.index == 0) return TailStrategy::ShiftInwards;
    return info.is_rvar(dim) ? TailStrategy::GuardWithIf : TailStrategy::RoundUp;
}

// `var` names dim `dim` the way Halide's LoopLevel matching does: equal, or its last
// component(s) after a '.'.
bool names_dim(const std::string &dim, const std::string &var) {
    return dim == var ||
           (dim.size() > var.size() && dim.compare(dim.size() - var.size(), var.size(), var) == 0 &&
            dim[dim.size() - var.size() - 1] == '.');
}

}  // namespace

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

std::string loop_named(const StageMap &m, const std::string &var) {
    for (const auto &d : m.dims)
        if (d.first == var) return d.second;
    for (const auto &d : m.dims)
        if (names_dim(d.first, var)) return d.second;
    return "";
}

}  // namespace htune
