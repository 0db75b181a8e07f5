// `htune ops`: list the built-in operators, or describe one workload's stages, FLOPs, bytes.
#include <iomanip>
#include <iostream>

#include "ops/Error.h"
#include "ops/PipelineIO.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

std::string shape_text(const BufferShape &s) {
    std::ostringstream os;
    os << s.name << " " << s.type << " [";
    for (size_t d = 0; d < s.extent.size(); d++) os << (d ? " x " : "") << s.extent[d];
    os << "]";
    bool offset = false;
    for (int m : s.min) offset = offset || m != 0;
    if (offset) {
        os << " from (";
        for (size_t d = 0; d < s.min.size(); d++) os << (d ? ", " : "") << s.min[d];
        os << ")";
    }
    if (s.grown()) {
        os << ": sized from what the pipeline reads (bounds inference); its estimates";
        bool none = false;
        for (int e : s.estimate_extent) none = none || e == 0;
        if (none) {
            os << " are missing";
        } else {
            os << " say [";
            for (size_t d = 0; d < s.estimate_extent.size(); d++)
                os << (d ? " x " : "") << s.estimate_extent[d];
            os << "]";
        }
    }
    for (size_t d = 0; d < s.reads_known.size(); d++)
        if (!s.reads_known[d])
            os << "; dimension " << d << " is read at data-dependent places: sized from its estimate";
    return os.str();
}

void describe(const Workload &w) {
    std::cout << "workload:  " << w.canonical() << "\n"
              << "summary:   " << w.algorithm().summary() << "\n"
              << "key:       " << w.key() << "\n";
    if (!w.params().items().empty()) {
        std::cout << "parameters:\n";
        for (const auto &spec : w.algorithm().params())
            std::cout << "  " << std::left << std::setw(10) << spec.name << std::setw(8)
                      << to_string(spec.type) << w.params().text(spec.name) << "  (default "
                      << spec.default_value << "; " << spec.help << ")\n";
        if (w.algorithm().params().empty())
            for (const auto &kv : w.params().items())
                std::cout << "  " << kv.first << " = " << kv.second << "\n";
    }
    const PipelineIO &io = w.io();
    std::cout << "inputs:\n";
    for (const auto &s : io.inputs) std::cout << "  " << shape_text(s) << "\n";
    for (const auto &s : io.scalars) std::cout << "  " << s.name << " " << s.type << " = " << s.value << "\n";
    std::cout << "outputs:\n";
    for (const auto &s : io.outputs) std::cout << "  " << shape_text(s) << "\n";
    std::cout << "stages:\n";
    Halide::Pipeline p = w.build();
    auto names = stable_func_names(p);
    for (const auto &kv : pipeline_functions(p)) {
        const auto &f = kv.second;
        if (is_input_wrapper(f)) continue;
        std::cout << "  " << names[f.name()] << "(";
        for (size_t i = 0; i < f.args().size(); i++) std::cout << (i ? ", " : "") << f.args()[i];
        std::cout << ")";
        if (!f.updates().empty()) std::cout << "  + " << f.updates().size() << " update stage(s)";
        for (size_t u = 0; u < f.updates().size(); u++) {
            const auto &rvars = f.updates()[u].schedule().rvars();
            if (rvars.empty()) continue;
            std::cout << " [update " << u << " over";
            for (const auto &rv : rvars) std::cout << " " << rv.var;
            std::cout << "]";
        }
        std::cout << "\n";
    }
    std::cout << std::setprecision(4) << "flops:     ";
    if (w.flops() > 0)
        std::cout << w.flops() / 1e9 << " GFLOP (" << w.flops_source() << ")\n";
    else
        std::cout << "unknown\n";
    std::cout << "min bytes: " << w.min_bytes() / 1e6 << " MB\n";
    std::cout << "reference: " << w.reference_plan().describe() << "\n";
}

int run_ops(const std::vector<std::string> &args) {
    po::options_description desc("htune ops options");
    WorkloadOptions wo;
    bool describe_flag = false;
    std::string describe_name;
    desc.add_options()("describe", po::value(&describe_name),
                       "describe operator NAME (its stages, parameters, FLOPs and bytes)");
    wo.add_to(desc);
    po::variables_map vm;
    if (parse_command_line(
            "ops", args, desc, vm, nullptr,
            "[--describe NAME [-p k=v ...] | --generator-lib LIB --generator NAME [-g k=v ...]]"))
        return 0;
    describe_flag = vm.count("describe") > 0;
    if (describe_flag) {
        if (!wo.op.empty() && wo.op != describe_name)
            throw_usage("ops: --describe and --op name different operators");
        wo.op = describe_name;
    }
    if (wo.given() || describe_flag) {
        describe(wo.workload());
        return 0;
    }
    if (!wo.params.empty()) throw_usage("ops: -p needs --describe NAME");
    std::cout << "built-in operators (bench defaults; `htune ops --describe NAME` for details):\n";
    for (const auto &alg : builtin_ops()) {
        std::cout << "  " << std::left << std::setw(26) << alg->name();
        ParamValues v = resolve_params(alg->name(), alg->params(), {});
        std::cout << canonical_form(alg->name(), v) << "\n      " << alg->summary() << "\n";
    }
    return 0;
}

}  // namespace

Command ops_command() { return {"ops", "list operators, or --describe one workload", run_ops}; }

}  // namespace htune
