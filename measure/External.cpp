// External kernels (see External.h).
#include "measure/External.h"

#include "measure/Candidate.h"
#include "measure/OneDnn.h"
#include "ops/Error.h"

#ifdef HTUNE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace htune {

bool have_openblas() {
#ifdef HTUNE_HAVE_OPENBLAS
    return true;
#else
    return false;
#endif
}

std::function<void(std::vector<Halide::Buffer<>> &)> external_kernel(
    const std::string &name, const WorkloadSpec &spec, const std::vector<Halide::Buffer<>> &inputs,
    int threads) {
    if (name == "onednn") return onednn_kernel(spec, inputs, threads);
    if (name != "openblas")
        throw_usage("unknown external kernel '" + name + "' (expected openblas or onednn)");
    if (spec.op != "matmul" || !spec.generator_lib.empty())
        throw_usage("openblas computes only the built-in matmul, not '" + spec.op + "'");
#ifdef HTUNE_HAVE_OPENBLAS
    // matmul: C(n, m) = sum_k A(k, m) * B(n, k); dimension 0 is the contiguous
    // one, so A is a row-major M x K matrix, B row-major K x N and C row-major M
    // x N (describe_io sorts the inputs by name: A, B).
    if (inputs.size() != 2) throw_usage("openblas: matmul should have 2 inputs");
    const Halide::Buffer<> A = inputs[0], B = inputs[1];
    for (const Halide::Buffer<> &b : {A, B})
        if (b.type() != Halide::Float(32) || b.dimensions() != 2 || b.dim(0).stride() != 1)
            throw_usage("openblas: matmul inputs must be dense 2-D float32");
    openblas_set_num_threads(threads);
    return [A, B](std::vector<Halide::Buffer<>> &outputs) {
        Halide::Buffer<> &C = outputs.at(0);
        const int M = C.dim(1).extent(), N = C.dim(0).extent(), K = A.dim(0).extent();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, (const float *)A.data(),
                    A.dim(1).stride(), (const float *)B.data(), B.dim(1).stride(), 0.0f, (float *)C.data(),
                    C.dim(1).stride());
    };
#else
    (void)inputs;
    (void)threads;
    throw_usage("openblas not available (install libopenblas-dev and rebuild htune)");
#endif
}

}  // namespace htune
