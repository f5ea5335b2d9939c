// The one frame ↔ RGB conversion (meta/frame_rgb.hpp): every packed format the elements
// accept gives the same RGB picture, padded rows included, and RGB written back lands
// in the frame's own byte order.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <string>

#include "common/gst_ptr.hpp"
#include "meta/frame_rgb.hpp"
#include "meta/frame_view.hpp"
#include "plugins/element_helpers.hpp"

namespace deepbug::test {
namespace {

// Odd, so that 3-byte rows are padded to GStreamer's 4-byte stride.
constexpr int kWidth = 63;
constexpr int kHeight = 10;
constexpr int kSeed = 5;

struct Frame {
  GstVideoInfo info{};
  gst::OwnedBuffer buffer;
};

Frame frameIn(const std::string& format) {
  Frame frame;
  gst_video_info_set_format(&frame.info, gst_video_format_from_string(format.c_str()), kWidth,
                            kHeight);
  frame.buffer.reset(makeFrame(format, kWidth, kHeight, kSeed, 0));
  return frame;
}

// The picture makeFrame draws, as RGB, from the RGB frame.
cv::Mat referenceRgb() {
  const Frame rgb = frameIn("RGB");
  const gst::MappedFrame mapped(rgb.info, rgb.buffer.get());
  EXPECT_TRUE(mapped);
  return gst::rgbOf(mapped.view());
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

class FrameRgb : public ::testing::TestWithParam<std::string> {};

TEST_P(FrameRgb, EveryFormatGivesTheSamePictureAsACopy) {
  const Frame frame = frameIn(GetParam());
  const gst::MappedFrame mapped(frame.info, frame.buffer.get());
  ASSERT_TRUE(mapped);
  const cv::Mat rgb = gst::rgbOf(mapped.view());
  EXPECT_EQ(rgb.type(), CV_8UC3);
  EXPECT_TRUE(rgb.isContinuous());
  EXPECT_NE(rgb.data, mapped.view().data) << "a copy that outlives the mapping";
  EXPECT_TRUE(same(rgb, referenceRgb()));
}

TEST_P(FrameRgb, RgbWrittenBackIsInTheFramesOwnByteOrder) {
  const Frame frame = frameIn(GetParam());
  const gst::MappedFrame mapped(frame.info, frame.buffer.get());
  ASSERT_TRUE(mapped);
  const cv::Mat original = gst::matOver(mapped.view());
  cv::Mat target(original.size(), original.type(), cv::Scalar::all(0));
  gst::copyRgbInto(referenceRgb(), target, mapped.view().format);
  EXPECT_TRUE(same(target, original));  // makeFrame's 4th byte is opaque, as written back
}

INSTANTIATE_TEST_SUITE_P(PackedFormats, FrameRgb,
                         ::testing::Values("RGB", "BGR", "RGBA", "BGRA", "RGBx", "BGRx"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(FrameRgbGrey, GreyIsReplicatedIntoEveryChannel) {
  const cv::Mat grey = (cv::Mat_<std::uint8_t>(1, 3) << 0, 128, 255);
  const cv::Mat rgb = gst::toRgb(grey, model::PixelFormat::kGray);
  ASSERT_EQ(rgb.type(), CV_8UC3);
  for (int x = 0; x < grey.cols; ++x)
    EXPECT_EQ(rgb.at<cv::Vec3b>(0, x), cv::Vec3b::all(grey.at<std::uint8_t>(0, x)));
}

}  // namespace
}  // namespace deepbug::test
