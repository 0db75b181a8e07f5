// Small helpers shared by the space's rule files (SpaceRules.cpp, SpaceSampling.cpp,
// SpaceMutations.cpp): random choices and lookups in loop-name lists. Internal to schedules/.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace htune {
namespace rules {

inline bool chance(std::mt19937_64 &rng, double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

template <typename T>
const T &pick(const std::vector<T> &v, std::mt19937_64 &rng) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

// Powers of two in [lo, hi].
inline std::vector<int> pow2_between(int lo, int hi) {
    std::vector<int> out;
    for (int p = 2; p <= hi; p *= 2)
        if (p >= lo) out.push_back(p);
    return out;
}

inline int index_of(const std::vector<std::string> &v, const std::string &x) {
    auto it = std::find(v.begin(), v.end(), x);
    return it == v.end() ? -1 : (int)(it - v.begin());
}

inline bool contains(const std::vector<std::string> &v, const std::string &x) { return index_of(v, x) >= 0; }

}  // namespace rules
}  // namespace htune
