#include "figure.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace deepbug::synth {

namespace {

// Body proportions as fractions of the standing height.
constexpr double kHeadRadius = 0.065;
constexpr double kNeckToHead = 0.075;
constexpr double kTorso = 0.30;
constexpr double kUpperArm = 0.16;
constexpr double kForearm = 0.16;
constexpr double kThigh = 0.24;
constexpr double kShin = 0.25;

// Unit vector of a limb hanging at `angle` (0 = straight down) for a facing direction.
cv::Point2d limb(double angle, int facing) {
  return {std::sin(angle) * facing, std::cos(angle)};
}

cv::Point2d rotateAbout(cv::Point2d p, cv::Point2d centre, double angle) {
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const cv::Point2d d = p - centre;
  return {centre.x + c * d.x - s * d.y, centre.y + s * d.x + c * d.y};
}

cv::Point toPixel(cv::Point2d p) {
  return {cvRound(p.x), cvRound(p.y)};
}

}  // namespace

double angleTowards(cv::Point2d from, cv::Point2d to, int facing) {
  const cv::Point2d d = to - from;
  return std::atan2(d.x * facing, d.y);
}

Skeleton skeletonOf(const Figure& figure) {
  const double h = figure.height;
  const int f = figure.facing;
  const Pose& p = figure.pose;
  Skeleton s;
  s.head_radius = kHeadRadius * h;
  s.hip = {0, 0};
  s.neck = s.hip + kTorso * h * cv::Point2d(std::sin(p.lean) * f, -std::cos(p.lean));
  s.head = s.neck + (kNeckToHead * h) * cv::Point2d(std::sin(p.lean) * f, -std::cos(p.lean)) +
           cv::Point2d(p.head_tilt * s.head_radius * f, 0);
  for (int i = 0; i < 2; ++i) {
    s.elbow[i] = s.neck + kUpperArm * h * limb(p.shoulder[i] + p.lean, f);
    s.hand[i] = s.elbow[i] + kForearm * h * limb(p.shoulder[i] + p.lean + p.elbow[i], f);
    s.knee[i] = s.hip + kThigh * h * limb(p.hip[i], f);
    s.foot[i] = s.knee[i] + kShin * h * limb(p.hip[i] - p.knee[i], f);
  }
  // Whole-body rotation (falling, lying) about the hips, facing-aware.
  if (p.body_rotation != 0.0) {
    const double a = p.body_rotation * f;
    for (cv::Point2d* q : {&s.head, &s.neck, &s.elbow[0], &s.elbow[1], &s.hand[0], &s.hand[1],
                           &s.knee[0], &s.knee[1], &s.foot[0], &s.foot[1]}) {
      *q = rotateAbout(*q, s.hip, a);
    }
  }
  // Rest the lowest point on the ground line, centred on ground.x.
  double lowest = s.head.y + s.head_radius;
  for (const cv::Point2d& q : {s.foot[0], s.foot[1], s.knee[0], s.knee[1], s.hand[0], s.hand[1],
                               s.neck, s.elbow[0], s.elbow[1]}) {
    lowest = std::max(lowest, q.y);
  }
  const double centre_x = p.body_rotation != 0.0
                              ? 0.5 * (s.head.x + 0.5 * (s.foot[0].x + s.foot[1].x))
                              : 0.5 * (s.foot[0].x + s.foot[1].x);
  const cv::Point2d shift(figure.ground.x - centre_x, figure.ground.y - lowest);
  for (cv::Point2d* q : {&s.head, &s.neck, &s.hip, &s.elbow[0], &s.elbow[1], &s.hand[0], &s.hand[1],
                         &s.knee[0], &s.knee[1], &s.foot[0], &s.foot[1]}) {
    *q += shift;
  }
  return s;
}

