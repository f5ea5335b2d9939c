// One synthetic CCTV scene: a real background, a pair whose interaction decides the
// class, bystanders, occluders and camera effects — every random choice except the
// pair's activity drawn from the same distributions for both classes.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "activities.hpp"
#include "background.hpp"
#include "view.hpp"

namespace deepbug::synth {

struct PersonBox {
  cv::Rect box;
  bool in_pair = false;
};

struct Scene {
  cv::Mat image;  // BGR, the background's size
  bool aggressive = false;
  Activity activity = Activity::kTalking;
  std::vector<PersonBox> persons;
  cv::Rect pair;               // union of the interacting pair, both classes
  cv::Rect fight;              // the pair when it fights; empty when peaceful
  double pair_distance = 0.0;  // between the pair's feet, pixels
  double pair_height = 0.0;    // the pair's standing height, pixels
  int pair_pixels = 0;         // pixels covered by the pair's figures (before occluders)
  double zoom = 1.0;           // of the background: 1 = the clip's own framing
  bool real_frame_background = false;
  bool occluded = false;
  int jpeg_quality = 90;  // to use when writing the image
};

// Deterministic for (seed, aggressive, view): the same arguments give the same scene.
Scene renderScene(const Backgrounds& backgrounds, std::uint64_t seed, bool aggressive,
                  const View& view);

// Shared pieces, also used for footage.
Appearance randomAppearance(cv::RNG& rng);
// The height share of a person standing at ground_y in the clip's own framing.
double perspectiveShare(double ground_y, int image_height);
void applyCamera(cv::Mat& image, cv::RNG& rng);

// A CCTV recorder's on-screen display burned into a finished frame (after the camera
// effects, as a recorder draws it): a timestamp and a camera name, e.g.
// "2026-03-14 21:07:33  CAM 07", white FONT_HERSHEY_SIMPLEX with a black outline in the
// top-left corner, its size proportional to the frame height, its place jittered by up
// to 3 px; date, time, camera number and jitter come from `rng`. Returns the tight box
// of the pixels it may have changed (the outline's, anti-aliased edges included).
cv::Rect burnOsd(cv::Mat& image, cv::RNG& rng);

}  // namespace deepbug::synth
