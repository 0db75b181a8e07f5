// apply_schedule: Schedule -> Halide scheduling calls; to_cpp: the same as C++ text. Both walk
// the schedule through one visitor (ScheduleEmitter) so they cannot drift apart.
#include "schedules/Apply.h"

#include <functional>
#include <sstream>

#include "ops/Error.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/Wrappers.h"

namespace htune {

using namespace Halide;

namespace {

// A C++ identifier for a stable Func name or a loop name ("C#1" -> "C_1", "k$x_o" -> "k_x_o").
std::string ident(const std::string &name) {
    std::string out;
    for (char c : name) out += (std::isalnum((unsigned char)c) || c == '_') ? c : '_';
    return out;
}

// Receives the schedule as a sequence of directives; implemented once for Halide and once
// for C++ text.
class Emitter {
public:
    virtual ~Emitter() = default;
    virtual void compute_root(const std::string &f) = 0;
    // Storage layout, innermost first (a permutation of f's pure args).
    virtual void reorder_storage(const std::string &f, const std::vector<std::string> &dims) = 0;
    virtual void compute_at(const std::string &f, const std::string &g, int stage, const std::string &loop,
                            bool loop_rvar, const std::string &store_func, const std::string &store_loop,
                            bool store_rvar) = 0;
    // Directives on stage `stage` of `f`; `rvar` says whether the loop derives from an RVar.
    virtual void split(const std::string &f, int stage, const std::string &var, bool rvar,
                       const std::string &outer, const std::string &inner, int factor, TailStrategy tail) = 0;
    virtual void reorder(const std::string &f, int stage,
                         const std::vector<std::pair<std::string, bool>> &loops) = 0;
    virtual void fuse(const std::string &f, int stage, const std::string &inner, const std::string &outer,
                      const std::string &fused) = 0;
    virtual void parallel(const std::string &f, int stage, const std::string &loop) = 0;
    virtual void vectorize(const std::string &f, int stage, const std::string &loop) = 0;
    virtual void unroll(const std::string &f, int stage, const std::string &loop, bool rvar) = 0;
    // intermediate = f.update(stage - 1).rfactor(keep, var)
    virtual void rfactor(const std::string &f, int stage, const std::string &keep, const std::string &var,
                         const std::string &intermediate) = 0;
    // wrapper = f.in(consumer)
    virtual void wrap(const std::string &f, const std::string &consumer, const std::string &wrapper) = 0;
};

// A multi-level split whose inner factors each divide the one outside them: it can be written
// innermost first (walk), every level then splitting by a whole ratio.
bool guarded_innermost_first(const DimSplit &d) {
    if (d.factors.size() < 2) return false;
    for (size_t k = 0; k < d.factors.size(); k++)
        if (d.factors[k] <= 0 || (k > 0 && d.factors[k - 1] % d.factors[k] != 0)) return false;
    return true;
}

}  // namespace

bool outer_loop_fused(const DimSplit &d, const StageSchedule &st) {
    if (st.parallel.size() < 2 || d.factors.empty()) return false;
    const std::string outer = split_loop_names(d.var, d.factors.size())[0];
    return std::find(st.parallel.begin(), st.parallel.end(), outer) != st.parallel.end();
}

bool writes_innermost_first(const DimSplit &d, const StageSchedule &st, Halide::TailStrategy tail) {
    return tail == TailStrategy::GuardWithIf && guarded_innermost_first(d) && !outer_loop_fused(d, st);
}

namespace {

void walk(const Schedule &s, const PipelineAnalysis &original, Emitter &e) {
    // rfactors first: they create the intermediates and change the stages' loops. Each splits
    // its RVar (if asked) and calls rfactor before any other directive of the stage.
    std::string bad;
    PipelineAnalysis rf = with_rfactors(original, s, &bad);
    if (!bad.empty()) throw_usage("schedule: " + bad);
    // Then the wrappers: they replace calls in their consumers, before anything is scheduled.
    PipelineAnalysis a = with_wrappers(rf, s, &bad);
    if (!bad.empty()) throw_usage("schedule: " + bad);
    for (const auto &kv : s.funcs) {
        if (!original.has(kv.first)) continue;
        for (size_t i = 0; i < kv.second.stages.size(); i++) {
            const RFactor &rf = kv.second.stages[i].rfactor;
            if (rf.empty()) continue;
            if (rf.factor > 0) {
                auto names = split_loop_names(rf.rvar, 1);
                e.split(kv.first, (int)i, rf.rvar, true, names[0], names[1], rf.factor,
                        TailStrategy::GuardWithIf);
            }
            e.rfactor(kv.first, (int)i, rf.keep, rf.var, rfactor_func_name(kv.first, (int)i));
        }
    }
    for (const auto &kv : s.funcs)
        for (const std::string &g : kv.second.wrap) e.wrap(kv.first, g, wrapper_func_name(kv.first, g));
    for (const auto &kv : s.funcs) {
        const std::string &name = kv.first;
        const FuncSchedule &fs = kv.second;
        if (!a.has(name)) throw_usage("schedule names Func '" + name + "', which the pipeline does not have");
        const FuncInfo &info = a.func(name);
        if (fs.placement == Placement::inline_) {
            if (!info.can_inline) throw_usage("schedule: Func '" + name + "' cannot be inlined");
            continue;
        }
        if (fs.placement == Placement::root) e.compute_root(name);
        if (!fs.storage.empty()) e.reorder_storage(name, fs.storage);
        if (fs.stages.size() > info.stages.size())
            throw_usage("schedule: Func '" + name + "' has " + std::to_string(info.stages.size()) +
                        " stage(s), not " + std::to_string(fs.stages.size()));
        for (size_t i = 0; i < fs.stages.size(); i++) {
            const StageInfo &stage = info.stages[i];
            const StageSchedule &st = fs.stages[i];
            int si = (int)i;
            LoopNest nest = loop_nest(stage, st);
            for (const DimSplit &d : st.splits) {
                auto names = split_loop_names(d.var, d.factors.size());
                bool rv = stage.is_rvar(d.var);
                TailStrategy tail = tail_strategy(d, info, fs, stage);
                if (writes_innermost_first(d, st, tail)) {
                    // Guarded levels are split innermost first: var by the innermost factor,
                    // what is left outside (var_t, var_t2, ...) by the ratio of the next two
                    // factors, and so on out. The loops, their extents and the points computed
                    // are those of the outermost-first form below; but Halide 14 gives that form
                    // (GuardWithIf at every level) wrong values once the last outer iteration
                    // holds whole inner tiles past the extent and the innermost is vectorized:
                    // it shifts those tiles back inside, so an update adds twice to the points
                    // they cover (unsharp's sum#0_rf1 split [4, 2] over 6 values of u; a plain
                    // update over a constant extent of 6 or 10 alike; compute_at Funcs split
                    // [4, 2] or [16, 8] inside tiles). Innermost first, these compute the
                    // reference (GuardedSplitTest). Inside a tile with a tail neither form is
                    // safe, so the space keeps such splits in one level there
                    // (multi_level_split_reason says why). Where the outer loop is fused with
                    // another for parallelism, innermost first goes wrong too: Halide 14 bounds
                    // the other fused loop below zero when the extent is not a constant to it
                    // (iir_blur's blur#1 update, x split [64, 16] and x_o fused with c, read the
                    // input at channel -2, in four schedules of a tuning run), while outermost
                    // first computes the reference: those are written outermost first. Whether
                    // the wrong-update fault above can reach them is not known: with a second
                    // dimension added to the failing update (fused with the outer loop or not),
                    // a standalone program computed the reference in both forms.
                    const size_t n = d.factors.size();
                    std::string cur = d.var;
                    for (size_t k = n; k-- > 0;) {
                        int factor = k + 1 == n ? d.factors[k] : d.factors[k] / d.factors[k + 1];
                        std::string outer =
                            k == 0 ? names[0] : d.var + "_t" + (k + 1 < n ? std::to_string(n - k) : "");
                        e.split(name, si, cur, rv, outer, names[k + 1], factor, tail);
                        cur = outer;
                    }
                    continue;
                }
                // Level k splits what level k-1 left inside (var_t, var_t2, ...) by factor k.
                // Inner splits that divide their constant outer factors never use their tail;
                // those that do not are valid only with shift_inwards (validate_stage), which
                // every level then repeats, as Adams2019 writes them.
                std::string cur = d.var;
                for (size_t k = 0; k < d.factors.size(); k++) {
                    bool last = k + 1 == d.factors.size();
                    std::string inner = last ? names[k + 1] : d.var + "_t" + (k ? std::to_string(k + 1) : "");
                    e.split(name, si, cur, rv, names[k], inner, d.factors[k], tail);
                    cur = inner;
                }
            }
            if (!st.order.empty()) {
                std::vector<std::pair<std::string, bool>> loops;
                for (const auto &l : st.order) loops.emplace_back(l, nest.is_rvar(l));
                e.reorder(name, si, loops);
            }
            if (!st.vectorize.empty()) e.vectorize(name, si, st.vectorize);
            for (const auto &u : st.unroll) e.unroll(name, si, u, nest.is_rvar(u));
            if (!st.parallel.empty()) {
                std::string cur = st.parallel[0];
                for (size_t p = 1; p < st.parallel.size(); p++) {
                    std::vector<std::string> prefix(st.parallel.begin(), st.parallel.begin() + p + 1);
                    std::string fused = fused_loop_name(prefix);
                    e.fuse(name, si, cur, st.parallel[p], fused);
                    cur = fused;
                }
                e.parallel(name, si, cur);
            }
        }
    }
    // compute_at last: the consumer's loops must exist (splits above) before they are named.
    // The loop nest and final loops of the stage that Func `f` (scheduled `fs`) is computed at.
    auto consumer_loops = [&](const std::string &f, const FuncSchedule &fs) {
        if (!a.has(fs.at_func))
            throw_usage("schedule: Func '" + f + "' is computed at unknown Func '" + fs.at_func + "'");
        const FuncInfo &g = a.func(fs.at_func);
        if (fs.at_stage < 0 || fs.at_stage >= (int)g.stages.size())
            throw_usage("schedule: Func '" + f + "' is computed at a stage '" + fs.at_func +
                        "' does not have");
        auto it = s.funcs.find(fs.at_func);
        StageSchedule gst = (it != s.funcs.end() && fs.at_stage < (int)it->second.stages.size())
                                ? it->second.stages[fs.at_stage]
                                : StageSchedule{};
        LoopNest nest = loop_nest(g.stages[fs.at_stage], gst);
        std::vector<std::string> loops = final_loops(nest, gst);
        return std::make_pair(std::move(nest), std::move(loops));
    };
    for (const auto &kv : s.funcs) {
        const FuncSchedule &fs = kv.second;
        if (fs.placement != Placement::at) continue;
        auto nest_loops = consumer_loops(kv.first, fs);
        const LoopNest &nest = nest_loops.first;
        const std::vector<std::string> &loops = nest_loops.second;
        auto exists = [&](const std::string &l) {
            return std::find(loops.begin(), loops.end(), l) != loops.end();
        };
        if (!exists(fs.at_loop))
            throw_usage("schedule: Func '" + kv.first + "' is computed at loop '" + fs.at_loop + "', which " +
                        fs.at_func + " does not have");
        if (!fs.store_loop.empty() && !exists(fs.store_loop))
            throw_usage("schedule: Func '" + kv.first + "' is stored at loop '" + fs.store_loop +
                        "', which " + fs.at_func + " does not have");
        if (!fs.store_with_consumer) {
            e.compute_at(kv.first, fs.at_func, fs.at_stage, fs.at_loop, nest.is_rvar(fs.at_loop), fs.at_func,
                         fs.store_loop, nest.is_rvar(fs.store_loop));
            continue;
        }
        // Stored where at_func is computed: at_func's own compute_at loop, in its consumer.
        auto it = s.funcs.find(fs.at_func);
        if (it == s.funcs.end() || it->second.placement != Placement::at)
            throw_usage("schedule: Func '" + kv.first + "' is stored with its consumer " + fs.at_func +
                        ", which is not computed inside another Func's loops");
        const FuncSchedule &gs = it->second;
        LoopNest hnest = consumer_loops(fs.at_func, gs).first;
        e.compute_at(kv.first, fs.at_func, fs.at_stage, fs.at_loop, nest.is_rvar(fs.at_loop), gs.at_func,
                     gs.at_loop, hnest.is_rvar(gs.at_loop));
    }
}

VarOrRVar var_or_rvar(const std::string &name, bool rvar) {
    if (rvar) return VarOrRVar(RVar(name));
    return VarOrRVar(Var(name));
}

class HalideEmitter : public Emitter {
public:
    explicit HalideEmitter(std::map<std::string, Internal::Function> fns) : fns_(std::move(fns)) {}

