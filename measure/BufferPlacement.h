// Where a measurement's input and output buffers live in memory.
//
// Timing depends on addresses, not only on the schedule: two buffers whose addresses agree in
// their low 12 bits (both fresh mmaps, as glibc gives every allocation above its mmap threshold)
// alias in the L1 cache and the store-to-load forwarding logic (4K aliasing). On this machine
// Halide's Harris ran 2x slower with its output allocated that way than with the same output one
// heap chunk away, and which of the two a candidate got depended on what the worker had freed
// before: the first candidate after a workload was loaded (the autoscheduler seeds, in a tune)
// was measured ~30% slow. So the worker allocates the inputs and outputs once per workload, here,
// each at its own offset within a 4 KiB page, and every candidate runs on the same addresses.
#pragma once

#include <Halide.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace htune {

class BufferArena {
public:
    // Byte offset within a 4 KiB page of the k-th buffer placed: multiples of 128 (Halide's
    // alignment), 640 bytes apart, never 0 or 128 for the first 12 (where glibc's mmapped
    // chunks and Halide's own allocations start), distinct for the first 32.
    static size_t page_offset(size_t k);

    // A copy of `src` (same type, shape, mins, strides and contents) in memory owned by this
    // arena, which must outlive it. `src` must be dense (its strides span size_in_bytes()).
    Halide::Buffer<> place(const Halide::Buffer<> &src);
    std::vector<Halide::Buffer<>> place(const std::vector<Halide::Buffer<>> &srcs);

    void clear() { blocks_.clear(); }

private:
    std::vector<std::unique_ptr<uint8_t[]>> blocks_;
};

}  // namespace htune
