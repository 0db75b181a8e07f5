// PipelineAnalysis: the structure of a pipeline that the schedule space is derived from.
#pragma once

namespace htune {
class PipelineAnalysis {};
}  // namespace htune
