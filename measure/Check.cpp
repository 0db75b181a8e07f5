// check_input_sets: the worker's correctness check over every input set (see Check.h).
#include "measure/Check.h"

#include <cstring>
#include <sstream>

#include "ops/BufferCompare.h"

namespace htune {

CheckResult check_input_sets(const std::function<void(int set)> &run, std::vector<Halide::Buffer<>> &outputs,
                             const std::vector<std::vector<Halide::Buffer<>>> &references,
                             const std::vector<uint64_t> &seeds, double rel_tolerance, double int_tolerance) {
    CheckResult r;
    for (size_t k = 0; k < references.size(); k++) {
        for (auto &b : outputs)
            if (b.data()) std::memset(b.data(), 0xff, b.size_in_bytes());
        run((int)k);
        Comparison cmp = compare_outputs(outputs, references[k], rel_tolerance, int_tolerance);
        r.max_error = std::max(r.max_error, cmp.max_abs_error);
        if (cmp.ok) continue;
        r.ok = false;
        r.failed_set = (int)k;
        std::ostringstream os;
        os << "output differs from the reference on input set " << k + 1 << " of " << references.size();
        if (k < seeds.size()) os << " (seed " << seeds[k] << ")";
        os << ": max abs error " << cmp.max_abs_error << " (max rel error " << cmp.max_rel_error << "); "
           << cmp.message;
        r.error = os.str();
        return r;
    }
    return r;
}

}  // namespace htune
