// Halide 14 faults the space keeps out that are about the code one stage generates, each seen on
// a sampled schedule and reproduced outside htune:
// - strided_load_reason: vector loads 2-4 elements apart from a constant index (below);
// - predicated_unroll_reason: an unrolled loop around the reduction loop of a where() reduction.
//
// Vector loads with a small constant stride from a constant index.
//
// What was seen (standalone JIT programs on this machine, AVX-512 and AVX2 targets alike): a
// consumer vectorized along a dimension in which it reads a Func computed inside its loops 2, 3
// or 4 elements apart, at an index that is a constant (only the vector loop, or unrolled loops,
// lie between the producer's compute level and the load), segfaults on an aligned vector load
// (`vmovaps`/`vmovdqa64`) from an address that is not aligned. Halide makes the strided load a
// dense load from the index rounded down to the stride, and claims the native vector alignment
// for it whatever that index is: the LLVM IR of g[ramp(2, 2, 32)] (float) is a <32 x float> load
// of g[2] with `align 64`. So it faults once that rounded index is not a multiple of a vector:
// - stencil_chain: f#0 vectorized along y, f#1 computed per column of it (3 columns, a row stride
//   of 3), the 3x3 stencil's loads at 0..8 ("worker killed by signal 11");
// - a 2x downsample f(x) = g(2x) + g(2x+1) + g(2x+2) + g(2x+3), g computed per vector of f, or per
//   two vectors of f with the loop between unrolled;
// and runs where the rounded index is 0 or whole vectors (a transpose within a register tile,
// whose rows are strided but start at 0, 1, 2, 3; a downsample without taps), where a serial loop
// lies between (the index is a variable) and where the stride is 1 or 5 and more (a dense load,
// or a gather). Whether Halide's simplifier turns an index into a constant is not predictable
// from the schedule alone (a ShiftInwards tail can keep it symbolic), so the rule is conservative,
// but only about strides that come from the layout (a vector across rows, coefficient 1): the
// downsample's own stride with taps is left in (see strided_load_reason), because Adams2019
// writes it for local_laplacian and that runs.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/SpaceRules.h"

