#include "activities.hpp"

#include <cmath>

namespace deepbug::synth {

namespace {

constexpr double kPi = 3.14159265358979323846;

double deg(double degrees) {
  return degrees * kPi / 180.0;
}
double uniformDeg(cv::RNG& rng, double lo, double hi) {
  return deg(rng.uniform(lo, hi));
}

void walk(Figure& f, cv::RNG& rng, double phase) {
  const double swing = uniformDeg(rng, 18, 30) * std::sin(2 * kPi * phase);
  Pose& p = f.pose;
  p.lean = uniformDeg(rng, 2, 7);
  p.hip[0] = swing;
  p.hip[1] = -swing;
  p.knee[0] = swing < 0 ? uniformDeg(rng, 10, 25) : uniformDeg(rng, 0, 8);
  p.knee[1] = swing > 0 ? uniformDeg(rng, 10, 25) : uniformDeg(rng, 0, 8);
  p.shoulder[0] = -0.8 * swing;
  p.shoulder[1] = 0.8 * swing;
  p.elbow[0] = uniformDeg(rng, 8, 25);
  p.elbow[1] = uniformDeg(rng, 8, 25);
}

void stand(Figure& f, cv::RNG& rng) {
  Pose& p = f.pose;
  p.lean = uniformDeg(rng, -3, 5);
  p.hip[0] = uniformDeg(rng, -3, 8);
  p.hip[1] = uniformDeg(rng, -8, 3);
  p.knee[0] = uniformDeg(rng, 0, 6);
  p.knee[1] = uniformDeg(rng, 0, 6);
  p.shoulder[0] = uniformDeg(rng, -10, 15);
  p.shoulder[1] = uniformDeg(rng, -10, 15);
  p.elbow[0] = uniformDeg(rng, 5, 30);
  p.elbow[1] = uniformDeg(rng, 5, 30);
}

// A raised forearm in front of the chest, as people gesture while talking.
void gesture(Pose& p, int arm, cv::RNG& rng) {
  p.shoulder[arm] = uniformDeg(rng, 20, 80);
  p.elbow[arm] = uniformDeg(rng, 15, 95);
}

// A partner's point, as seen by the figure (after the ground shift both skeletons
// are in image pixels).
cv::Point2d midpoint(cv::Point2d a, cv::Point2d b) {
  return 0.5 * (a + b);
}

void aimArm(Figure& f, int arm, cv::Point2d target, double elbow) {
  const Skeleton s = skeletonOf(f);
  f.pose.shoulder[arm] = angleTowards(s.neck, target, f.facing) - f.pose.lean;
  f.pose.elbow[arm] = elbow;
}

void aimLeg(Figure& f, int leg, cv::Point2d target, double knee) {
  const Skeleton s = skeletonOf(f);
  f.pose.hip[leg] = angleTowards(s.hip, target, f.facing);
  f.pose.knee[leg] = knee;
}

}  // namespace

bool isAggressive(Activity activity) {
  return activity >= Activity::kPunching;
}

std::string toString(Activity activity) {
  switch (activity) {
    case Activity::kTalking:
      return "talking";
    case Activity::kHandshake:
      return "handshake";
    case Activity::kHugging:
      return "hugging";
    case Activity::kPassingBy:
      return "passing_by";
    case Activity::kWalkingTogether:
      return "walking_together";
    case Activity::kHelpingUp:
      return "helping_up";
    case Activity::kPlayingBall:
      return "playing_ball";
    case Activity::kPunching:
      return "punching";
    case Activity::kKicking:
      return "kicking";
    case Activity::kGrappling:
      return "grappling";
    case Activity::kPushing:
      return "pushing";
    case Activity::kGroundAttack:
      return "ground_attack";
  }
  return "?";
}

const std::vector<Activity>& activitiesOf(bool aggressive) {
  static const std::vector<Activity> peaceful{
      Activity::kTalking,         Activity::kHandshake, Activity::kHugging,    Activity::kPassingBy,
      Activity::kWalkingTogether, Activity::kHelpingUp, Activity::kPlayingBall};
  static const std::vector<Activity> fights{Activity::kPunching, Activity::kKicking,
                                            Activity::kGrappling, Activity::kPushing,
                                            Activity::kGroundAttack};
  return aggressive ? fights : peaceful;
}

Activity drawActivity(bool aggressive, cv::RNG& rng) {
  // Weights in the order of activitiesOf(); see tests/integration/test_synth_cli.cpp.
  // Close upright pairs (talking, handshake, hug) have narrower boxes than most
  // fights; walking pairs and helping someone up are as wide as fights.
  static const std::vector<double> peaceful{0.4, 0.4, 0.4, 0.4, 3.0, 2.2, 3.0};
  static const std::vector<double> fights{0.45, 0.4, 3.0, 1.6, 0.4};
  const std::vector<double>& weights = aggressive ? fights : peaceful;
  double total = 0;
  for (double w : weights)
    total += w;
  double u = rng.uniform(0.0, total);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return activitiesOf(aggressive)[i];
    u -= weights[i];
  }
  return activitiesOf(aggressive).back();
}

