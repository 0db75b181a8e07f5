// Built-in image-processing operators (the classic Halide autoscheduling benchmarks).
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

Func clamp_2d(const ImageParam &in, int width, int height, const std::string &name) {
    Func f(name);
    std::vector<Var> vars;
    for (int d = 0; d < in.dimensions(); d++) vars.emplace_back(name + "_" + std::to_string(d));
    std::vector<Expr> coords;
    for (int d = 0; d < in.dimensions(); d++) {
        if (d == 0) coords.push_back(clamp(vars[d], 0, width - 1));
        else if (d == 1) coords.push_back(clamp(vars[d], 0, height - 1));
        else coords.push_back(vars[d]);
    }
    std::vector<Expr> args(vars.begin(), vars.end());
    f(args) = in(coords);
    return f;
}

namespace {

OpDef blur3x3() {
    OpDef d;
    d.name = "blur3x3";
    d.summary = "separable 3x3 box blur of a uint16 image (blur_x then blur_y)";
    d.params = {int_param("W", 6144, 8, 65536, "image width"),
                int_param("H", 4096, 8, 65536, "image height")};
    d.test = {{"W", "256"}, {"H", "128"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H");
        ImageParam in(UInt(16), 2, "input");
        in.set_estimates({{0, W}, {0, H}});
        Func c = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y");
        Func bx("blur_x"), by("blur_y");
        bx(x, y) = (c(x - 1, y) + c(x, y) + c(x + 1, y)) / 3;
        by(x, y) = (bx(x, y - 1) + bx(x, y) + bx(x, y + 1)) / 3;
        by.set_estimates({{0, W}, {0, H}});
        return Pipeline(by);
    };
    d.flops = [](const ParamValues &p) { return 6.0 * p.i("W") * p.i("H"); };
    d.bytes = [](const ParamValues &p) { return 4.0 * p.i("W") * p.i("H"); };
    d.ranges = {{"input", {0, 1023}}};
    return d;
}

}  // namespace

void add_image_ops(std::vector<OpDef> &defs) { defs.push_back(blur3x3()); }

}  // namespace htune
