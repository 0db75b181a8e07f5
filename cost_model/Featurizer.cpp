// Featurizer (see Featurizer.h): a light model of what a schedule makes Halide
// execute, per computed stage (realizations, points computed, loop trip counts,
// vector/parallel/unroll use, footprints against the caches), aggregated into
// fixed blocks. Everything is derived from PipelineAnalysis, so it works for
// any pipeline. Hot path: a few microseconds per stage.
#include "cost_model/Featurizer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"

namespace htune {

namespace {

// Per-stage columns, in block order. "log_*" are log2(1 + x).
const char *const kStageColumns[] = {
    "placement_inline",  // 1 when the Func is inlined in this schedule (the rest
                         // of the block is 0)
    "placement_root",    // compute_root
    "placement_at",      // compute_at a consumer's loop
    "log_points",        // points computed, all realizations (recomputation included)
    "log_work",          // points * (arithmetic + loads per point, inlined producers
                         // included)
    "log_realizations",  // times the stage's loop nest is entered
    "log_recompute",     // points computed / points required
    "log_points_per_realization",
    "log_padding",          // split loops rounding extents up: padded / true points
    "log_ops_per_point",    // arithmetic per point, inlined producers included
    "log_loads_per_point",  // loads per point, inlined producers included
    "log_arith_per_byte",   // ops per point / bytes per point (output + distinct
                            // inputs)
    "inline_copies",        // inlined producer expressions per point (or, inlined: its
                            // expansion)
    "n_loops",
    "log_inner_extent",  // trip count of the innermost loop
    "inner_stride1",     // the innermost loop runs along the Func's first (dense)
                         // dimension
    "inner_is_rvar", "log_vector_width",
    "vector_vs_native",     // vector width / native lanes of the type (0: not
                            // vectorized)
    "vector_stride1",       // vectorized along the innermost storage dim
    "log_unroll",           // product of unrolled extents
    "log_parallel_own",     // trip count of the stage's own (fused) parallel loop
    "log_parallel_total",   // with the parallel loops it is computed inside
    "parallel_efficiency",  // busy cores / min(threads, physical cores), with the
                            // tail imbalance
    "nested_parallel",      // own parallel loop inside a parallel consumer
    "log_alloc_bytes",      // storage of one realization of the Func
    "alloc_cache_level",    // 0: fits L1, 1: L2, 2: L3, 3: beyond
    "log_footprint_inner",  // bytes touched by one iteration of the innermost
                            // loop's body
    "log_footprint_tile",   // bytes touched by the innermost constant-extent
                            // (tile) loops
    "tile_cache_level",     // cache level the tile footprint fits (as
                            // alloc_cache_level)
    "levels_fit_l1",        // fraction of loop levels whose footprint fits L1
    "levels_fit_l2",
    "log_rvar_extent",  // product of the reduction extents
    "log_time_proxy",   // work / (vector speedup * cores) + overheads: a crude
                        // time
};
constexpr int kNumStage = sizeof(kStageColumns) / sizeof(kStageColumns[0]);

const char *const kBlocks[] = {"out", "top1", "top2", "top3", "mean", "max"};
constexpr int kNumBlocks = 6;

const char *const kGlobalColumns[] = {
    "log_funcs",
    "log_stages",
    "frac_inline",
    "frac_root",
    "frac_at",
    "log_required_work",
    "log_work",
    "log_points",
    "log_work_ratio",
    "log_alloc_total",
    "log_alloc_max",
    "n_alloc_beyond_l2",
    "n_alloc_beyond_l3",
    "serial_work_frac",
    "vector_work_frac",
    "stride1_work_frac",
    "max_inline_expansion",
    "log_time_proxy",
    "log_threads",
    "native_lanes_f32",
    "log_realizations_total",
    "log_extra_funcs",  // schedule entries that are no Func of the scheduled
                        // pipeline (its rfactor intermediates and wrappers are)
};
constexpr int kNumGlobal = sizeof(kGlobalColumns) / sizeof(kGlobalColumns[0]);
constexpr int kNumColumns = kNumGlobal + kNumBlocks * kNumStage;

enum StageCol {
    c_inline,
    c_root,
    c_at,
    c_points,
    c_work,
    c_realizations,
    c_recompute,
    c_points_per_real,
    c_padding,
    c_ops,
    c_loads,
    c_arith,
    c_inline_copies,
    c_n_loops,
    c_inner_extent,
    c_inner_stride1,
    c_inner_rvar,
    c_vec_width,
    c_vec_native,
    c_vec_stride1,
    c_unroll,
    c_par_own,
    c_par_total,
    c_par_eff,
    c_nested_par,
    c_alloc,
    c_alloc_level,
    c_fp_inner,
    c_fp_tile,
    c_tile_level,
    c_fit_l1,
    c_fit_l2,
    c_rvar_extent,
    c_time_proxy,
};
static_assert(c_time_proxy + 1 == kNumStage, "StageCol must list kStageColumns");

double lg(double x) { return std::log2(1.0 + std::max(0.0, x)); }

struct StageStatic {
    int func = 0, index = 0;
    const StageInfo *info = nullptr;
    std::vector<bool> dim_rvar;       // per default_order dim (innermost first)
    std::vector<double> full_extent;  // per dim
    double required_points = 1, static_work = 0;
    std::vector<std::pair<int, int>> producers;  // (func, call sites) called by this stage
    double distinct_inputs = 0;                  // producer Funcs + inputs (1 if any)
    std::vector<int> dim_arg;                    // per dim: the Func arg it is, -1 for RVars
};

struct FuncStatic {
    const FuncInfo *info = nullptr;
    double bytes_per_point = 4;
    int lanes = 1;
    std::vector<int> stages;                          // indices into Static::stages
    std::vector<std::pair<int, int>> consumer_calls;  // (consumer Func, call sites) per use
};

// The loop of one stage after splits, order and parallel fusion.
struct Loop {
    std::string name;
    int dim = -1;  // index into the stage's dims; -1 for the fused parallel loop
    double trip = 1;
    bool constant = false;
};

struct StageDyn {
    std::vector<Loop> loops;  // innermost first
    double realizations = 1, points = 0, padded_ratio = 1, par_total = 1, par_own = 1;
    double per_real_points = 1, ops = 0, loads = 0, inline_copies = 0;
    double vec_width = 0, unroll = 1;  // 0: not vectorized
    bool vec_dense = false;            // vectorized along the Func's innermost storage dim
};

struct FuncDyn {
    Placement placement = Placement::root;
    std::string innermost;       // innermost storage dim ("": the first arg)
    std::vector<double> region;  // per arg, per realization (storage level when sliding)
    double realizations = 1, alloc_bytes = 0;
    std::vector<StageDyn> stages;
    double expansion = 1;  // inlined: copies per point of non-inlined consumers
    double eff_ops = 0,
           eff_loads = 0;      // inlined: per-point cost folded into consumers
    double inline_copies = 0;  // inlined: producer copies folded into it
};

std::vector<std::string> column_names() {
    std::vector<std::string> cols;
    for (const char *g : kGlobalColumns) cols.push_back(std::string("g.") + g);
    for (const char *b : kBlocks)
        for (const char *c : kStageColumns) cols.push_back(std::string(b) + "." + c);
    return cols;
}

const StageSchedule kDefaultStage{};

}  // namespace

struct Featurizer::Static {
    std::shared_ptr<const PipelineAnalysis> analysis;
    Halide::Target target;
    int threads = 1;
    // Threads that run at once: one per physical core (an SMT sibling or an
    // oversubscribed thread adds little), so min(threads, cores).
    int units = 1;
    MachineCaches caches;
    double l1 = 0, l2 = 0, l3 = 0;  // caches' sizes, bytes
    int lanes_f32 = 8;
    std::vector<FuncStatic> funcs;  // producers first (analysis order)
    std::vector<StageStatic> stages;
    std::map<std::string, int> index;
    int block_stage[4] = {-1, -1, -1, -1};  // out, top1..top3 (stage indices)
    double required_work = 0;