std::string toString(Solo solo) {
  switch (solo) {
    case Solo::kWalking:
      return "walking";
    case Solo::kStanding:
      return "standing";
    case Solo::kWaving:
      return "waving";
    case Solo::kPhoning:
      return "phoning";
    case Solo::kLying:
      return "lying";
  }
  return "?";
}

void poseSolo(Figure& f, Solo solo, cv::RNG& rng, double phase) {
  f.pose = Pose{};
  switch (solo) {
    case Solo::kWalking:
      walk(f, rng, phase);
      break;
    case Solo::kStanding:
      stand(f, rng);
      break;
    case Solo::kWaving:  // a raised arm without anyone to hit: not a fight cue alone
      stand(f, rng);
      f.pose.shoulder[0] = uniformDeg(rng, 130, 175);
      f.pose.elbow[0] = uniformDeg(rng, 0, 40) * (0.8 + 0.4 * std::sin(2 * kPi * phase));
      break;
    case Solo::kPhoning:
      stand(f, rng);
      f.pose.shoulder[0] = uniformDeg(rng, 10, 30);
      f.pose.elbow[0] = uniformDeg(rng, 120, 145);
      break;
    case Solo::kLying:  // resting on the ground, alone: not a fight cue alone
      stand(f, rng);
      f.pose.body_rotation = uniformDeg(rng, 75, 95) * (rng.uniform(0, 2) ? 1 : -1);
      break;
  }
}

