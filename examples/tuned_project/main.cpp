// Calls operators compiled by `htune build` (through htune_add_tuned_library in
// CMakeLists.txt), checks each output against plain C++ loops and prints its
// speed. Exit 1 on a mismatch. Signatures (see the comment block at the top of
// each generated header): input buffers by name, then scalar inputs by name,
// then the outputs.
#include <HalideBuffer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "tuned_blur.h"
#include "tuned_matmul.h"
#ifdef HAVE_SHARPEN
#include "tuned_sharpen.h"
#endif

using Halide::Runtime::Buffer;

namespace {

// Min and median milliseconds per call: one warm-up, then at least 10 calls and
// 0.2 s.
void time_it(const char *name, double flops, const std::function<int()> &call) {
    if (call() != 0) std::printf("%s: the call failed\n", name);
    std::vector<double> ms;
    double total = 0;
    while (ms.size() < 10 || total < 0.2) {
        auto t0 = std::chrono::steady_clock::now();
        call();
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ms.push_back(s * 1e3);
        total += s;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-8s %9.4f ms min  %9.4f ms median  %8.2f GFLOP/s (min)  (%zu calls)\n", name, ms.front(),
                ms[ms.size() / 2], flops / (ms.front() * 1e-3) / 1e9, ms.size());
}

bool check_matmul() {
    const int M = MATMUL_SIZE, N = MATMUL_SIZE, K = MATMUL_SIZE;
    // Layouts from the matmul algorithm: A(k, m), B(n, k), C(n, m); dimension 0
    // is innermost.
    Buffer<float> A(K, M), B(N, K), C(N, M);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    A.for_each_value([&](float &v) { v = u(rng); });
    B.for_each_value([&](float &v) { v = u(rng); });
    if (tuned_matmul(A, B, C) != 0) {
        std::printf("matmul: the call failed\n");
        return false;
    }
    int bad = 0;
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            double ref = 0, mag = 0;
            for (int k = 0; k < K; k++) {
                ref += (double)A(k, m) * B(n, k);
                mag += std::fabs((double)A(k, m) * B(n, k));
            }
            if (std::fabs(C(n, m) - ref) > 1e-4 * mag + 1e-6 && bad++ < 5)
                std::printf("matmul mismatch at (n=%d, m=%d): %g, expected %g\n", n, m, C(n, m), ref);
        }
    std::printf("matmul   %dx%dx%d: %s\n", M, N, K, bad ? "WRONG" : "output matches the plain loops");
    time_it("matmul", 2.0 * M * N * K, [&] { return tuned_matmul(A, B, C); });
    return bad == 0;
}

bool check_blur() {
    const int W = BLUR_W, H = BLUR_H;
    Buffer<uint16_t> in(W, H), out(W, H);
    std::mt19937 rng(2);
    in.for_each_value([&](uint16_t &v) { v = (uint16_t)(rng() % 1024); });
    if (tuned_blur(in, out) != 0) {
        std::printf("blur3x3: the call failed\n");
        return false;
    }
    // blur3x3: clamp to the edge, blur_x = (3 horizontal taps) / 3, then the same
    // vertically.
    auto c = [&](int x, int y) { return (int)in(std::clamp(x, 0, W - 1), std::clamp(y, 0, H - 1)); };
    auto bx = [&](int x, int y) { return (uint16_t)((c(x - 1, y) + c(x, y) + c(x + 1, y)) / 3); };
    int bad = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int ref = (bx(x, y - 1) + bx(x, y) + bx(x, y + 1)) / 3;
            if (out(x, y) != ref && bad++ < 5)
                std::printf("blur3x3 mismatch at (%d, %d): %d, expected %d\n", x, y, out(x, y), ref);
        }
    std::printf("blur3x3  %dx%d: %s\n", W, H, bad ? "WRONG" : "output matches the plain loops");
    time_it("blur3x3", 6.0 * W * H, [&] { return tuned_blur(in, out); });
    return bad == 0;
}

#ifdef HAVE_SHARPEN
// The example Generator sharpen_blend (examples/generator) with radius 2 and
// 64x32x3 images.
bool check_sharpen() {
    const int W = 64, H = 32, R = 2;
    const float weight = 0.25f;
    Buffer<float> in(W, H, 3), overlay(W, H, 3), out(W, H, 3);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    in.for_each_value([&](float &v) { v = u(rng); });
    overlay.for_each_value([&](float &v) { v = u(rng); });
    if (tuned_sharpen(in, overlay, weight, out) != 0) {
        std::printf("sharpen_blend: the call failed\n");
        return false;
    }
    int bad = 0;
    for (int ch = 0; ch < 3; ch++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                auto cl = [&](int xx, int yy) { return in(std::clamp(xx, 0, W - 1), std::clamp(yy, 0, H - 1), ch); };
                float blur = 0;
                for (int dy = -R; dy <= R; dy++)
                    for (int dx = -R; dx <= R; dx++) blur += cl(x + dx, y + dy);
                float sharp = 2.0f * cl(x, y) - blur / ((2 * R + 1) * (2 * R + 1));
                float ref = sharp * (1.0f - weight) + overlay(x, y, ch) * weight;
                if (std::fabs(out(x, y, ch) - ref) > 1e-4f * (1 + std::fabs(ref)) && bad++ < 5)
                    std::printf("sharpen mismatch at (%d, %d, %d): %g, expected %g\n", x, y, ch, out(x, y, ch), ref);
            }
    std::printf("sharpen  %dx%dx3 (Generator): %s\n", W, H, bad ? "WRONG" : "output matches the plain loops");
    return bad == 0;
}
#endif

}  // namespace

int main() {
    bool ok = check_matmul();
    ok = check_blur() && ok;
#ifdef HAVE_SHARPEN
    ok = check_sharpen() && ok;
#endif
    std::printf("%s\n", ok ? "all outputs correct" : "MISMATCH");
    return ok ? 0 : 1;
}
