// Built-in image-processing operators (the classic Halide autoscheduling benchmarks), the
// stencil family: blur3x3, unsharp_mask, harris, max_filter, stencil_chain. Scans and pyramids
// live in ImageScans.cpp and ImagePyramids.cpp. Images are (x, y[, c]), planar channels.
// FLOPs: 2 per multiply-add, 1 per other arithmetic op, compare/max or transcendental.
#include <cmath>

#include "ops/HostTarget.h"
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

Func clamp_2d(const ImageParam &in, int width, int height, const std::string &name) {
    Func f(name);
    std::vector<Var> vars;
    for (int d = 0; d < in.dimensions(); d++) vars.emplace_back(name + "_" + std::to_string(d));
    std::vector<Expr> coords;
    for (int d = 0; d < in.dimensions(); d++) {
        if (d == 0)
            coords.push_back(clamp(vars[d], 0, width - 1));
        else if (d == 1)
            coords.push_back(clamp(vars[d], 0, height - 1));
        else
            coords.push_back(vars[d]);
    }
    std::vector<Expr> args(vars.begin(), vars.end());
    f(args) = in(coords);
    return f;
}

ImageParam image_param(Type t, const std::string &name, std::vector<int> extents) {
    ImageParam in(t, (int)extents.size(), name);
    Region r;
    for (int e : extents) r.push_back({0, e});
    in.set_estimates(r);
    return in;
}

Expr luma(const Func &rgb, const Expr &x, const Expr &y) {
    return 0.299f * rgb(x, y, 0) + 0.587f * rgb(x, y, 1) + 0.114f * rgb(x, y, 2);
}

