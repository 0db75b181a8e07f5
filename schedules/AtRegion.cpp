// Constant regions per iteration of a compute_at loop (see AtRegion.h).
#include "schedules/AtRegion.h"

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "schedules/Apply.h"
#include "schedules/Loops.h"

namespace htune {

namespace {

// base + [lo, hi], base a sum of symbolic loop-var values (one symbol per dim of the stage
// the Func is computed at: its value at the start of an iteration of that loop).
// `full`: the range is the same in every iteration, the last included: no loop it comes from
// has a GuardWithIf tail that Halide's bounds inference can shrink it by.
// `placed`: where the range is, as far as which dims of that stage move it, is known (`dims`),
// whether or not the range itself is: x and x + dx over a constant RDom are no one affine index,
// yet both move with x only (Use::index_vars).
struct SymRange {
    bool known = false;
    std::map<std::string, long> base;
    long lo = 0, hi = 0;
    bool full = true;
    bool placed = false;
    std::set<std::string> dims;
};

SymRange constant_range(long lo, long hi) { return {true, {}, lo, hi, true, true, {}}; }

SymRange unite(const SymRange &a, const SymRange &b) {
    SymRange out;
    if (a.known && b.known && a.base == b.base)
        out = {true, a.base, std::min(a.lo, b.lo), std::max(a.hi, b.hi), a.full && b.full};
    out.placed = a.placed && b.placed;
    if (out.placed) {
        out.dims = a.dims;
        out.dims.insert(b.dims.begin(), b.dims.end());
    }
    return out;
}

// `r`'s range set to `range`'s, where it is placed left as it was.
void with_range(SymRange &r, const SymRange &range) {
    const bool placed = r.placed;
    std::set<std::string> dims = std::move(r.dims);
    r = range;
    r.placed = placed;
    r.dims = std::move(dims);
}

// Which dims move an index reading `index_vars` (Use::index_vars) of the consumer's `vars`.
void place(SymRange &r, const std::set<std::string> &index_vars,
           const std::map<std::string, SymRange> &vars) {
    r.placed = false;
    r.dims.clear();
    for (const std::string &v : index_vars) {
        auto it = vars.find(v);
        if (it == vars.end() || !it->second.placed) return;
        r.dims.insert(it->second.dims.begin(), it->second.dims.end());
    }
    r.placed = true;
}

SymRange eval(const AffineIndex &ix, const std::map<std::string, SymRange> &vars) {
    if (!ix.affine) return {};
    SymRange r = constant_range(ix.lo, ix.hi);
    for (const auto &[v, k] : ix.coef) {
        auto it = vars.find(v);
        if (it == vars.end() || !it->second.known) return {};
        const SymRange &x = it->second;
        for (const auto &[b, c] : x.base) r.base[b] += k * c;
        r.full = r.full && x.full;
        r.lo += k > 0 ? k * x.lo : k * x.hi;
        r.hi += k > 0 ? k * x.hi : k * x.lo;
    }
    for (auto it = r.base.begin(); it != r.base.end();)
        it = it->second == 0 ? r.base.erase(it) : std::next(it);
    return r;
}

class Solver {
public:
    Solver(const PipelineAnalysis &a, const Schedule &s, const FuncSchedule &at) : a_(a), s_(s), at_(at) {}

    // Per pure arg of f: the region f must cover per iteration of the loop.
    std::vector<SymRange> region(const FuncInfo &f) {
        auto m = memo_.find(f.name);
        if (m != memo_.end()) return m->second;
        std::vector<SymRange> out(f.args.size());
        if (!active_.insert(f.name).second) return out;  // a cycle: unknown
        bool first = true;
        for (const Use &u : f.uses) {
            std::map<std::string, SymRange> vars = consumer_vars(u.consumer, u.stage);
            for (size_t i = 0; i < out.size(); i++) {
                SymRange r = i < u.index.size() ? eval(u.index[i], vars) : SymRange{};
                if (i < u.index_vars.size())
                    place(r, u.index_vars[i], vars);
                else
                    r.placed = false;
                out[i] = first ? r : unite(out[i], r);
            }
            first = false;
        }
        active_.erase(f.name);
        memo_[f.name] = out;
        return out;
    }

private:
    // The ranges of the loop vars of consumer stage (c, stage), per iteration of the loop.
    std::map<std::string, SymRange> consumer_vars(const std::string &c, int stage) {
        std::map<std::string, SymRange> vars;
        auto it = s_.funcs.find(c);
        if (!a_.has(c) || it == s_.funcs.end()) return vars;
        const FuncInfo &cf = a_.func(c);
        const FuncSchedule &cs = it->second;
        if (stage < 0 || stage >= (int)cf.stages.size()) return vars;
        const StageInfo &st = cf.stages[stage];
        if (c == at_.at_func && stage == at_.at_stage) {
            if (stage >= (int)cs.stages.size()) return vars;
            return loop_vars(cf, cs, st, cs.stages[stage]);
        }
        // A consumer computed at the same loop, or at one inside it, covers per iteration of the
        // loop what its own consumers need then; so does one computed in the loops of a Func
        // that is itself (through a chain of compute_at) computed there: Adams2019's attention
        // computes attn inside the reduction loop of the output's sum, which is computed inside
        // the output's row tile, where the row maximum is computed.
        if (cs.placement != Placement::inline_ && !inside_the_loop(c)) return vars;
        std::vector<SymRange> r = region(cf);
        for (size_t i = 0; i < cf.args.size(); i++) vars[cf.args[i]] = r[i];
        // An RVar of a stage computed inside the loop spans its whole RDom there, whose bounds
        // no loop var can move (RDom bounds are constants or parameters).
        for (const std::string &rv : st.rvars) vars[rv].placed = true;
        for (const auto &[rv, range] : st.constant_rvars)
            vars[rv] = constant_range(range.first, (long)range.first + range.second - 1);
        return vars;
    }

