// The reference schedule: every Func at the root, except what is too large (ReferencePlan.h).
#include "ops/ReferencePlan.h"

#include <algorithm>
#include <sstream>

#include "ops/PipelineIO.h"
#include "ops/Regions.h"

namespace htune {

namespace {

std::string mb(double bytes) {
    std::ostringstream os;
    os.precision(3);
    if (bytes >= 1e9)
        os << bytes / 1e9 << " GB";
    else
        os << bytes / 1e6 << " MB";
    return os.str();
}

}  // namespace

std::string ReferencePlan::describe() const {
    std::ostringstream os;
    os << "every Func at the root";
    if (!inlined.empty()) {
        os << " except ";
        for (size_t i = 0; i < inlined.size(); i++) os << (i ? ", " : "") << inlined[i];
        os << " (too large for the root: inlined, or computed where used)";
    }
    os << ", " << mb(root_bytes) << " of root buffers";
    if (large_buffers) os << ", compiled with large_buffers (a buffer of 2^31 bytes or more)";
    return os.str();
}

ReferencePlan plan_reference(const Halide::Pipeline &p, const PipelineIO &io, double budget_bytes) {
    RequiredRegions regions = required_regions(p, io.outputs);
    struct Root {
        std::string name;
        double bytes;
        bool can_inline;
    };
    std::vector<Root> roots;
    std::vector<std::string> outputs;
    for (const Halide::Func &f : p.outputs()) outputs.push_back(f.name());
    for (const auto &kv : pipeline_functions(p)) {
        const Halide::Internal::Function &f = kv.second;
        double bytes = 0;
        for (const Halide::Type &t : f.output_types()) bytes += t.bytes();
        bool known = true;
        for (const DimRange &d : regions.funcs[kv.first]) {
            known = known && d.known;
            bytes *= (double)d.extent;
        }
        if (!known) continue;
        bool is_output = std::count(outputs.begin(), outputs.end(), kv.first) > 0;
        roots.push_back({kv.first, bytes, !is_output});
    }
    std::sort(roots.begin(), roots.end(), [](const Root &a, const Root &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
    });
    ReferencePlan plan;
    for (const Root &r : roots) plan.root_bytes += r.bytes;
    for (const Root &r : roots) {
        bool too_large = r.bytes >= kHalideBufferLimit || plan.root_bytes > budget_bytes;
        if (!too_large) break;
        if (r.can_inline) {
            plan.inlined.push_back(r.name);
            plan.root_bytes -= r.bytes;
        } else if (r.bytes >= kHalideBufferLimit) {
            plan.large_buffers = true;
        }
    }
    return plan;
}

Halide::Target apply_reference_plan(const ReferencePlan &plan, Halide::Pipeline &p, const Halide::Target &t) {
    for (auto &kv : pipeline_functions(p))
        if (std::find(plan.inlined.begin(), plan.inlined.end(), kv.first) == plan.inlined.end())
            Halide::Func(kv.second).compute_root();
    return plan.large_buffers ? t.with_feature(Halide::Target::LargeBuffers) : t;
}

}  // namespace htune
