// Schedule values: JSON round trip, golden files with pinned hashes, and clear errors.
#include <gtest/gtest.h>

#include <fstream>

#include "ops/Error.h"
#include "schedules/Schedule.h"
#include "tests/RunCommand.h"

namespace htune {

namespace {

Schedule example() {
    Schedule s;
    FuncSchedule out;
    out.placement = Placement::root;
    StageSchedule st;
    st.splits = {{"x", {64, 8}}, {"y", {16}}};
    st.order = {"x_i", "x_m", "y_i", "x_o", "y_o"};
    st.vectorize = "x_i";
    st.unroll = {"y_i"};
    st.parallel = {"y_o"};
    out.stages = {st};
    s.funcs["blur_y"] = out;
    FuncSchedule prod;
    prod.placement = Placement::at;
    prod.at_func = "blur_y";
    prod.at_loop = "x_o";
    prod.store_loop = "y_o";
    StageSchedule pst;
    pst.splits = {{"x", {8}}};
    pst.order = {"x_i", "x_o", "y"};
    pst.vectorize = "x_i";
    prod.stages = {pst};
    s.funcs["blur_x"] = prod;
    s.funcs["input_clamped"].placement = Placement::inline_;
    return s;
}

Schedule parse(const std::string &text) { return nlohmann::json::parse(text).get<Schedule>(); }

std::string parse_error(const std::string &text) {
    try {
        parse(text);
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(ScheduleJsonTest, RoundTripIsIdentity) {
    Schedule s = example();
    nlohmann::json j = s;
    Schedule back = j.get<Schedule>();
    EXPECT_EQ(back, s);
    EXPECT_EQ(schedule_hash(back), schedule_hash(s));
    EXPECT_EQ(nlohmann::json(back).dump(), j.dump());
}

TEST(ScheduleJsonTest, GoldenFileAndPinnedHash) {
    // The golden file pins the format and the hash: changing either silently would orphan
    // every record in every user's database.
    std::string golden = test::read_file(HTUNE_TEST_DATA "/schedules/blur3x3_example.json");
    ASSERT_FALSE(golden.empty());
    Schedule s = parse(golden);
    EXPECT_EQ(s, example());
    EXPECT_EQ(schedule_hash(s), "96e7df8ed250a346");
}

TEST(ScheduleJsonTest, HashIgnoresKeyOrderButNotContent) {
    Schedule a = example();
    // Same content written with keys in another order.
    nlohmann::json j = a;
    std::string reordered = R"({"funcs":)" + j["funcs"].dump() + R"(,"version":1})";
    EXPECT_EQ(schedule_hash(parse(reordered)), schedule_hash(a));
    Schedule b = a;
    b.funcs["blur_y"].stages[0].splits[0].factors[1] = 16;
    EXPECT_NE(schedule_hash(b), schedule_hash(a));
    Schedule c = a;
    c.funcs["blur_x"].store_loop = "";
    EXPECT_NE(schedule_hash(c), schedule_hash(a));
}

TEST(ScheduleJsonTest, TailIsWrittenOnlyWhenSetAndRoundTrips) {
    Schedule a = example();
    // The default tail writes nothing, so schedules from before the field keep their hashes
    // (the golden hash above).
    EXPECT_EQ(nlohmann::json(a).dump().find("tail"), std::string::npos);
    Schedule b = a;
    b.funcs["blur_x"].stages[0].splits[0].tail = "round_up";
    nlohmann::json j = b;
    EXPECT_EQ(j["funcs"]["blur_x"]["stages"][0]["splits"][0]["tail"], "round_up");
    EXPECT_EQ(j.get<Schedule>(), b);
    EXPECT_NE(schedule_hash(b), schedule_hash(a));
    b.funcs["blur_x"].stages[0].splits[0].tail = "shift_inwards";
    EXPECT_EQ(nlohmann::json(b).get<Schedule>(), b);
    EXPECT_EQ(
        parse_error(
            R"({"version": 1, "funcs": {"f": {"placement": "root", "stages": [{"splits": [{"var": "x", "factors": [8], "tail": "sideways"}]}]}}})"),
        "schedule: tail 'sideways' of a split of Func 'f' stage 0 is not one of round_up, shift_inwards, "
        "guard");
}

TEST(ScheduleJsonTest, StorageOrderIsWrittenOnlyWhenSetAndRoundTrips) {
    Schedule a = example();
    // No storage order writes nothing, so schedules from before the field keep their hashes.
    EXPECT_EQ(nlohmann::json(a).dump().find("storage"), std::string::npos);
    Schedule b = a;
    b.funcs["blur_x"].storage = {"y", "x"};
    nlohmann::json j = b;
    EXPECT_EQ(j["funcs"]["blur_x"]["storage"], nlohmann::json({"y", "x"}));
    EXPECT_EQ(j.get<Schedule>(), b);
    EXPECT_NE(schedule_hash(b), schedule_hash(a));
    EXPECT_EQ(parse_error(R"({"version": 1, "funcs": {"f": {"placement": "root", "storage": "y"}}})"),
              "schedule: field 'storage' of Func 'f' has the wrong type");
}

TEST(ScheduleJsonTest, MalformedInputNamesTheProblem) {
    EXPECT_EQ(parse_error(R"({"version": 2, "funcs": {}})"),
              "schedule: schema version 2 is not supported (expected 1)");
    EXPECT_EQ(parse_error(R"({"version": 1})"), "schedule: missing object 'funcs'");
    EXPECT_EQ(parse_error(R"({"version": 1, "funcs": {"f": {"placement": "somewhere"}}})"),
              "schedule: Func 'f' has unknown placement 'somewhere'");
    EXPECT_EQ(parse_error(R"({"version": 1, "funcs": {"f": {"placement": "at"}}})"),
              "schedule: Func 'f' is placed 'at' but has no 'at' object");
    EXPECT_EQ(
        parse_error(
            R"({"version": 1, "funcs": {"f": {"placement": "root", "stages": [{"splits": [{"var": "x", "factors": [0]}]}]}}})"),
        "schedule: split factor 0 of Func 'f' stage 0 is < 1");
    EXPECT_EQ(
        parse_error(R"({"version": 1, "funcs": {"f": {"placement": "root", "stages": [{"vectorize": 3}]}}})"),
        "schedule: field 'vectorize' of Func 'f' stage 0 has the wrong type");
}

}  // namespace htune
