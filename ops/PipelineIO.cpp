// Walks a Pipeline's IR to find its input Parameters and output shapes (see PipelineIO.h).
#include "ops/PipelineIO.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "ops/Error.h"
#include "ops/Hash.h"
#include "ops/Regions.h"
#include "ops/TypeDispatch.h"

namespace htune {

using namespace Halide;
using Halide::Internal::Function;
using Halide::Internal::Parameter;

namespace {

// Collects every Parameter referenced by the definitions (values, args, RDom bounds).
class ParamCollector : public Internal::IRGraphVisitor {
public:
    std::map<std::string, Parameter> buffers, scalars;

protected:
    using Internal::IRGraphVisitor::visit;
    void visit(const Internal::Call *op) override {
        if (op->param.defined()) add(op->param);
        Internal::IRGraphVisitor::visit(op);
    }
    void visit(const Internal::Variable *op) override {
        if (op->param.defined()) add(op->param);
        if (op->reduction_domain.defined()) {
            for (const auto &rv : op->reduction_domain.domain()) {
                rv.min.accept(this);
                rv.extent.accept(this);
            }
        }
        Internal::IRGraphVisitor::visit(op);
    }

private:
    void add(const Parameter &p) { (p.is_buffer() ? buffers : scalars).emplace(p.name(), p); }
};

ParamCollector collect_params(const Halide::Pipeline &p) {
    ParamCollector c;
    for (auto &kv : pipeline_functions(p)) {
        kv.second.accept(&c);
        for (const auto &arg : kv.second.extern_arguments()) {
            if (arg.is_image_param() || arg.is_buffer()) {
                // Extern stages reading an input buffer directly.
                if (arg.image_param.defined()) c.buffers.emplace(arg.image_param.name(), arg.image_param);
            } else if (arg.is_expr()) {
                arg.expr.accept(&c);
            }
        }
    }
    return c;
}

int const_int(const Expr &e, const std::string &what) {
    if (!e.defined()) throw_usage(what + " has no estimate (call set_estimates on it)");
    const int64_t *v = Internal::as_const_int(e);
    if (!v) {
        Expr s = Internal::simplify(e);
        v = Internal::as_const_int(s);
        if (!v) throw_usage(what + " has a non-constant estimate");
    }
    return (int)*v;
}

double const_number(const Expr &e) {
    if (!e.defined()) return 0.0;
    Expr s = Internal::simplify(cast<double>(e));
    if (const double *f = Internal::as_const_float(s)) return *f;
    return 0.0;
}

}  // namespace

size_t BufferShape::bytes() const {
    size_t n = (size_t)type.bytes();
    for (int e : extent) n *= (size_t)e;
    return n;
}

std::map<std::string, Function> pipeline_functions(const Halide::Pipeline &p) {
    std::vector<Function> outs;
    for (const Func &f : p.outputs()) outs.push_back(f.function());
    return Internal::build_environment(outs);
}

std::string strip_unique_suffix(const std::string &name) {
    auto pos = name.find('$');
    return pos == std::string::npos ? name : name.substr(0, pos);
}

std::string without_unique_suffixes(const std::string &name) {
    static const std::regex unique_suffix("\\$[0-9]+");
    return std::regex_replace(name, unique_suffix, "");
}

std::map<std::string, std::string> stable_func_names(const Halide::Pipeline &p) {
    std::map<std::string, std::vector<std::pair<long, std::string>>> by_base;
    for (const auto &kv : pipeline_functions(p)) {
        const std::string &n = kv.first;
        auto pos = n.find('$');
        long order = pos == std::string::npos ? -1 : std::atol(n.c_str() + pos + 1);
        by_base[strip_unique_suffix(n)].emplace_back(order, n);
    }
    std::map<std::string, std::string> out;
    for (auto &kv : by_base) {
        std::sort(kv.second.begin(), kv.second.end());
        for (size_t i = 0; i < kv.second.size(); i++)
            out[kv.second[i].second] = kv.second.size() == 1 ? kv.first : kv.first + "#" + std::to_string(i);
    }
    return out;
}

bool is_input_wrapper(const Function &f) {
    if (!f.has_pure_definition() || f.has_update_definition() || f.values().size() != 1) return false;
    const auto *call = f.values()[0].as<Internal::Call>();
    return call && call->param.defined() && call->args.size() == f.args().size();
}

PipelineIO describe_io(const Halide::Pipeline &p) {
    PipelineIO io;
    ParamCollector c = collect_params(p);
    for (const auto &kv : c.scalars) {
        const Parameter &par = kv.second;
        double v = const_number(par.estimate());
        if (!par.estimate().defined()) v = const_number(par.default_value());
        io.scalars.push_back({par.name(), par.type(), v});
    }
    for (const Func &f : p.outputs()) {
        const Function &fn = f.function();
        const auto &est = fn.schedule().estimates();
        std::vector<int> mins, extents;
        for (const std::string &arg : fn.args()) {
            std::string what = "output '" + fn.name() + "' dimension " + arg;
            auto it =
                std::find_if(est.begin(), est.end(), [&](const Internal::Bound &b) { return b.var == arg; });
            if (it != est.end()) {
                mins.push_back(const_int(it->min, what));
                extents.push_back(const_int(it->extent, what));
            } else {
                // Generators may put the estimates on the output buffer parameter instead.
                size_t d = mins.size();
                if (fn.output_buffers().empty() ||
                    !fn.output_buffers()[0].extent_constraint_estimate((int)d).defined())
                    throw_usage(what + " has no estimate (call set_estimates on it)");
                mins.push_back(const_int(fn.output_buffers()[0].min_constraint_estimate((int)d), what));
                extents.push_back(const_int(fn.output_buffers()[0].extent_constraint_estimate((int)d), what));
            }
        }
        for (size_t v = 0; v < fn.output_types().size(); v++) {
            std::string name = strip_unique_suffix(fn.name()) +
                               (fn.output_types().size() > 1 ? "." + std::to_string(v) : "");
            BufferShape out;
            out.name = name;
            out.type = fn.output_types()[v];
            out.min = mins;
            out.extent = extents;
            io.outputs.push_back(out);
        }
    }
    // Inputs last: they are sized from what the outputs' estimates read.
    RequiredRegions regions = required_regions(p, io.outputs);
    for (const auto &kv : c.buffers) {
        const Parameter &par = kv.second;
        BufferShape s{par.name(), par.type(), {}, {}, {}, {}, {}};
        auto reads = regions.inputs.find(par.name());
        bool grown = false;
        for (int d = 0; d < par.dimensions(); d++) {
            std::string what = "input '" + par.name() + "' dimension " + std::to_string(d);
            DimRange r;
            if (reads != regions.inputs.end() && d < (int)reads->second.size()) r = reads->second[d];
            s.reads_known.push_back(r.known);
            if (!par.extent_constraint_estimate(d).defined() && r.known) {
                // No estimate, but the reads are known: they are the shape.
                s.min.push_back((int)r.min);
                s.extent.push_back((int)r.extent);
                s.estimate_min.push_back(0);
                s.estimate_extent.push_back(0);
                grown = true;
                continue;
            }
            int mn = const_int(par.min_constraint_estimate(d), what);
            int ext = const_int(par.extent_constraint_estimate(d), what);
            s.estimate_min.push_back(mn);
            s.estimate_extent.push_back(ext);
            if (r.known && (r.min < mn || r.min + r.extent > (int64_t)mn + ext)) {
                int64_t lo = std::min<int64_t>(mn, r.min),
                        hi = std::max<int64_t>((int64_t)mn + ext, r.min + r.extent);
                mn = (int)lo;
                ext = (int)(hi - lo);
                grown = true;
            }
            s.min.push_back(mn);
            s.extent.push_back(ext);
        }
        if (!grown) s.estimate_min.clear(), s.estimate_extent.clear();
        io.inputs.push_back(s);
    }
    return io;
}

void bind_inputs(const Halide::Pipeline &p, const std::vector<Halide::Buffer<>> &inputs) {
    ParamCollector c = collect_params(p);
    if (inputs.size() != c.buffers.size())
        throw Error(ErrorKind::internal, "bind_inputs: pipeline has " + std::to_string(c.buffers.size()) +
                                             " inputs, got " + std::to_string(inputs.size()));
    size_t i = 0;
    for (auto &kv : c.buffers) kv.second.set_buffer(inputs[i++]);
    for (auto &kv : c.scalars) {
        Parameter &par = kv.second;
        double v = const_number(par.estimate().defined() ? par.estimate() : par.default_value());
        Type t = par.type();
        bool known = visit_type(
            t, [&](auto x) { par.set_scalar<decltype(x)>((decltype(x))v); }, /*with_bool=*/true);
        if (!known) throw_usage("scalar input '" + par.name() + "' has unsupported type");
    }
}

std::vector<Halide::Buffer<>> allocate_outputs(const PipelineIO &io) {
    std::vector<Halide::Buffer<>> out;
    for (const auto &s : io.outputs) {
        Halide::Buffer<> b(s.type, s.extent);
        for (size_t d = 0; d < s.min.size(); d++) b.raw_buffer()->dim[d].min = s.min[d];
        out.push_back(b);
    }
    return out;
}

bool converts_float_to_int(const Halide::Pipeline &p) {
    class Finder : public Internal::IRVisitor {
    public:
        bool found = false;

    protected:
        using Internal::IRVisitor::visit;
        void visit(const Internal::Cast *op) override {
            found = found || (op->value.type().is_float() && !op->type.is_float());
            Internal::IRVisitor::visit(op);
        }
    } finder;
    for (const auto &kv : pipeline_functions(p)) kv.second.accept(&finder);
    return finder.found;
}

std::string structure_hash(const Halide::Pipeline &p) {
    std::ostringstream os;
    for (const auto &kv : pipeline_functions(p)) {
        const Function &f = kv.second;
        os << "func " << f.name() << "(";
        for (const auto &a : f.args()) os << a << ",";
        os << ")";
        for (const auto &t : f.output_types()) os << " " << t;
        os << "\n";
        if (f.has_pure_definition())
            for (const Expr &v : f.values()) os << "  = " << v << "\n";
        for (const auto &u : f.updates()) {
            os << "  update(";
            for (const Expr &a : u.args()) os << a << ",";
            os << ")";
            for (const auto &rv : u.schedule().rvars())
                os << " " << rv.var << "[" << rv.min << "," << rv.extent << "]";
            if (u.predicate().defined()) os << " if " << u.predicate();
            for (const Expr &v : u.values()) os << " = " << v;
            os << "\n";
        }
        if (f.has_extern_definition()) os << "  extern " << f.extern_function_name() << "\n";
    }
    // Halide's automatic names (f12, v3, x$1, conv1$2, ...) depend on construction order: drop
    // the "$N" uniquifiers first (a name ending in a digit, "conv1$2", must hash like "conv1"),
    // then numeric suffixes, so only the structure counts.
    std::string text = std::regex_replace(os.str(), std::regex("[$][0-9]+"), "");
    text = std::regex_replace(text, std::regex("([A-Za-z_])[0-9]+"), "$1#");
    return hex16(fnv1a64(text));
}

}  // namespace htune
