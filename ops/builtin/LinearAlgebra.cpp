// Built-in linear algebra operators: matmul (C = A * B, fp32).
#include "ops/HostTarget.h"
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

namespace {

// `scheduled`: the hand-written schedule (OpDef::build_as_written), a register-blocked kernel
// as a Halide expert writes it for a CPU. Accumulating into C itself, Halide loads and stores
// C's tile at every k (LLVM cannot keep an output in registers), so the reduction goes through
// an rfactor'd intermediate over all of k, computed per tile of 6 rows by 4 vectors of columns
// (2 without AVX-512's 32 registers): its 24 accumulators stay in registers while A's 6 values
// per k are broadcast and B's 4 vectors loaded. Row strips of tiles run in parallel; the zero
// initialization is vectorized and parallel too. The space's import does not take rfactor'd
// Funcs, so this is a compare row, not a tune seed.
Pipeline matmul(const ParamValues &p, bool scheduled) {
    const int M = p.i("M"), N = p.i("N"), K = p.i("K");
    ImageParam A(Float(32), 2, "A"), B(Float(32), 2, "B");
    A.set_estimates({{0, K}, {0, M}});
    B.set_estimates({{0, N}, {0, K}});
    Var n("n"), m("m");
    RDom k(0, K, "k");
    Func C("C");
    C(n, m) = 0.0f;
    C(n, m) += A(k, m) * B(n, k);
    C.set_estimates({{0, N}, {0, M}});
    if (scheduled) {
        const Target t = host_target();
        const int vec = t.natural_vector_size<float>();
        const int rows = 6, vectors = t.has_feature(Target::AVX512) ? 4 : 2;
        const TailStrategy guard = TailStrategy::GuardWithIf;
        Var ni("ni"), mi("mi"), nv("nv"), u("u");
        RVar ko("ko"), ki("ki");
        C.split(n, n, nv, vec, guard).vectorize(nv).parallel(m);
        Func acc = C.update().split(k, ko, ki, K).rfactor(ko, u);
        C.update()
            .split(n, n, ni, vectors * vec, guard)
            .split(m, m, mi, rows, guard)
            .split(ni, ni, nv, vec, guard)
            .reorder(nv, ni, mi, n, m)
            .vectorize(nv)
            .parallel(m);
        acc.compute_at(C, n).vectorize(n, vec).unroll(m);
        acc.update().split(n, ni, nv, vec).reorder(nv, ni, m, ki, u).vectorize(nv).unroll(ni).unroll(m);
    }
    return Pipeline(C);
}

}  // namespace

void add_linear_algebra_ops(std::vector<OpDef> &defs) {
    OpDef d;
    d.name = "matmul";
    d.summary = "C(MxN) = A(MxK) * B(KxN), fp32, as a pure init + update reduction";
    d.params = {int_param("M", 1024, 1, 8192, "rows of A and C"),
                int_param("N", 1024, 1, 8192, "columns of B and C"),
                int_param("K", 1024, 1, 8192, "columns of A, rows of B")};
    d.test = {{"M", "64"}, {"N", "64"}, {"K", "64"}};
    d.build = [](const ParamValues &p) { return matmul(p, false); };
    d.build_as_written = [](const ParamValues &p) { return matmul(p, true); };
    d.flops = [](const ParamValues &p) { return 2.0 * p.i("M") * p.i("N") * p.i("K"); };
    d.bytes = [](const ParamValues &p) {
        double M = p.i("M"), N = p.i("N"), K = p.i("K");
        return 4.0 * (M * K + K * N + M * N);
    };
    defs.push_back(d);
}

}  // namespace htune
