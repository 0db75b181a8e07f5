// Built-in image operators built on scans and data-dependent reductions: iir_blur (recursive
// filter), histogram_equalize (histogram + prefix sum), bilateral_grid (scatter into a grid).
// FLOPs: 2 per multiply-add, 1 per other arithmetic op or compare (integer ops count too).
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

namespace {

// First-order IIR low-pass down then up the columns of `in` (height `height`), then transposed,
// as Halide's apps/iir_blur; `name` prefixes every Func and RDom.
Func blur_cols_transpose(const Func &in, int height, float alpha, const std::string &name) {
    Var x("x"), y("y"), c("c");
    Func blur(name);
    blur(x, y, c) = in(x, y, c);
    RDom down(1, height - 1, name + "_down");  // causal: row y from row y - 1
    blur(x, down, c) = (1 - alpha) * blur(x, down - 1, c) + alpha * in(x, down, c);
    RDom up(1, height - 1, name + "_up");  // anti-causal: row y from row y + 1
    Expr flip = height - 1 - up;
    blur(x, flip, c) = (1 - alpha) * blur(x, flip + 1, c) + alpha * blur(x, flip, c);
    Func transpose(name + "_t");
    transpose(x, y, c) = blur(y, x, c);
    return transpose;
}

OpDef iir_blur() {
    OpDef d;
    d.name = "iir_blur";
    d.summary =
        "first-order IIR blur of an RGB float image (apps/iir_blur): causal + anti-causal column "
        "scans, transpose, the same again";
    d.params = {int_param("W", 1536, 2, 65536, "image width"), int_param("H", 1024, 2, 65536, "image height"),
                int_param("C", 3, 1, 16, "channels"),
                real_param("alpha", 0.1, 0.0, 1.0, "filter coefficient (weight of the new sample)")};
    d.test = {{"W", "48"}, {"H", "32"}, {"C", "2"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H"), C = p.i("C");
        const float alpha = (float)p.real("alpha");
        ImageParam in = image_param(Float(32), "input", {W, H, C});
        Func input = in;  // the input's own wrapper Func, not an extra stage
        Func cols_t = blur_cols_transpose(input, H, alpha, "blur_cols");  // (y, x, c)
        Func out = blur_cols_transpose(cols_t, W, alpha, "blur_rows");    // back to (x, y, c)
        out.set_estimates({{0, W}, {0, H}, {0, C}});
        return Pipeline(out);
    };
    // Two passes x two scans, each sample 2 multiplies + 1 add.
    d.flops = [](const ParamValues &p) { return 12.0 * p.i("W") * p.i("H") * p.i("C"); };
    d.ranges = {{"input", {0, 1}}};
    return d;
}

OpDef histogram_equalize() {
    OpDef d;
    d.name = "histogram_equalize";
    d.summary =
        "histogram equalization of a uint8 image: data-dependent histogram, prefix-sum cdf over "
        "the bins, lookup table, per-pixel map";
    d.params = {int_param("W", 2048, 1, 16384, "image width"),
                int_param("H", 2048, 1, 16384, "image height")};
    // Small: the default schedule recomputes the whole histogram for every output pixel.
    d.test = {{"W", "24"}, {"H", "16"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H");
        ImageParam in = image_param(UInt(8), "input", {W, H});
        Var x("x"), y("y"), b("b");
        Func hist("histogram");
        hist(b) = 0;
        RDom r(0, W, 0, H, "r");
        hist(clamp(cast<int>(in(r.x, r.y)), 0, 255)) += 1;
        Func cdf("cdf");
        cdf(b) = hist(b);
        RDom rb(1, 255, "rb");
        cdf(rb) = cdf(rb - 1) + hist(rb);
        // 64-bit so cdf * 255 cannot overflow for the largest images.
        Func lut("lut");
        const int64_t total = (int64_t)W * H;
        lut(b) = cast<uint8_t>((cast<int64_t>(cdf(b)) * 255 + Expr(total / 2)) / Expr(total));
        Func out("equalized");
        out(x, y) = lut(cast<int>(in(x, y)));
        out.set_estimates({{0, W}, {0, H}});
        return Pipeline(out);
    };
    // One increment and one lookup per pixel; scan and table over the 256 bins.
    d.flops = [](const ParamValues &p) { return 2.0 * p.i("W") * p.i("H") + 256.0 * 5; };
    // A low-contrast image, so equalization visibly stretches it.
    d.ranges = {{"input", {32, 160}}};
    return d;
}

OpDef bilateral_grid() {
    OpDef d;
    d.name = "bilateral_grid";
    d.summary =
        "bilateral filter of a gray float image via the bilateral grid (apps/bilateral_grid): "
        "data-dependent grid scatter, 5-tap blurs in z/x/y, trilinear slicing";
    d.params = {int_param("W", 1536, 8, 65536, "image width"), int_param("H", 2560, 8, 65536, "image height"),
                int_param("s_sigma", 8, 2, 64, "spatial sigma: grid cell size in pixels"),
                real_param("r_sigma", 0.1, 0.02, 1.0, "range sigma: grid cell height in intensity")};
    d.test = {{"W", "32"}, {"H", "24"}, {"s_sigma", "4"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H"), s = p.i("s_sigma");
        const float inv_r = 1.0f / (float)p.real("r_sigma");
        ImageParam in = image_param(Float(32), "input", {W, H});
        Func clamped = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y"), z("z"), c("c");
        // Grid construction: each s x s block scatters (value, 1) into the z bin of its value.
        RDom r(0, s, 0, s, "r");
        Expr val = clamp(clamped(x * s + r.x - s / 2, y * s + r.y - s / 2), 0.0f, 1.0f);
        Expr zi = cast<int>(val * inv_r + 0.5f);
        Func histogram("histogram");
        histogram(x, y, z, c) = 0.0f;
        histogram(x, y, zi, c) += select(c == 0, val, 1.0f);
        // Blur the grid with a 1 4 6 4 1 filter along z, x, then y.
        auto taps = [](const std::function<Expr(int)> &at) {
            return at(-2) + at(-1) * 4 + at(0) * 6 + at(1) * 4 + at(2);
        };
        Func blurz("blurz"), blurx("blurx"), blury("blury");
        blurz(x, y, z, c) = taps([&](int i) { return histogram(x, y, z + i, c); });
        blurx(x, y, z, c) = taps([&](int i) { return blurz(x + i, y, z, c); });
        blury(x, y, z, c) = taps([&](int i) { return blurx(x, y + i, z, c); });
        // Trilinear slicing at (x / s, y / s, value / r_sigma).
        Expr v = clamp(in(x, y), 0.0f, 1.0f);
        Expr zv = v * inv_r;
        Expr zs = cast<int>(zv);
        Expr zf = zv - zs;
        Expr xf = cast<float>(x % s) / s, yf = cast<float>(y % s) / s;
        Expr xs = x / s, ys = y / s;
        auto plane = [&](const Expr &zz) {
            return lerp(lerp(blury(xs, ys, zz, c), blury(xs + 1, ys, zz, c), xf),
                        lerp(blury(xs, ys + 1, zz, c), blury(xs + 1, ys + 1, zz, c), xf), yf);
        };
        Func interpolated("interpolated");
        interpolated(x, y, c) = lerp(plane(zs), plane(zs + 1), zf);
        Func out("bilateral_grid");
        out(x, y) = interpolated(x, y, 0) / interpolated(x, y, 1);
        out.set_estimates({{0, W}, {0, H}});
        return Pipeline(out);
    };
    d.flops = [](const ParamValues &p) {
        const double W = p.i("W"), H = p.i("H"), s = p.i("s_sigma");
        const double cells = (W / s + 1) * (H / s + 1) * (1.0 / p.real("r_sigma") + 2) * 2;
        // Scatter: clamp 2, bin 3, accumulate 2 per pixel and channel; blurs: 3 x (4 adds +
        // 2 multiplies) per cell; slicing: 7 lerps x 3 per channel + 6 for the coordinates,
        // + 1 divide per pixel.
        return W * H * (2 * 7 + 2 * 21 + 6 + 1) + cells * 18;
    };
    d.ranges = {{"input", {0, 1}}};
    return d;
}

}  // namespace

void add_scan_ops(std::vector<OpDef> &defs) {
    defs.push_back(iir_blur());
    defs.push_back(histogram_equalize());
    defs.push_back(bilateral_grid());
}

}  // namespace htune
