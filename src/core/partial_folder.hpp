// Outputs written under a temporary name (OUT.partial) and renamed when complete: a
// finished folder is never half-written. After a failure, what to do with the partial one.
#pragma once

#include <filesystem>

namespace deepbug {

// `dir` removed when it holds no file (the run failed before writing anything: nothing
// is lost), kept otherwise (a late failure must not cost the hours of outputs before
// it). True when kept. Never throws: it runs while an error is on its way out.
bool keepIfAnythingWritten(const std::filesystem::path& dir) noexcept;

}  // namespace deepbug
