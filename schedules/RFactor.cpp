// Structure of rfactor'd stages (see RFactor.h). Mirrors what Halide 14's
// Stage::rfactor does to the dims of the stage: the split of `rvar` happens
// first; the intermediate's update keeps the stage's dims with `keep` purified
// into `var`; the merge keeps `keep` and the pure vars (the ones missing from
// the update's dims are appended outermost, in args order).
#include "schedules/RFactor.h"

#include <algorithm>
#include <cctype>

#include "schedules/Loops.h"

namespace htune {

namespace {

bool contains(const std::vector<std::string> &v, const std::string &x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

int ext_of(const StageInfo &stage, const std::string &v) {
    auto it = stage.extent.find(v);
    return it == stage.extent.end() ? 1 : it->second;
}

// Extents of the two halves of the split rvar (rvar_o, rvar_i), or the whole
// rvar.
int kept_extent(const StageInfo &stage, const RFactor &rf) {
    int e = ext_of(stage, rf.rvar);
    if (rf.factor == 0) return e;
    if (rf.keep == rf.rvar + "_i") return rf.factor;
    return (e + rf.factor - 1) / rf.factor;
}

std::string other_half(const RFactor &rf) {
    if (rf.factor == 0) return "";
    auto names = split_loop_names(rf.rvar, 1);
    return rf.keep == names[0] ? names[1] : names[0];
}

int other_extent(const StageInfo &stage, const RFactor &rf) {
    int e = ext_of(stage, rf.rvar);
    if (rf.keep == rf.rvar + "_i") return (e + rf.factor - 1) / rf.factor;
    return rf.factor;
}

// The stage's default loops after the split of rf.rvar, innermost first.
std::vector<std::string> split_default_order(const StageInfo &stage, const RFactor &rf) {
    std::vector<std::string> out;
    for (const auto &d : stage.default_order) {
        if (d == rf.rvar && rf.factor > 0) {
            auto names = split_loop_names(d, 1);
            out.push_back(names[1]);
            out.push_back(names[0]);
        } else {
            out.push_back(d);
        }
    }
    return out;
}

bool identifier(const std::string &v) {
    if (v.empty() || !(std::isalpha((unsigned char)v[0]) || v[0] == '_')) return false;
    return std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '_'; });
}

// a == b, or one is a loop derived from the other by splits ("x" / "x_o",
// "x_i_o", ...).
bool related(const std::string &a, const std::string &b) {
    return a == b || a.rfind(b + "_", 0) == 0 || b.rfind(a + "_", 0) == 0;
}

}  // namespace

std::string rfactor_func_name(const std::string &func, int stage) {
    return func + "_rf" + std::to_string(stage);
}

bool can_rfactor(const StageInfo &stage) {
    return stage.index > 0 && !stage.rvars.empty() && stage.associative && stage.commutative;
}

std::string validate_rfactor(const FuncInfo &f, const StageInfo &stage, const RFactor &rf) {
    const std::string where = f.name + " stage " + std::to_string(stage.index) + ": rfactor ";
    if (stage.index == 0 || stage.rvars.empty())
        return where + "needs an update stage with a reduction domain";
    if (!stage.associative)
        return where +
               "needs an associative update, and Halide cannot prove this "
               "one associative";
    if (!stage.commutative) return where + "of a non-commutative update is not in the space";
    if (!stage.is_rvar(rf.rvar)) return where + "of '" + rf.rvar + "', which is not an RVar of the stage";
    if (rf.factor == 0) {
        if (rf.keep != rf.rvar) return where + "without a split keeps the RVar '" + rf.rvar + "' itself";
        if (stage.rvars.size() < 2)
            return where +
                   "keeps the only RVar, so the intermediate would have no "
                   "reduction loop";
    } else {
        if (rf.factor < 2) return where + "split factor must be >= 2";
        if (rf.factor >= ext_of(stage, rf.rvar))
            return where + "split factor of '" + rf.rvar + "' must be smaller than its extent";
        auto names = split_loop_names(rf.rvar, 1);
        if (rf.keep != names[0] && rf.keep != names[1])
            return where + "keeps '" + rf.keep + "', which is neither " + names[0] + " nor " + names[1];
    }
    if (!identifier(rf.var)) return where + "var '" + rf.var + "' is not an identifier";
    std::vector<std::string> taken = f.args;
    for (const auto &d : split_default_order(stage, rf)) taken.push_back(d);
    for (const auto &t : taken)
        if (related(rf.var, t)) return where + "var '" + rf.var + "' clashes with the loop '" + t + "'";
    return "";
}

std::vector<std::string> rfactor_moved_rvars(const StageInfo &stage, const RFactor &rf) {
    std::vector<std::string> out;
    for (const auto &r : stage.rvars) {
        if (r != rf.rvar)
            out.push_back(r);
        else if (rf.factor > 0)
            out.push_back(other_half(rf));
    }
    // Innermost first, as the split default order has them.
    std::vector<std::string> order = split_default_order(stage, rf), sorted;
    for (const auto &l : order)
        if (contains(out, l)) sorted.push_back(l);
    return sorted;
}

