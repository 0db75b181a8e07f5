// Loop naming and per-stage validity rules (see Loops.h).
#include "schedules/Loops.h"

#include <algorithm>

namespace htune {

std::vector<std::string> split_loop_names(const std::string &var, size_t factors) {
    if (factors == 0) return {var};
    // Outermost first: var_o, then the middle levels var_m, var_n, var_p, var_q, then var_i.
    static const char *middle[] = {"_m", "_n", "_p", "_q"};
    std::vector<std::string> names = {var + "_o"};
    for (size_t k = 0; k + 1 < factors && k < 4; k++) names.push_back(var + middle[k]);
    names.push_back(var + "_i");
    return names;
}

std::string fused_loop_name(const std::vector<std::string> &parallel) {
    if (parallel.size() == 1) return parallel[0];
    std::string n = "fused";
    for (const auto &l : parallel) n += "_" + l;
    return n;
}

const DimSplit *split_of(const StageSchedule &st, const std::string &var) {
    const DimSplit *split = nullptr;
    for (const auto &s : st.splits)
        if (s.var == var) split = &s;
    return split;
}

LoopNest loop_nest(const StageInfo &stage, const StageSchedule &st, const ConstantRegion &region) {
    LoopNest nest;
    std::vector<std::string> default_loops;
    for (const std::string &var : stage.default_order) {
        const DimSplit *split = split_of(st, var);
        size_t n = split ? split->factors.size() : 0;
        std::vector<std::string> names = split_loop_names(var, n);
        int ext = stage.extent.count(var) ? stage.extent.at(var) : 1;
        auto fixed = stage.is_rvar(var) ? region.end() : region.find(var);
        if (fixed != region.end()) ext = fixed->second;
        // Trip counts, outermost first.
        std::vector<int> trips = {ext};
        if (n > 0) {
            const auto &f = split->factors;
            trips = {(ext + f[0] - 1) / std::max(1, f[0])};
            for (size_t k = 1; k < n; k++) trips.push_back((f[k - 1] + f[k] - 1) / std::max(1, f[k]));
            trips.push_back(f[n - 1]);
        }
        for (size_t i = 0; i < names.size(); i++) {
            nest.dim[names[i]] = var;
            nest.extent[names[i]] = std::max(1, trips[i]);
            if (i > 0) nest.constant.insert(names[i]);
            if (i > 0 || fixed != region.end() || stage.constant_rvars.count(var))
                nest.known_extent.insert(names[i]);
            if (stage.is_rvar(var)) nest.rvar_loops.insert(names[i]);
        }
        for (auto it = names.rbegin(); it != names.rend(); ++it) default_loops.push_back(*it);
    }
    nest.loops = st.order.empty() ? default_loops : st.order;
    return nest;
}

LoopKinds loop_kinds(const LoopNest &nest) {
    LoopKinds k;
    for (const auto &l : nest.loops) {
        if (nest.is_rvar(l))
            k.rv.push_back(l);
        else if (nest.constant.count(l))
            k.inner.push_back(l);
        else
            k.outer.push_back(l);
    }
    return k;
}

std::vector<std::string> final_loops(const LoopNest &nest, const StageSchedule &st) {
    std::vector<std::string> out;
    for (const auto &l : nest.loops)
        if (std::find(st.parallel.begin(), st.parallel.end(), l) == st.parallel.end()) out.push_back(l);
    if (!st.parallel.empty()) out.push_back(fused_loop_name(st.parallel));
    return out;
}

std::string validate_stage(const std::string &func, const StageInfo &stage, const StageSchedule &st,
                           int max_vector_lanes, const ConstantRegion &region) {
    const std::string where = func + " stage " + std::to_string(stage.index) + ": ";
    std::set<std::string> seen;
    for (const auto &s : st.splits) {
        if (std::find(stage.default_order.begin(), stage.default_order.end(), s.var) ==
            stage.default_order.end())
            return where + "split of '" + s.var + "', which is not a dim of this stage";
        if (!seen.insert(s.var).second) return where + "'" + s.var + "' is split twice";
        if (s.factors.empty() || s.factors.size() > kMaxSplitLevels)
            return where + "split of '" + s.var + "' needs 1 to " + std::to_string(kMaxSplitLevels) +
                   " factors";
        for (int f : s.factors)
            if (f < 2) return where + "split factor of '" + s.var + "' is < 2";
        // Equal factors are allowed: a middle loop of one iteration, as Mullapudi2016 writes
        // a 64-wide tile whose inner 64 are then vectorized (camera_pipe's preview with AVX-512).
        // An inner factor that does not divide the one outside it needs a whole-tile tail on a
        // pure definition, as Adams2019 writes them: shift_inwards moves each level's last tile
        // back inside the one outside it (attention's 128-row tile by 3); round_up runs it whole
        // past the outer tile, over the first points of the next, which compute the same values
        // again (local_laplacian's 191-row tile by 8; not on an output, validate_tails). Guarded,
        // it would leave a partial tile that the space's per-iteration regions do not model; on
        // an update, the overlapping points would be updated twice.
        for (size_t k = 1; k < s.factors.size(); k++) {
            if (s.factors[k] > s.factors[k - 1])
                return where + "inner factor of '" + s.var + "' exceeds its outer factor";
            if (s.factors[k - 1] % s.factors[k] != 0 &&
                ((s.tail != "shift_inwards" && s.tail != "round_up") || stage.index != 0))
                return where + "inner factor of '" + s.var +
                       "' must divide its outer factor (or the split of the pure definition needs the "
                       "shift_inwards or round_up tail)";
        }
    }
    LoopNest nest = loop_nest(stage, st, region);
    LoopNest def = loop_nest(stage, StageSchedule{st.splits, {}, "", {}, {}, {}}, region);
    if (!st.order.empty()) {
        std::vector<std::string> a = st.order, b = def.loops;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        if (a != b) return where + "order does not list exactly the loops of the stage";
        // RVar loops keep their relative default order (reordering them changes the algorithm).
        std::vector<std::string> r1, r2;
        for (const auto &l : st.order)
            if (nest.is_rvar(l)) r1.push_back(l);
        for (const auto &l : def.loops)
            if (def.is_rvar(l)) r2.push_back(l);
        if (r1 != r2) return where + "order changes the relative order of reduction loops";
    }
    if (!st.vectorize.empty()) {
        if (!nest.has(st.vectorize)) return where + "vectorized loop '" + st.vectorize + "' does not exist";
        if (nest.is_rvar(st.vectorize))
            return where + "cannot vectorize reduction loop '" + st.vectorize + "'";
        if (!nest.known_extent.count(st.vectorize))
            return where + "vectorized loop '" + st.vectorize + "' has no constant extent";
        if (nest.extent.at(st.vectorize) > max_vector_lanes)
            return where + "vector width " + std::to_string(nest.extent.at(st.vectorize)) + " exceeds " +
                   std::to_string(max_vector_lanes) + " lanes";
        // Innermost of its dimension; loops of other dims may run inside it (Mullapudi2016
        // vectorizes an update's x around its reduction loops: each lane runs them).
        for (const auto &l : nest.loops) {
            if (l == st.vectorize) break;
            if (nest.dim.at(l) == nest.dim.at(st.vectorize))
                return where + "vectorized loop '" + st.vectorize + "' has loop '" + l +
                       "' of its own dimension inside it";
        }
    }
    int unrolled = 1;
    for (const auto &u : st.unroll) {
        if (!nest.has(u)) return where + "unrolled loop '" + u + "' does not exist";
        if (!nest.known_extent.count(u)) return where + "unrolled loop '" + u + "' has no constant extent";
        unrolled *= nest.extent.at(u);
        if (unrolled > kMaxUnrollProduct)
            return where + "unrolled loops multiply to more than " + std::to_string(kMaxUnrollProduct);
        if (u == st.vectorize) return where + "loop '" + u + "' is both vectorized and unrolled";
        if (nest.extent.at(u) > 16) return where + "unrolled loop '" + u + "' is longer than 16";
    }
    if (!st.parallel.empty()) {
        size_t n = st.parallel.size();
        if (n > nest.loops.size()) return where + "more parallel loops than loops";
        // One run of adjacent pure loops, innermost first, fused into one parallel loop. Usually
        // the outermost loops; serial loops may run outside the run (Adams2019 parallelizes x
        // inside a batch loop n, or an update's channels inside its reduction loop): Halide then
        // runs the parallel loop once per iteration of the serial ones.
        const size_t base =
            std::find(nest.loops.begin(), nest.loops.end(), st.parallel[0]) - nest.loops.begin();
        if (base + n > nest.loops.size())
            return where + "parallel loops must be adjacent loops, innermost first";
        for (size_t i = 0; i < n; i++) {
            const std::string &l = st.parallel[i];
            if (nest.loops[base + i] != l)
                return where + "parallel loops must be adjacent loops, innermost first";
            if (nest.is_rvar(l)) return where + "cannot parallelize reduction loop '" + l + "'";
            if (l == st.vectorize || std::find(st.unroll.begin(), st.unroll.end(), l) != st.unroll.end())
                return where + "parallel loop '" + l + "' is also vectorized or unrolled";
        }
    }
    return "";
}

}  // namespace htune
