#include "scene.hpp"

#include <algorithm>
#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace deepbug::synth {

namespace {

cv::Scalar randomColour(cv::RNG& rng, const std::vector<cv::Scalar>& palette, double jitter) {
  const cv::Scalar base = palette[rng.uniform(0, static_cast<int>(palette.size()))];
  cv::Scalar out;
  for (int c = 0; c < 3; ++c)
    out[c] = std::clamp(base[c] + rng.uniform(-jitter, jitter), 0.0, 255.0);
  return out;
}

Solo randomSolo(cv::RNG& rng) {
  const double u = rng.uniform(0.0, 1.0);
  if (u < 0.50) return Solo::kWalking;
  if (u < 0.75) return Solo::kStanding;
  if (u < 0.83) return Solo::kWaving;
  if (u < 0.93) return Solo::kPhoning;
  return Solo::kLying;
}

int randomBystanderCount(cv::RNG& rng) {
  const double u = rng.uniform(0.0, 1.0);
  return u < 0.25 ? 0 : u < 0.60 ? 1 : u < 0.85 ? 2 : 3;
}

// A framing of a real background. `zoom` >= 1 crops a 1/zoom part of it (a camera
// nearer the people, or with a longer lens) at a random place, mirrored at random.
cv::Mat pickBackground(const Backgrounds& backgrounds, cv::RNG& rng, double zoom,
                       bool& real_frame) {
  real_frame = rng.uniform(0, 2) == 1;
  const cv::Mat& source =
      real_frame
          ? backgrounds.frames()[rng.uniform(0, static_cast<int>(backgrounds.frames().size()))]
          : backgrounds.median();
  const cv::Size size = source.size();
  const int w = std::max(8, cvRound(size.width / zoom));
  const int h = std::max(8, cvRound(size.height / zoom));
  const cv::Rect crop(rng.uniform(0, size.width - w + 1), rng.uniform(0, size.height - h + 1), w,
                      h);
  cv::Mat out;
  cv::resize(source(crop), out, size, 0, 0, cv::INTER_LINEAR);
  if (rng.uniform(0, 2)) cv::flip(out, out, 1);
  return out;
}

void drawOccluder(cv::Mat& image, cv::RNG& rng) {
  const cv::Scalar colour(rng.uniform(40, 200), rng.uniform(40, 200), rng.uniform(40, 200));
  if (rng.uniform(0, 2)) {  // a pillar or pole
    const int w = rng.uniform(image.cols / 40, image.cols / 12);
    const int x = rng.uniform(0, image.cols - w);
    cv::rectangle(image, cv::Rect(x, 0, w, image.rows), colour, cv::FILLED);
  } else {  // a low wall, bench or car body
    const int h = rng.uniform(image.rows / 12, image.rows / 5);
    const int w = rng.uniform(image.cols / 6, image.cols / 2);
    const cv::Rect r(rng.uniform(0, image.cols - w),
                     image.rows - h - rng.uniform(0, image.rows / 8), w, h);
    cv::rectangle(image, r, colour, cv::FILLED);
  }
}

}  // namespace

Appearance randomAppearance(cv::RNG& rng) {
  static const std::vector<cv::Scalar> skins{
      {60, 80, 120}, {90, 120, 170}, {120, 150, 200}, {140, 170, 220}, {40, 60, 90}};
  static const std::vector<cv::Scalar> hairs{
      {20, 20, 20}, {30, 50, 80}, {60, 90, 140}, {160, 160, 160}};
  static const std::vector<cv::Scalar> clothes{
      {40, 40, 40},   {200, 200, 200}, {150, 60, 30}, {40, 40, 160}, {40, 140, 40},
      {30, 150, 200}, {120, 120, 120}, {90, 50, 110}, {20, 80, 160}, {170, 140, 90}};
  Appearance look;
  look.skin = randomColour(rng, skins, 12);
  look.hair = randomColour(rng, hairs, 10);
  look.shirt = randomColour(rng, clothes, 25);
  look.trousers = randomColour(rng, clothes, 25);
  look.shoes = randomColour(rng, hairs, 10);
  look.build = rng.uniform(0.85, 1.2);
  return look;
}