namespace {

OpDef blur3x3() {
    OpDef d;
    d.name = "blur3x3";
    d.summary = "separable 3x3 box blur of a uint16 image (blur_x then blur_y)";
    d.params = {int_param("W", 6144, 8, 65536, "image width"),
                int_param("H", 4096, 8, 65536, "image height")};
    d.test = {{"W", "256"}, {"H", "128"}};
    // `scheduled`: the hand-written schedule (OpDef::build_as_written), Halide's classic one for
    // this blur: the output in 256 x 32 tiles, row strips of tiles in parallel, blur_x computed
    // per tile (its 34 rows), both vectorized across x.
    auto build = [](const ParamValues &p, bool scheduled) {
        const int W = p.i("W"), H = p.i("H");
        ImageParam in(UInt(16), 2, "input");
        in.set_estimates({{0, W}, {0, H}});
        Func c = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y");
        Func bx("blur_x"), by("blur_y");
        bx(x, y) = (c(x - 1, y) + c(x, y) + c(x + 1, y)) / 3;
        by(x, y) = (bx(x, y - 1) + bx(x, y) + bx(x, y + 1)) / 3;
        by.set_estimates({{0, W}, {0, H}});
        if (scheduled) {
            const int vec = host_target().natural_vector_size<uint16_t>();
            const TailStrategy guard = TailStrategy::GuardWithIf;
            Var xi("xi"), yi("yi");
            by.tile(x, y, xi, yi, 256, 32, guard).vectorize(xi, vec, guard).parallel(y);
            bx.compute_at(by, x).vectorize(x, vec, guard);
        }
        return Pipeline(by);
    };
    d.build = [build](const ParamValues &p) { return build(p, false); };
    d.build_as_written = [build](const ParamValues &p) { return build(p, true); };
    d.flops = [](const ParamValues &p) { return 6.0 * p.i("W") * p.i("H"); };
    d.bytes = [](const ParamValues &p) { return 4.0 * p.i("W") * p.i("H"); };
    d.ranges = {{"input", {0, 1023}}};
    return d;
}

OpDef unsharp_mask() {
    OpDef d;
    d.name = "unsharp_mask";
    d.summary = "unsharp mask of an RGB float image: separable gaussian blur of the luma, sharpen, rescale";
    d.params = {int_param("W", 1536, 8, 65536, "image width"), int_param("H", 2560, 8, 65536, "image height"),
                real_param("sigma", 1.5, 0.3, 10.0, "gaussian sigma (radius = ceil(3 sigma))")};
    d.test = {{"W", "64"}, {"H", "48"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H");
        const double sigma = p.real("sigma");
        const int R = (int)std::ceil(3 * sigma);
        // Normalized gaussian taps w[0..R] (symmetric), folded into the algorithm as constants.
        std::vector<double> w(R + 1);
        double total = 0;
        for (int i = 0; i <= R; i++) total += (i ? 2 : 1) * (w[i] = std::exp(-i * i / (2 * sigma * sigma)));
        ImageParam in = image_param(Float(32), "input", {W, H, 3});
        Func c = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y"), ch("c");
        Func gray("gray"), blur_y("blur_y"), blur_x("blur_x"), sharpen("sharpen"), ratio("ratio");
        gray(x, y) = luma(c, x, y);
        Expr by = (float)(w[0] / total) * gray(x, y);
        for (int i = 1; i <= R; i++) by += (float)(w[i] / total) * (gray(x, y - i) + gray(x, y + i));
        blur_y(x, y) = by;
        Expr bx = (float)(w[0] / total) * blur_y(x, y);
        for (int i = 1; i <= R; i++) bx += (float)(w[i] / total) * (blur_y(x - i, y) + blur_y(x + i, y));
        blur_x(x, y) = bx;
        sharpen(x, y) = 2.0f * gray(x, y) - blur_x(x, y);
        // Guard against black pixels, where the ratio is undefined.
        ratio(x, y) = sharpen(x, y) / max(gray(x, y), 1e-3f);
        Func out("unsharp");
        out(x, y, ch) = ratio(x, y) * in(x, y, ch);
        out.set_estimates({{0, W}, {0, H}, {0, 3}});
        return Pipeline(out);
    };
    // luma 5, two blurs (R+1) mults + 2R adds each, sharpen 2, ratio 1, rescale 3 per pixel.
    d.flops = [](const ParamValues &p) {
        const int R = (int)std::ceil(3 * p.real("sigma"));
        return (double)p.i("W") * p.i("H") * (5 + 2 * (3 * R + 1) + 2 + 1 + 3);
    };
    d.ranges = {{"input", {0, 1}}};
    return d;
}

OpDef harris() {
    OpDef d;
    d.name = "harris";
    d.summary = "Harris corner response of an RGB float image: luma, Sobel gradients, 3x3 structure tensor";
    d.params = {int_param("W", 1536, 8, 65536, "image width"), int_param("H", 2560, 8, 65536, "image height"),
                real_param("k", 0.04, 0.0, 1.0, "response = det - k trace^2")};
    d.test = {{"W", "64"}, {"H", "48"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H");
        const float k = (float)p.real("k");
        ImageParam in = image_param(Float(32), "input", {W, H, 3});
        Func c = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y");
        Func gray("gray"), Ix("Ix"), Iy("Iy"), Ixx("Ixx"), Iyy("Iyy"), Ixy("Ixy");
        gray(x, y) = luma(c, x, y);
        Iy(x, y) = gray(x - 1, y - 1) * (-1.0f / 12) + gray(x - 1, y + 1) * (1.0f / 12) +
                   gray(x, y - 1) * (-2.0f / 12) + gray(x, y + 1) * (2.0f / 12) +
                   gray(x + 1, y - 1) * (-1.0f / 12) + gray(x + 1, y + 1) * (1.0f / 12);
        Ix(x, y) = gray(x - 1, y - 1) * (-1.0f / 12) + gray(x + 1, y - 1) * (1.0f / 12) +
                   gray(x - 1, y) * (-2.0f / 12) + gray(x + 1, y) * (2.0f / 12) +
                   gray(x - 1, y + 1) * (-1.0f / 12) + gray(x + 1, y + 1) * (1.0f / 12);
        Ixx(x, y) = Ix(x, y) * Ix(x, y);
        Iyy(x, y) = Iy(x, y) * Iy(x, y);
        Ixy(x, y) = Ix(x, y) * Iy(x, y);
        auto box3 = [&](const Func &f) {
            Expr e;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) e = e.defined() ? e + f(x + dx, y + dy) : f(x + dx, y + dy);
            return e;
        };
        Func Sxx("Sxx"), Syy("Syy"), Sxy("Sxy");
        Sxx(x, y) = box3(Ixx);
        Syy(x, y) = box3(Iyy);
        Sxy(x, y) = box3(Ixy);
        Expr det = Sxx(x, y) * Syy(x, y) - Sxy(x, y) * Sxy(x, y);
        Expr trace = Sxx(x, y) + Syy(x, y);
        Func out("harris");
        out(x, y) = det - k * trace * trace;
        out.set_estimates({{0, W}, {0, H}});
        return Pipeline(out);
    };
    // luma 5, gradients 2 x 11, products 3, box sums 3 x 8, det 3, trace 1, response 3.
    d.flops = [](const ParamValues &p) { return 61.0 * p.i("W") * p.i("H"); };
    d.ranges = {{"input", {0, 1}}};
    return d;
}

OpDef max_filter() {
    OpDef d;
    d.name = "max_filter";
    d.summary =
        "circular max filter of an RGB float image (apps/max_filter): log-step vertical running "
        "maxima, then a horizontal max over per-column heights";
    d.params = {int_param("W", 1536, 8, 65536, "image width"), int_param("H", 1024, 8, 65536, "image height"),
                int_param("C", 3, 1, 16, "channels"),
                int_param("radius", 26, 1, 256, "filter radius in pixels")};
    d.test = {{"W", "40"}, {"H", "24"}, {"C", "2"}, {"radius", "5"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H"), C = p.i("C"), R = p.i("radius");
        // Slice s holds maxima over windows of 2^s rows; the widest window used is 2R+1 rows.
        int slices = 1;
        while ((2 << (slices - 1)) <= 2 * R + 1) slices++;
        ImageParam in = image_param(Float(32), "input", {W, H, C});
        Func clamped = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y"), c("c"), t("t");
        // vert_log(x, y, c, s) = max of rows [y, y + 2^s), built slice by slice.
        Func vert_log("vert_log");
        vert_log(x, y, c, t) = clamped(x, y, c);
        RDom r(-R, H + R, 1, slices - 1, "r");
        vert_log(x, r.x, c, r.y) =
            max(vert_log(x, r.x, c, r.y - 1), vert_log(x, r.x + clamp(1 << (r.y - 1), 0, 2 * R), c, r.y - 1));
        // slice_for_radius(t) = floor(log2(2t + 1)), as an integer scan over the slices.
        Func slice_for_radius("slice_for_radius");
        slice_for_radius(t) = 0;
        RDom rs(1, slices - 1, "rs");
        slice_for_radius(t) = select((1 << rs) <= 2 * t + 1, rs, slice_for_radius(t));
        // vert(x, y, c, t) = max of rows [y - t, y + t]: two overlapping power-of-two windows.
        Func vert("vert");
        Expr slice = clamp(slice_for_radius(t), 0, slices - 1);
        vert(x, y, c, t) = max(vert_log(x, y - t, c, slice),
                               vert_log(x, y + t + 1 - clamp(1 << slice, 1, 2 * R + 1), c, slice));
        // filter_height(dx): half-height of the disc of radius R + 1/4 at column offset dx.
        Func filter_height("filter_height");
        Var dx("dx");
        filter_height(dx) = 0;
        RDom rdy(1, R, "rdy");
        filter_height(dx) += select(dx * dx + rdy * rdy <= R * R + R / 2, 1, 0);
        Func out("max_filter");
        out(x, y, c) = Float(32).min();
        RDom rdx(-R, 2 * R + 1, "rdx");
        out(x, y, c) = max(out(x, y, c), vert(x + rdx, y, c, clamp(filter_height(rdx), 0, R)));
        out.set_estimates({{0, W}, {0, H}, {0, C}});
        return Pipeline(out);
    };
    // Per pixel: one max per vertical log step, then per horizontal tap the two-sample max and
    // the running max.
    d.flops = [](const ParamValues &p) {
        const int R = p.i("radius");
        int slices = 1;
        while ((2 << (slices - 1)) <= 2 * R + 1) slices++;
        return (double)p.i("W") * p.i("H") * p.i("C") * ((slices - 1) + 2.0 * (2 * R + 1));
    };
    d.ranges = {{"input", {0, 1}}};
    return d;
}

OpDef stencil_chain() {
    OpDef d;
    d.name = "stencil_chain";
    d.summary =
        "chain of `depth` uint16 stencils (apps/stencil_chain), alternating a 3x3 binomial and "
        "a 5-point cross, each rounded and normalized";
    d.params = {int_param("W", 2048, 8, 65536, "image width"), int_param("H", 2048, 8, 65536, "image height"),
                int_param("depth", 8, 1, 64, "number of stencil stages")};
    d.test = {{"W", "64"}, {"H", "48"}, {"depth", "2"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H"), depth = p.i("depth");
        ImageParam in = image_param(UInt(16), "input", {W, H});
        Var x("x"), y("y");
        Func prev = clamp_2d(in, W, H, "input_clamped");
        // Values stay in [0, 1023] (inputs are 10-bit), so the weighted sums fit in uint16.
        for (int s = 1; s <= depth; s++) {
            Func f("stencil_" + std::to_string(s));
            if (s % 2 == 1) {  // 3x3 binomial: weights (1 2 1)^T (1 2 1) / 16
                Expr e = cast<uint16_t>(8);
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        e += cast<uint16_t>((2 - std::abs(dx)) * (2 - std::abs(dy))) * prev(x + dx, y + dy);
                f(x, y) = e / 16;
            } else {  // 5-point cross: (4 center + 4 neighbours) / 8
                f(x, y) = (cast<uint16_t>(4) * prev(x, y) + prev(x - 1, y) + prev(x + 1, y) + prev(x, y - 1) +
                           prev(x, y + 1) + 4) /
                          8;
            }
            prev = f;
        }
        prev.set_estimates({{0, W}, {0, H}});
        return Pipeline(prev);
    };
    // 3x3 stage: 9 multiply-adds + round + divide = 20; cross stage: 5 multiply-adds + 2 = 12.
    d.flops = [](const ParamValues &p) {
        const int depth = p.i("depth");
        return (double)p.i("W") * p.i("H") * (20.0 * ((depth + 1) / 2) + 12.0 * (depth / 2));
    };
    d.ranges = {{"input", {0, 1023}}};
    return d;
}

}  // namespace

void add_image_ops(std::vector<OpDef> &defs) {
    defs.push_back(blur3x3());
    defs.push_back(unsharp_mask());
    defs.push_back(harris());
    defs.push_back(max_filter());
    defs.push_back(stencil_chain());
    add_scan_ops(defs);
    add_pyramid_ops(defs);
}

}  // namespace htune