namespace htune {

namespace {

constexpr int kMaxComposition = 8;  // inlined consumers followed before giving up

// A use of f, seen from a Func that is not inlined: its stage and, per arg of f, the index as an
// affine function of that stage's vars (only the coefficients matter here).
struct Read {
    std::string consumer;
    int stage = 0;
    std::vector<AffineIndex> index;
};

// index (over the args of `inlined`) composed with one use of `inlined` (over its consumer's vars).
std::vector<AffineIndex> compose(const std::vector<AffineIndex> &index, const FuncInfo &inlined,
                                 const Use &u) {
    std::vector<AffineIndex> out(index.size());
    for (size_t k = 0; k < index.size(); k++) {
        if (!index[k].affine) return {};
        AffineIndex r{true, {}, index[k].lo, index[k].hi};
        for (const auto &[v, c] : index[k].coef) {
            int arg = -1;
            for (size_t i = 0; i < inlined.args.size(); i++)
                if (inlined.args[i] == v) arg = (int)i;
            if (arg < 0 || arg >= (int)u.index.size() || !u.index[arg].affine) return {};
            const AffineIndex &in = u.index[arg];
            for (const auto &[w, d] : in.coef) r.coef[w] += c * d;
            r.lo += c > 0 ? c * in.lo : c * in.hi;
            r.hi += c > 0 ? c * in.hi : c * in.lo;
        }
        for (auto it = r.coef.begin(); it != r.coef.end();)
            it = it->second == 0 ? r.coef.erase(it) : std::next(it);
        out[k] = r;
    }
    return out;
}

// The reads of f by Funcs that are not inlined, through inlined ones; reads whose index is not
// affine are left out (they are gathers or unknown, never a constant stride).
void reads_of(const PipelineAnalysis &a, const Schedule &s, const std::string &func,
              const std::vector<AffineIndex> &index, int depth, std::vector<Read> &out) {
    if (depth > kMaxComposition) return;
    for (const Use &u : a.func(func).uses) {
        std::vector<AffineIndex> ix = index.empty() ? u.index : compose(index, a.func(func), u);
        if (ix.empty()) continue;
        auto it = s.funcs.find(u.consumer);
        if (it != s.funcs.end() && it->second.placement == Placement::inline_)
            reads_of(a, s, u.consumer, ix, depth + 1, out);
        else
            out.push_back({u.consumer, u.stage, ix});
    }
}

constexpr long kMaxStarts = 1 << 14;  // load starts enumerated before assuming the worst

// Whether a load sizes[p] (2 to 4) elements apart along storage dim order[p] of f may start where
// Halide's alignment claim is wrong (see above): at an index that, rounded down to the stride, is
// not a multiple of `vector_elems`. The loads start at every row of the dims outside order[p]
// (their extents per iteration in `region`), at each vector of the consumer's `span` points
// along it (`lanes` per vector), and at each of its `taps` offsets. `sizes` are the storage
// strides of f's dims in elements.
bool misaligned_start(const ConstantRegion &region, const std::vector<std::string> &order,
                      const std::vector<long> &sizes, size_t p, long lanes, long span, long taps,
                      long vector_elems) {
    const long stride = sizes[p];
    std::vector<long> starts;
    for (long k = 0; k * lanes < span; k++)
        for (long t = 0; t <= taps; t++) starts.push_back((k * lanes + t) * stride);
    for (size_t q = p + 1; q < order.size(); q++) {
        auto e = region.find(order[q]);
        if (e == region.end()) return true;  // rows not constant: assume the worst
        if ((long)starts.size() * e->second > kMaxStarts) return true;
        std::vector<long> more;
        for (long r = 0; r < e->second; r++)
            for (long b : starts) more.push_back(b + r * sizes[q]);
        starts.swap(more);
    }
    for (long b : starts)
        if ((b - b % stride) % vector_elems != 0) return true;
    return false;
}

// f's dims in storage order, innermost first.
std::vector<std::string> storage_order(const FuncInfo &f, const FuncSchedule &fs) {
    return fs.storage.empty() ? f.args : fs.storage;
}

}  // namespace

std::string strided_load_reason(const PipelineAnalysis &a, const Halide::Target &target, const Schedule &s,
                                const FuncInfo &f, const FuncSchedule &fs, const ConstantRegion &region) {
    // Without a constant extent inside the outermost dim, no stride along f's storage is a constant.
    if (fs.placement != Placement::at || region.empty()) return "";
    const long vector_elems = native_lanes(target, f.type);
    std::vector<Read> reads;
    reads_of(a, s, f.name, {}, 0, reads);
    const std::vector<std::string> order = storage_order(f, fs);
    for (const Read &r : reads) {
        auto qit = s.funcs.find(r.consumer);
        if (qit == s.funcs.end() || !a.has(r.consumer)) continue;
        const FuncInfo &q = a.func(r.consumer);
        const FuncSchedule &qs = qit->second;
        if (r.stage < 0 || r.stage >= (int)qs.stages.size() || r.stage >= (int)q.stages.size()) continue;
        const StageSchedule &st = qs.stages[r.stage];
        if (st.vectorize.empty()) continue;
        LoopNest nest = loop_nest(q.stages[r.stage], st);
        if (!nest.dim.count(st.vectorize)) continue;
        const std::string vdim = nest.dim.at(st.vectorize);
        // The loops of the consumer between f's compute level and the load: those inside the
        // loop f is computed at when f is computed in this stage's loops, else all of them (the
        // consumer is then itself computed inside that loop).
        std::vector<std::string> loops = final_loops(nest, st);
        size_t end = loops.size();
        if (fs.at_func == r.consumer && fs.at_stage == r.stage) {
            end = 0;
            while (end < loops.size() && loops[end] != fs.at_loop) end++;
        }
        std::set<std::string> unrolled(st.unroll.begin(), st.unroll.end());
        // A loop over a dim along which the consumer computes one point per iteration of its own
        // compute level leaves the index as constant as an unrolled one: Halide's simplifier
        // drops it (harris: Sxx computed per column of the output, vectorized along y, x split
        // by 8, reads Ixx, computed per x_o of it, 3 columns wide, at ramp(0..8, 3, 32)).
        std::optional<ConstantRegion> qregion;  // solved only when such a loop lies between
        auto single_point = [&](const std::string &loop) {
            if (!nest.dim.count(loop) || nest.is_rvar(loop)) return false;
            if (!qregion) qregion = region_per_iteration(a, s, q);
            auto e = qregion->find(nest.dim.at(loop));
            return e != qregion->end() && e->second == 1;
        };
        bool constant_index = true;
        for (size_t i = 0; i < end && constant_index; i++)
            constant_index =
                loops[i] == st.vectorize || unrolled.count(loops[i]) > 0 || single_point(loops[i]);
        if (!constant_index) continue;
        const long lanes = nest.extent.count(st.vectorize) ? nest.extent.at(st.vectorize) : 0;
        if (lanes < 1) continue;
        long span = 1;  // the consumer's points along the vector dim per iteration
        for (size_t i = 0; i < end; i++)
            if (nest.dim.count(loops[i]) && nest.dim.at(loops[i]) == vdim && nest.extent.count(loops[i]))
                span *= nest.extent.at(loops[i]);
        // Storage strides of f's dims (elements), as far as the extents inside are constant.
        std::vector<long> sizes;
        for (const std::string &dim : order) {
            sizes.push_back(sizes.empty() ? 1 : sizes.back() * region.at(order[sizes.size() - 1]));
            if (!region.count(dim)) break;
        }
        for (size_t p = 0; p < sizes.size(); p++) {
            size_t k = 0;
            while (k < f.args.size() && f.args[k] != order[p]) k++;
            if (k == f.args.size() || k >= r.index.size()) break;
            auto c = r.index[k].coef.find(vdim);
            if (c == r.index[k].coef.end()) continue;
            // Only strides that come from the layout (a vector across rows). A downsample's own
            // stride (coefficient 2) with taps crashed in a standalone program at 32 and 64
            // float lanes, but Adams2019 vectorizes local_laplacian's vertical downsamples that
            // way (per column of the horizontal pass) and that computes the reference; refusing
            // them would make its import inexact, and a crash stays contained in its worker.
            if (std::labs((long)c->second) != 1 || sizes[p] < 2 || sizes[p] > 4) continue;
            const long taps = std::max(0, r.index[k].hi - r.index[k].lo);
            if (!misaligned_start(region, order, sizes, p, lanes, span, taps, vector_elems)) continue;
            return f.name + ": " + r.consumer + " loads it " + std::to_string(sizes[p]) +
                   " elements apart along its vector loop '" + st.vectorize +
                   "' from a constant index that is not a whole number of vectors, which Halide 14 "
                   "compiles to misaligned vector loads (a crash)";
        }
    }
    return "";
}

// Seen on camera_pipe's hot-pixel filter, maximum(shifted(x + 2 * r.x, y + 2 * r.y)) over an
// RDom r(-1, 3, -1, 3) with where(r.x != 0 || r.y != 0): its update with x split by 4 and x_i
// unrolled around the r$x loop (r$y outside x) gives values off by up to 23 of 255 at test size;
// so does the same nest in the intermediate of an rfactor that keeps r$y. Splits by 2 or 3, y
// unrolled instead, or both RVar loops inside the unrolled loop computed the reference, so the
// rule (any unrolled loop with an RVar loop inside it, in a stage with a predicate) refuses more
// than what was seen wrong.
std::string predicated_unroll_reason(const FuncInfo &f, const StageInfo &stage, const StageSchedule &st) {
    if (!stage.has_predicate || stage.rvars.empty() || st.unroll.empty()) return "";
    const LoopNest nest = loop_nest(stage, st);
    const std::vector<std::string> loops = final_loops(nest, st);  // innermost first
    for (size_t i = 0; i < loops.size(); i++) {
        if (std::find(st.unroll.begin(), st.unroll.end(), loops[i]) == st.unroll.end()) continue;
        for (size_t j = 0; j < i; j++)
            if (nest.is_rvar(loops[j]))
                return f.name + " stage " + std::to_string(stage.index) + ": unrolls '" + loops[i] +
                       "' around the reduction loop '" + loops[j] +
                       "' of a reduction with a where() predicate (Halide 14 computes such nests wrong)";
    }
    return "";
}

}  // namespace htune