    Func func(const std::string &f) { return Func(fns_.at(f)); }
    Stage stage(const std::string &f, int s) {
        Func fn = func(f);
        return s == 0 ? Stage(fn) : fn.update(s - 1);
    }
    void compute_root(const std::string &f) override { func(f).compute_root(); }
    void reorder_storage(const std::string &f, const std::vector<std::string> &dims) override {
        std::vector<Var> vs(dims.begin(), dims.end());
        func(f).reorder_storage(vs);
    }
    void compute_at(const std::string &f, const std::string &g, int st, const std::string &loop,
                    bool loop_rvar, const std::string &store_func, const std::string &store_loop,
                    bool store_rvar) override {
        // Halide 14 rejects an explicit stage index here even where the location is legal; the
        // default (-1) means "the stage that uses f", which the space guarantees is `st`.
        Func gf = func(g);
        func(f).compute_at(LoopLevel(gf, var_or_rvar(loop, loop_rvar)));
        if (!store_loop.empty())
            func(f).store_at(LoopLevel(func(store_func), var_or_rvar(store_loop, store_rvar)));
    }
    void split(const std::string &f, int s, const std::string &var, bool rvar, const std::string &outer,
               const std::string &inner, int factor, TailStrategy tail) override {
        stage(f, s).split(var_or_rvar(var, rvar), var_or_rvar(outer, rvar), var_or_rvar(inner, rvar), factor,
                          tail);
    }
    void reorder(const std::string &f, int s,
                 const std::vector<std::pair<std::string, bool>> &loops) override {
        std::vector<VarOrRVar> vs;
        for (const auto &l : loops) vs.push_back(var_or_rvar(l.first, l.second));
        stage(f, s).reorder(vs);
    }
    void fuse(const std::string &f, int s, const std::string &inner, const std::string &outer,
              const std::string &fused) override {
        stage(f, s).fuse(Var(inner), Var(outer), Var(fused));
    }
    void parallel(const std::string &f, int s, const std::string &loop) override {
        stage(f, s).parallel(Var(loop));
    }
    void vectorize(const std::string &f, int s, const std::string &loop) override {
        stage(f, s).vectorize(Var(loop));
    }
    void unroll(const std::string &f, int s, const std::string &loop, bool rvar) override {
        stage(f, s).unroll(var_or_rvar(loop, rvar));
    }
    void rfactor(const std::string &f, int s, const std::string &keep, const std::string &var,
                 const std::string &intermediate) override {
        Func g = stage(f, s).rfactor(RVar(keep), Var(var));
        fns_[intermediate] = g.function();
    }
    void wrap(const std::string &f, const std::string &consumer, const std::string &wrapper) override {
        fns_[wrapper] = func(f).in(func(consumer)).function();
    }

private:
    std::map<std::string, Internal::Function> fns_;
};

class CppEmitter : public Emitter {
public:
    std::ostringstream body;
    std::map<std::string, bool> vars;  // loop name -> is RVar (declarations)

