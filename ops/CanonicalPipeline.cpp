// Rebuilds a Pipeline with structure-derived names and no schedule (CanonicalPipeline.h).
// Two passes: Walk orders the Funcs (definition order for names, producers first for
// rebuilding); Rebuilder copies each definition through Renamer, which swaps Func calls,
// pure vars, RVars and output-buffer fields for their canonical counterparts.
#include "ops/CanonicalPipeline.h"

#include <regex>
#include <set>

#include "ops/Error.h"
#include "ops/PipelineIO.h"

namespace htune {

using namespace Halide;
using Internal::Function;
using Internal::Parameter;

namespace {

using Contents = const void *;  // identity of a Function (its FunctionContents)
Contents id(const Function &f) { return f.get_contents().get(); }

// The Funcs one definition calls, in the order the calls appear.
class CallsInOrder : public Internal::IRVisitor {
public:
    std::vector<Function> calls;

protected:
    using Internal::IRVisitor::visit;
    void visit(const Internal::Call *op) override {
        if (op->call_type == Internal::Call::Halide && op->func.defined()) calls.emplace_back(op->func);
        Internal::IRVisitor::visit(op);
    }
};

// Every expression of a definition, in the order the walk visits them.
std::vector<Expr> definition_exprs(const Internal::Definition &d) {
    std::vector<Expr> out = d.args();
    out.insert(out.end(), d.values().begin(), d.values().end());
    if (d.predicate().defined()) out.push_back(d.predicate());
    return out;
}

std::vector<Function> callees(const Function &f) {
    CallsInOrder c;
    if (f.has_pure_definition())
        for (const Expr &e : definition_exprs(f.definition())) e.accept(&c);
    for (const auto &u : f.updates())
        for (const Expr &e : definition_exprs(u)) e.accept(&c);
    if (f.has_extern_definition()) {
        for (const ExternFuncArgument &a : f.extern_arguments()) {
            if (a.is_func()) c.calls.emplace_back(a.func);
            if (a.is_expr()) a.expr.accept(&c);
        }
    }
    return c.calls;
}

// Depth-first from the outputs: `definition` in pre-order (names), `producers_first` in
// post-order (every Func after the Funcs it calls).
struct Walk {
    std::vector<Function> definition, producers_first;
    std::set<Contents> seen;
    explicit Walk(const Pipeline &p) {
        for (const Func &f : p.outputs()) visit(f.function());
    }
    void visit(const Function &f) {
        if (!seen.insert(id(f)).second) return;
        definition.push_back(f);
        for (const Function &g : callees(f)) visit(g);
        producers_first.push_back(f);
    }
};

std::map<Contents, std::string> names_of(const Walk &w) {
    std::map<std::string, std::vector<Contents>> by_base;
    for (const Function &f : w.definition) by_base[func_base_name(f.name())].push_back(id(f));
    std::map<Contents, std::string> out;
    for (const auto &kv : by_base)
        for (size_t k = 0; k < kv.second.size(); k++)
            out[kv.second[k]] = kv.second.size() == 1 ? kv.first : kv.first + "#" + std::to_string(k);
    return out;
}

bool is_auto_var(const std::string &v) { return std::regex_match(v, std::regex("v[0-9]+")); }

// "r452$x" -> "r$x"; a named RDom's RVars ("k$x") stay.
std::string canonical_rvar(const std::string &rv) {
    auto dollar = rv.find('$');
    if (dollar == std::string::npos) return rv;
    std::string rdom = rv.substr(0, dollar);
    return std::regex_match(rdom, std::regex("r[0-9]+")) ? "r" + rv.substr(dollar) : rv;
}

// Copies one Func's expressions into the canonical pipeline.
class Renamer : public Internal::IRMutator {
public:
    Renamer(const std::map<Contents, Function> &funcs, const std::map<std::string, Parameter> &out_params)
        : funcs_(funcs), out_params_(out_params) {}
    std::map<std::string, std::string> vars;  // this Func's renamed pure vars
    Internal::ReductionDomain from, to;       // the stage's RDom and its copy

