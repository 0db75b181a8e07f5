// Bounds inference of a Pipeline's algorithm from its outputs' estimates (see Regions.h).
#include "ops/Regions.h"

#include "ops/PipelineIO.h"

namespace htune {

using namespace Halide;
using Internal::Function;

namespace {

// Scalar inputs -> their estimates; input buffers' min/extent fields -> the estimates.
class WithEstimates : public Internal::IRMutator {
protected:
    using Internal::IRMutator::visit;
    Expr visit(const Internal::Variable *op) override {
        if (!op->param.defined()) return op;
        const Internal::Parameter &p = op->param;
        if (!p.is_buffer()) {
            Expr e = p.estimate().defined() ? p.estimate() : p.default_value();
            return e.defined() ? cast(op->type, e) : Expr(op);
        }
        for (int d = 0; d < p.dimensions(); d++) {
            std::string dim = "." + std::to_string(d);
            if (op->name == p.name() + ".min" + dim && p.min_constraint_estimate(d).defined())
                return cast(op->type, p.min_constraint_estimate(d));
            if (op->name == p.name() + ".extent" + dim && p.extent_constraint_estimate(d).defined())
                return cast(op->type, p.extent_constraint_estimate(d));
        }
        return op;
    }
};

std::vector<Expr> definition_exprs(const Internal::Definition &d) {
    std::vector<Expr> out = d.values();
    for (const Expr &a : d.args()) out.push_back(a);
    if (d.predicate().defined()) out.push_back(d.predicate());
    return out;
}

std::vector<DimRange> constant_region(const Region &r) {
    std::vector<DimRange> out;
    for (const Range &rg : r) {
        DimRange d;
        if (rg.min.defined() && rg.extent.defined()) {
            const int64_t *mn = Internal::as_const_int(Internal::simplify(rg.min));
            const int64_t *ext = Internal::as_const_int(Internal::simplify(rg.extent));
            if (mn && ext && *ext >= 1) d = {true, *mn, *ext};
        }
        out.push_back(d);
    }
    return out;
}

Region region_of_box(const Internal::Box *b, int dims) {
    Region r;
    for (int d = 0; d < dims; d++) {
        Expr mn, ext;
        if (b && d < (int)b->size() && (*b)[d].is_bounded()) {
            mn = Internal::simplify((*b)[d].min);
            ext = Internal::simplify((*b)[d].max - (*b)[d].min + 1);
        }
        r.emplace_back(mn, ext);
    }
    return r;
}

}  // namespace

Expr with_estimates(const Expr &e) {
    if (!e.defined()) return e;
    WithEstimates w;
    return Internal::simplify(w.mutate(e));
}

RequiredRegions required_regions(const Halide::Pipeline &p, const std::vector<BufferShape> &outputs) {
    std::map<std::string, Function> env = pipeline_functions(p);
    std::vector<Function> outs;
    for (const Func &f : p.outputs()) outs.push_back(f.function());
    std::vector<std::string> order = Internal::topological_order(outs, env);
    Internal::FuncValueBounds value_bounds;
    try {
        value_bounds = Internal::compute_function_value_bounds(order, env);
    } catch (const Halide::Error &) {
        // Without value bounds, data-dependent reads simply stay unknown.
    }
    WithEstimates estimates;
    std::map<std::string, Region> required;
    size_t out_index = 0;
    for (const Func &f : p.outputs()) {
        const BufferShape &shape = outputs.at(out_index);
        out_index += f.function().output_types().size();
        Region r;
        for (size_t d = 0; d < shape.extent.size(); d++) r.emplace_back(shape.min[d], shape.extent[d]);
        required[f.name()] = r;
    }
    std::map<std::string, Internal::Box> boxes;  // what the consumers seen so far read
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const Function &f = env.at(*it);
        if (!required.count(f.name())) {
            auto b = boxes.find(f.name());
            required[f.name()] = region_of_box(b == boxes.end() ? nullptr : &b->second, f.dimensions());
        }
        const Region &region = required[f.name()];
        Internal::Scope<Internal::Interval> scope;
        for (int d = 0; d < f.dimensions(); d++) {
            const Range &rg = region[d];
            if (rg.min.defined() && rg.extent.defined())
                scope.push(f.args()[d],
                           Internal::Interval(rg.min, Internal::simplify(rg.min + rg.extent - 1)));
        }
        auto visit_definition = [&](const Internal::Definition &def) {
            Internal::Scope<Internal::Interval> s2;
            s2.set_containing_scope(&scope);
            for (const auto &rv : def.schedule().rvars())
                s2.push(rv.var,
                        Internal::Interval(Internal::simplify(estimates.mutate(rv.min)),
                                           Internal::simplify(estimates.mutate(rv.min + rv.extent - 1))));
            for (const Expr &e : definition_exprs(def)) {
                for (auto &kv : Internal::boxes_required(estimates.mutate(e), s2, value_bounds)) {
                    if (kv.first == f.name()) continue;
                    auto &acc = boxes[kv.first];
                    if (acc.size() == 0)
                        acc = kv.second;
                    else
                        Internal::merge_boxes(acc, kv.second);
                }
            }
        };
        if (f.has_pure_definition()) visit_definition(f.definition());
        for (const auto &u : f.updates()) visit_definition(u);
    }
    RequiredRegions out;
    for (const auto &kv : required) out.funcs[kv.first] = constant_region(kv.second);
    // Inputs: what their calls (Call::Image, named after the buffer) asked for.
    for (const auto &kv : boxes) {
        if (env.count(kv.first)) continue;
        out.inputs[kv.first] = constant_region(region_of_box(&kv.second, (int)kv.second.size()));
    }
    return out;
}

}  // namespace htune
