// One switch from a Halide element type to its C++ type, for the code that reads, writes or
// compares buffers and scalars of any supported type (BufferCompare, input synthesis, scalar
// estimates, the worker's wrong_output fault).
#pragma once

#include <Halide.h>

#include <cstdint>

namespace htune {

// Calls f with a value of t's C++ type (f(float{}), f(uint8_t{}), ...) and returns true; returns
// false, without calling f, for a type htune does not handle. bool only where `with_bool`.
template <typename F>
bool visit_type(const Halide::Type &t, F &&f, bool with_bool = false) {
    if (t == Halide::Float(32))
        f(float{});
    else if (t == Halide::Float(64))
        f(double{});
    else if (t == Halide::UInt(8))
        f(uint8_t{});
    else if (t == Halide::UInt(16))
        f(uint16_t{});
    else if (t == Halide::UInt(32))
        f(uint32_t{});
    else if (t == Halide::Int(8))
        f(int8_t{});
    else if (t == Halide::Int(16))
        f(int16_t{});
    else if (t == Halide::Int(32))
        f(int32_t{});
    else if (with_bool && t == Halide::Bool())
        f(bool{});
    else
        return false;
    return true;
}

}  // namespace htune
