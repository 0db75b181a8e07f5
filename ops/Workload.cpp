// Workload: binds an Algorithm to values; generic inputs, outputs, reference (see Workload.h).
#include "ops/Workload.h"

#include <cmath>
#include <random>

#include "ops/CanonicalPipeline.h"
#include "ops/Error.h"
#include "ops/Flops.h"
#include "ops/TypeDispatch.h"

namespace htune {

ValueRange Algorithm::input_range(const std::string &, Halide::Type type) const {
    if (type.is_float()) return {-1.0, 1.0};
    if (type.is_bool()) return {0, 1};
    if (type.is_uint()) return {0.0, std::min(255.0, (double)((1ull << type.bits()) - 1))};
    return {-100.0, 100.0};
}

Workload::Workload(AlgorithmPtr algorithm, ParamValues values)
    : algorithm_(std::move(algorithm)), values_(std::move(values)), op_(algorithm_->name()) {}

std::string Workload::canonical() const { return canonical_form(op_, values_); }

std::string Workload::key() const { return canonical() + "#" + structure_hash(); }

const std::string &Workload::structure_hash() const {
    if (hash_.empty()) hash_ = htune::structure_hash(build());
    return hash_;
}

Halide::Pipeline Workload::build() const {
    try {
        return canonical_pipeline(algorithm_->build(values_));
    } catch (const Halide::Error &e) {
        throw Error(ErrorKind::halide, canonical() + ": building the algorithm failed: " + e.what(),
                    canonical());
    }
}

Halide::Pipeline Workload::build_as_written() const {
    try {
        Halide::Pipeline p = algorithm_->build_as_written(values_);
        if (!p.defined() || !has_schedule_directives(p)) return Halide::Pipeline();
        return p;
    } catch (const Halide::Error &e) {
        throw Error(ErrorKind::halide,
                    canonical() + ": building the algorithm as written failed: " + e.what(), canonical());
    }
}

bool Workload::has_own_schedule() const {
    if (own_schedule_ < 0) own_schedule_ = build_as_written().defined() ? 1 : 0;
    return own_schedule_ == 1;
}

const PipelineIO &Workload::io() const {
    if (!io_) io_ = std::make_unique<PipelineIO>(describe_io(build()));
    return *io_;
}

namespace {

template <typename T>
void fill_typed(Halide::Buffer<T> b, ValueRange r, std::mt19937_64 &rng) {
    std::uniform_real_distribution<double> dist(r.lo, r.hi);
    b.for_each_value([&](T &v) {
        double x = dist(rng);
        if constexpr (std::is_floating_point<T>::value)
            v = (T)x;
        else
            v = (T)std::llround(x);
    });
}

}  // namespace

void fill_uniform(Halide::Buffer<> &b, ValueRange range, uint64_t seed) {
    std::mt19937_64 rng(seed);
    Halide::Type t = b.type();
    bool known = visit_type(
        t, [&](auto v) { fill_typed(Halide::Buffer<decltype(v)>(b), range, rng); }, /*with_bool=*/true);
    if (!known) throw_usage("cannot synthesize inputs of this element type");
}

std::vector<Halide::Buffer<>> Workload::make_inputs(uint64_t seed) const {
    std::vector<Halide::Buffer<>> out;
    uint64_t i = 0;
    for (const auto &s : io().inputs) {
        Halide::Buffer<> b(s.type, s.extent);
        for (size_t d = 0; d < s.min.size(); d++) b.raw_buffer()->dim[d].min = s.min[d];
        // Each input gets its own stream so adding an input does not change the others.
        fill_uniform(b, algorithm_->input_range(s.name, s.type), seed * 1000003ull + (i++));
        out.push_back(b);
    }
    return out;
}

std::vector<Halide::Buffer<>> Workload::make_outputs() const { return allocate_outputs(io()); }

void realize_into(Halide::Pipeline &p, const std::vector<Halide::Buffer<>> &inputs,
                  std::vector<Halide::Buffer<>> &outputs, const Halide::Target &target) {
    bind_inputs(p, inputs);
    std::vector<Halide::Buffer<>> outs = outputs;
    Halide::Realization r(outs);
    p.realize(r, target);
}

const ReferencePlan &Workload::reference_plan() const {
    if (!plan_) plan_ = std::make_unique<ReferencePlan>(plan_reference(build(), io()));
    return *plan_;
}

Halide::Pipeline Workload::build_reference(const Halide::Target &target,
                                           Halide::Target *reference_target) const {
    Halide::Pipeline p = build();
    *reference_target = apply_reference_plan(reference_plan(), p, target);
    return p;
}

std::vector<Halide::Buffer<>> Workload::reference(const std::vector<Halide::Buffer<>> &inputs,
                                                  const Halide::Target &target) const {
    Halide::Target t;
    Halide::Pipeline p = build_reference(target, &t);
    std::vector<Halide::Buffer<>> outs = make_outputs();
    try {
        realize_into(p, inputs, outs, t);
    } catch (const Halide::Error &e) {
        throw Error(ErrorKind::halide, canonical() + ": reference run failed: " + e.what(), canonical());
    }
    return outs;
}

double Workload::integer_tolerance() const {
    if (float_to_int_ < 0) float_to_int_ = converts_float_to_int(build()) ? 1 : 0;
    return float_to_int_;
}

double Workload::flops() const {
    if (flops_override_ > 0) return flops_override_;
    double f = algorithm_->flops(values_);
    if (f > 0) return f;
    if (counted_flops_ < 0) counted_flops_ = count_flops(build(), io());
    return counted_flops_;
}

std::string Workload::flops_source() const {
    if (flops() <= 0) return "unknown";
    if (flops_override_ > 0) return "workload file";
    return counted_flops_ > 0 ? "counted" : "operator";
}

double Workload::min_bytes() const {
    double b = algorithm_->min_bytes(values_);
    if (b >= 0) return b;
    double total = 0;
    for (const auto &s : io().inputs) total += (double)s.bytes();
    for (const auto &s : io().outputs) total += (double)s.bytes();
    return total;
}

}  // namespace htune