    using Internal::IRMutator::mutate;
    std::vector<Expr> mutate(const std::vector<Expr> &es) {
        std::vector<Expr> out;
        for (const Expr &e : es) out.push_back(mutate(e));
        return out;
    }

protected:
    using Internal::IRMutator::visit;
    Expr visit(const Internal::Variable *op) override {
        if (op->reduction_domain.defined()) {
            if (!from.defined() || !op->reduction_domain.same_as(from))
                throw Error(ErrorKind::internal, "canonical pipeline: RVar '" + op->name +
                                                     "' outside its stage's reduction domain");
            return Internal::Variable::make(op->type, canonical_rvar(op->name), to);
        }
        if (op->param.defined()) {
            // A field of an output buffer ("out$3.extent.0") follows the renamed output;
            // output buffers are named after their (unique) Func.
            auto it = out_params_.find(op->param.name());
            if (it == out_params_.end()) return op;
            std::string field = op->name.substr(op->param.name().size());
            return Internal::Variable::make(op->type, it->second.name() + field, it->second);
        }
        if (op->image.defined()) return op;
        // Inside an RDom's own predicate its RVars are plain Variables (Halide drops the
        // self-reference).
        if (from.defined())
            for (const auto &rv : from.domain())
                if (rv.var == op->name)
                    return Internal::Variable::make(op->type, canonical_rvar(op->name), to);
        auto it = vars.find(op->name);
        return it == vars.end() ? Expr(op) : Internal::Variable::make(op->type, it->second);
    }
    Expr visit(const Internal::Call *op) override {
        if (op->call_type != Internal::Call::Halide || !op->func.defined()) return IRMutator::visit(op);
        auto it = funcs_.find(op->func.get());
        if (it == funcs_.end())
            throw Error(ErrorKind::internal,
                        "canonical pipeline: call to '" + op->name + "' before its definition");
        return Internal::Call::make(it->second, mutate(op->args), op->value_index);
    }

private:
    const std::map<Contents, Function> &funcs_;
    const std::map<std::string, Parameter> &out_params_;
};

// The reduction domain an update's expressions use (undefined for an update without RVars).
Internal::ReductionDomain rdom_of(const Internal::Definition &d) {
    class Find : public Internal::IRVisitor {
    public:
        Internal::ReductionDomain rdom;

    protected:
        using Internal::IRVisitor::visit;
        void visit(const Internal::Variable *op) override {
            if (op->reduction_domain.defined() && !rdom.defined()) rdom = op->reduction_domain;
        }
    } find;
    for (const Expr &e : definition_exprs(d)) e.accept(&find);
    return find.rdom;
}

class Rebuilder {
public:
    explicit Rebuilder(const Pipeline &p) : walk_(p), names_(names_of(walk_)) {}

    Pipeline run(const Pipeline &p) {
        for (const Function &f : walk_.producers_first) rebuild(f);
        std::vector<Func> outs;
        for (const Func &f : p.outputs()) outs.emplace_back(funcs_.at(id(f.function())));
        return Pipeline(outs);
    }
    const std::map<Contents, std::string> &names() const { return names_; }
    const std::vector<Function> &order() const { return walk_.definition; }

private:
    void rebuild(const Function &f) {
        Function g(names_.at(id(f)));
        Renamer r(funcs_, out_params_);
        std::vector<std::string> args;
        for (size_t i = 0; i < f.args().size(); i++) {
            std::string a = f.args()[i];
            if (is_auto_var(a)) r.vars[a] = "v" + std::to_string(i);
            args.push_back(r.vars.count(a) ? r.vars[a] : a);
        }
        if (f.has_extern_definition()) {
            std::vector<ExternFuncArgument> ext;
            for (const ExternFuncArgument &a : f.extern_arguments()) {
                if (a.is_func())
                    ext.emplace_back(funcs_.at(a.func.get()).get_contents());
                else if (a.is_expr())
                    ext.emplace_back(r.mutate(a.expr));
                else
                    ext.push_back(a);
            }
            std::vector<Var> dims;
            for (const std::string &a : args) dims.emplace_back(a);
            g.define_extern(f.extern_function_name(), ext, f.output_types(), dims,
                            f.extern_definition_name_mangling(), f.extern_function_device_api());
        } else {
            g.define(args, r.mutate(f.values()));
        }
        funcs_[id(f)] = g;  // updates may call the Func itself
        for (const Internal::Definition &u : f.updates()) {
            r.from = rdom_of(u);
            r.to = Internal::ReductionDomain();
            if (r.from.defined()) {
                std::vector<Internal::ReductionVariable> domain;
                for (const auto &rv : r.from.domain())
                    domain.push_back({canonical_rvar(rv.var), r.mutate(rv.min), r.mutate(rv.extent)});
                r.to = Internal::ReductionDomain(domain);
                if (r.from.predicate().defined()) r.to.set_predicate(r.mutate(r.from.predicate()));
            }
            g.define_update(r.mutate(u.args()), r.mutate(u.values()));
        }
        for (const Internal::Bound &b : f.schedule().estimates()) {
            Internal::Bound c = b;
            if (r.vars.count(b.var)) c.var = r.vars[b.var];
            g.schedule().estimates().push_back(c);
        }
        copy_output_buffers(f, g, r);
    }

