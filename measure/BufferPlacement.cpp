// Inputs and outputs at fixed, distinct page offsets (see BufferPlacement.h).
#include "measure/BufferPlacement.h"

#include <cstring>

#include "ops/Error.h"

namespace htune {

size_t BufferArena::page_offset(size_t k) { return ((k + 1) * 640) % 4096; }

Halide::Buffer<> BufferArena::place(const Halide::Buffer<> &src) {
    if (!src.defined()) return src;
    const halide_buffer_t *raw = src.raw_buffer();
    const size_t bytes = src.size_in_bytes();
    const size_t offset = page_offset(blocks_.size());
    // One spare page to align the start to 4 KiB, then the offset.
    auto block = std::make_unique<uint8_t[]>(bytes + 2 * 4096);
    uintptr_t base = (reinterpret_cast<uintptr_t>(block.get()) + 4095) & ~uintptr_t(4095);
    uint8_t *host = reinterpret_cast<uint8_t *>(base + offset);
    if (raw->host && raw->begin() != raw->host)
        throw Error(ErrorKind::internal, "BufferArena::place: buffers with negative strides");
    if (src.data()) std::memcpy(host, src.data(), bytes);
    Halide::Buffer<> out(src.type(), host, raw->dimensions, raw->dim);
    blocks_.push_back(std::move(block));
    return out;
}

std::vector<Halide::Buffer<>> BufferArena::place(const std::vector<Halide::Buffer<>> &srcs) {
    std::vector<Halide::Buffer<>> out;
    out.reserve(srcs.size());
    for (const auto &b : srcs) out.push_back(place(b));
    return out;
}

}  // namespace htune