    std::string stage(const std::string &f, int s) {
        return ident(f) + (s == 0 ? "" : ".update(" + std::to_string(s - 1) + ")");
    }
    std::string use(const std::string &loop, bool rvar) {
        vars[loop] = rvar;
        return ident(loop);
    }
    void compute_root(const std::string &f) override { body << ident(f) << ".compute_root();\n"; }
    void reorder_storage(const std::string &f, const std::vector<std::string> &dims) override {
        body << ident(f) << (dims.size() == 1 ? ".reorder_storage({" : ".reorder_storage(");
        for (size_t i = 0; i < dims.size(); i++) body << (i ? ", " : "") << use(dims[i], false);
        body << (dims.size() == 1 ? "});\n" : ");\n");
    }
    void compute_at(const std::string &f, const std::string &g, int st, const std::string &loop,
                    bool loop_rvar, const std::string &store_func, const std::string &store_loop,
                    bool store_rvar) override {
        body << ident(f) << ".compute_at(" << ident(g) << ", " << use(loop, loop_rvar) << ")";
        if (!store_loop.empty())
            body << ".store_at(" << ident(store_func) << ", " << use(store_loop, store_rvar) << ")";
        body << ";\n";
    }
    void split(const std::string &f, int s, const std::string &var, bool rvar, const std::string &outer,
               const std::string &inner, int factor, TailStrategy tail) override {
        body << stage(f, s) << ".split(" << use(var, rvar) << ", " << use(outer, rvar) << ", "
             << use(inner, rvar) << ", " << factor << ", TailStrategy::" << tail_name(tail) << ");\n";
    }
    static const char *tail_name(TailStrategy t) {
        switch (t) {
            case TailStrategy::RoundUp:
                return "RoundUp";
            case TailStrategy::GuardWithIf:
                return "GuardWithIf";
            case TailStrategy::ShiftInwards:
                return "ShiftInwards";
            default:
                return "Auto";
        }
    }
    void reorder(const std::string &f, int s,
                 const std::vector<std::pair<std::string, bool>> &loops) override {
        // Halide's variadic reorder takes two or more loops; one (a stage of a single loop,
        // e.g. a 1-D Func or a reduction over one RVar) goes through its vector overload.
        body << stage(f, s) << (loops.size() == 1 ? ".reorder({" : ".reorder(");
        for (size_t i = 0; i < loops.size(); i++)
            body << (i ? ", " : "") << use(loops[i].first, loops[i].second);
        body << (loops.size() == 1 ? "});\n" : ");\n");
    }
    void fuse(const std::string &f, int s, const std::string &inner, const std::string &outer,
              const std::string &fused) override {
        body << stage(f, s) << ".fuse(" << use(inner, false) << ", " << use(outer, false) << ", "
             << use(fused, false) << ");\n";
    }
    void parallel(const std::string &f, int s, const std::string &loop) override {
        body << stage(f, s) << ".parallel(" << use(loop, false) << ");\n";
    }
    void vectorize(const std::string &f, int s, const std::string &loop) override {
        body << stage(f, s) << ".vectorize(" << use(loop, false) << ");\n";
    }
    void unroll(const std::string &f, int s, const std::string &loop, bool rvar) override {
        body << stage(f, s) << ".unroll(" << use(loop, rvar) << ");\n";
    }
    void rfactor(const std::string &f, int s, const std::string &keep, const std::string &var,
                 const std::string &intermediate) override {
        body << "Func " << ident(intermediate) << " = " << stage(f, s) << ".rfactor(" << use(keep, true)
             << ", " << use(var, false) << ");\n";
    }
    void wrap(const std::string &f, const std::string &consumer, const std::string &wrapper) override {
        body << "Func " << ident(wrapper) << " = " << ident(f) << ".in(" << ident(consumer) << ");\n";
    }
};

}  // namespace

TailStrategy default_tail(const FuncInfo &info, const FuncSchedule &fs, const StageInfo &stage,
                          const std::string &var) {
    if (stage.index != 0 || stage.is_rvar(var) || fs.placement != Placement::root)
        return TailStrategy::GuardWithIf;
    for (size_t a = 0; a < info.args.size(); a++)
        if (info.args[a] == var)
            return info.extent_known[a] ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
    return TailStrategy::GuardWithIf;
}

TailStrategy tail_strategy(const DimSplit &d, const FuncInfo &f, const FuncSchedule &fs,
                           const StageInfo &stage) {
    if (d.tail == "round_up") return TailStrategy::RoundUp;
    if (d.tail == "shift_inwards") return TailStrategy::ShiftInwards;
    if (d.tail == "guard") return TailStrategy::GuardWithIf;
    return default_tail(f, fs, stage, d.var);
}

std::string tail_name(TailStrategy t) {
    switch (t) {
        case TailStrategy::RoundUp:
            return "round_up";
        case TailStrategy::ShiftInwards:
            return "shift_inwards";
        case TailStrategy::GuardWithIf:
            return "guard";
        default:
            return "";
    }
}

void apply_schedule(const Schedule &s, Halide::Pipeline &p, const Halide::Target &target) {
    PipelineAnalysis a(p);
    HalideEmitter e(functions_by_stable_name(p));
    try {
        walk(s, a, e);
    } catch (const Halide::Error &err) {
        throw Error(ErrorKind::usage, std::string("schedule rejected by Halide: ") + err.what());
    }
}

std::string to_cpp(const Schedule &s, const Halide::Pipeline &p) {
    PipelineAnalysis a(p);
    CppEmitter e;
    walk(s, a, e);
    std::ostringstream out;
    out << "// htune schedule " << schedule_hash(s) << ". Funcs are named by their stable names.\n";
    for (const auto &kv : e.vars)
        out << (kv.second ? "RVar " : "Var ") << ident(kv.first) << "(\"" << kv.first << "\");\n";
    for (const auto &kv : s.funcs)
        if (kv.second.placement == Placement::inline_) out << "// " << ident(kv.first) << ": inlined\n";
    out << e.body.str();
    return out.str();
}

}  // namespace htune
