#include "footage.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "activities.hpp"
#include "background.hpp"
#include "core/error.hpp"
#include "scene.hpp"

namespace deepbug::synth {

namespace {

// One encounter between two people: they walk in, interact from start to end, and
// walk off again. Fights are kept at least 3 s apart so that scores have time to
// fall below thresholds between them.
struct Encounter {
  double start_s;
  double end_s;
  std::vector<Activity> activities;  // cycled through while interacting
  double centre_x;
  double ground_y;
  double height;
  Appearance look_a;
  Appearance look_b;
};

struct Walker {
  double start_x;
  double speed;  // pixels per second, signed
  double ground_y;
  double height;
  Appearance look;
  std::uint64_t pose_seed;  // the same gait every frame; only the phase moves
};

constexpr double kApproachSeconds = 2.5;

Figure walkerAt(const Walker& w, double t) {
  cv::RNG rng(w.pose_seed);
  Figure f;
  f.look = w.look;
  f.height = w.height;
  f.facing = w.speed > 0 ? 1 : -1;
  f.ground = {w.start_x + w.speed * t, w.ground_y};
  const double stride = 0.8 * w.height;
  poseSolo(f, Solo::kWalking, rng, std::fmod(std::abs(w.speed * t) / stride, 1.0));
  return f;
}

}  // namespace

int writeFootage(const FootageOptions& options) {
  cv::RNG rng(options.seed);
  std::vector<cv::Mat> clip = Backgrounds::readAll(options.background_clip);
  const cv::Size size = clip.front().size();
  // A fixed camera nearer the scene than the clip's (the mid view): people at the
  // encounters stand about 45 % of the frame high, the clip's own passers-by zoomed
  // with them. One crop for the whole clip, at a random place.
  const double share = 0.45;
  const double zoom = share / perspectiveShare(0.85 * size.height, size.height);
  const cv::Size crop_size(cvRound(size.width / zoom), cvRound(size.height / zoom));
  const int crop_x = rng.uniform(0, size.width - crop_size.width + 1);
  const int crop_y = rng.uniform(0, size.height - crop_size.height + 1);
  const cv::Rect crop(crop_x, crop_y, crop_size.width, crop_size.height);
  std::vector<cv::Mat> background = std::move(clip);
  for (cv::Mat& frame : background) {
    cv::Mat zoomed;
    cv::resize(frame(crop), zoomed, size, 0, 0, cv::INTER_LINEAR);
    frame = zoomed;
  }
  const int frames = static_cast<int>(std::lround(options.seconds * options.fps));
  const double W = size.width;
  const double H = size.height;

  auto encounter = [&](double start, double end, std::vector<Activity> activities) {
    Encounter e{start,
                end,
                std::move(activities),
                rng.uniform(0.35, 0.65) * W,
                rng.uniform(0.88, 0.96) * H,
                0,
                randomAppearance(rng),
                randomAppearance(rng)};
    e.height = share * H * rng.uniform(0.93, 1.07);
    return e;
  };
  const double T = options.seconds;
  const std::vector<Encounter> encounters{
      encounter(0.20 * T, 0.37 * T, {Activity::kPunching, Activity::kPushing, Activity::kPunching}),
      encounter(0.48 * T, 0.58 * T, {Activity::kTalking, Activity::kHandshake}),
      encounter(0.68 * T, 0.87 * T,
                {Activity::kKicking, Activity::kGrappling, Activity::kGroundAttack})};
  std::vector<Walker> walkers;
  for (int i = 0; i < 4; ++i) {
    Walker w;
    w.ground_y = rng.uniform(0.55, 0.9) * H;
    w.height = share * H * perspectiveShare(w.ground_y, size.height) /
               perspectiveShare(0.85 * H, size.height) * rng.uniform(0.9, 1.1);
    w.speed = (rng.uniform(0, 2) ? 1 : -1) * rng.uniform(0.5, 0.9) * w.height;
    w.start_x = w.speed > 0 ? rng.uniform(-0.3, 0.3) * W : rng.uniform(0.7, 1.3) * W;
    w.look = randomAppearance(rng);
    w.pose_seed = rng.next();
    walkers.push_back(w);
  }

  const std::string video_path = options.out_dir + "/sample.avi";
  cv::VideoWriter writer(video_path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), options.fps,
                         size);
  if (!writer.isOpened())
    throw Error("cannot write '" + video_path + "'", "check the folder is writable");