    // Func c is computed, directly or through the Funcs whose loops it is computed in, at the
    // loop the Func is computed at or at a loop inside it.
    bool inside_the_loop(const std::string &c) const {
        const FuncSchedule *cs = computed_under(s_, c, at_.at_func);
        if (!cs || cs->at_stage != at_.at_stage) return false;
        int d = loop_depth(cs->at_loop);
        return d >= 0 && d <= loop_depth(at_.at_loop);
    }

    // The position of a loop of the stage the Func is computed at, innermost 0; -1 if none.
    int loop_depth(const std::string &loop) const {
        const LoopNest *nest = at_nest();
        if (!nest) return -1;
        auto pos = std::find(nest->loops.begin(), nest->loops.end(), own_loop_name(loop));
        return pos == nest->loops.end() ? -1 : (int)(pos - nest->loops.begin());
    }

    // The loop nest of the stage the Func is computed at, built once per Solver (every consumer
    // asks for it); nullptr when the schedule has no such stage.
    const LoopNest *at_nest() const {
        if (nest_done_) return nest_ ? &*nest_ : nullptr;
        nest_done_ = true;
        auto it = s_.funcs.find(at_.at_func);
        if (!a_.has(at_.at_func) || it == s_.funcs.end()) return nullptr;
        const FuncInfo &cf = a_.func(at_.at_func);
        if (at_.at_stage < 0 || at_.at_stage >= (int)cf.stages.size() ||
            at_.at_stage >= (int)it->second.stages.size())
            return nullptr;
        nest_ = loop_nest(cf.stages[at_.at_stage], it->second.stages[at_.at_stage]);
        return &*nest_;
    }

    // A loop of the at-stage under the name its nest uses: a fused parallel loop is named by
    // its outermost var there.
    std::string own_loop_name(const std::string &loop) const {
        auto it = s_.funcs.find(at_.at_func);
        if (it == s_.funcs.end() || at_.at_stage < 0 || at_.at_stage >= (int)it->second.stages.size())
            return loop;
        const StageSchedule &st = it->second.stages[at_.at_stage];
        return !st.parallel.empty() && loop == fused_loop_name(st.parallel) ? st.parallel.front() : loop;
    }

