// Counts the arithmetic of a Pipeline's definitions over their required regions (Flops.h).
#include "ops/Flops.h"

#include "ops/PipelineIO.h"
#include "ops/Regions.h"

namespace htune {

using namespace Halide;

namespace {

class Arithmetic : public Internal::IRVisitor {
public:
    double ops = 0;

protected:
    using Internal::IRVisitor::visit;
#define HTUNE_OP(T)                              \
    void visit(const Internal::T *op) override { \
        ops += 1;                                \
        Internal::IRVisitor::visit(op);          \
    }
    HTUNE_OP(Add)
    HTUNE_OP(Sub)
    HTUNE_OP(Mul)
    HTUNE_OP(Div)
    HTUNE_OP(Mod)
    HTUNE_OP(Min)
    HTUNE_OP(Max)
    HTUNE_OP(Select)
    HTUNE_OP(LT)
    HTUNE_OP(LE)
    HTUNE_OP(EQ)
    HTUNE_OP(NE)
#undef HTUNE_OP
    void visit(const Internal::Call *op) override {
        // A load's args are addresses, not arithmetic on data.
        if (op->call_type == Internal::Call::Halide || op->call_type == Internal::Call::Image) return;
        if (op->call_type == Internal::Call::PureExtern || op->call_type == Internal::Call::Extern ||
            op->is_intrinsic(Internal::Call::abs) || op->is_intrinsic(Internal::Call::absd) ||
            op->is_intrinsic(Internal::Call::lerp))
            ops += 1;
        Internal::IRVisitor::visit(op);
    }
};

double ops_of(const std::vector<Expr> &values) {
    Arithmetic a;
    for (const Expr &v : values) v.accept(&a);
    return a.ops;
}

}  // namespace

double count_flops(const Halide::Pipeline &p, const PipelineIO &io) {
    RequiredRegions regions = required_regions(p, io.outputs);
    double total = 0;
    for (const auto &kv : pipeline_functions(p)) {
        const Internal::Function &f = kv.second;
        auto r = regions.funcs.find(kv.first);
        if (r == regions.funcs.end()) return 0;
        std::map<std::string, double> extent;  // pure arg -> required extent
        double points = 1;
        for (size_t d = 0; d < f.args().size(); d++) {
            if (d >= r->second.size() || !r->second[d].known) return 0;
            extent[f.args()[d]] = (double)r->second[d].extent;
            points *= (double)r->second[d].extent;
        }
        if (f.has_pure_definition()) total += ops_of(f.values()) * points;
        for (const Internal::Definition &u : f.updates()) {
            double n = 1;
            for (const Expr &a : u.args())
                if (const auto *v = a.as<Internal::Variable>())
                    if (!v->reduction_domain.defined() && extent.count(v->name)) n *= extent[v->name];
            for (const auto &rv : u.schedule().rvars()) {
                const int64_t *e = Internal::as_const_int(with_estimates(rv.extent));
                if (!e) return 0;
                n *= (double)*e;
            }
            total += ops_of(u.values()) * n;
        }
    }
    return total;
}

}  // namespace htune