cv::Rect drawFigure(cv::Mat& image, const Figure& figure, cv::Mat* mask) {
  const Skeleton s = skeletonOf(figure);
  const Appearance& look = figure.look;
  const double h = figure.height;
  const int arm = std::max(2, cvRound(0.055 * h * look.build));
  const int leg = std::max(2, cvRound(0.075 * h * look.build));
  // Every shape goes onto the image in its colour and onto the mask in white.
  const auto line = [&](cv::Point2d a, cv::Point2d b, const cv::Scalar& colour, int thickness) {
    cv::line(image, toPixel(a), toPixel(b), colour, thickness, cv::LINE_AA);
    if (mask) cv::line(*mask, toPixel(a), toPixel(b), cv::Scalar(255), thickness);
  };
  const auto disc = [&](cv::Point2d c, int radius, const cv::Scalar& colour) {
    cv::circle(image, toPixel(c), radius, colour, cv::FILLED, cv::LINE_AA);
    if (mask) cv::circle(*mask, toPixel(c), radius, cv::Scalar(255), cv::FILLED);
  };
  const auto darker = [](const cv::Scalar& c) { return c * 0.75; };

  // Far limbs first, slightly darker (in shadow), then torso, near limbs, head.
  line(s.hip, s.knee[1], darker(look.trousers), leg);
  line(s.knee[1], s.foot[1], darker(look.trousers), leg);
  disc(s.foot[1], leg / 2 + 1, look.shoes);
  line(s.neck, s.elbow[1], darker(look.shirt), arm);
  line(s.elbow[1], s.hand[1], darker(look.skin), arm);
  disc(s.hand[1], arm / 2 + 1, darker(look.skin));

  // The torso: a filled quadrilateral, broader at the shoulders than at the hips.
  const cv::Point2d axis = s.neck - s.hip;
  const double length = std::max(1e-6, std::hypot(axis.x, axis.y));
  const cv::Point2d across(-axis.y / length, axis.x / length);
  const double shoulder = 0.085 * h * look.build;
  const double waist = 0.07 * h * look.build;
  const cv::Point2d top = s.neck - 0.04 * h * (axis / length);  // shoulders below the neck
  const std::vector<cv::Point> torso{
      toPixel(top + shoulder * across), toPixel(top - shoulder * across),
      toPixel(s.hip - waist * across), toPixel(s.hip + waist * across)};
  cv::fillConvexPoly(image, torso, look.shirt, cv::LINE_AA);
  if (mask) cv::fillConvexPoly(*mask, torso, cv::Scalar(255));
  disc(top, cvRound(shoulder), look.shirt);  // rounded shoulders
  line(s.hip, s.knee[0], look.trousers, leg);
  line(s.knee[0], s.foot[0], look.trousers, leg);
  disc(s.foot[0], leg / 2 + 1, look.shoes);
  line(s.neck, s.head, look.skin, std::max(2, arm));  // the neck
  line(s.neck, s.elbow[0], look.shirt, arm);
  line(s.elbow[0], s.hand[0], look.skin, arm);
  disc(s.hand[0], arm / 2 + 1, look.skin);

  const int r = std::max(2, cvRound(s.head_radius));
  disc(s.head, r, look.skin);
  // Hair on the back/top half of the head.
  cv::ellipse(image, toPixel(s.head), cv::Size(r, r), 0, figure.facing > 0 ? 150 : -150,
              figure.facing > 0 ? 330 : 30, look.hair, cv::FILLED, cv::LINE_AA);

  double x0 = s.head.x - r;
  double x1 = s.head.x + r;
  double y0 = s.head.y - r;
  double y1 = s.head.y + r;
  for (const cv::Point2d& q : {s.neck, s.hip, s.elbow[0], s.elbow[1], s.hand[0], s.hand[1],
                               s.knee[0], s.knee[1], s.foot[0], s.foot[1]}) {
    x0 = std::min(x0, q.x - leg / 2.0);
    x1 = std::max(x1, q.x + leg / 2.0);
    y0 = std::min(y0, q.y - leg / 2.0);
    y1 = std::max(y1, q.y + leg / 2.0);
  }
  for (const cv::Point& q : torso) {
    x0 = std::min<double>(x0, q.x);
    x1 = std::max<double>(x1, q.x);
    y0 = std::min<double>(y0, q.y);
    y1 = std::max<double>(y1, q.y);
  }
  x0 = std::min(x0, top.x - shoulder);  // the rounded shoulders
  x1 = std::max(x1, top.x + shoulder);
  y0 = std::min(y0, top.y - shoulder);
  const cv::Rect box(cv::Point(cvFloor(x0), cvFloor(y0)), cv::Point(cvCeil(x1), cvCeil(y1)));
  return box & cv::Rect(0, 0, image.cols, image.rows);
}

}  // namespace deepbug::synth
