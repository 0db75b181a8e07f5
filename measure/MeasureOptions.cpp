// MeasureOptions (see MeasureOptions.h): validation and the limits derived from the options.
#include "measure/MeasureOptions.h"

#include <algorithm>
#include <thread>

#include "ops/Error.h"

namespace htune {

void validate(const MeasureOptions &o) {
    if (o.workers < 1) throw_usage("measure: workers must be >= 1");
    if (o.threads < 0) throw_usage("measure: threads must be >= 0 (0 = all cores)");
    if (o.warmup < 0) throw_usage("measure: warmup must be >= 0");
    if (o.min_repeats < 1) throw_usage("measure: min_repeats must be >= 1");
    if (o.max_repeats < o.min_repeats) throw_usage("measure: max_repeats must be >= min_repeats");
    if (!(o.min_seconds >= 0)) throw_usage("measure: min_seconds must be >= 0");
    if (!(o.compile_timeout_s > 0)) throw_usage("measure: compile_timeout_s must be > 0");
    if (!(o.run_timeout_floor_s > 0)) throw_usage("measure: run_timeout_floor_s must be > 0");
    if (!(o.run_timeout_factor >= 0)) throw_usage("measure: run_timeout_factor must be >= 0");
}

double run_timeout_s(const MeasureOptions &o, double reference_s) {
    double runs = 3.0 + o.warmup + o.min_repeats;  // two checked runs (Check.h) and one to spare
    return std::max(o.run_timeout_floor_s, o.run_timeout_factor * reference_s * runs) + o.min_seconds;
}

int resolved_threads(const MeasureOptions &o) {
    if (o.threads > 0) return o.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace htune
