// How many frames a real decoder gets out of a recording.
#pragma once

#include <iterator>
#include <regex>
#include <string>

#include "integration/process.hpp"

namespace deepbug::test {

// Frames GStreamer's demuxer, parser and decoder get out of an MP4; -1 when it cannot
// read the file.
inline int decodedFrames(const std::string& path) {
  const ProcessResult run = runCommand("gst-launch-1.0 -v filesrc location=" + path +
                                           " ! qtdemux ! h264parse ! avdec_h264 ! "
                                           "identity silent=false ! fakesink",
                                       false);
  if (run.exit_code != 0) return -1;
  const std::regex chain(R"(identity0.*chain)");
  return static_cast<int>(std::distance(
      std::sregex_iterator(run.output.begin(), run.output.end(), chain), std::sregex_iterator()));
}

}  // namespace deepbug::test
