// The pad templates of the video elements, made once.
#pragma once

#include <gst/gst.h>

#include <string>

#include "common/gst_ptr.hpp"

namespace deepbug::gst {

// class_init: "sink" and "src" templates of raw video in `formats` ("{ RGB, BGR }").
inline void addVideoPadTemplates(GstElementClass* element_class, const char* formats) {
  const OwnedCaps caps(
      gst_caps_from_string((std::string("video/x-raw, format=(string)") + formats).c_str()));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps.get()));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps.get()));
}

}  // namespace deepbug::gst
