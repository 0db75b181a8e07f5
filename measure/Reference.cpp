// Reference outputs and reference run time (see Reference.h).
#include "measure/Reference.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "ops/Error.h"

namespace htune {

ReferenceData compute_reference(const Workload &w, uint64_t seed, const Halide::Target &target) {
    ReferenceData r;
    r.inputs = w.make_inputs(seed);
    r.outputs = w.reference(r.inputs, target);
    // Workload::reference compiles and runs in one call; the run timeout needs the run alone.
    Halide::Target t;
    Halide::Pipeline p = w.build_reference(target, &t);
    std::vector<Halide::Buffer<>> outs = w.make_outputs();
    try {
        p.compile_jit(t);
        realize_into(p, r.inputs, outs, t);  // first run: thread pool start-up, page faults
        auto t0 = std::chrono::steady_clock::now();
        realize_into(p, r.inputs, outs, t);
        r.run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } catch (const Halide::Error &e) {
        throw Error(ErrorKind::halide, w.canonical() + ": timing the reference failed: " + e.what(),
                    w.canonical());
    }
    return r;
}

namespace {

struct FileCloser {
    void operator()(FILE *f) const { fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

}  // namespace

void write_raw_buffers(const std::string &path, const std::vector<Halide::Buffer<>> &buffers) {
    File f(fopen(path.c_str(), "wb"));
    if (!f) throw_io("cannot write reference file '" + path + "'", path);
    for (const auto &b : buffers) {
        size_t n = b.size_in_bytes();
        if (fwrite(b.data(), 1, n, f.get()) != n)
            throw_io("cannot write reference file '" + path + "'", path);
    }
    if (fflush(f.get()) != 0) throw_io("cannot write reference file '" + path + "'", path);
}

std::vector<Halide::Buffer<>> read_reference_outputs(const std::string &path, const Workload &w) {
    File f(fopen(path.c_str(), "rb"));
    if (!f) throw_io("cannot read reference file '" + path + "'", path);
    std::vector<Halide::Buffer<>> outs = w.make_outputs();
    for (auto &b : outs) {
        size_t n = b.size_in_bytes();
        if (fread(b.data(), 1, n, f.get()) != n)
            throw_io("reference file '" + path + "' is shorter than the workload's outputs", path);
    }
    if (fgetc(f.get()) != EOF)
        throw_io("reference file '" + path + "' is longer than the workload's outputs", path);
    return outs;
}

}  // namespace htune