// Farther (higher in the image) is smaller: 0.10 to 0.18 of the frame height in the
// clip's own framing, people a little farther from the camera than vtest.avi's
// nearest passers-by.
double perspectiveShare(double ground_y, int image_height) {
  const double depth =
      std::clamp((ground_y - 0.5 * image_height) / (0.47 * image_height), 0.0, 1.0);
  return 0.10 + 0.08 * depth;
}

void applyCamera(cv::Mat& image, cv::RNG& rng) {
  // Lighting: gain, offset and a colour cast.
  const double gain = rng.uniform(0.6, 1.3);
  const double offset = rng.uniform(-20.0, 20.0);
  std::vector<cv::Mat> channels;
  cv::split(image, channels);
  for (cv::Mat& channel : channels) {
    channel.convertTo(channel, CV_8U, gain * rng.uniform(0.92, 1.08), offset);
  }
  cv::merge(channels, image);
  if (rng.uniform(0, 2)) {
    const double sigma = rng.uniform(0.5, 1.6);
    cv::GaussianBlur(image, image, cv::Size(0, 0), sigma);
  }
  const double noise = rng.uniform(0.0, 8.0);
  if (noise > 0.5) {
    cv::Mat gaussian(image.size(), CV_16SC3);
    rng.fill(gaussian, cv::RNG::NORMAL, 0, noise);
    cv::Mat wide;
    image.convertTo(wide, CV_16SC3);
    wide += gaussian;
    wide.convertTo(image, CV_8UC3);
  }
}

cv::Rect burnOsd(cv::Mat& image, cv::RNG& rng) {
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d  CAM %02d",
                rng.uniform(2019, 2027), rng.uniform(1, 13), rng.uniform(1, 29), rng.uniform(0, 24),
                rng.uniform(0, 60), rng.uniform(0, 60), rng.uniform(1, 17));
  // 576 rows (vtest.avi): scale 0.64, letters about 14 px high, strokes 2 px, outline
  // 2 px on each side; the line spans about 45 % of a 4:3 frame's width.
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const double scale = image.rows / 900.0;
  const int stroke = std::max(1, cvRound(image.rows / 300.0));
  const int outline = stroke + 2 * std::max(1, cvRound(image.rows / 300.0));
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, font, scale, outline, &baseline);
  const cv::Point origin(cvRound(0.02 * image.cols) + rng.uniform(-3, 4),
                         cvRound(0.025 * image.rows) + size.height + rng.uniform(-3, 4));
  // The box is measured where it is drawn: every pixel the outline touches (the text
  // lies inside it), so it holds exactly the pixels the overlay can change.
  cv::Mat mask = cv::Mat::zeros(image.size(), CV_8U);
  cv::putText(mask, text, origin, font, scale, cv::Scalar(255), outline, cv::LINE_AA);
  cv::putText(mask, text, origin, font, scale, cv::Scalar(255), stroke, cv::LINE_AA);
  cv::putText(image, text, origin, font, scale, cv::Scalar(0, 0, 0), outline, cv::LINE_AA);
  cv::putText(image, text, origin, font, scale, cv::Scalar(255, 255, 255), stroke, cv::LINE_AA);
  return cv::boundingRect(mask);
}

