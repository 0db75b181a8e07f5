// Record JSON (the JSONL line) round trip and validation, and device keys.
#include <gtest/gtest.h>

#include "db/DeviceKey.h"
#include "db/Record.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

std::string from_json_error(const nlohmann::json &j) {
    try {
        j.get<Record>();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(RecordTest, JsonRoundTripKeepsEveryPortableField) {
    Record r = fake_record(3, kDeviceA, 7, 1.25);
    r.result.compile_s = 0.5;
    r.result.max_error = 1e-6;
    nlohmann::json j = r;
    EXPECT_EQ(j["format"], kRecordFormat);
    EXPECT_EQ(j["workload"]["key"], r.workload_key);
    EXPECT_EQ(j["device_key"], kDeviceA);
    EXPECT_FALSE(j.contains("id"));  // database-local
    EXPECT_FALSE(j.contains("provenance"));  // database-local too: a log is always imported
    Record back = nlohmann::json::parse(j.dump()).get<Record>();
    EXPECT_EQ(back.provenance, Provenance::imported);
    r.provenance = Provenance::imported;
    EXPECT_EQ(back, r);

    // The host that measured it (tune --mpi) travels with the result; "" is not written.
    EXPECT_FALSE(j["result"].contains("host"));
    r.result.host = "node7/rank 3";
    EXPECT_EQ(nlohmann::json(r)["result"]["host"], "node7/rank 3");
    EXPECT_EQ(nlohmann::json(r).get<Record>(), r);

    Record failed = fake_record(3, kDeviceA, 8, 0, Status::crash);
    failed.provenance = Provenance::imported;
    EXPECT_EQ(nlohmann::json(failed).get<Record>(), failed);
}

TEST(RecordTest, FromJsonNamesTheBadField) {
    nlohmann::json good = fake_record(1, kDeviceA, 1, 2.0);
    auto with = [&](auto edit) {
        nlohmann::json j = good;
        edit(j);
        return from_json_error(j);
    };
    EXPECT_NE(with([](auto &j) { j.erase("device_key"); }).find("missing field 'device_key'"),
              std::string::npos);
    EXPECT_NE(with([](auto &j) { j["format"] = "other/9"; }).find("unknown record format"),
              std::string::npos);
    EXPECT_NE(with([](auto &j) { j["device_key"] = "hostname"; }).find("bad device key"), std::string::npos);
    EXPECT_NE(with([](auto &j) { j["schedule_hash"] = "xyz"; }).find("schedule_hash"), std::string::npos);
    EXPECT_NE(with([](auto &j) { j["workload"]["key"] = "matmul"; }).find("workload key"), std::string::npos);
    EXPECT_NE(with([](auto &j) { j["result"]["status"] = "great"; }).find("unknown status"),
              std::string::npos);
    EXPECT_NE(with([](auto &j) { j["result"]["min_ms"] = 0; }).find("min_ms > 0"), std::string::npos);
    EXPECT_NE(with([](auto &j) { j["result"]["repeats"] = "ten"; }).find("result"), std::string::npos);
    EXPECT_NE(with([](auto &j) { j["timestamp"] = 1.5; }).find("timestamp"), std::string::npos);
    EXPECT_NE(with([](auto &j) { j["versions"].erase("halide"); }).find("'halide'"), std::string::npos);
    EXPECT_EQ(from_json_error(good), "no error");
}

TEST(RecordTest, GflopsFromFlopsAndMinTime) {
    Record r = fake_record(1, kDeviceA, 1, 2.0);  // 1e9 flops in 2 ms
    EXPECT_DOUBLE_EQ(gflops(r), 500.0);
    EXPECT_EQ(gflops(fake_record(1, kDeviceA, 1, 0, Status::timeout)), 0);
}

TEST(DeviceKeyTest, KeyRoundTripsAndRejectsMalformedKeys) {
    DeviceKey d{"x86-64-linux-avx2", "Some CPU @ 3GHz", 8};
    EXPECT_EQ(d.key(), "x86-64-linux-avx2|Some CPU @ 3GHz|8t");
    EXPECT_EQ(DeviceKey::parse(d.key()), d);
    for (const char *bad :
         {"", "x86-64-linux", "a|b", "a|b|8", "a|b|t", "|b|8t", "a||8t", "a|b|0t", "a|b|-1t"})
        EXPECT_THROW(DeviceKey::parse(bad), Error) << bad;
}

TEST(DeviceKeyTest, CurrentDeviceIsATypeNotAHost) {
    Halide::Target t = htune::host_target().with_feature(Halide::Target::JIT);
    DeviceKey d = current_device(t, 3);
    EXPECT_EQ(d.threads, 3);
    EXPECT_EQ(d.target, htune::host_target().to_string());  // jit dropped
    EXPECT_EQ(d.target_part(), d.target);
    EXPECT_EQ(d.cpu_model, cpu_model_name());
    EXPECT_EQ(d.cpu_model.find('|'), std::string::npos);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    if (std::string(host).size() > 3) {
        EXPECT_EQ(d.key().find(host), std::string::npos);
    }
    EXPECT_EQ(DeviceKey::parse(d.key()), d);
    EXPECT_EQ(host_device().threads, default_thread_count());
}

}  // namespace htune::test
