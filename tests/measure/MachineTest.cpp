// probe_caches (measure/Machine.h): this host's caches are ordered, nonzero and say where they
// came from; the per-level fall-through and the ordering check, on made-up sources.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <thread>

#include "measure/Machine.h"

namespace htune::test {

TEST(MachineTest, ProbeCachesReturnsOrderedNonzeroSizesFromAKnownSource) {
    const MachineCaches &c = probe_caches();
    EXPECT_GT(c.l1d_bytes, 0u);
    EXPECT_LE(c.l1d_bytes, c.l2_bytes);
    EXPECT_LE(c.l2_bytes, c.l3_bytes);
    EXPECT_GE(c.cores, 1);
    EXPECT_LE((unsigned)c.cores, std::max(1u, std::thread::hardware_concurrency()));
    // One source name, or one per level.
    const std::set<std::string> known{"cpuid", "sysfs", "sysconf", "default"};
    if (!known.count(c.source)) {
        EXPECT_EQ(c.source.rfind("L1d ", 0), 0u) << c.source;
        EXPECT_NE(c.source.find(", L3 "), std::string::npos) << c.source;
    }
    EXPECT_EQ(&probe_caches(), &c);  // probed once per process
    std::cout << "probe_caches: " << describe(c) << "\n";
}

TEST(MachineTest, EachLevelComesFromTheFirstSourceThatKnowsIt) {
    // CPUID knows L1d and L2, sysconf all three: L3 falls through to sysconf.
    MachineCaches c = combine_cache_sources(
        {{"cpuid", 48 << 10, 1 << 20, 0}, {"sysfs", 0, 0, 0}, {"sysconf", 32 << 10, 2 << 20, 64 << 20}}, 4);
    EXPECT_EQ(c.l1d_bytes, 48u << 10);
    EXPECT_EQ(c.l2_bytes, 1u << 20);
    EXPECT_EQ(c.l3_bytes, 64u << 20);
    EXPECT_EQ(c.cores, 4);
    EXPECT_EQ(c.source, "L1d cpuid, L2 cpuid, L3 sysconf");
    EXPECT_EQ(describe(c), "L1d 48 KiB, L2 1 MiB, L3 64 MiB, 4 cores (L1d cpuid, L2 cpuid, L3 sysconf)");

    // Nothing known: the defaults, at least one core.
    c = combine_cache_sources({{"cpuid"}, {"sysfs"}, {"sysconf"}}, 0);
    MachineCaches d = default_caches();
    EXPECT_EQ(c, d);
    EXPECT_EQ(describe(c), "L1d 32 KiB, L2 512 KiB, L3 32 MiB, 1 core (default)");

    // One source for everything: its name.
    c = combine_cache_sources({{"sysfs", 32 << 10, 1 << 20, 32 << 20}}, 2);
    EXPECT_EQ(c.source, "sysfs");
}

TEST(MachineTest, SizesThatAreNotOrderedFallBackToTheDefaults) {
    // An L2 larger than the L3 (e.g. a per-core figure mixed with a bogus one).
    MachineCaches c = combine_cache_sources({{"sysconf", 48 << 10, 64 << 20, 32 << 20}}, 2);
    MachineCaches d = default_caches();
    EXPECT_EQ(c.l1d_bytes, d.l1d_bytes);
    EXPECT_EQ(c.l2_bytes, d.l2_bytes);
    EXPECT_EQ(c.l3_bytes, d.l3_bytes);
    EXPECT_EQ(c.source, "default");
    EXPECT_EQ(c.cores, 2);
}

}  // namespace htune::test
