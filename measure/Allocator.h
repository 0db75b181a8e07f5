// How a worker process allocates memory, so that a candidate's time does not depend on what the
// process allocated before it.
//
// glibc serves large allocations with fresh mmaps and returns them to the kernel on free, and
// its thresholds for doing so move with the process's history (a freed mmapped chunk raises the
// mmap threshold; the heap top is trimmed past twice that). A schedule that computes big
// intermediates at the root allocates them on every run, so its time included a fresh page fault
// and a kernel page clear per 4 KiB page on some runs and not on others: camera_pipe's heuristic
// measured 147-235 ms in a fresh worker and 23-26 ms in one whose heap kept its pages (Adams2019's
// schedule 155-214 vs 35-42 ms; tiled schedules ~11 ms either way). The worker therefore never
// mmaps and never trims: after the warm-up run every buffer a candidate allocates comes from
// pages the process already has, and each candidate is timed in that steady state. The cost of
// faulting in fresh memory is not measured; what the intermediates cost in cache and memory
// traffic still is.
#pragma once

namespace htune {

// Sets the policy above for this process (glibc's mallopt: M_MMAP_MAX 0, M_TRIM_THRESHOLD
// maximal). Returns false when the C library refused it; call once, before measuring.
bool use_steady_state_allocator();

}  // namespace htune
