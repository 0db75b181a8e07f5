// The worker's allocator policy: a large buffer freed and allocated again costs no new page
// faults (measure/Allocator.h). Each case runs in a forked child, so the test process keeps
// glibc's defaults and the control case shows that the measurement can see the faults.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "measure/Allocator.h"

namespace htune {
namespace {

long minor_faults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

// In a child: allocates and touches 64 MiB, frees it, and returns the minor page faults of
// allocating and touching it again (-1 if the child failed).
long faults_of_second_allocation(bool steady_state) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        long result = -1;
        if (!steady_state || use_steady_state_allocator()) {
            const size_t n = size_t(64) << 20;
            char *a = static_cast<char *>(malloc(n));
            memset(a, 1, n);
            asm volatile("" : : "r"(a) : "memory");  // keep the stores and the allocation
            free(a);
            long before = minor_faults();
            char *b = static_cast<char *>(malloc(n));
            memset(b, 2, n);
            asm volatile("" : : "r"(b) : "memory");
            result = minor_faults() - before;
            free(b);
        }
        ssize_t w = write(fds[1], &result, sizeof result);
        _exit(w == sizeof result ? 0 : 1);
    }
    close(fds[1]);
    long result = -1;
    if (read(fds[0], &result, sizeof result) != sizeof result) result = -1;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return result;
}

TEST(AllocatorTest, ALargeBufferAllocatedAgainReusesItsPages) {
    const long pages = (64L << 20) / 4096;
    long control = faults_of_second_allocation(false);
    long steady = faults_of_second_allocation(true);
    ASSERT_GE(control, 0);
    ASSERT_GE(steady, 0);
    // glibc's default mmaps 64 MiB afresh: a fault per page (fewer with transparent huge pages).
    EXPECT_GT(control, pages / 600) << "the control case did not fault: the test cannot see faults";
    EXPECT_LT(steady, pages / 1000) << "steady-state allocator: " << steady << " faults";
}

}  // namespace
}  // namespace htune