    // Estimates and constraints on the output buffers (Generators put them there).
    void copy_output_buffers(const Function &f, const Function &g, Renamer &r) {
        const auto &from = f.output_buffers(), &to = g.output_buffers();
        for (size_t i = 0; i < from.size() && i < to.size(); i++) out_params_[from[i].name()] = to[i];
        for (size_t i = 0; i < from.size() && i < to.size(); i++) {
            Internal::Parameter a = from[i], b = to[i];
            for (int d = 0; d < a.dimensions(); d++) {
                if (a.min_constraint(d).defined()) b.set_min_constraint(d, r.mutate(a.min_constraint(d)));
                if (a.extent_constraint(d).defined())
                    b.set_extent_constraint(d, r.mutate(a.extent_constraint(d)));
                if (a.stride_constraint(d).defined())
                    b.set_stride_constraint(d, r.mutate(a.stride_constraint(d)));
                if (a.min_constraint_estimate(d).defined())
                    b.set_min_constraint_estimate(d, r.mutate(a.min_constraint_estimate(d)));
                if (a.extent_constraint_estimate(d).defined())
                    b.set_extent_constraint_estimate(d, r.mutate(a.extent_constraint_estimate(d)));
            }
            if (a.host_alignment() != b.host_alignment()) b.set_host_alignment(a.host_alignment());
        }
    }

    Walk walk_;
    std::map<Contents, std::string> names_;
    std::map<Contents, Function> funcs_;
    std::map<std::string, Parameter> out_params_;  // old output buffer name -> new
};

}  // namespace

std::string func_base_name(const std::string &halide_name) {
    static const std::regex suffix("\\$[0-9]+$"), unnamed("f[0-9]+"), lambda("lambda_[0-9]+");
    std::string base = std::regex_replace(halide_name, suffix, "");
    if (std::regex_match(base, unnamed)) return "f";
    if (std::regex_match(base, lambda)) return "lambda";
    return base;
}

Pipeline canonical_pipeline(const Pipeline &p) {
    Rebuilder r(p);
    try {
        return r.run(p);
    } catch (const Halide::Error &e) {
        throw Error(ErrorKind::halide, std::string("canonical pipeline: ") + e.what());
    }
}

std::map<std::string, std::string> canonical_func_names(const Pipeline &p) {
    Rebuilder r(p);
    std::map<std::string, std::string> out;
    for (const Function &f : r.order()) out[f.name()] = r.names().at(id(f));
    return out;
}

namespace {

// The loops Halide gives a definition nobody scheduled, innermost first: its RVars, then the
// pure Vars among its args (Definition's constructor), then the outermost marker.
std::vector<std::string> default_dims(const Internal::Definition &d) {
    std::vector<std::string> out;
    for (const auto &rv : d.schedule().rvars()) out.push_back(rv.var);
    for (const Expr &a : d.args())
        if (const auto *v = a.as<Internal::Variable>())
            if (!v->reduction_domain.defined()) out.push_back(v->name);
    out.push_back(Var::outermost().name());
    return out;
}

bool stage_scheduled(const Internal::Definition &d) {
    const Internal::StageSchedule &s = d.schedule();
    if (!s.splits().empty() || !s.prefetches().empty() || !s.fused_pairs().empty() ||
        !d.specializations().empty() || s.allow_race_conditions() || s.atomic())
        return true;
    std::vector<std::string> names;
    for (const Internal::Dim &dim : s.dims()) {
        if (dim.for_type != Internal::ForType::Serial) return true;
        names.push_back(dim.var);
    }
    return names != default_dims(d);
}

}  // namespace

std::string canonical_var_name(const Function &f, const std::string &var) {
    const auto &args = f.args();
    for (size_t i = 0; i < args.size(); i++)
        if (args[i] == var) return is_auto_var(var) ? "v" + std::to_string(i) : var;
    return canonical_rvar(var);
}

bool has_schedule_directives(const Pipeline &p) {
    for (const auto &kv : pipeline_functions(p)) {
        const Function &f = kv.second;
        const Internal::FuncSchedule &fs = f.schedule();
        LoopLevel cl = fs.compute_level(), sl = fs.store_level();
        cl.lock();
        sl.lock();
        if (!cl.is_inlined() || !sl.is_inlined() || !fs.wrappers().empty() || !fs.bounds().empty() ||
            fs.memory_type() != MemoryType::Auto || fs.async() || fs.memoized())
            return true;
        if (f.has_pure_definition() && stage_scheduled(f.definition())) return true;
        for (const auto &u : f.updates())
            if (stage_scheduled(u)) return true;
    }
    return false;
}

}  // namespace htune
