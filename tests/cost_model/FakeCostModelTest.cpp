// FakeCostModel: the deterministic stand-in tuner tests rely on. Checks it scores with the
// given function, records calls, validates like the real model and round-trips its schema.
#include <gtest/gtest.h>

#include "SyntheticData.h"
#include "tests/support/FakeCostModel.h"
#include "ops/Error.h"

using namespace htune;
using namespace htune::testing;

TEST(FakeCostModelTest, ScoresWithTheGivenFunctionAndRecordsCalls) {
    Dataset d = make_synthetic(2, 10, 1);
    FakeCostModel fake([](const float *row, std::size_t) { return -float(true_log_time(row)); });
    EXPECT_THROW(fake.predict(d.x), Error);
    fake.train(d.x, d.times, d.groups);
    fake.update(d.x, d.times, d.groups);
    std::vector<float> s = fake.predict(d.x);
    ASSERT_EQ(s.size(), d.x.rows);
    EXPECT_FLOAT_EQ(s[3], -float(true_log_time(d.x.row(3))));
    EXPECT_EQ(fake.train_calls, 1);
    EXPECT_EQ(fake.update_calls, 1);
    EXPECT_EQ(fake.predict_calls, 1);
    EXPECT_EQ(fake.last_train_rows, d.x.rows);
    EXPECT_THROW(fake.train(FeatureMatrix(d.x.schema, 0), {}, {}), Error);
}

TEST(FakeCostModelTest, RoundTripsSchemaAndRefusesOtherKinds) {
    FakeCostModel fake;
    fake.set_trained(synthetic_schema(4, 3));
    FakeCostModel copy;
    copy.from_bytes(fake.to_bytes());
    EXPECT_EQ(copy.schema(), synthetic_schema(4, 3));
    FeatureSchema other = synthetic_schema(4, 4);
    EXPECT_THROW(copy.from_bytes(fake.to_bytes(), &other), Error);
    EXPECT_EQ(unpack_model_blob(fake.to_bytes()).kind, "fake");
    auto xgb = make_xgboost_model();
    EXPECT_THROW(xgb->from_bytes(fake.to_bytes()), Error);
}
