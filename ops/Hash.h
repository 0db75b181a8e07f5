// The one non-cryptographic hash of htune: FNV-1a over bytes with the 64-bit FNV prime, and its
// 16-digit hex form. Schedule hashes (schedules/Schedule.cpp), structure hashes
// (ops/PipelineIO.cpp) and the tuner's seeding (tuner/Tuner.cpp) all use it. Its offset basis
// is 1469598103934665603, not FNV's published 14695981039346656037 (a digit short, since the
// first version): every tuning database stores hashes made with it, so it must never change.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace htune {

inline uint64_t fnv1a64(std::string_view bytes) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

// Lower-case hex, zero-padded to 16 digits.
inline std::string hex16(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    return buf;
}

}  // namespace htune
