// NumPy's .npy files for tensors: relevance maps and inputs exchanged with Python
// tools (numpy.load / numpy.save) and read back by deepbug-explain.
#pragma once

#include <string>

namespace at {
class Tensor;
}

namespace deepbug::io {

// Reads a .npy file of little-endian float32 ('<f4') or float64 ('<f8') in C order,
// any rank (0-d and empty arrays included), format version 1.0, 2.0 or 3.0. Returns a
// CPU tensor of that dtype and shape. Throws deepbug::Error naming the file, what is
// wrong with it and how to fix it for anything else: a missing file, bad magic,
// an unknown version, a malformed header, Fortran order, big-endian data, another
// dtype, or data shorter or longer than the header says.
at::Tensor readNpy(const std::string& path);

// Writes a float32 or float64 tensor of any rank, on any device and in any memory
// layout, as NPY 1.0 in C order, byte-identical to what numpy.save writes for the same
// array (NumPy 1.24). The file appears atomically: the bytes go to a temporary file in
// the same folder, are flushed to disk and then renamed over `path`, so a crash leaves
// either the old file or the new one, never half of one. Throws deepbug::Error for
// another dtype or when the file cannot be written.
void writeNpy(const std::string& path, const at::Tensor& tensor);

}  // namespace deepbug::io
