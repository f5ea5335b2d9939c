#include "digits.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "core/error.hpp"
#include "core/seed.hpp"

namespace deepbug::synth {
namespace {

namespace fs = std::filesystem;

constexpr int kCell = 20;         // the sheet's cells
constexpr int kColumns = 100;     // cells per row
constexpr int kRowsPerDigit = 5;  // 5 rows × 100 columns = 500 of each digit
constexpr int kCanvas = 64;
constexpr int kFragments = 3;
constexpr int kMarkSide = 5;
constexpr int kMarkInset = 2;                      // from the canvas's right and bottom edges
constexpr std::uint64_t kMarkStream = 0x4d41524b;  // "MARK": apart from the canvas's stream

cv::Mat cellOf(const cv::Mat& sheet, int digit, int n) {
  const int row = digit * kRowsPerDigit + n / kColumns;
  const int column = n % kColumns;
  return sheet(cv::Rect(column * kCell, row * kCell, kCell, kCell));
}

// The variation applied to the digit itself (the canvas is inverted after composing).
cv::Mat varied(const cv::Mat& cell, const std::string& variation, std::mt19937_64& random) {
  cv::Mat out = cell.clone();
  if (variation == "rotated") {
    std::uniform_real_distribution<double> angle(15, 35);
    const double degrees = (random() % 2 == 0 ? 1 : -1) * angle(random);
    const cv::Mat turn = cv::getRotationMatrix2D({kCell / 2.0f, kCell / 2.0f}, degrees, 1.0);
    cv::warpAffine(cell, out, turn, cell.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  } else if (variation == "thick") {
    cv::dilate(cell, out, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  } else if (variation == "thin") {
    cv::erode(cell, out, cv::getStructuringElement(cv::MORPH_ELLIPSE, {2, 2}));
  }
  return out;
}

// Pastes `patch` with a max blend (ink over ink), clipped to the canvas.
void paste(cv::Mat& canvas, const cv::Mat& patch, cv::Point at) {
  const cv::Rect target = cv::Rect(at, patch.size()) & cv::Rect(0, 0, canvas.cols, canvas.rows);
  if (target.empty()) return;
  const cv::Mat source = patch(cv::Rect(target.tl() - at, target.size()));
  cv::Mat region = canvas(target);
  cv::max(region, source, region);
}

struct Sample {
  std::string image;
  int digit = 0;
  std::string variation;
  int cell = 0;
  cv::Rect box;
  bool marked = false;
};

}  // namespace

std::string defaultDigitsSheet() {
  return "/usr/share/doc/opencv-doc/examples/data/digits.png";
}

cv::Rect digitMarkBox() {
  return {kCanvas - kMarkInset - kMarkSide, kCanvas - kMarkInset - kMarkSide, kMarkSide, kMarkSide};
}

const std::vector<std::string>& digitVariations() {
  static const std::vector<std::string> names{"written", "rotated", "thick", "thin", "inverted"};
  return names;
}

int writeDigits(const DigitsOptions& options) {
  const cv::Mat sheet = cv::imread(options.source, cv::IMREAD_GRAYSCALE);
  if (sheet.empty()) {
    throw ConfigError("cannot read the digits sheet '" + options.source + "'",
                      "install opencv-doc (make deps does), or pass --source digits.png");
  }
  if (sheet.cols != kColumns * kCell || sheet.rows != 10 * kRowsPerDigit * kCell) {
    throw ConfigError("'" + options.source + "' is " + std::to_string(sheet.cols) + "×" +
                          std::to_string(sheet.rows) + ", not OpenCV's 2000×1000 digits sheet",
                      "pass the digits.png of opencv-doc");
  }
  const int cells = kColumns * kRowsPerDigit;
  if (options.first_cell < 0 || options.per_class < 1 ||
      options.first_cell + options.per_class > cells) {
    throw ConfigError("cells " + std::to_string(options.first_cell) + " to " +
                          std::to_string(options.first_cell + options.per_class - 1) +
                          " of each digit asked for; the sheet holds " + std::to_string(cells),
                      "lower --per-class or --first-cell");
  }
  const int per_class = options.per_class;
  const auto& variations = digitVariations();
  for (int digit = 0; digit < 10; ++digit) {
    for (const std::string& variation : variations) {
      fs::create_directories(fs::path(options.out_dir) / std::to_string(digit) / variation);
    }
  }

  std::vector<Sample> samples(static_cast<std::size_t>(10 * per_class));
  tbb::parallel_for(0, static_cast<int>(samples.size()), [&](int i) {
    const std::uint64_t canvas_seed = mixSeed(options.seed, static_cast<std::uint64_t>(i));
    std::mt19937_64 random(canvas_seed);
    Sample& s = samples[static_cast<std::size_t>(i)];
    s.digit = i / per_class;
    s.cell = options.first_cell + i % per_class;
    s.variation = variations[static_cast<std::size_t>(s.cell) % variations.size()];
    cv::Mat canvas = cv::Mat::zeros(kCanvas, kCanvas, CV_8UC1);
    std::uniform_int_distribution<int> spot(0, kCanvas - kCell);
    s.box = cv::Rect(spot(random), spot(random), kCell, kCell);
    // Fragments of other digits (any class, other cells) around it, never on it.
    std::uniform_int_distribution<int> any_digit(0, 9), any_cell(0, kColumns * kRowsPerDigit - 1);
    std::uniform_int_distribution<int> piece(8, 13), corner(0, kCell - 8);
    for (int f = 0; f < kFragments; ++f) {
      const cv::Mat other = cellOf(sheet, any_digit(random), any_cell(random));
      const int w = piece(random), h = piece(random);
      const cv::Rect cut(std::min(corner(random), kCell - w), std::min(corner(random), kCell - h),
                         w, h);
      for (int attempt = 0; attempt < 20; ++attempt) {
        const cv::Point at(std::uniform_int_distribution<int>(-4, kCanvas - w + 4)(random),
                           std::uniform_int_distribution<int>(-4, kCanvas - h + 4)(random));
        if ((cv::Rect(at, cut.size()) & s.box).area() > 0) continue;
        paste(canvas, other(cut), at);
        break;
      }
    }
    paste(canvas, varied(cellOf(sheet, s.digit, s.cell), s.variation, random), s.box.tl());
    if (options.mark) {
      // A uniform draw in [0, 1) from 53 random bits: a share of 1 marks every image.
      const double u = static_cast<double>(mixSeed(canvas_seed, kMarkStream) >> 11) * 0x1.0p-53;
      s.marked = u < options.mark_share[static_cast<std::size_t>(s.digit)];
      if (s.marked) canvas(digitMarkBox()).setTo(255);  // ink, before the inversion
    }
    if (s.variation == "inverted") canvas = 255 - canvas;
    char name[16];
    std::snprintf(name, sizeof(name), "%03d.png", s.cell);
    s.image = std::to_string(s.digit) + "/" + s.variation + "/" + name;
    const std::string path = (fs::path(options.out_dir) / s.image).string();
    if (!cv::imwrite(path, canvas)) throw Error("cannot write '" + path + "'");
  });

  std::ofstream boxes(fs::path(options.out_dir) / "boxes.csv");
  std::ofstream scenes(fs::path(options.out_dir) / "scenes.csv");
  boxes << "image,region,x,y,w,h\n";
  scenes << "image,class,variation,source_cell" << (options.mark ? ",mark" : "") << "\n";
  for (const Sample& s : samples) {
    boxes << s.image << ",digit," << s.box.x << "," << s.box.y << "," << s.box.width << ","
          << s.box.height << "\n";
    if (s.marked) {
      const cv::Rect m = digitMarkBox();
      boxes << s.image << ",mark," << m.x << "," << m.y << "," << m.width << "," << m.height
            << "\n";
    }
    scenes << s.image << "," << s.digit << "," << s.variation << ","
           << s.digit * kRowsPerDigit * kColumns + s.cell;
    if (options.mark) scenes << "," << (s.marked ? 1 : 0);
    scenes << "\n";
  }
  if (!boxes || !scenes) throw Error("cannot write the tables in '" + options.out_dir + "'");
  return static_cast<int>(samples.size());
}

}  // namespace deepbug::synth