StageInfo rfactor_merge_stage(const FuncInfo &f, const StageInfo &stage, const RFactor &rf) {
    StageInfo m;
    m.index = stage.index;
    std::vector<std::string> moved = rfactor_moved_rvars(stage, rf);
    for (const auto &d : split_default_order(stage, rf))
        if (!contains(moved, d)) m.default_order.push_back(d);
    for (const auto &a : f.args)
        if (!contains(m.default_order, a)) m.default_order.push_back(a);
    m.pure_vars = f.args;
    m.rvars = {rf.keep};
    for (size_t a = 0; a < f.args.size(); a++) m.extent[f.args[a]] = f.extents[a];
    m.extent[rf.keep] = std::max(1, kept_extent(stage, rf));
    m.has_predicate = stage.has_predicate;  // conservative: Halide may keep it on the merge
    m.ops_per_point = 1;  // f(x) = f(x) op intermediate(x, keep)
    m.loads_per_point = 1;
    return m;
}

FuncInfo rfactor_intermediate(const FuncInfo &f, const StageInfo &stage, const RFactor &rf) {
    FuncInfo g;
    g.name = rfactor_func_name(f.name, stage.index);
    g.halide_name = f.halide_name + "_intm";
    g.args = f.args;
    g.args.push_back(rf.var);
    g.extents = f.extents;
    g.extents.push_back(std::max(1, kept_extent(stage, rf)));
    g.extent_known = f.extent_known;
    g.extent_known.push_back(true);
    g.type = f.type;
    g.values = f.values;
    g.is_output = false;
    g.has_updates = true;
    g.can_inline = false;
    // It reads what the stage reads, along the same args, and along `var` what the stage read
    // along the kept RVar: computed past its region (a rounded-up split), it reads the same
    // inputs out of bounds (matmul's C_rf1 read B at n = 415 of 406).
    g.input_reads_bounded = f.input_reads_bounded;
    g.input_unbounded_args = f.input_unbounded_args;
    if (!f.input_reads_bounded) g.input_unbounded_args.push_back(rf.var);
    g.producers_read_past = f.producers_read_past;  // along `var`: not derived
    g.clamped_producers = f.clamped_producers;
    StageInfo init;
    init.index = 0;
    init.pure_vars = g.args;
    init.default_order = g.args;
    for (size_t a = 0; a < g.args.size(); a++) init.extent[g.args[a]] = g.extents[a];
    g.stages.push_back(init);
    StageInfo up;
    up.index = 1;
    for (const auto &d : split_default_order(stage, rf))
        up.default_order.push_back(d == rf.keep ? rf.var : d);
    up.pure_vars = stage.pure_vars;
    up.pure_vars.push_back(rf.var);
    up.rvars = rfactor_moved_rvars(stage, rf);
    for (const auto &v : stage.pure_vars) up.extent[v] = ext_of(stage, v);
    up.extent[rf.var] = g.extents.back();
    for (const auto &r : up.rvars)
        up.extent[r] = r == other_half(rf) ? std::max(1, other_extent(stage, rf)) : ext_of(stage, r);
    up.has_predicate = stage.has_predicate;
    up.ops_per_point = stage.ops_per_point;
    up.loads_per_point = stage.loads_per_point;
    g.stages.push_back(up);
    g.uses.push_back(Use{f.name, stage.index, 1, {}, {}});
    return g;
}

bool has_rfactor(const Schedule &s) {
    for (const auto &kv : s.funcs)
        for (const auto &st : kv.second.stages)
            if (!st.rfactor.empty()) return true;
    return false;
}

PipelineAnalysis with_rfactors(const PipelineAnalysis &a, const Schedule &s, std::string *why) {
    why->clear();
    for (const auto &kv : s.funcs) {
        if (a.has(kv.first)) continue;
        for (const auto &st : kv.second.stages)
            if (!st.rfactor.empty()) {
                *why = kv.first + ": only the pipeline's own Funcs can be rfactor'd";
                return a;
            }
    }
    std::vector<FuncInfo> funcs;
    std::map<std::pair<std::string, int>, std::string> moved;  // (func, stage) -> intermediate
    for (const FuncInfo &f : a.funcs()) {
        auto it = s.funcs.find(f.name);
        if (it == s.funcs.end()) {
            funcs.push_back(f);
            continue;
        }
        FuncInfo merged = f;
        for (size_t i = 0; i < it->second.stages.size() && i < f.stages.size(); i++) {
            const RFactor &rf = it->second.stages[i].rfactor;
            if (rf.empty()) continue;
            std::string bad = validate_rfactor(f, f.stages[i], rf);
            if (!bad.empty()) {
                *why = bad;
                return a;
            }
            FuncInfo g = rfactor_intermediate(f, f.stages[i], rf);
            if (a.has(g.name)) {
                *why = f.name + ": the rfactor intermediate's name '" + g.name + "' is taken by a Func";
                return a;
            }
            moved[{f.name, (int)i}] = g.name;
            funcs.push_back(g);
            merged.stages[i] = rfactor_merge_stage(f, f.stages[i], rf);
        }
        funcs.push_back(merged);
    }
    if (moved.empty()) return a;
    for (FuncInfo &f : funcs) {
        for (Use &u : f.uses) {
            auto m = moved.find({u.consumer, u.stage});
            if (m != moved.end() && m->second != f.name) {  // not the intermediate's own use
                u.consumer = m->second;
                u.stage = 1;
            }
        }
    }
    return PipelineAnalysis(std::move(funcs), a.stable_names());
}

}  // namespace htune
