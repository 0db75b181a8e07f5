// See Allocator.h.
#include "measure/Allocator.h"

#include <malloc.h>

#include <climits>

namespace htune {

bool use_steady_state_allocator() {
    bool ok = mallopt(M_MMAP_MAX, 0) == 1;
    ok = mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1 && ok;
    return ok;
}

}  // namespace htune