    Static(std::shared_ptr<const PipelineAnalysis> a, const Halide::Target &target, int thr,
           const MachineCaches &c);
    // The row of `s` as the pipeline it schedules: a schedule that rfactors stages or wraps
    // Funcs (Func::in) is featurized against the pipeline with those intermediates and wrappers
    // as Funcs of their own (EffectiveAnalysis, the analysis the space validates it against).
    std::vector<float> scheduled_features(const Schedule &s) const;
    // The row of `s` against this pipeline as it is.
    std::vector<float> features(const Schedule &s) const;
    // 0: fits L1, 1: L2, 2: L3, 3: beyond.
    int cache_level(double bytes) const { return bytes <= l1 ? 0 : bytes <= l2 ? 1 : bytes <= l3 ? 2 : 3; }

private:
    // Statics of the scheduled pipelines seen so far, by their structure (which stages are
    // rfactor'd how, which Funcs are wrapped for whom); built once each, shared by copies.
    mutable std::mutex scheduled_mutex;
    mutable std::map<std::string, std::shared_ptr<const Static>> scheduled;

    void build_loops(const FuncDyn &fd, const FuncStatic &fs, const StageStatic &ss, const StageSchedule &st,
                     const std::vector<double> &extent, StageDyn &out) const;
    void stage_row(const Schedule &s, const std::vector<FuncDyn> &dyn, const StageStatic &ss,
                   float *row) const;
};

Featurizer::Static::Static(std::shared_ptr<const PipelineAnalysis> a, const Halide::Target &target, int thr,
                           const MachineCaches &c)
    : analysis(std::move(a)), target(target), caches(c) {
    unsigned hw = std::thread::hardware_concurrency();
    threads = thr > 0 ? thr : (hw > 0 ? (int)hw : 1);
    units = std::max(1, std::min(threads, caches.cores));
    l1 = (double)caches.l1d_bytes;
    l2 = (double)caches.l2_bytes;
    l3 = (double)caches.l3_bytes;
    lanes_f32 = native_lanes(target, Halide::Float(32));
    const auto &funcs_info = analysis->funcs();
    for (size_t i = 0; i < funcs_info.size(); i++) index[funcs_info[i].name] = (int)i;
    for (size_t i = 0; i < funcs_info.size(); i++) {
        const FuncInfo &f = funcs_info[i];
        FuncStatic fs;
        fs.info = &f;
        fs.bytes_per_point = std::max(1, f.type.bytes()) * std::max(1, f.values);
        fs.lanes = native_lanes(target, f.type);
        for (const StageInfo &st : f.stages) {
            StageStatic ss;
            ss.func = (int)i;
            ss.index = st.index;
            ss.info = &st;
            for (const std::string &d : st.default_order) {
                ss.dim_rvar.push_back(st.is_rvar(d));
                int arg = -1;
                for (size_t a = 0; a < f.args.size(); a++)
                    if (!st.is_rvar(d) && f.args[a] == d) arg = (int)a;
                ss.dim_arg.push_back(arg);
                auto it = st.extent.find(d);
                double e = it == st.extent.end() ? 1.0 : std::max(1, it->second);
                ss.full_extent.push_back(e);
                ss.required_points *= e;
            }
            ss.static_work = ss.required_points * (st.ops_per_point + st.loads_per_point);
            required_work += ss.static_work;
            fs.stages.push_back((int)stages.size());
            stages.push_back(ss);
        }
        funcs.push_back(fs);
    }
    // Producers of each stage, from the producers' use lists.
    for (size_t p = 0; p < funcs_info.size(); p++)
        for (const Use &u : funcs_info[p].uses) {
            auto c = index.find(u.consumer);
            if (c == index.end() || u.stage >= (int)funcs[c->second].stages.size()) continue;
            stages[funcs[c->second].stages[u.stage]].producers.push_back({(int)p, u.calls});
            funcs[p].consumer_calls.push_back({c->second, u.calls});
        }
    for (StageStatic &ss : stages) {
        int func_calls = 0;
        for (const auto &pc : ss.producers) func_calls += pc.second;
        ss.distinct_inputs = (double)ss.producers.size() + (ss.info->loads_per_point > func_calls ? 1 : 0);
    }
    // Blocks: the output's most expensive stage, then the three most expensive
    // others (static, so a block means the same stage for every schedule of this
    // pipeline).
    std::vector<int> order(stages.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = (int)i;
    std::stable_sort(order.begin(), order.end(),
                     [&](int x, int y) { return stages[x].static_work > stages[y].static_work; });
    for (int i : order)
        if (funcs[stages[i].func].info->is_output) {
            block_stage[0] = i;
            break;
        }
    int k = 1;
    for (int i : order)
        if (i != block_stage[0] && k < 4) block_stage[k++] = i;
}

// Loops (innermost first) of one stage with per-realization dim extents
// `extent`.
void Featurizer::Static::build_loops(const FuncDyn &fd, const FuncStatic &fs, const StageStatic &ss,
                                     const StageSchedule &st, const std::vector<double> &extent,
                                     StageDyn &out) const {
    const auto &dims = ss.info->default_order;
    std::vector<Loop> loops;
    double true_points = 1, padded = 1;
    for (size_t d = 0; d < dims.size(); d++) {
        const DimSplit *split = nullptr;
        for (const auto &sp : st.splits)
            if (sp.var == dims[d]) split = &sp;
        double e = extent[d];
        true_points *= e;
        bool ok = split && !split->factors.empty() && split->factors.size() <= 3 &&
                  std::all_of(split->factors.begin(), split->factors.end(), [](int f) { return f >= 1; });
        if (!ok) {
            loops.push_back({dims[d], (int)d, e, false});
            padded *= e;
            continue;
        }
        std::vector<std::string> names = split_loop_names(dims[d], split->factors.size());
        double f0 = split->factors[0];
        double outer = std::ceil(e / f0);
        // Innermost level first: its factor, then each level's ratio to the one inside.
        const auto &f = split->factors;
        loops.push_back({names.back(), (int)d, (double)f.back(), true});
        for (size_t k = f.size() - 1; k > 0; k--)
            loops.push_back({names[k], (int)d, std::max(1.0, std::floor((double)f[k - 1] / f[k])), true});
        loops.push_back({names[0], (int)d, std::max(1.0, outer), false});
        padded *= std::max(1.0, outer) * f0;
    }
    if (!st.order.empty() && st.order.size() == loops.size()) {
        std::vector<Loop> ordered;
        for (const std::string &n : st.order)
            for (const Loop &l : loops)
                if (l.name == n) {
                    ordered.push_back(l);
                    break;
                }
        if (ordered.size() == loops.size()) loops.swap(ordered);
    }
    const std::string dense = !fd.innermost.empty()   ? fd.innermost
                              : fs.info->args.empty() ? std::string()
                                                      : fs.info->args[0];
    out.vec_width = 0;
    out.unroll = 1;
    for (const Loop &l : loops) {
        if (!st.vectorize.empty() && l.name == st.vectorize) {
            out.vec_width = l.trip;
            out.vec_dense = l.dim >= 0 && dims[l.dim] == dense;
        }
        if (std::find(st.unroll.begin(), st.unroll.end(), l.name) != st.unroll.end()) out.unroll *= l.trip;
    }
    out.par_own = 1;
    if (!st.parallel.empty()) {
        std::vector<Loop> kept;
        double fused = 1;
        size_t found = 0;
        for (const Loop &l : loops) {
            if (std::find(st.parallel.begin(), st.parallel.end(), l.name) != st.parallel.end()) {
                fused *= l.trip;
                found++;
            } else {
                kept.push_back(l);
            }
        }
        if (found == st.parallel.size()) {
            kept.push_back({fused_loop_name(st.parallel), -1, fused, false});
            loops.swap(kept);
            out.par_own = fused;
        }
    }
    out.loops = std::move(loops);
    out.per_real_points = true_points;
    out.padded_ratio = padded / std::max(1.0, true_points);
}

// Placement of every Func (consumers first), then per-stage loops and the
// global columns.
namespace {

// What makes a schedule's pipeline differ from the algorithm: its rfactors and its wrappers.
std::string structure_key(const Schedule &s) {
    std::string key;
    for (const auto &[name, f] : s.funcs) {
        for (size_t i = 0; i < f.stages.size(); i++) {
            const RFactor &rf = f.stages[i].rfactor;
            if (!rf.empty())
                key += name + "/" + std::to_string(i) + ":" + rf.rvar + "," + std::to_string(rf.factor) +
                       "," + rf.keep + "," + rf.var + ";";
        }
        if (!f.wrap.empty()) {
            key += name + ">";
            for (const std::string &g : f.wrap) key += g + ",";
            key += ";";
        }
    }
    return key;
}

}  // namespace

std::vector<float> Featurizer::Static::scheduled_features(const Schedule &s) const {
    const std::string key = structure_key(s);
    if (key.empty()) return features(s);
    std::shared_ptr<const Static> st;
    {
        std::lock_guard<std::mutex> lock(scheduled_mutex);
        auto it = scheduled.find(key);
        if (it != scheduled.end()) st = it->second;
    }
    if (!st) {
        EffectiveAnalysis effective(*analysis, s);
        // An illegal rfactor or wrap: featurized against the algorithm, like any schedule that
        // does not fit (its entries count as extra Funcs).
        if (!effective.why().empty() || &effective.get() == analysis.get()) return features(s);
        st = std::make_shared<const Static>(std::make_shared<const PipelineAnalysis>(effective.get()), target,
                                            threads, caches);
        std::lock_guard<std::mutex> lock(scheduled_mutex);
        // A search meets a handful of structures per pipeline; past 256 the oldest are not
        // kept (any of them is rebuilt when needed: the same rows, only slower).
        if (scheduled.size() >= 256) scheduled.erase(scheduled.begin());
        scheduled.emplace(key, st);
    }
    return st->features(s);
}

std::vector<float> Featurizer::Static::features(const Schedule &s) const {
    const size_t n = funcs.size();
    std::vector<FuncDyn> dyn(n);
    std::vector<const FuncSchedule *> sched(n, nullptr);
    for (size_t i = 0; i < n; i++) {
        auto it = s.funcs.find(funcs[i].info->name);
        if (it != s.funcs.end()) sched[i] = &it->second;
    }
    auto sched_of = [&](int i) { return sched[i]; };
    // Placements and inline expansion (consumers first).
    for (size_t k = n; k-- > 0;) {
        const FuncSchedule *fs = sched_of((int)k);
        FuncDyn &fd = dyn[k];
        fd.placement = fs ? fs->placement : Placement::root;
        if (fs && !fs->storage.empty()) fd.innermost = fs->storage[0];
        if (fd.placement == Placement::inline_ && !funcs[k].info->can_inline) fd.placement = Placement::root;
        double e = 0;
        for (const auto &cc : funcs[k].consumer_calls) {
            bool inl = dyn[cc.first].placement == Placement::inline_;
            e += cc.second * (inl ? dyn[cc.first].expansion : 1.0);
        }
        fd.expansion = std::min(1e6, std::max(1.0, e));
    }
    // Per-point cost of inlined Funcs, folded through chains of inlining
    // (producers first).
    auto fold = [&](const StageStatic &ss, double &ops, double &loads, double &copies) {
        ops = ss.info->ops_per_point;
        loads = ss.info->loads_per_point;
        copies = 0;
        for (const auto &pc : ss.producers) {
            const FuncDyn &p = dyn[pc.first];
            if (p.placement != Placement::inline_) continue;
            ops += pc.second * p.eff_ops;
            loads += pc.second * (p.eff_loads - 1);
            copies += pc.second * (1 + p.inline_copies);
        }
        loads = std::max(0.0, loads);
    };
    for (size_t i = 0; i < n; i++)
        if (dyn[i].placement == Placement::inline_)
            fold(stages[funcs[i].stages[0]], dyn[i].eff_ops, dyn[i].eff_loads, dyn[i].inline_copies);

    // Realizations, regions and loops of computed Funcs (consumers first).
    for (size_t k = n; k-- > 0;) {
        FuncDyn &fd = dyn[k];
        if (fd.placement == Placement::inline_) continue;
        const FuncStatic &fst = funcs[k];
        const FuncInfo &f = *fst.info;
        const FuncSchedule *fs = sched_of((int)k);
        fd.region.assign(f.extents.begin(), f.extents.end());
        std::vector<double> compute_region = fd.region;
        double store_real = 1;
        double par_outer = 1;
        if (fd.placement == Placement::at && fs) {
            auto g = index.find(fs->at_func);
            bool placed = false;
            if (g != index.end() && (size_t)g->second > k && dyn[g->second].placement != Placement::inline_ &&
                fs->at_stage >= 0 && fs->at_stage < (int)dyn[g->second].stages.size()) {
                const FuncDyn &gd = dyn[g->second];
                const StageDyn &gs = gd.stages[fs->at_stage];
                const StageStatic &gss = stages[funcs[g->second].stages[fs->at_stage]];
                auto find_loop = [&](const std::string &name) {
                    for (size_t j = 0; j < gs.loops.size(); j++)
                        if (gs.loops[j].name == name) return (int)j;
                    return -1;
                };
                int at = find_loop(fs->at_loop);
                int st = fs->store_loop.empty() ? at : find_loop(fs->store_loop);
                if (at >= 0 && st >= at) {
                    placed = true;
                    // f's region per iteration of loop `level` of g: g's tile there,
                    // mapped to f's dims by Var name (else position), with a stencil's
                    // halo.
                    auto region_at = [&](int level, double &realizations) {
                        realizations = gs.realizations;
                        for (size_t j = level; j < gs.loops.size(); j++) realizations *= gs.loops[j].trip;
                        std::vector<double> tile(gss.full_extent.size(), 1.0);
                        for (int j = 0; j < level; j++)
                            if (gs.loops[j].dim >= 0) tile[gs.loops[j].dim] *= gs.loops[j].trip;
                        std::vector<double> r(f.extents.size());
                        const auto &gdims = gss.info->default_order;
                        const auto &gpure = gss.info->pure_vars;
                        for (size_t a = 0; a < f.extents.size(); a++) {
                            double F = f.extents[a];
                            int gd_index = -1;
                            std::string var = f.args[a];
                            if (std::find(gpure.begin(), gpure.end(), var) == gpure.end())
                                var = a < gpure.size() ? gpure[a] : std::string();
                            for (size_t d = 0; d < gdims.size(); d++)
                                if (gdims[d] == var) gd_index = (int)d;
                            if (gd_index < 0) {
                                r[a] = F;
                                continue;
                            }
                            double G = gss.full_extent[gd_index], t = tile[gd_index];
                            double reg;
                            if (t >= G)
                                reg = F;
                            else {
                                double ratio = F / G;
                                reg = (ratio > 0.75 && ratio < 1.5) ? t + std::max(0.0, F - G)
                                                                    : std::ceil(t * ratio);
                            }
                            r[a] = std::min(F, std::max(1.0, reg));
                        }
                        return r;
                    };
                    compute_region = region_at(at, fd.realizations);
                    fd.region = st == at ? compute_region : region_at(st, store_real);
                    if (st == at) store_real = fd.realizations;
                    par_outer = gs.par_total;
                }
            }
            if (!placed) fd.placement = Placement::root;
        }
        double region_points = 1;
        for (double r : fd.region) region_points *= r;
        fd.alloc_bytes = region_points * fst.bytes_per_point;
        fd.stages.resize(fst.stages.size());
        for (size_t si = 0; si < fst.stages.size(); si++) {
            const StageStatic &ss = stages[fst.stages[si]];
            const StageSchedule &st = fs && si < fs->stages.size() && fs->placement != Placement::inline_
                                          ? fs->stages[si]
                                          : kDefaultStage;
            // Per-realization extent of each dim: pure dims from the computed region.
            auto dims_extent = [&](const std::vector<double> &region) {
                std::vector<double> e = ss.full_extent;
                for (size_t d = 0; d < e.size(); d++)
                    if (ss.dim_arg[d] >= 0) e[d] = region[ss.dim_arg[d]];
                return e;
            };
            StageDyn &sd = fd.stages[si];
            build_loops(fd, fst, ss, st, dims_extent(compute_region), sd);
            sd.realizations = fd.realizations;
            // With storage hoisted one loop out, Halide slides the window: each point
            // is computed once per storage realization.
            double store_points = 1;
            for (double e : dims_extent(fd.region)) store_points *= e;
            sd.points = fd.region == compute_region ? fd.realizations * sd.per_real_points
                                                    : store_real * store_points;
            sd.par_total = par_outer * sd.par_own;
            fold(ss, sd.ops, sd.loads, sd.inline_copies);
        }
    }

    std::vector<float> row(kNumColumns, 0.0f);
    float *global = row.data();
    float *blocks = row.data() + kNumGlobal;
    // Per-stage rows of every computed stage, for mean/max and the fixed blocks.
    std::vector<float> stage_rows(stages.size() * kNumStage, 0.0f);
    std::vector<double> work(stages.size(), 0.0);
    double total_work = 0, total_points = 0, serial = 0, vec = 0, stride1 = 0, proxy = 0, real_total = 0;
    for (size_t i = 0; i < stages.size(); i++) {
        float *r = &stage_rows[i * kNumStage];
        stage_row(s, dyn, stages[i], r);
        const FuncDyn &fd = dyn[stages[i].func];
        if (fd.placement == Placement::inline_) continue;
        const StageDyn &sd = fd.stages[stages[i].index];
        work[i] = sd.points * sd.padded_ratio * (sd.ops + sd.loads);
        total_work += work[i];
        total_points += sd.points;
        if (sd.par_total <= 1) serial += work[i];
        if (r[c_vec_width] > 0) vec += work[i];
        if (r[c_inner_stride1] > 0) stride1 += work[i];
        proxy += std::exp2((double)r[c_time_proxy]) - 1;
        if (stages[i].index == 0) real_total += fd.realizations;
    }
    for (int b = 0; b < 4; b++)
        if (block_stage[b] >= 0)
            std::copy_n(&stage_rows[block_stage[b] * kNumStage], kNumStage, blocks + b * kNumStage);
    float *mean = blocks + 4 * kNumStage, *mx = blocks + 5 * kNumStage;
    bool first = true;
    for (size_t i = 0; i < stages.size(); i++) {
        if (dyn[stages[i].func].placement == Placement::inline_) continue;
        const float *r = &stage_rows[i * kNumStage];
        double w = total_work > 0 ? work[i] / total_work : 0;
        for (int c = 0; c < kNumStage; c++) {
            mean[c] += (float)(w * r[c]);
            mx[c] = first ? r[c] : std::max(mx[c], r[c]);
        }
        first = false;
    }

    double n_inline = 0, n_root = 0, n_at = 0, alloc_total = 0, alloc_max = 0, beyond_l2 = 0, beyond_l3 = 0,
           max_exp = 0;
    for (const FuncDyn &fd : dyn) {
        if (fd.placement == Placement::inline_) {
            n_inline++;
            max_exp = std::max(max_exp, fd.expansion);
            continue;
        }
        (fd.placement == Placement::at ? n_at : n_root)++;
        alloc_total += fd.alloc_bytes;
        alloc_max = std::max(alloc_max, fd.alloc_bytes);
        beyond_l2 += fd.alloc_bytes > l2;
        beyond_l3 += fd.alloc_bytes > l3;
    }
    double extra = 0;
    for (const auto &kv : s.funcs) extra += index.count(kv.first) == 0;
    double nf = std::max<size_t>(1, n), tw = std::max(total_work, 1e-30);
    const double g[kNumGlobal] = {
        lg((double)n),
        lg((double)stages.size()),
        n_inline / nf,
        n_root / nf,
        n_at / nf,
        lg(required_work),
        lg(total_work),
        lg(total_points),
        std::log2((total_work + 1) / (required_work + 1)),
        lg(alloc_total),
        lg(alloc_max),
        beyond_l2,
        beyond_l3,
        serial / tw,
        vec / tw,
        stride1 / tw,
        max_exp,
        lg(proxy),
        lg((double)threads),
        (double)lanes_f32,
        lg(real_total),
        lg(extra),
    };
    for (int c = 0; c < kNumGlobal; c++) global[c] = (float)g[c];
    for (float &v : row)
        if (!std::isfinite(v)) v = 0.0f;
    return row;
}

void Featurizer::Static::stage_row(const Schedule &, const std::vector<FuncDyn> &dyn, const StageStatic &ss,
                                   float *r) const {
    const FuncDyn &fd = dyn[ss.func];
    const FuncStatic &fst = funcs[ss.func];
    const FuncInfo &f = *fst.info;
    if (fd.placement == Placement::inline_) {
        r[c_inline] = 1;
        r[c_inline_copies] = (float)fd.expansion;
        return;
    }
    const StageDyn &sd = fd.stages[ss.index];
    r[c_root] = fd.placement == Placement::root;
    r[c_at] = fd.placement == Placement::at;
    const double points = sd.points * sd.padded_ratio;
    const double per_point = sd.ops + sd.loads;
    r[c_points] = (float)lg(sd.points);
    r[c_work] = (float)lg(points * per_point);
    r[c_realizations] = (float)lg(sd.realizations);
    r[c_recompute] = (float)lg(sd.points / std::max(1.0, ss.required_points) - 1);
    r[c_points_per_real] = (float)lg(sd.per_real_points);
    r[c_padding] = (float)lg(sd.padded_ratio - 1);
    r[c_ops] = (float)lg(sd.ops);
    r[c_loads] = (float)lg(sd.loads);
    const double bytes_per_point = fst.bytes_per_point * (1 + ss.distinct_inputs);
    r[c_arith] = (float)lg(sd.ops / bytes_per_point);
    r[c_inline_copies] = (float)sd.inline_copies;
    r[c_n_loops] = (float)sd.loops.size();
    const std::string dense = f.args.empty() ? std::string() : f.args[0];
    const auto &dims = ss.info->default_order;
    auto is_dense = [&](const Loop &l) { return l.dim >= 0 && dims[l.dim] == dense; };
    if (!sd.loops.empty()) {
        const Loop &inner = sd.loops.front();
        r[c_inner_extent] = (float)lg(inner.trip);
        r[c_inner_stride1] = is_dense(inner);
        r[c_inner_rvar] = inner.dim >= 0 && ss.dim_rvar[inner.dim];
    }
    r[c_vec_width] = (float)lg(sd.vec_width);
    r[c_vec_native] = (float)(sd.vec_width / fst.lanes);
    r[c_vec_stride1] = sd.vec_dense;
    r[c_unroll] = (float)lg(sd.unroll - 1);
    r[c_par_own] = (float)lg(sd.par_own - 1);
    r[c_par_total] = (float)lg(sd.par_total - 1);
    // Cores kept busy: tasks run in waves of `units` (min(threads, physical
    // cores)), the last wave partly idle. (v1 used `threads` for units.)
    const double tasks = std::max(1.0, sd.par_total);
    const double waves = std::ceil(tasks / units);
    const double efficiency = tasks / (waves * units);
    r[c_par_eff] = (float)efficiency;
    r[c_nested_par] = sd.par_own > 1 && sd.par_total > sd.par_own;
    r[c_alloc] = (float)lg(fd.alloc_bytes);
    r[c_alloc_level] = (float)cache_level(fd.alloc_bytes);
    // Footprints per loop level: points inside the level * (output + distinct
    // inputs) bytes.
    double inside = 1, fit_l1 = 0, fit_l2 = 0, tile_fp = 0;
    bool in_tile = true;
    for (size_t j = 0; j < sd.loops.size(); j++) {
        inside *= sd.loops[j].trip;
        double fp = inside * bytes_per_point;
        if (j == 0) r[c_fp_inner] = (float)lg(fp);
        if (in_tile && (sd.loops[j].constant || j == 0))
            tile_fp = fp;
        else
            in_tile = false;
        fit_l1 += fp <= l1;
        fit_l2 += fp <= l2;
    }
    if (sd.loops.empty()) tile_fp = bytes_per_point;
    r[c_fp_tile] = (float)lg(tile_fp);
    r[c_tile_level] = (float)cache_level(tile_fp);
    const double nl = std::max<size_t>(1, sd.loops.size());
    r[c_fit_l1] = (float)(fit_l1 / nl);
    r[c_fit_l2] = (float)(fit_l2 / nl);
    double rvar_extent = 1;
    for (size_t d = 0; d < ss.full_extent.size(); d++)
        if (ss.dim_rvar[d]) rvar_extent *= ss.full_extent[d];
    r[c_rvar_extent] = (float)lg(rvar_extent - 1);
    // A crude time in "operations": vector lanes (half the benefit off the dense
    // dimension) and busy cores divide the work; every realization and memory
    // beyond L2 add.
    double speed = std::max(1.0, std::min(sd.vec_width, (double)fst.lanes) * (sd.vec_dense ? 1.0 : 0.5));
    double cores = std::max(1.0, efficiency * units);
    double memory = cache_level(fd.alloc_bytes) >= 2 ? sd.points * bytes_per_point * 0.25 : 0;
    r[c_time_proxy] = (float)lg(points * per_point / (speed * cores) + memory / cores + 50 * sd.realizations);
}

Featurizer::Featurizer(const Workload &w, const Halide::Target &target, int threads,
                       const MachineCaches &caches) {
    auto analysis = std::make_shared<const PipelineAnalysis>(w.build());
    static_ = std::make_shared<const Static>(std::move(analysis), target, threads, caches);
}

Featurizer::Featurizer(const ScheduleSpace &space, int threads, const MachineCaches &caches) {
    // The space owns the analysis: a non-owning shared_ptr (the space must
    // outlive us).
    std::shared_ptr<const PipelineAnalysis> analysis(&space.analysis(), [](const PipelineAnalysis *) {});
    static_ = std::make_shared<const Static>(std::move(analysis), space.target(), threads, caches);
}

Featurizer::~Featurizer() = default;

int Featurizer::threads() const { return static_->threads; }

const MachineCaches &Featurizer::caches() const { return static_->caches; }

std::vector<float> Featurizer::features(const Schedule &s) const { return static_->scheduled_features(s); }

FeatureMatrix Featurizer::featurize(const std::vector<Schedule> &batch) const {
    FeatureMatrix m(feature_schema(), batch.size());
    const size_t cols = m.cols();
    for (size_t i = 0; i < batch.size(); i++) {
        std::vector<float> row = static_->scheduled_features(batch[i]);
        std::copy(row.begin(), row.end(), m.values.begin() + i * cols);
    }
    return m;
}

const FeatureSchema &feature_schema() {
    static const FeatureSchema schema{"htune-features", 3, column_names()};
    return schema;
}

}  // namespace htune
