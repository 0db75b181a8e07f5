// Loads user Generators from shared libraries and adapts them to Algorithm (GeneratorLib.h).
#include "ops/GeneratorLib.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "ops/Error.h"
#include "ops/HostTarget.h"

namespace htune {

namespace {

std::mutex g_mutex;
std::map<std::string, std::vector<std::string>> g_loaded;  // lib path -> its generators

// Generator params every Generator has; htune sets the target itself.
const std::set<std::string> kReservedParams = {"target", "auto_schedule", "machine_params"};

// GeneratorBase::build_pipeline() is protected in Halide 14; a member pointer named in a
// derived class's scope reaches it (DESIGN.md, toolchain notes).
struct BuildAccess : Halide::Internal::GeneratorBase {
    using Fn = Halide::Pipeline (Halide::Internal::GeneratorBase::*)();
    static Fn build_fn() { return &BuildAccess::build_pipeline; }
};

class GeneratorAlgorithm : public Algorithm {
public:
    GeneratorAlgorithm(std::string lib, std::string name) : lib_(std::move(lib)), name_(std::move(name)) {}

    std::string name() const override { return name_; }
    std::string summary() const override { return "user Generator from " + lib_; }
    // GeneratorParams are not enumerable through Halide 14's public API: any -g key=value is
    // accepted here and validated by the Generator itself when the pipeline is built.
    const std::vector<ParamSpec> &params() const override { return specs_; }

    // Built the way Halide builds a Generator for an autoscheduler (auto_schedule=true): a
    // hand schedule behind `if (!auto_schedule)` is skipped, and estimates set only for
    // autoschedulers are there. What a Generator schedules unconditionally is dropped by the
    // canonical form (Workload::build).
    Halide::Pipeline build(const ParamValues &values) const override { return build_with(values, true); }

    // Built as a user's own build would (auto_schedule=false): every schedule the Generator
    // writes is applied.
    Halide::Pipeline build_as_written(const ParamValues &values) const override {
        return build_with(values, false);
    }

    Halide::Pipeline build_with(const ParamValues &values, bool auto_schedule) const {
        Halide::GeneratorContext context(htune::host_target(), auto_schedule);
        std::unique_ptr<Halide::Internal::GeneratorBase> gen;
        try {
            gen = Halide::Internal::GeneratorRegistry::create(name_, context);
            Halide::Internal::GeneratorParamsMap map;
            for (const auto &kv : values.items()) map[kv.first] = kv.second;
            gen->set_generator_param_values(map);
            Halide::Pipeline p = (gen.get()->*BuildAccess::build_fn())();
            return p;
        } catch (const Halide::Error &e) {
            std::string msg = e.what();
            while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
            auto nl = msg.rfind('\n');
            throw_usage("generator " + name_ + ": " + (nl == std::string::npos ? msg : msg.substr(nl + 1)));
        }
    }

    std::string library() const override { return lib_; }

    std::string lib_, name_;
    std::vector<ParamSpec> specs_;
};

}  // namespace

std::vector<std::string> load_generator_library(const std::string &lib_path) {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_loaded.find(lib_path);
    if (it != g_loaded.end()) return it->second;
    struct stat st;
    if (stat(lib_path.c_str(), &st) != 0) throw_usage("generator library '" + lib_path + "' does not exist");
    auto before = Halide::Internal::GeneratorRegistry::enumerate();
    // A path without '/' would make dlopen search the system paths: anchor it.
    std::string path = lib_path.find('/') == std::string::npos ? "./" + lib_path : lib_path;
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
        const char *err = dlerror();
        throw_usage("generator library '" + lib_path +
                    "' cannot be loaded: " + (err ? err : "unknown dlopen error"));
    }
    auto after = Halide::Internal::GeneratorRegistry::enumerate();
    std::vector<std::string> added;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
    if (added.empty()) throw_usage("generator library '" + lib_path + "' registers no Halide Generator");
    g_loaded[lib_path] = added;
    return added;
}

AlgorithmPtr load_generator(const std::string &lib_path, const std::string &name) {
    auto names = load_generator_library(lib_path);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string all;
        for (const auto &n : names) all += (all.empty() ? "" : ", ") + n;
        throw_usage("generator '" + name + "' is not registered by '" + lib_path + "' (it has: " + all + ")");
    }
    return std::make_shared<GeneratorAlgorithm>(lib_path, name);
}

bool is_reserved_generator_param(const std::string &name) { return kReservedParams.count(name) > 0; }

}  // namespace htune
