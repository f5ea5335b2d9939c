// Articulated human figures for synthetic CCTV scenes: a skeleton posed by joint
// angles, drawn with OpenCV as thick limbs, a torso and a head.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace deepbug::synth {

// Joint angles in radians. Limb angles are measured from hanging straight down,
// positive towards the direction the figure faces; bends are relative to the parent
// limb (positive bends the elbow forward/up, the knee backward).
struct Pose {
  double lean = 0.0;            // torso tilt from upright, positive = forward
  double body_rotation = 0.0;   // whole body about the hips (≈ ±π/2 lying on the ground)
  double head_tilt = 0.0;       // head offset along the lean, as a fraction of its radius
  double shoulder[2] = {0, 0};  // [0] = near arm (drawn in front), [1] = far arm
  double elbow[2] = {0, 0};
  double hip[2] = {0, 0};  // [0] = near leg, [1] = far leg
  double knee[2] = {0, 0};
};

struct Appearance {
  cv::Scalar skin;
  cv::Scalar hair;
  cv::Scalar shirt;
  cv::Scalar trousers;
  cv::Scalar shoes;
  double build = 1.0;  // limb and torso thickness factor
};

struct Figure {
  cv::Point2d ground;   // where the figure stands (between the feet), image pixels
  double height = 200;  // standing height in pixels
  int facing = 1;       // +1 faces right, -1 faces left
  Appearance look;
  Pose pose;
};

// Skeleton points of a posed figure, image pixels.
struct Skeleton {
  cv::Point2d head, neck, hip;
  cv::Point2d elbow[2], hand[2];
  cv::Point2d knee[2], foot[2];
  double head_radius = 0;
};

// Places the skeleton so that its lowest point rests on figure.ground.y.
Skeleton skeletonOf(const Figure& figure);

// Target-pointing helper: the shoulder angle that points an arm from `from` to `to`
// for a figure facing `facing`.
double angleTowards(cv::Point2d from, cv::Point2d to, int facing);

// Draws the figure; returns its bounding box clipped to the image. With a mask (CV_8U,
// the image's size) the figure's pixels are also set to 255 there.
cv::Rect drawFigure(cv::Mat& image, const Figure& figure, cv::Mat* mask = nullptr);

}  // namespace deepbug::synth
