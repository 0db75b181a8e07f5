// htune_bench_db: fills a temporary database with N records (default 1,000,000 over 1000
// workloads x 2 device types) and reports how long best() takes. A bench, not a test.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "db/Database.h"

using namespace htune;
using Clock = std::chrono::steady_clock;

namespace {

std::string hex16(uint64_t v) {
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return buf;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
    long total = argc > 1 ? std::atol(argv[1]) : 1000000;
    const int workloads = 1000, devices = 2, calls = 20000;
    std::string dir = "/tmp/htune_bench_XXXXXX";
    if (!mkdtemp(dir.data())) return 1;
    std::string path = dir + "/bench.db";
    auto db = open_database(path);

    const std::string device_keys[devices] = {"x86-64-linux-avx-avx2-avx512-fma-sse41|Bench CPU A|2t",
                                              "x86-64-linux-avx-avx2-avx512-fma-sse41|Bench CPU B|8t"};
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> ms(0.1, 100.0);
    auto t0 = Clock::now();
    std::vector<Record> batch;
    for (long i = 0; i < total; i++) {
        Record r;
        int w = (int)(i % workloads);
        r.workload_key = "matmul:M=" + std::to_string(w) + ",N=64,K=64#" + hex16(w);
        r.workload.op = "matmul";
        r.workload.params = {{"M", std::to_string(w)}, {"N", "64"}, {"K", "64"}};
        r.flops = 2.0 * w * 64 * 64;
        r.device_key = device_keys[(i / workloads) % devices];
        r.schedule = {{"version", 1}, {"funcs", {{"C", {{"placement", "root"}, {"tile", i}}}}}};
        r.schedule_hash = hex16(i);
        r.result.status = i % 7 == 0 ? Status::compile_error : Status::ok;
        if (r.result.status == Status::ok)
            r.result.min_ms = ms(rng), r.result.median_ms = r.result.min_ms * 1.05;
        r.result.repeats = 10;
        r.result.threads = 2;
        r.htune_version = "bench";
        r.halide_version = "14.0.0";
        r.timestamp = 1700000000 + i;
        batch.push_back(std::move(r));
        if ((long)batch.size() == 20000 || i + 1 == total) {
            db->commit(batch);
            batch.clear();
        }
    }
    double fill_s = std::chrono::duration<double>(Clock::now() - t0).count();
    printf("filled %ld records (%d workloads x %d device types) in %.1f s\n", db->count(), workloads, devices,
           fill_s);

    auto time_calls = [&](const char *what, auto &&call) {
        std::vector<double> us;
        for (int i = 0; i < calls; i++) {
            int w = (int)(rng() % workloads);
            std::string key = "matmul:M=" + std::to_string(w) + ",N=64,K=64#" + hex16(w);
            auto s = Clock::now();
            Lookup l = call(key);
            us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
            if (l.records.empty()) {
                printf("%s no answer for %s\n", what, key.c_str());
                return;
            }
        }
        std::sort(us.begin(), us.end());
        printf("%-34s median %.1f us, p99 %.1f us, max %.1f us (%d calls)\n", what, median(us),
               us[us.size() * 99 / 100], us.back(), calls);
    };
    time_calls("best() exact device:", [&](const std::string &k) { return db->best(k, device_keys[0]); });
    time_calls("best() fallback (same target):", [&](const std::string &k) {
        return db->best(k, "x86-64-linux-avx-avx2-avx512-fma-sse41|Other|4t");
    });
    time_calls("top_k(10) exact device:",
               [&](const std::string &k) { return db->top_k(k, device_keys[1], 10); });

    db.reset();
    for (const char *suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
    rmdir(dir.c_str());
    return 0;
}
