// What an error on a source's bus costs. The rule: a fault never costs the recording.
// Whatever reached the output branch before the fault is finished as a valid file
// (EOS into the branch behind the failed element); only a fault of the recording itself
// (encoder, muxer, disk) stops the pipeline at once.
#pragma once

namespace deepbug::stream {

enum class ErrorOrigin {
  kInput,     // the source bin: demuxer, decoder, camera
  kAnalysis,  // deepbugclassify or deepbugexplain
  kOverlay,   // deepbugoverlay
  kOther,     // the recording: encoder, muxer, file
};

struct ErrorSituation {
  ErrorOrigin origin = ErrorOrigin::kOther;
  bool live = false;
  bool running = false;   // no stop requested yet
  bool stopping = false;  // EOS already on its way
  bool decoded_frames = false;
  bool has_output_branch = false;  // recording or display (not a bare fakesink)
};

enum class ErrorResponse {
  kIgnore,            // the input complaining while the source stops: the EOS is on its way
  kEndAtInput,        // EOS after the decoder: everything decoded is classified and recorded
  kEndAfterAnalysis,  // EOS into the output branch: every frame that reached it is recorded
  kEndAfterOverlay,   // EOS past the failed overlay (a queue whose downstream failed refuses it)
  kStop,              // stop the pipeline now
};

// Every response but kIgnore records the error: the source ends with it (exit code 1).
ErrorResponse respondToError(const ErrorSituation& situation);

}  // namespace deepbug::stream