    // The stage the Func is computed at: each dim spans the product of its loops inside.
    std::map<std::string, SymRange> loop_vars(const FuncInfo &cf, const FuncSchedule &cs,
                                              const StageInfo &stage, const StageSchedule &st) const {
        std::map<std::string, SymRange> vars;
        const LoopNest *at_loops = at_nest();
        if (!at_loops) return vars;
        const LoopNest &nest = *at_loops;
        auto pos = std::find(nest.loops.begin(), nest.loops.end(), own_loop_name(at_.at_loop));
        if (pos == nest.loops.end()) return vars;
        std::set<std::string> inside(nest.loops.begin(), pos);
        for (const std::string &d : stage.default_order) {
            const DimSplit *split = split_of(st, d);
            std::vector<std::string> names = split_loop_names(d, split ? split->factors.size() : 0);
            size_t k = 0;  // names[k..] are inside: they must be the innermost levels
            while (k < names.size() && !inside.count(names[k])) k++;
            bool suffix = std::all_of(names.begin() + k, names.end(),
                                      [&](const std::string &n) { return inside.count(n) > 0; });
            // The dim moves the region when one of its loops is the loop itself or outside it.
            SymRange &var = vars[d];
            var.placed = true;
            if (!std::all_of(names.begin(), names.end(),
                             [&](const std::string &n) { return inside.count(n) > 0; }))
                var.dims = {d};
            if (!suffix) continue;
            auto rdom = stage.constant_rvars.find(d);
            bool rvar = stage.is_rvar(d);
            if (k == names.size()) {
                with_range(var, {true, {{"@" + d, 1}}, 0, 0, true});
            } else if (k == 0) {
                // The whole dim: constant for an RVar of a constant RDom, and for a pure var of
                // a stage that is itself computed over a constant region.
                if (rdom != stage.constant_rvars.end())
                    with_range(var, constant_range(rdom->second.first,
                                                   (long)rdom->second.first + rdom->second.second - 1));
                auto own = own_region().constant.find(d);
                if (!rvar && own != own_region().constant.end())
                    with_range(var,
                               {true, {{"@" + d, 1}}, 0, own->second - 1, own_region().full.count(d) > 0});
            } else {
                // A guarded reduction tile is only constant when the factor divides the RDom.
                if (rvar &&
                    (rdom == stage.constant_rvars.end() || rdom->second.second % split->factors[0] != 0))
                    continue;
                // The loops names[k..] cover level k-1's tile: shifted inwards where an inner
                // factor does not divide it, never more; rounded up, their whole trips.
                const Halide::TailStrategy tail = tail_strategy(*split, cf, cs, stage);
                long span = split->factors[k - 1];
                if (tail == Halide::TailStrategy::RoundUp) {
                    span = 1;
                    for (size_t i = k; i < names.size(); i++) span *= nest.extent.at(names[i]);
                }
                // Full tiles: a reduction tile dividing its RDom (above), a tail that never
                // shrinks the last tile, or a guard whose factor divides a full constant extent.
                bool full = rvar || tail != Halide::TailStrategy::GuardWithIf;
                auto own = own_region().constant.find(d);
                if (!full && own != own_region().constant.end() && own_region().full.count(d))
                    full = own->second % split->factors[0] == 0;
                // A guarded tile never leaves the Func's own region: where that is narrower than
                // the tile, it is the span (harris' Sxx, one column per iteration of the output,
                // x split by 8: Ixx computed per Sxx.x_o is 1 + 2 columns wide, not 8 + 2).
                if (!rvar && tail == Halide::TailStrategy::GuardWithIf &&
                    own != own_region().constant.end() && own->second < span) {
                    span = own->second;
                    full = own_region().full.count(d) > 0;
                }
                with_range(var, {true, {{"@" + d, 1}}, 0, span - 1, full});
            }
        }
        return vars;
    }

    // The constant region of the Func the loop belongs to, when it is computed inside another.
    const RegionInfo &own_region() const {
        if (!own_) own_ = a_.has(at_.at_func) ? region_info(a_, s_, a_.func(at_.at_func)) : RegionInfo{};
        return *own_;
    }

    const PipelineAnalysis &a_;
    const Schedule &s_;
    const FuncSchedule &at_;
    mutable std::optional<RegionInfo> own_;
    mutable bool nest_done_ = false;
    mutable std::optional<LoopNest> nest_;
    std::map<std::string, std::vector<SymRange>> memo_;
    std::set<std::string> active_;
};

}  // namespace

RegionInfo region_info(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f) {
    RegionInfo out;
    auto it = s.funcs.find(f.name);
    if (it == s.funcs.end() || it->second.placement != Placement::at) return out;
    Solver solver(a, s, it->second);
    std::vector<SymRange> r = solver.region(f);
    out.known = !f.args.empty();
    out.placed = !f.args.empty();
    for (size_t i = 0; i < f.args.size(); i++) {
        out.placed = out.placed && i < r.size() && r[i].placed;
        if (i < r.size() && r[i].placed) out.arg_dims[f.args[i]] = r[i].dims;
        out.known = out.known && i < r.size() && r[i].known;
        if (i >= r.size() || !r[i].known) continue;
        for (const auto &[var, coefficient] : r[i].base)
            if (coefficient != 0 && !var.empty() && var[0] == '@') out.moves_with.insert(var.substr(1));
        if (r[i].hi >= r[i].lo) {
            out.constant[f.args[i]] = (int)(r[i].hi - r[i].lo + 1);
            if (r[i].full) out.full.insert(f.args[i]);
        }
    }
    return out;
}

ConstantRegion region_per_iteration(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f) {
    return region_info(a, s, f).constant;
}

bool moved_by_loop(const RegionInfo &region, const LoopNest &nest, const std::string &loop) {
    auto dim = nest.dim.find(loop);
    return !region.known || dim == nest.dim.end() || region.moves_with.count(dim->second) > 0;
}

ConstantRegion tail_free_region(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f) {
    return tail_free_region(region_info(a, s, f));
}

ConstantRegion tail_free_region(const RegionInfo &r) {
    ConstantRegion out;
    for (const auto &[v, e] : r.constant)
        if (r.full.count(v)) out[v] = e;
    return out;
}

}  // namespace htune
