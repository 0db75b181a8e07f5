// Built-in linear algebra operators: matmul (C = A * B, fp32).
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

void add_linear_algebra_ops(std::vector<OpDef> &defs) {
    OpDef d;
    d.name = "matmul";
    d.summary = "C(MxN) = A(MxK) * B(KxN), fp32, as a pure init + update reduction";
    d.params = {int_param("M", 1024, 1, 8192, "rows of A and C"),
                int_param("N", 1024, 1, 8192, "columns of B and C"),
                int_param("K", 1024, 1, 8192, "columns of A, rows of B")};
    d.test = {{"M", "64"}, {"N", "64"}, {"K", "64"}};
    d.build = [](const ParamValues &p) {
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
        return Pipeline(C);
    };
    d.flops = [](const ParamValues &p) { return 2.0 * p.i("M") * p.i("N") * p.i("K"); };
    d.bytes = [](const ParamValues &p) {
        double M = p.i("M"), N = p.i("N"), K = p.i("K");
        return 4.0 * (M * K + K * N + M * N);
    };
    defs.push_back(d);
}

}  // namespace htune
