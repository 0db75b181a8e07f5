// The one hash helper (ops/Hash.h) and the hex form the tuning database stores. Stored schedule
// and structure hashes depend on both, so these values are pinned.
#include <gtest/gtest.h>

#include "ops/Hash.h"

using namespace htune;

TEST(HashTest, IsFnv1aWithHtunesOffsetBasis) {
    // FNV-1a's 64-bit prime, but the offset basis 1469598103934665603: the published one,
    // 14695981039346656037, without its last digit. Every database stores hashes made with it.
    EXPECT_EQ(fnv1a64(""), 1469598103934665603ull);
    EXPECT_EQ(fnv1a64("a"), 0x44bd8ad473cd9906ull);
    EXPECT_EQ(fnv1a64("foobar"), 0x88fad7c0a8ff07f2ull);
}

TEST(HashTest, HexIsSixteenLowerCaseDigits) {
    EXPECT_EQ(hex16(0), "0000000000000000");
    EXPECT_EQ(hex16(0x44bd8ad473cd9906ull), "44bd8ad473cd9906");
    EXPECT_EQ(hex16(0x1a), "000000000000001a");
}
