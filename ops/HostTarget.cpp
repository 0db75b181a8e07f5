#include "ops/HostTarget.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace htune {

namespace {

bool cpu_has_sapphire_rapids_extras() {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    const bool fp16 = (d >> 23) & 1u, amx_tile = (d >> 24) & 1u;
    return fp16 && amx_tile;
#else
    return false;
#endif
}

}  // namespace

Halide::Target runnable_here(Halide::Target t) {
    if (t.arch == Halide::Target::X86 && t.has_feature(Halide::Target::AVX512_SapphireRapids) &&
        !cpu_has_sapphire_rapids_extras())
        t = t.without_feature(Halide::Target::AVX512_SapphireRapids);
    return t;
}

Halide::Target host_target() { return runnable_here(Halide::get_host_target()); }

Halide::Target parse_target(const std::string &text) {
    Halide::Target t(text);
    return text.rfind("host", 0) == 0 ? runnable_here(t) : t;
}

}  // namespace htune
