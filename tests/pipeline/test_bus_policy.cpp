// What an error on a source's bus costs: never the recording. Each origin × state.
#include <gtest/gtest.h>

#include "bus_policy.hpp"

namespace deepbug::stream {
namespace {

ErrorSituation running(ErrorOrigin origin) {
  ErrorSituation s;
  s.origin = origin;
  s.running = true;
  s.decoded_frames = true;
  s.has_output_branch = true;
  return s;
}

TEST(BusPolicy, ADecoderErrorAfterFramesEndsTheStreamAtTheInputSoTheFileIsFinished) {
  EXPECT_EQ(respondToError(running(ErrorOrigin::kInput)), ErrorResponse::kEndAtInput);
}

TEST(BusPolicy, AFileThatFailsBeforeItsFirstFrameStopsAtOnce) {
  ErrorSituation s = running(ErrorOrigin::kInput);
  s.decoded_frames = false;
  EXPECT_EQ(respondToError(s), ErrorResponse::kStop);
  s.live = true;  // a camera's source still ends cleanly: its recording may hold earlier frames
  EXPECT_EQ(respondToError(s), ErrorResponse::kEndAtInput);
}

TEST(BusPolicy, TheInputComplainingWhileTheSourceStopsIsIgnored) {
  ErrorSituation s = running(ErrorOrigin::kInput);
  s.running = false;
  s.stopping = true;
  EXPECT_EQ(respondToError(s), ErrorResponse::kIgnore);
  s.origin = ErrorOrigin::kAnalysis;  // only the input's: any other error while stopping counts
  EXPECT_EQ(respondToError(s), ErrorResponse::kStop);
}

TEST(BusPolicy, AnAnalysisErrorEndsTheStreamInTheOutputBranch) {
  EXPECT_EQ(respondToError(running(ErrorOrigin::kAnalysis)), ErrorResponse::kEndAfterAnalysis);
  EXPECT_EQ(respondToError(running(ErrorOrigin::kOverlay)), ErrorResponse::kEndAfterOverlay);
}

TEST(BusPolicy, WithoutAnOutputBranchOrOnceStoppingAnAnalysisErrorStops) {
  ErrorSituation bare = running(ErrorOrigin::kAnalysis);
  bare.has_output_branch = false;
  EXPECT_EQ(respondToError(bare), ErrorResponse::kStop);
  ErrorSituation stopping = running(ErrorOrigin::kOverlay);
  stopping.running = false;
  stopping.stopping = true;
  EXPECT_EQ(respondToError(stopping), ErrorResponse::kStop);
}

TEST(BusPolicy, ARecordingErrorStopsThePipeline) {
  EXPECT_EQ(respondToError(running(ErrorOrigin::kOther)), ErrorResponse::kStop);
}

}  // namespace
}  // namespace deepbug::stream
