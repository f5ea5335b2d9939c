// What people in a scene do: poses for bystanders and for the pair whose interaction
// decides the class. Every activity varies randomly; `phase` in [0, 1) animates
// the cyclic ones (walking, punching) for footage.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "figure.hpp"

namespace deepbug::synth {

enum class Activity {
  // non_aggressive pairs
  kTalking,
  kHandshake,
  kHugging,
  kPassingBy,
  kWalkingTogether,
  kHelpingUp,    // one on the ground, the other bent over holding out a hand
  kPlayingBall,  // one kicks a ball to the other, who waits for it, arms open
  // aggressive pairs
  kPunching,
  kKicking,
  kGrappling,
  kPushing,
  kGroundAttack,
};

bool isAggressive(Activity activity);
std::string toString(Activity activity);
const std::vector<Activity>& activitiesOf(bool aggressive);
// Draws a class's activity. The mix is weighted so that the pair's box (area, aspect)
// and pixel area have the same means in both classes: the box does not give the
// class away, only the interaction does.
Activity drawActivity(bool aggressive, cv::RNG& rng);

enum class Solo { kWalking, kStanding, kWaving, kPhoning, kLying };
std::string toString(Solo solo);

// Poses a bystander.
void poseSolo(Figure& figure, Solo solo, cv::RNG& rng, double phase);

// Poses a pair: `a` stands left and faces right, `b` right and faces left (for the
// walking activities they may face the same way). Positions and heights are set by
// the caller; the poses aim limbs at the partner.
void posePair(Activity activity, Figure& a, Figure& b, cv::RNG& rng, double phase);

}  // namespace deepbug::synth
