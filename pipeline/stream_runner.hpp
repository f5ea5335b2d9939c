// Runs every source of a config at once, one pipeline each, in one main loop:
// bus messages, Ctrl-C/SIGTERM (EOS first, a second signal exits at once), progress
// lines and the exit code.
#pragma once

#include <string>

#include "config.hpp"

namespace deepbug::stream {

struct RunOptions {
  bool dry_run = false;    // validate the config, probe sources, load the model; write nothing
  bool quiet = false;      // no progress lines
  bool overwrite = false;  // reuse output folders that hold an earlier run
  double status_interval_seconds = 10;  // progress when stderr is not a terminal
  double stop_timeout_seconds = 20;     // wait this long for files to finish after Ctrl-C
};

// Returns the process exit code (README, "Exit codes"). Throws deepbug::Error for
// bad configs, models and sources, before anything is written.
int runStream(const StreamConfig& config, const RunOptions& options);

// Folder for a source's outputs: `base/name`, or `base/name-2`, `-3`... when that one
// already holds a run and `overwrite` is false.
std::string chooseOutputDir(const std::string& base, const std::string& name, bool overwrite);

}  // namespace deepbug::stream