void posePair(Activity activity, Figure& a, Figure& b, cv::RNG& rng, double phase) {
  a.pose = Pose{};
  b.pose = Pose{};
  a.facing = 1;
  b.facing = -1;
  const double cycle = 0.5 + 0.5 * std::sin(2 * kPi * phase);  // 0..1, for strikes
  switch (activity) {
    case Activity::kTalking:
      stand(a, rng);
      stand(b, rng);
      gesture(a.pose, 0, rng);
      if (rng.uniform(0, 2)) gesture(a.pose, 1, rng);
      gesture(b.pose, 0, rng);
      break;
    case Activity::kHandshake: {
      stand(a, rng);
      stand(b, rng);
      const Skeleton sa = skeletonOf(a);
      const Skeleton sb = skeletonOf(b);
      const cv::Point2d meet = midpoint(midpoint(sa.neck, sa.hip), midpoint(sb.neck, sb.hip)) +
                               cv::Point2d(0, 0.12 * a.height);
      aimArm(a, 0, meet, uniformDeg(rng, 5, 25));
      aimArm(b, 0, meet, uniformDeg(rng, 5, 25));
      for (Figure* f : {&a, &b}) {  // the free arm swings back or gestures
        f->pose.shoulder[1] =
            rng.uniform(0, 2) ? -uniformDeg(rng, 15, 40) : uniformDeg(rng, 30, 70);
        f->pose.elbow[1] = uniformDeg(rng, 10, 60);
      }
      break;
    }
    case Activity::kHugging:
      stand(a, rng);
      stand(b, rng);
      for (Figure* f : {&a, &b}) {
        f->pose.lean = uniformDeg(rng, 4, 12);
        f->pose.head_tilt = rng.uniform(0.1, 0.4);
        for (int arm = 0; arm < 2; ++arm) {
          f->pose.shoulder[arm] = uniformDeg(rng, 65, 95);
          f->pose.elbow[arm] = uniformDeg(rng, 25, 60);
        }
      }
      break;
    case Activity::kPassingBy:
      walk(a, rng, phase);
      walk(b, rng, phase + 0.5);
      break;
    case Activity::kWalkingTogether:
      walk(a, rng, phase);
      walk(b, rng, phase + rng.uniform(0.0, 1.0));
      b.facing = 1;
      break;
    case Activity::kHelpingUp: {  // the peaceful twin of a ground attack
      stand(b, rng);
      b.pose.body_rotation = -uniformDeg(rng, 60, 90);
      stand(a, rng);
      a.pose.lean = uniformDeg(rng, 25, 45);
      a.pose.hip[0] = uniformDeg(rng, 5, 20);
      a.pose.knee[0] = uniformDeg(rng, 10, 30);
      const Skeleton sb = skeletonOf(b);
      const Skeleton sa = skeletonOf(a);
      const cv::Point2d meet = midpoint(sa.hip, sb.neck);
      aimArm(a, 0, meet, uniformDeg(rng, 0, 15));
      aimArm(b, 0, meet, uniformDeg(rng, 0, 15));
      a.pose.shoulder[1] = uniformDeg(rng, -10, 20);
      a.pose.elbow[1] = uniformDeg(rng, 10, 40);
      break;
    }
    case Activity::kPlayingBall: {  // the peaceful twin of a kick: the leg aims low
      stand(b, rng);
      b.pose.lean = uniformDeg(rng, 5, 15);
      b.pose.shoulder[0] = uniformDeg(rng, 30, 60);
      b.pose.elbow[0] = uniformDeg(rng, 10, 40);
      b.pose.shoulder[1] = uniformDeg(rng, 20, 50);
      b.pose.elbow[1] = uniformDeg(rng, 10, 40);
      stand(a, rng);
      a.pose.lean = -uniformDeg(rng, 5, 15);
      a.pose.shoulder[0] = uniformDeg(rng, 30, 70);
      a.pose.shoulder[1] = -uniformDeg(rng, 20, 50);
      const Skeleton sb = skeletonOf(b);
      aimLeg(a, 0, midpoint(sb.foot[0], sb.foot[1]) + cv::Point2d(0, -0.1 * b.height),
             uniformDeg(rng, 0, 15) + deg(60) * (1 - cycle));
      break;
    }
    case Activity::kPunching: {
      stand(b, rng);
      b.pose.lean = -uniformDeg(rng, 8, 25) * (0.5 + 0.5 * cycle);
      b.pose.head_tilt = -rng.uniform(0.2, 0.6);
      b.pose.shoulder[0] = uniformDeg(rng, 40, 90);
      b.pose.elbow[0] = uniformDeg(rng, 70, 110);
      b.pose.hip[1] = -uniformDeg(rng, 10, 25);
      stand(a, rng);
      a.pose.lean = uniformDeg(rng, 8, 20);
      a.pose.hip[0] = uniformDeg(rng, 15, 30);
      a.pose.hip[1] = -uniformDeg(rng, 10, 25);
      a.pose.knee[0] = uniformDeg(rng, 10, 20);
      a.pose.shoulder[1] = uniformDeg(rng, 40, 70);  // guard
      a.pose.elbow[1] = uniformDeg(rng, 100, 130);
      aimArm(a, 0, skeletonOf(b).head, uniformDeg(rng, 0, 15) + deg(70) * (1 - cycle));
      break;
    }
    case Activity::kKicking: {
      stand(b, rng);
      b.pose.lean = uniformDeg(rng, 25, 45);
      b.pose.shoulder[0] = uniformDeg(rng, 15, 40);
      b.pose.elbow[0] = uniformDeg(rng, 80, 110);
      b.pose.shoulder[1] = uniformDeg(rng, 15, 40);
      b.pose.elbow[1] = uniformDeg(rng, 80, 110);
      stand(a, rng);
      a.pose.lean = -uniformDeg(rng, 8, 20);
      a.pose.shoulder[0] = uniformDeg(rng, 40, 80);
      a.pose.shoulder[1] = -uniformDeg(rng, 20, 50);
      a.pose.hip[1] = -uniformDeg(rng, 5, 12);
      const Skeleton sb = skeletonOf(b);
      aimLeg(a, 0, midpoint(sb.neck, sb.hip), uniformDeg(rng, 0, 15) + deg(60) * (1 - cycle));
      break;
    }
    case Activity::kGrappling:
      for (Figure* f : {&a, &b}) {
        stand(*f, rng);
        f->pose.lean = uniformDeg(rng, 20, 38);
        f->pose.head_tilt = rng.uniform(0.3, 0.7);
        f->pose.hip[0] = uniformDeg(rng, 18, 32);
        f->pose.hip[1] = -uniformDeg(rng, 18, 32);
        f->pose.knee[0] = uniformDeg(rng, 10, 25);
      }
      for (int arm = 0; arm < 2; ++arm) {
        aimArm(a, arm, skeletonOf(b).neck, uniformDeg(rng, 10, 50));
        aimArm(b, arm, skeletonOf(a).neck, uniformDeg(rng, 10, 50));
      }
      break;
    case Activity::kPushing: {
      stand(b, rng);
      b.pose.body_rotation = -uniformDeg(rng, 10, 28) * (0.4 + 0.6 * cycle);
      b.pose.shoulder[0] = uniformDeg(rng, 40, 100);
      b.pose.shoulder[1] = uniformDeg(rng, 30, 90);
      b.pose.elbow[0] = uniformDeg(rng, 0, 40);
      b.pose.hip[1] = -uniformDeg(rng, 15, 30);
      stand(a, rng);
      a.pose.lean = uniformDeg(rng, 15, 30);
      a.pose.hip[0] = uniformDeg(rng, 15, 30);
      a.pose.hip[1] = -uniformDeg(rng, 15, 30);
      const Skeleton sb = skeletonOf(b);
      aimArm(a, 0, sb.neck, uniformDeg(rng, 0, 15));
      aimArm(a, 1, midpoint(sb.neck, sb.hip), uniformDeg(rng, 0, 15));
      break;
    }
    case Activity::kGroundAttack: {
      stand(b, rng);
      b.pose.body_rotation = -uniformDeg(rng, 75, 95);
      b.pose.shoulder[0] = uniformDeg(rng, 90, 150);  // shielding the head
      b.pose.elbow[0] = uniformDeg(rng, 60, 120);
      b.pose.hip[0] = uniformDeg(rng, 40, 80);  // curled up
      b.pose.hip[1] = uniformDeg(rng, 30, 70);
      b.pose.knee[0] = uniformDeg(rng, 60, 100);
      b.pose.knee[1] = uniformDeg(rng, 60, 100);
      stand(a, rng);
      a.pose.lean = uniformDeg(rng, 25, 45);
      const Skeleton sb = skeletonOf(b);
      if (rng.uniform(0, 2)) {
        aimArm(a, 0, midpoint(sb.head, sb.neck), uniformDeg(rng, 0, 20) + deg(60) * (1 - cycle));
        a.pose.shoulder[1] = uniformDeg(rng, 30, 60);
        a.pose.elbow[1] = uniformDeg(rng, 60, 100);
      } else {
        a.pose.lean = uniformDeg(rng, 0, 12);
        aimLeg(a, 0, midpoint(sb.neck, sb.hip), uniformDeg(rng, 0, 20) + deg(50) * (1 - cycle));
        a.pose.shoulder[0] = uniformDeg(rng, 30, 70);
        a.pose.shoulder[1] = -uniformDeg(rng, 20, 50);
      }
      break;
    }
  }
}

}  // namespace deepbug::synth
