// ModelStore: saved cost models per device type and feature schema, so that the next tuning run
// starts from what was learned (transfer). Part of Database (db/Database.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace htune {

// A saved cost model for one device type and feature schema.
struct StoredModel {
    std::string device_key, schema_name;
    int schema_version = 0;
    int64_t created = 0;  // Unix seconds; 0 = now
    std::vector<uint8_t> blob;
    nlohmann::json metrics = nlohmann::json::object();
};

// Not thread-safe (see Database). Every method throws htune::Error (kind sqlite) on failure.
class ModelStore {
public:
    virtual ~ModelStore() = default;

    // Saves one more model; earlier ones stay.
    virtual void put_model(const StoredModel &model) = 0;
    // The newest model saved for the device type and schema, if any.
    virtual std::optional<StoredModel> get_model(const std::string &device_key,
                                                 const std::string &schema_name, int schema_version) = 0;
};

}  // namespace htune
