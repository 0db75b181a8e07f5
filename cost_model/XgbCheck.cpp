// xgb_check: turns an XGBoost C API failure into htune::Error with XGBoost's own message, so
// nothing in cost_model/ ever ignores a return code or loses the library's explanation.
#include "cost_model/XgbCheck.h"

#include <xgboost/c_api.h>

#include "ops/Error.h"

namespace htune {

void xgb_check(int rc, const char *call) {
    if (rc == 0) return;
    const char *last = XGBGetLastError();
    throw Error(ErrorKind::xgboost, std::string(call) + ": " + (last && *last ? last : "unknown error"));
}

}  // namespace htune
