// The Halide target for this machine: Halide::get_host_target() without the features the CPU
// does not really have. Halide 14 reads AVX512_SapphireRapids off the AVX512-BF16/VNNI bits
// alone, and LLVM's "sapphirerapids" CPU enables AVX512-FP16 and AMX, which an AMD EPYC with
// avx512_bf16 and vnni but no FP16 and no AMX lacks: code compiled for it died with SIGILL here
// (which instruction faulted was not checked; without the feature it runs).
// Every place htune compiles for "host" goes through this.
#pragma once

#include <Halide.h>

#include <string>

namespace htune {

// get_host_target(), with AVX512_SapphireRapids dropped unless the CPU reports AVX512-FP16
// and AMX-TILE (CPUID leaf 7).
Halide::Target host_target();

// Applies the same correction to any target (a no-op for other architectures or for features
// the CPU has): what `--target host` and a target string naming sapphirerapids resolve to when
// the code is to run here.
Halide::Target runnable_here(Halide::Target t);

// A Halide target string as htune reads it: "host" (or "host-<features>") is host_target()
// plus those features; any other string is taken as written (cross-compiling is allowed).
Halide::Target parse_target(const std::string &text);

}  // namespace htune