Scene renderScene(const Backgrounds& backgrounds, std::uint64_t seed, bool aggressive,
                  const View& view) {
  cv::RNG rng(seed);
  Scene scene;
  scene.aggressive = aggressive;
  // The pair's height sets the camera: the background is zoomed by how much larger the
  // pair is than a person at the same place in the original (unzoomed) framing, so
  // real passers-by in it grow with the figures.
  const double share = rng.uniform(view.min_share, view.max_share);
  const double placement = rng.uniform(0.0, 1.0);  // where the pair stands, front to back
  const int clip_height = backgrounds.size().height;
  const double native_share =
      perspectiveShare((0.55 + 0.42 * placement) * clip_height, clip_height);
  const double zoom = std::max(1.0, share / native_share) * rng.uniform(1.0, 1.15);
  scene.zoom = zoom;
  scene.image = pickBackground(backgrounds, rng, zoom, scene.real_frame_background);
  const int W = scene.image.cols;
  const int H = scene.image.rows;

  // The pair: position, scale and distance from one distribution for both classes.
  scene.activity = drawActivity(aggressive, rng);
  const double height = share * H;
  // Feet low enough that the heads stay in the frame.
  const double lowest_ground = std::min(0.97, std::max(0.55, share + 0.04));
  const double ground_y = (lowest_ground + (0.97 - lowest_ground) * placement) * H;
  scene.pair_distance = rng.uniform(0.22, 0.55) * height;
  scene.pair_height = height;
  // The pair's centre keeps its half width from the edges, at most a fifth of the frame:
  // a wide pair in a near view may reach past the edge (its box is clipped).
  const double half_width = 0.5 * scene.pair_distance + 0.3 * height;
  const double margin = std::min(0.2 * W, half_width);
  const double centre_x = margin < 0.5 * W ? rng.uniform(margin, W - margin) : 0.5 * W;
  Figure a;
  Figure b;
  a.look = randomAppearance(rng);
  b.look = randomAppearance(rng);
  a.height = height * rng.uniform(0.94, 1.06);
  b.height = height * rng.uniform(0.94, 1.06);
  a.ground = {centre_x - scene.pair_distance / 2, ground_y};
  b.ground = {centre_x + scene.pair_distance / 2, ground_y + rng.uniform(-0.02, 0.02) * height};
  posePair(scene.activity, a, b, rng, rng.uniform(0.0, 1.0));

  // Bystanders, drawn far to near together with the pair, sized by perspective
  // relative to the pair. One in front of the pair steps aside rather than hide it.
  struct Placed {
    Figure figure;
    bool in_pair;
  };
  std::vector<Placed> people{{b, true}, {a, true}};
  const int bystanders = randomBystanderCount(rng);
  const double pair_scale = height / perspectiveShare(ground_y, H);
  for (int i = 0; i < bystanders; ++i) {
    Figure f;
    f.look = randomAppearance(rng);
    f.ground = {rng.uniform(0.05, 0.95) * W, rng.uniform(0.5, 0.98) * H};
    f.height = pair_scale * perspectiveShare(f.ground.y, H) * rng.uniform(0.9, 1.1);
    if (f.ground.y > ground_y && std::abs(f.ground.x - centre_x) < half_width) {
      f.ground.x = centre_x + (f.ground.x < centre_x ? -1 : 1) *
                                  (half_width + rng.uniform(0.1, 0.4) * f.height);
    }
    f.facing = rng.uniform(0, 2) ? 1 : -1;
    poseSolo(f, randomSolo(rng), rng, rng.uniform(0.0, 1.0));
    people.push_back({f, false});
  }
  std::stable_sort(people.begin(), people.end(), [](const Placed& x, const Placed& y) {
    return x.figure.ground.y < y.figure.ground.y;
  });
  cv::Mat pair_mask = cv::Mat::zeros(scene.image.size(), CV_8U);
  for (const Placed& p : people) {
    scene.persons.push_back(
        {drawFigure(scene.image, p.figure, p.in_pair ? &pair_mask : nullptr), p.in_pair});
    if (p.in_pair) scene.pair |= scene.persons.back().box;
  }
  scene.pair_pixels = cv::countNonZero(pair_mask);
  if (aggressive) scene.fight = scene.pair;

  scene.occluded = rng.uniform(0.0, 1.0) < 0.3;
  if (scene.occluded) drawOccluder(scene.image, rng);
  applyCamera(scene.image, rng);
  scene.jpeg_quality = rng.uniform(35, 96);
  return scene;
}

}  // namespace deepbug::synth
