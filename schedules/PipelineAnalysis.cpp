// Structure analysis of any Pipeline for the schedule space (see PipelineAnalysis.h).
#include "schedules/PipelineAnalysis.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ops/Error.h"
#include "ops/PipelineIO.h"
#include "ops/Regions.h"

namespace htune {

using namespace Halide;
using Internal::Function;

namespace {

// True when `e` reads a Func or an input (a data-dependent index).
// `data_lets`: names of enclosing Lets whose values read data.
class ReadsData : public Internal::IRVisitor {
public:
    explicit ReadsData(const std::set<std::string> &data_lets) : lets(data_lets) {}
    bool found = false;
    const std::set<std::string> &lets;

protected:
    using Internal::IRVisitor::visit;
    void visit(const Internal::Call *op) override {
        if (op->call_type == Internal::Call::Halide || op->call_type == Internal::Call::Image) found = true;
        Internal::IRVisitor::visit(op);
    }
    void visit(const Internal::Variable *op) override { found = found || lets.count(op->name) > 0; }
};
bool reads_data(const Expr &e, const std::set<std::string> &data_lets) {
    ReadsData r(data_lets);
    e.accept(&r);
    return r.found;
}

// How one consumer stage indexes one producer, over all its call sites (see Use).
struct CallShape {
    std::vector<std::string> arg_vars;
    std::vector<bool> gathered;
    std::vector<AffineIndex> index;
    std::vector<std::set<std::string>> vars;
};

// The Variables an index reads (its Lets substituted), scalar parameters left out.
class IndexVars : public Internal::IRVisitor {
public:
    std::set<std::string> vars;

protected:
    using Internal::IRVisitor::visit;
    void visit(const Internal::Variable *op) override {
        if (!op->param.defined()) vars.insert(op->name);
    }
};
std::set<std::string> index_vars(const Expr &e) {
    IndexVars v;
    Internal::substitute_in_all_lets(e).accept(&v);
    return v.vars;
}

// `e` as sum(coef * var) + c over Variables (any name; Use's caller keeps only loop vars);
// affine = false otherwise (data, division, Lets, ...).
AffineIndex affine_of(const Expr &e) {
    AffineIndex out;
    if (const int64_t *c = Internal::as_const_int(e)) {
        out.affine = true;
        out.lo = out.hi = (int)*c;
    } else if (const auto *v = e.as<Internal::Variable>()) {
        if (!v->param.defined()) out = AffineIndex::of_var(v->name);
    } else if (const auto *add = e.as<Internal::Add>()) {
        AffineIndex a = affine_of(add->a), b = affine_of(add->b);
        if (a.affine && b.affine) {
            out = a;
            for (const auto &kv : b.coef) out.coef[kv.first] += kv.second;
            out.lo += b.lo;
            out.hi += b.hi;
        }
    } else if (const auto *sub = e.as<Internal::Sub>()) {
        AffineIndex a = affine_of(sub->a), b = affine_of(sub->b);
        if (a.affine && b.affine) {
            out = a;
            for (const auto &kv : b.coef) out.coef[kv.first] -= kv.second;
            out.lo -= b.lo;
            out.hi -= b.hi;
        }
    } else if (const auto *mul = e.as<Internal::Mul>()) {
        const int64_t *k = Internal::as_const_int(mul->b);
        AffineIndex a = affine_of(mul->a);
        if (k && a.affine) {
            out = a;
            for (auto &kv : out.coef) kv.second *= (int)*k;
            out.lo *= (int)*k;
            out.hi *= (int)*k;
        }
    }
    for (auto it = out.coef.begin(); it != out.coef.end();)
        it = it->second == 0 ? out.coef.erase(it) : std::next(it);
    return out;
}

// The union of two call sites' indices: same coefficients, the constants' range widened.
AffineIndex merge_index(const AffineIndex &a, const AffineIndex &b) {
    if (!a.affine || !b.affine || a.coef != b.coef) return {};
    AffineIndex out = a;
    out.lo = std::min(a.lo, b.lo);
    out.hi = std::max(a.hi, b.hi);
    return out;
}

// Counts arithmetic and loads in one definition (a rough per-point cost).
class CostCounter : public Internal::IRVisitor {
public:
    double ops = 0;
    int loads = 0;
    std::map<std::string, int> callees;  // name -> call sites
    std::map<std::string, CallShape> shapes;

protected:
    std::set<std::string> data_lets;  // Lets in scope whose values read data
    using Internal::IRVisitor::visit;
    void visit(const Internal::Let *op) override {
        op->value.accept(this);
        bool data = reads_data(op->value, data_lets);
        bool shadowed = data_lets.count(op->name) > 0;
        if (data)
            data_lets.insert(op->name);
        else
            data_lets.erase(op->name);
        op->body.accept(this);
        if (shadowed)
            data_lets.insert(op->name);
        else
            data_lets.erase(op->name);
    }
#define HTUNE_COUNT(T)                           \
    void visit(const Internal::T *op) override { \
        ops += 1;                                \
        Internal::IRVisitor::visit(op);          \
    }
    HTUNE_COUNT(Add)
    HTUNE_COUNT(Sub)
    HTUNE_COUNT(Mul)
    HTUNE_COUNT(Div)
    HTUNE_COUNT(Mod)
    HTUNE_COUNT(Min)
    HTUNE_COUNT(Max)
    HTUNE_COUNT(Select)
    HTUNE_COUNT(LT)
    HTUNE_COUNT(LE)
    HTUNE_COUNT(EQ)
    HTUNE_COUNT(NE)
#undef HTUNE_COUNT
    void visit(const Internal::Call *op) override {
        if (op->call_type == Internal::Call::Halide || op->call_type == Internal::Call::Image) {
            loads++;
            bool first = callees[op->name]++ == 0;
            CallShape &sh = shapes[op->name];
            if (first) {
                sh.arg_vars.assign(op->args.size(), "");
                sh.gathered.assign(op->args.size(), false);
                sh.index.assign(op->args.size(), AffineIndex{});
                sh.vars.assign(op->args.size(), {});
            }
            for (size_t i = 0; i < op->args.size() && i < sh.arg_vars.size(); i++) {
                const auto *v = op->args[i].as<Internal::Variable>();
                std::string name = v ? v->name : "";
                // Let names are no loop vars: an index through a Let is dropped by the caller.
                AffineIndex ix = affine_of(Internal::simplify(op->args[i]));
                if (first) {
                    sh.arg_vars[i] = name;
                    sh.index[i] = ix;
                } else {
                    if (sh.arg_vars[i] != name) sh.arg_vars[i] = "";
                    sh.index[i] = merge_index(sh.index[i], ix);
                }
                for (const std::string &v : index_vars(op->args[i])) sh.vars[i].insert(v);
                if (reads_data(op->args[i], data_lets)) {
                    sh.gathered[i] = true;
                    sh.index[i] = {};
                    sh.vars[i].insert(Use::kUnknownVar);
                }
            }
        } else if (op->call_type == Internal::Call::PureExtern || op->call_type == Internal::Call::Extern) {
            ops += 10;  // exp, log, pow, ...: several instructions each
        } else {
            ops += 1;
        }
        Internal::IRVisitor::visit(op);
    }
};

int const_or(const Expr &e, int fallback, bool *known = nullptr) {
    if (known) *known = false;
    if (!e.defined()) return fallback;
    Expr s = Internal::simplify(e);
    if (const int64_t *v = Internal::as_const_int(s)) {
        if (known) *known = true;
        return (int)*v;
    }
    return fallback;
}

// All expressions of one definition that may call other Funcs.
std::vector<Expr> definition_exprs(const Internal::Definition &d) {
    std::vector<Expr> out = d.values();
    for (const Expr &a : d.args()) out.push_back(a);
    if (d.predicate().defined()) out.push_back(d.predicate());
    return out;
}

// What f's definitions read when f is computed over ANY region: f's pure vars are left unbounded
// (RVars take their estimated ranges) and Halide's bounds inference must still give a constant
// box inside the callee's required region (for an input buffer: the region it is sized for).
// A boundary condition (repeat_edge clamps its indices) reads its callee bounded; a plain
// `input(x - 1, y)` does not.
struct BoundedReads {
    bool inputs = true;           // every input buffer read is bounded
    std::set<std::string> funcs;  // Funcs (Halide names) read bounded
    // Funcs (Halide names) read past their required region, with the dimensions where.
    std::map<std::string, std::set<size_t>> unbounded_dims;
};

// With `only_arg`, that pure var alone is left unbounded and the others take f's required
// region: what f reads when computed over more than it must along that one dimension.
BoundedReads bounded_reads(const Function &f, const std::map<std::string, Function> &env,
                           const RequiredRegions &regions, const Internal::FuncValueBounds &value_bounds,
                           const std::string *only_arg = nullptr) {
    BoundedReads out;
    std::vector<const Internal::Definition *> defs;
    if (f.has_pure_definition()) defs.push_back(&f.definition());
    for (const auto &u : f.updates()) defs.push_back(&u);
    auto own = regions.funcs.find(f.name());
    for (const Internal::Definition *def : defs) {
        Internal::Scope<Internal::Interval> scope;
        for (size_t d = 0; d < f.args().size(); d++) {
            const std::string &arg = f.args()[d];
            Internal::Interval i = Internal::Interval::everything();
            if (only_arg && arg != *only_arg && own != regions.funcs.end() && d < own->second.size() &&
                own->second[d].known) {
                const DimRange &r = own->second[d];
                i = Internal::Interval(Expr((int)r.min), Expr((int)(r.min + r.extent - 1)));
            }
            scope.push(arg, i);
        }
        for (const auto &rv : def->schedule().rvars())
            scope.push(rv.var,
                       Internal::Interval(with_estimates(rv.min), with_estimates(rv.min + rv.extent - 1)));
        for (const Expr &e : definition_exprs(*def)) {
            for (const auto &[callee, box] :
                 Internal::boxes_required(with_estimates(e), scope, value_bounds)) {
                if (callee == f.name()) continue;
                auto fn = env.find(callee);
                bool input = fn == env.end() || is_input_wrapper(fn->second);
                const std::vector<DimRange> *sized = nullptr;
                auto in = regions.inputs.find(callee);
                auto fr = regions.funcs.find(callee);
                if (fn == env.end() && in != regions.inputs.end()) sized = &in->second;
                if (fn != env.end() && fr != regions.funcs.end()) sized = &fr->second;
                bool bounded = sized != nullptr;
                std::set<size_t> past;
                for (size_t d = 0; d < box.size(); d++) {
                    bool in_region = false;
                    if (sized && d < sized->size() && (*sized)[d].known && box[d].is_bounded()) {
                        const int64_t *lo = Internal::as_const_int(Internal::simplify(box[d].min));
                        const int64_t *hi = Internal::as_const_int(Internal::simplify(box[d].max));
                        const DimRange &r = (*sized)[d];
                        in_region = lo && hi && *lo >= r.min && *hi <= r.min + r.extent - 1;
                    }
                    if (!in_region) past.insert(d);
                    bounded = bounded && in_region;
                }
                if (input) {
                    out.inputs = out.inputs && bounded;
                } else if (bounded) {
                    out.funcs.insert(callee);
                } else {
                    out.unbounded_dims[callee].insert(past.begin(), past.end());
                }
            }
        }
    }
    for (const auto &kv : out.unbounded_dims) out.funcs.erase(kv.first);
    return out;
}

}  // namespace

bool StageInfo::is_rvar(const std::string &v) const {
    return std::find(rvars.begin(), rvars.end(), v) != rvars.end();
}

double FuncInfo::points() const {
    double p = 1;
    for (int e : extents) p *= e;
    return p;
}

double FuncInfo::root_bytes() const {
    for (bool known : extent_known)
        if (!known) return 0;
    return points() * type.bytes() * values;
}

std::map<std::string, Function> functions_by_stable_name(const Halide::Pipeline &p) {
    auto names = stable_func_names(p);
    std::map<std::string, Function> out;
    for (const auto &kv : pipeline_functions(p)) out[names.at(kv.first)] = kv.second;
    return out;
}

PipelineAnalysis::PipelineAnalysis(std::vector<FuncInfo> funcs,
                                   std::map<std::string, std::string> stable_names)
    : funcs_(std::move(funcs)), stable_(std::move(stable_names)) {
    for (size_t i = 0; i < funcs_.size(); i++) index_[funcs_[i].name] = i;
}

const FuncInfo &PipelineAnalysis::func(const std::string &name) const {
    auto it = index_.find(name);
    if (it == index_.end()) throw Error(ErrorKind::internal, "pipeline has no Func '" + name + "'");
    return funcs_[it->second];
}

PipelineAnalysis::PipelineAnalysis(const Halide::Pipeline &p) {
    std::map<std::string, Function> env = pipeline_functions(p);
    stable_ = stable_func_names(p);
    std::vector<Function> outputs;
    for (const Func &f : p.outputs()) outputs.push_back(f.function());
    std::vector<std::string> order = Internal::topological_order(outputs, env);

    // Required regions, consumers first, starting from the outputs' estimates.
    RequiredRegions regions = required_regions(p, describe_io(p).outputs);
    Internal::FuncValueBounds value_bounds;
    try {
        value_bounds = Internal::compute_function_value_bounds(order, env);
    } catch (const Halide::Error &) {
        // Without value bounds, data-dependent reads are simply not known to be bounded.
    }

    // Per Func (stable name), per stage: Halide names called -> call sites.
    std::map<std::string, std::vector<std::map<std::string, int>>> callees;
    std::map<std::string, std::vector<std::map<std::string, CallShape>>> shapes;
    for (const std::string &hname : order) {
        const Function &f = env.at(hname);
        if (is_input_wrapper(f)) continue;
        FuncInfo info;
        info.halide_name = hname;
        info.name = stable_.at(hname);
        info.args = f.args();
        info.type = f.output_types()[0];
        info.values = (int)f.output_types().size();
        info.has_updates = f.has_update_definition();
        info.is_output =
            std::any_of(outputs.begin(), outputs.end(), [&](const Function &o) { return o.name() == hname; });
        info.can_inline = !info.is_output && !info.has_updates && !f.has_extern_definition();
        if (!f.has_extern_definition()) {
            BoundedReads br = bounded_reads(f, env, regions, value_bounds);
            info.input_reads_bounded = br.inputs;
            if (!br.inputs || !br.unbounded_dims.empty())
                for (const std::string &arg : f.args()) {
                    BoundedReads along = bounded_reads(f, env, regions, value_bounds, &arg);
                    if (!along.inputs) info.input_unbounded_args.push_back(arg);
                    for (const auto &[callee, dims] : along.unbounded_dims)
                        if (stable_.count(callee))
                            info.producers_read_past[arg][stable_.at(callee)] = {dims.begin(), dims.end()};
                }
            for (const std::string &h : br.funcs)
                if (stable_.count(h)) info.clamped_producers.push_back(stable_.at(h));
        }
        const std::vector<DimRange> &region = regions.funcs[hname];
        for (int d = 0; d < f.dimensions(); d++) {
            bool known = d < (int)region.size() && region[d].known;
            int e = known ? (int)region[d].extent : 0;
            if (!known || e < 1) {
                known = false;
                e = 256;  // unknown (data-dependent): a moderate guess keeps tiling sensible
            }
            info.extents.push_back(e);
            info.extent_known.push_back(known);
        }
        std::vector<const Internal::Definition *> defs;
        if (f.has_pure_definition()) defs.push_back(&f.definition());
        for (const auto &u : f.updates()) defs.push_back(&u);
        for (size_t s = 0; s < defs.size(); s++) {
            StageInfo st;
            st.index = (int)s;
            const auto &sched = defs[s]->schedule();
            for (const auto &dim : sched.dims()) {
                if (dim.var == Var::outermost().name()) continue;
                st.default_order.push_back(dim.var);
                if (dim.is_rvar())
                    st.rvars.push_back(dim.var);
                else
                    st.pure_vars.push_back(dim.var);
            }
            // pure_vars in args order (dims() lists them innermost first = args order too).
            for (const auto &rv : sched.rvars()) {
                st.extent[rv.var] = std::max(1, const_or(with_estimates(rv.extent), 16));
                bool min_known = false, ext_known = false;
                int mn = const_or(rv.min, 0, &min_known), ext = const_or(rv.extent, 0, &ext_known);
                if (min_known && ext_known && ext >= 1) st.constant_rvars[rv.var] = {mn, ext};
            }
            for (size_t a = 0; a < info.args.size(); a++)
                if (std::find(st.pure_vars.begin(), st.pure_vars.end(), info.args[a]) != st.pure_vars.end())
                    st.extent[info.args[a]] = info.extents[a];
            st.has_predicate =
                defs[s]->predicate().defined() && !Internal::is_const_one(defs[s]->predicate());
            CostCounter cc;
            for (const Expr &e : definition_exprs(*defs[s])) e.accept(&cc);
            st.ops_per_point = cc.ops;
            st.loads_per_point = cc.loads;
            if (s > 0 && !st.rvars.empty()) {
                try {
                    Internal::AssociativeOp op =
                        Internal::prove_associativity(hname, defs[s]->args(), defs[s]->values());
                    st.associative = op.associative();
                    st.commutative = op.commutative();
                } catch (const Halide::Error &) {
                    st.associative = false;  // the prover gave up: treat as not associative
                }
            }
            info.stages.push_back(st);
            callees[info.name].push_back(cc.callees);
            shapes[info.name].push_back(cc.shapes);
        }
        index_[info.name] = funcs_.size();
        funcs_.push_back(info);
    }

    // Direct uses, seen through ImageParam wrappers (they are not scheduled).
    for (const FuncInfo &consumer : funcs_) {
        const auto &stages = callees[consumer.name];
        for (size_t s = 0; s < stages.size(); s++) {
            for (const auto &callee_calls : stages[s]) {
                auto st = stable_.find(callee_calls.first);
                if (st == stable_.end() || st->second == consumer.name || !index_.count(st->second)) continue;
                FuncInfo &producer = funcs_[index_[st->second]];
                Use u{consumer.name, (int)s, callee_calls.second, {}, {}};
                const CallShape &sh = shapes[consumer.name][s].at(callee_calls.first);
                u.arg_vars = sh.arg_vars;
                u.gathered = sh.gathered;
                // Only the stage's own loop vars make an index a function of its loops.
                const StageInfo &cs = consumer.stages[s];
                auto loop_var = [&](const std::string &v) {
                    return cs.is_rvar(v) ||
                           std::find(cs.pure_vars.begin(), cs.pure_vars.end(), v) != cs.pure_vars.end();
                };
                u.index_vars = sh.vars;
                for (auto &vars : u.index_vars)
                    if (!std::all_of(vars.begin(), vars.end(), loop_var)) vars = {Use::kUnknownVar};
                u.index = sh.index;
                for (AffineIndex &ix : u.index) {
                    bool loops_only = true;
                    for (const auto &kv : ix.coef)
                        loops_only = loops_only && (cs.is_rvar(kv.first) ||
                                                    std::find(cs.pure_vars.begin(), cs.pure_vars.end(),
                                                              kv.first) != cs.pure_vars.end());
                    if (!loops_only) ix = {};
                }
                if (std::find(producer.uses.begin(), producer.uses.end(), u) == producer.uses.end())
                    producer.uses.push_back(u);
            }
        }
    }
}

}  // namespace htune
