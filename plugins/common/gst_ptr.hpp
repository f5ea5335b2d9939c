// GLib and GStreamer references owned by types: each holder releases what it holds
// with the one function that releases it, so ownership reads from the declaration
// (`OwnedCaps caps(gst_caps_from_string(...))`) instead of from a matching unref below.
//
// Construct a holder from a call that returns a new reference ("transfer full");
// `.release()` hands the reference on to a function that takes it.
#pragma once

#include <gst/gst.h>

#include <memory>

namespace deepbug::gst {

// One releaser per kind. (Structs, not function-pointer template arguments: several of
// these functions are static inline in GStreamer's headers.)
struct ObjectUnref {
  void operator()(gpointer object) const { gst_object_unref(object); }
};
struct BufferUnref {
  void operator()(GstBuffer* buffer) const { gst_buffer_unref(buffer); }
};
struct CapsUnref {
  void operator()(GstCaps* caps) const { gst_caps_unref(caps); }
};
struct EventUnref {
  void operator()(GstEvent* event) const { gst_event_unref(event); }
};
struct MessageUnref {
  void operator()(GstMessage* message) const { gst_message_unref(message); }
};
struct QueryUnref {
  void operator()(GstQuery* query) const { gst_query_unref(query); }
};
struct StructureFree {
  void operator()(GstStructure* structure) const { gst_structure_free(structure); }
};
struct ErrorFree {
  void operator()(GError* error) const { g_error_free(error); }
};
struct TextFree {
  void operator()(gchar* text) const { g_free(text); }
};

// A floating element not yet handed on (to gst_bin_add, or returned to a caller who
// adds it): dropped — sunk, then unreffed — unless released.
struct DropFloating {
  void operator()(GstElement* element) const { gst_object_unref(gst_object_ref_sink(element)); }
};

// Any GstObject (element, pad, bus, clock, factory).
template <class T>
using ObjectRef = std::unique_ptr<T, ObjectUnref>;
using FloatingElement = std::unique_ptr<GstElement, DropFloating>;
using OwnedBuffer = std::unique_ptr<GstBuffer, BufferUnref>;
using OwnedCaps = std::unique_ptr<GstCaps, CapsUnref>;
using OwnedEvent = std::unique_ptr<GstEvent, EventUnref>;
using OwnedMessage = std::unique_ptr<GstMessage, MessageUnref>;
using OwnedQuery = std::unique_ptr<GstQuery, QueryUnref>;
using OwnedStructure = std::unique_ptr<GstStructure, StructureFree>;
using OwnedError = std::unique_ptr<GError, ErrorFree>;
using OwnedText = std::unique_ptr<gchar, TextFree>;  // a gchar* the caller must g_free

// A static pad of `element` (`name`: "sink", "src"), or an empty holder.
inline ObjectRef<GstPad> staticPad(GstElement* element, const char* name) {
  return ObjectRef<GstPad>(gst_element_get_static_pad(element, name));
}

}  // namespace deepbug::gst
