// Real handwriting for the debugging framework: the 5,000 digits of OpenCV's
// `digits.png` (Debian's opencv-doc; 20×20 cells, 500 per digit, written by people) as an
// ImageFolder with variations and a region file. Each digit is placed at a random spot
// of a 64×64 canvas among fragments of other digits — a bare 20×20 cell would make
// localisation trivial — and its box is the region `digit`.
//
//   OUT/<digit>/<variation>/<n>.png   variation: written, rotated, thick, thin, inverted
//   OUT/boxes.csv                     image,region,x,y,w,h (region "digit")
//   OUT/scenes.csv                    image,class,variation,source_cell[,mark]
//
// With a mark (a Clever Hans shortcut), a share of each digit's images carries a 5×5
// square of full ink (white; black on inverted canvases) 2 px in from the bottom-right
// corner, drawn over whatever is there: the region `mark`, and scenes.csv's column
// `mark` (0/1). Which images carry it is drawn from a random stream of its own, so the
// images are the same as without a mark outside the square.
#pragma once

#include <array>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace deepbug::synth {

struct DigitsOptions {
  std::string out_dir;
  std::string source;      // digits.png
  int first_cell = 0;      // the first of each digit's cells used: a held-out set starts
                           // where the training set's cells end
  int per_class = 500;     // images per digit, at most the 500 - first_cell the sheet holds
  std::uint64_t seed = 1;  // placement, fragments, rotation
  bool mark = false;       // write the mark's column (and marks, where a share is > 0)
  std::array<double, 10> mark_share{};  // per digit, in [0, 1]
};

// The mark's place on every 64×64 canvas.
cv::Rect digitMarkBox();

std::string defaultDigitsSheet();
const std::vector<std::string>& digitVariations();

// Returns the number of images written. Throws deepbug::Error naming the sheet when it
// cannot be read or is not 2000×1000 (100×50 cells of 20×20), ConfigError when the cells
// asked for run past the 500 of each digit.
int writeDigits(const DigitsOptions& options);

}  // namespace deepbug::synth