  nlohmann::json boxes = nlohmann::json::array();
  for (int index = 0; index < frames; ++index) {
    const double t = index / options.fps;
    // Real passers-by: the clip itself plays underneath, back and forth.
    const int n = static_cast<int>(background.size());
    const int k = index % (2 * n - 2);
    cv::Mat frame = background[k < n ? k : 2 * n - 2 - k].clone();

    struct Drawn {
      Figure figure;
      bool fighting;
    };
    std::vector<Drawn> people;
    for (const Walker& w : walkers)
      people.push_back({walkerAt(w, t), false});
    for (const Encounter& e : encounters) {
      if (t < e.start_s - kApproachSeconds || t > e.end_s + kApproachSeconds) continue;
      const double gap = 0.3 * e.height;
      Figure a;
      Figure b;
      a.look = e.look_a;
      b.look = e.look_b;
      a.height = b.height = e.height;
      const bool interacting = t >= e.start_s && t <= e.end_s;
      if (interacting) {
        const double local = t - e.start_s;
        const auto& list = e.activities;
        const Activity activity = list[static_cast<std::size_t>(local / 1.6) % list.size()];
        a.ground = {e.centre_x - gap / 2, e.ground_y};
        b.ground = {e.centre_x + gap / 2, e.ground_y};
        cv::RNG pose_rng(options.seed * 7919 + static_cast<std::uint64_t>(local / 1.6));
        posePair(activity, a, b, pose_rng, std::fmod(local * 1.5, 1.0));
        people.push_back({b, isAggressive(activity)});
        people.push_back({a, isAggressive(activity)});
      } else {
        // Walking in (before) or away (after), from or to the meeting points.
        const double speed = 0.7 * e.height;
        const double tau = t < e.start_s ? t - e.start_s : t - e.end_s;
        const double sign = t < e.start_s ? 1.0 : -1.0;
        const std::uint64_t gait = options.seed * 104729 + static_cast<std::uint64_t>(e.start_s);
        const Walker wa{e.centre_x - gap / 2, sign * speed, e.ground_y, e.height, e.look_a, gait};
        const Walker wb{
            e.centre_x + gap / 2, -sign * speed, e.ground_y, e.height, e.look_b, gait + 1};
        const Figure fa = walkerAt(wa, tau);
        const Figure fb = walkerAt(wb, tau);
        people.push_back({fb, false});
        people.push_back({fa, false});
      }
    }
    std::stable_sort(people.begin(), people.end(), [](const Drawn& x, const Drawn& y) {
      return x.figure.ground.y < y.figure.ground.y;
    });
    cv::Rect fight;
    for (const Drawn& d : people) {
      const cv::Rect box = drawFigure(frame, d.figure);
      if (d.fighting) fight |= box;
    }
    if (!fight.empty()) {
      boxes.push_back({{"frame", index},
                       {"x", fight.x},
                       {"y", fight.y},
                       {"w", fight.width},
                       {"h", fight.height}});
    }
    writer.write(frame);
  }

  nlohmann::json fights = nlohmann::json::array();
  nlohmann::json peaceful = nlohmann::json::array();
  for (const Encounter& e : encounters) {
    nlohmann::json interval{{"start_s", e.start_s},
                            {"end_s", e.end_s},
                            {"start_frame", static_cast<int>(std::ceil(e.start_s * options.fps))},
                            {"end_frame", static_cast<int>(std::floor(e.end_s * options.fps))}};
    nlohmann::json names = nlohmann::json::array();
    for (Activity a : e.activities)
      names.push_back(toString(a));
    interval["activities"] = names;
    (isAggressive(e.activities.front()) ? fights : peaceful).push_back(interval);
  }
  const nlohmann::json truth{
      {"video", "sample.avi"}, {"view", "mid"},       {"fps", options.fps},
      {"frames", frames},      {"width", size.width}, {"height", size.height},
      {"seed", options.seed},  {"fights", fights},    {"peaceful_encounters", peaceful},
      {"fight_boxes", boxes}};
  std::ofstream(options.out_dir + "/ground_truth.json") << truth.dump(1) << "\n";
  return frames;
}

}  // namespace deepbug::synth
