// Reference outputs and reference run time (see Reference.h).
#include "measure/Reference.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

#include "ops/Error.h"

namespace htune {

uint64_t input_set_seed(uint64_t seed, int set) {
    // The golden-ratio increment: a stream no small user seed lands on.
    return set == 0 ? seed : seed + (uint64_t)set * 0x9e3779b97f4a7c15ull;
}

ReferenceData compute_reference(const Workload &w, uint64_t seed, const Halide::Target &target) {
    ReferenceData r;
    Halide::Target t;
    Halide::Pipeline p = w.build_reference(target, &t);
    try {
        p.compile_jit(t);
        for (int k = 0; k < kInputSets; k++) {
            InputSet s;
            s.seed = input_set_seed(seed, k);
            s.inputs = w.make_inputs(s.seed);
            s.outputs = w.make_outputs();
            // The run timeout needs a run alone: not the first (thread pool start-up), and on
            // output memory already faulted in. The last set's run is timed.
            bool timed = k == kInputSets - 1;
            if (timed)
                for (auto &b : s.outputs) std::memset(b.data(), 0, b.size_in_bytes());
            auto t0 = std::chrono::steady_clock::now();
            realize_into(p, s.inputs, s.outputs, t);
            if (timed) r.run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            r.sets.push_back(std::move(s));
        }
    } catch (const Halide::Error &e) {
        throw Error(ErrorKind::halide, w.canonical() + ": reference run failed: " + e.what(), w.canonical());
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

void write_reference_file(const std::string &path, const ReferenceData &r) {
    std::vector<Halide::Buffer<>> all;
    for (const InputSet &s : r.sets) all.insert(all.end(), s.outputs.begin(), s.outputs.end());
    write_raw_buffers(path, all);
}

std::vector<std::vector<Halide::Buffer<>>> read_reference_outputs(const std::string &path, const Workload &w,
                                                                  int sets) {
    File f(fopen(path.c_str(), "rb"));
    if (!f) throw_io("cannot read reference file '" + path + "'", path);
    std::vector<std::vector<Halide::Buffer<>>> out;
    for (int k = 0; k < sets; k++) {
        out.push_back(w.make_outputs());
        for (auto &b : out.back()) {
            size_t n = b.size_in_bytes();
            if (fread(b.data(), 1, n, f.get()) != n)
                throw_io("reference file '" + path + "' is shorter than " + std::to_string(sets) +
                             " sets of the workload's outputs",
                         path);
        }
    }
    if (fgetc(f.get()) != EOF)
        throw_io("reference file '" + path + "' is longer than " + std::to_string(sets) +
                     " sets of the workload's outputs",
                 path);
    return out;
}

}  // namespace htune
