// Test helper: measurement options for tests that run real workers at test size (the built
// `htune` as the worker, no warm-up, one timed run, a generous compile limit).
#pragma once

#include "measure/MeasureOptions.h"

namespace htune::test {

inline MeasureOptions quick_measure(int workers = 2) {
    MeasureOptions o;
    o.workers = workers;
    o.warmup = 0;
    o.min_repeats = 1;
    o.min_seconds = 0;
    o.compile_timeout_s = 300;
    o.worker_exe = HTUNE_BINARY;
    return o;
}

}  // namespace htune::test
