#include "bus_policy.hpp"

namespace deepbug::stream {

ErrorResponse respondToError(const ErrorSituation& s) {
  switch (s.origin) {
    case ErrorOrigin::kInput:
      if (s.stopping) return ErrorResponse::kIgnore;
      // A decoder failure still leaves everything decoded before it; a camera that
      // failed before its first frame left nothing, but its source still ends cleanly.
      if (s.running && (s.decoded_frames || s.live)) return ErrorResponse::kEndAtInput;
      return ErrorResponse::kStop;
    case ErrorOrigin::kAnalysis:
      return s.running && s.has_output_branch ? ErrorResponse::kEndAfterAnalysis
                                              : ErrorResponse::kStop;
    case ErrorOrigin::kOverlay:
      return s.running && s.has_output_branch ? ErrorResponse::kEndAfterOverlay
                                              : ErrorResponse::kStop;
    case ErrorOrigin::kOther:
      break;
  }
  return ErrorResponse::kStop;
}

}  // namespace deepbug::stream
