// The column names of feature_schema() (FeatureColumns.h).
#include "cost_model/FeatureColumns.h"

namespace htune {
namespace featurizer {

std::vector<std::string> column_names() {
    std::vector<std::string> cols;
    for (const char *g : kGlobalColumns) cols.push_back(std::string("g.") + g);
    for (const char *b : kBlocks)
        for (const char *c : kStageColumns) cols.push_back(std::string(b) + "." + c);
    return cols;
}

}  // namespace featurizer
}  // namespace htune
