#include "event_log.hpp"

#include <algorithm>
#include <sstream>

#include "served_files.hpp"

namespace deepbug::web {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A binary-search probe reads a line or two; the curve itself reads on in larger pieces.
constexpr std::size_t kProbeBytes = 256;
constexpr std::size_t kScanBytes = 1 << 16;

// Every absolute path inside `root` becomes its /files/ URL; paths outside it are
// dropped rather than shown, and so are files not written yet (an event's clip is cut
// from the finished recording when the run ends).
void linkFiles(json& value, const fs::path& root) {
  if (value.is_object() || value.is_array()) {
    for (auto& item : value)
      linkFiles(item, root);
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text.empty() || text.front() != '/') return;
    std::error_code ec;
    value = fs::exists(text, ec) ? filesUrl(root, text) : "";
  }
}

std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');)
    cells.push_back(cell);
  return cells;
}

// The lines of a file from a byte offset, read in pieces; the last one counts without
// its newline, as std::getline reads it.
class LineReader {
 public:
  LineReader(const OpenedFile& file, std::uint64_t from, std::size_t piece_bytes)
      : file_(file), read_at_(from), position_(from), piece_bytes_(piece_bytes) {}

  // The next line without its newline; false at the end of the file.
  bool next(std::string& line) {
    while (true) {
      const std::size_t newline = buffer_.find('\n', cursor_);
      if (newline != std::string::npos || (at_end_ && cursor_ < buffer_.size())) {
        const std::size_t end = newline != std::string::npos ? newline : buffer_.size();
        line.assign(buffer_, cursor_, end - cursor_);
        const std::size_t next = newline != std::string::npos ? newline + 1 : end;
        position_ += next - cursor_;
        cursor_ = next;
        return true;
      }
      if (at_end_) return false;
      buffer_.erase(0, cursor_);
      cursor_ = 0;
      const std::size_t kept = buffer_.size();
      buffer_.resize(kept + piece_bytes_);
      const std::size_t got = file_.readAt(read_at_, buffer_.data() + kept, piece_bytes_);
      buffer_.resize(kept + got);
      read_at_ += got;
      at_end_ = got == 0;
    }
  }

  // The byte offset of the line next() returns next.
  std::uint64_t position() const { return position_; }

 private:
  const OpenedFile& file_;
  std::uint64_t read_at_;
  std::uint64_t position_;
  std::size_t piece_bytes_;
  std::string buffer_;
  std::size_t cursor_ = 0;
  bool at_end_ = false;
};

// Where the columns of scores.csv are, from its header.
struct ScoreColumns {
  long pts = 0, score = 0, classified = 0, count = 0;

  bool usable() const { return pts < count && score < count; }
  // The cells of a row, or nothing for a row with the wrong number of them (being written).
  std::optional<std::vector<std::string>> cellsOf(const std::string& row) const {
    std::vector<std::string> cells = splitCsvLine(row);
    if (static_cast<long>(cells.size()) != count) return std::nullopt;
    return cells;
  }
  double ptsOf(const std::vector<std::string>& cells) const {
    return std::strtod(cells[static_cast<std::size_t>(pts)].c_str(), nullptr);
  }
};

ScoreColumns columnsOf(const std::string& header_line, const std::string& target) {
  const std::vector<std::string> header = splitCsvLine(header_line);
  const auto column = [&](const std::string& name) {
    return static_cast<long>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  return {column("pts_seconds"), column(target), column("classified"),
          static_cast<long>(header.size())};
}

// Binary-search probe: the start of the first line at or after byte `at` (rows start at
// `rows_start`), and the pts of the first row from there with the right number of cells
// and a pts, or nothing when there is none. A frame without a timestamp is written with
// pts -1 anywhere in the file: only the rows with one are in pts order.
std::pair<std::uint64_t, std::optional<double>> probeRows(const OpenedFile& file,
                                                          std::uint64_t rows_start,
                                                          std::uint64_t at,
                                                          const ScoreColumns& columns) {
  // From the byte before `at`: the rest of its line is skipped, unless that byte is the
  // newline ending the previous line.
  LineReader reader(file, at > rows_start ? at - 1 : at, kProbeBytes);
  std::string line;
  if (at > rows_start) reader.next(line);
  const std::uint64_t line_start = reader.position();
  while (reader.next(line)) {
    const auto cells = columns.cellsOf(line);
    if (!cells) continue;
    const double pts = columns.ptsOf(*cells);
    if (pts >= 0) return {line_start, pts};
  }
  return {line_start, std::nullopt};
}

}  // namespace

nlohmann::json scoreCurve(const fs::path& scores_csv, const std::string& target, double from,
                          double to) {
  json scores = json::array();
  const std::optional<OpenedFile> file = openRegularFile(scores_csv);
  if (!file) return scores;
  LineReader header_reader(*file, 0, kProbeBytes);
  std::string line;
  if (!header_reader.next(line)) return scores;
  const ScoreColumns columns = columnsOf(line, target);
  if (!columns.usable()) return scores;
  const std::uint64_t rows_start = header_reader.position();

  // The smallest offset whose probe finds a row at or after `from` (or no row at all):
  // the rows a probe reads are in pts order, so every offset above it does too, and none
  // below.
  std::uint64_t low = rows_start, high = std::max(rows_start, file->size());
  while (low < high) {
    const std::uint64_t middle = low + (high - low) / 2;
    const auto [_, pts] = probeRows(*file, rows_start, middle, columns);
    if (!pts || *pts >= from) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }

  LineReader rows(*file, probeRows(*file, rows_start, low, columns).first, kScanBytes);
  while (rows.next(line)) {
    const auto cells = columns.cellsOf(line);
    if (!cells) continue;  // a line being written
    if (columns.classified < columns.count &&
        (*cells)[static_cast<std::size_t>(columns.classified)] == "0") {
      continue;
    }
    const double pts = columns.ptsOf(*cells);
    // Also a frame without a timestamp (pts -1) before a window that starts above it, as
    // a scan from the top leaves it out.
    if (pts < from) continue;
    if (pts > to) break;
    scores.push_back(
        {{"pts", pts},
         {"score",
          std::strtod((*cells)[static_cast<std::size_t>(columns.score)].c_str(), nullptr)}});
  }
  return scores;
}

EventLog::EventLog(fs::path root) : root_(std::move(root)) {}

void EventLog::addSource(const std::string& name, const fs::path& folder) {
  sources_.insert_or_assign(name, Source{folder, EventIndex(folder / "events.jsonl")});
}

json EventLog::served(json event, const std::string& source) const {
  event["source"] = source;
  // Named but not on disk yet: clips are cut from the finished recording when the run
  // ends.
  const std::string clip =
      event.value("clip", json()).is_string() ? event["clip"].get<std::string>() : "";
  std::error_code ec;
  const bool clip_pending = !clip.empty() && clip.front() == '/' &&
                            !filesUrl(root_, clip).empty() && !fs::exists(clip, ec);
  linkFiles(event, root_);
  if (clip_pending) event["clip_pending"] = true;
  return event;
}

EventPage EventLog::query(const EventQuery& query) const {
  // What the sort needs of a matching event, and where it is.
  struct Match {
    double start;
    long long id;
    std::size_t source_rank;  // in sources_ order
    std::size_t position;     // in its index
  };
  // Newest first, then id descending; equal ones in source then file order.
  const auto before = [](const Match& a, const Match& b) {
    if (a.start != b.start) return a.start > b.start;
    if (a.id != b.id) return a.id > b.id;
    if (a.source_rank != b.source_rank) return a.source_rank < b.source_rank;
    return a.position < b.position;
  };

  EventPage page;
  std::vector<std::pair<const std::string*, std::string>> lines;  // the page: source, line
  {
    std::lock_guard lock(index_mutex_);
    std::vector<std::pair<const std::string*, Source*>> ranked;
    std::vector<Match> matches;
    for (auto& [name, source] : sources_) {
      if (!query.source.empty() && name != query.source) continue;
      source.index.refresh();
      const std::vector<IndexedEvent>& events = source.index.events();
      for (std::size_t i = 0; i < events.size(); ++i) {
        const double start = events[i].start;
        if (query.since && start < *query.since) continue;
        if (query.until && start >= *query.until) continue;
        matches.push_back({start, events[i].id.value_or(0), ranked.size(), i});
      }
      ranked.emplace_back(&name, &source);
    }
    page.total = matches.size();
    const std::size_t first = std::min(query.offset, matches.size());
    const std::size_t last = first + std::min(query.limit, matches.size() - first);
    // The order is total, so sorting only up to the page's end gives stable_sort's page.
    std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(last),
                      matches.end(), before);

    // The page's lines, read with one open of each source's file.
    lines.resize(last - first);
    std::vector<std::vector<std::size_t>> positions(ranked.size()), slots(ranked.size());
    for (std::size_t i = first; i < last; ++i) {
      positions[matches[i].source_rank].push_back(matches[i].position);
      slots[matches[i].source_rank].push_back(i - first);
    }
    for (std::size_t rank = 0; rank < ranked.size(); ++rank) {
      std::vector<std::string> read = ranked[rank].second->index.readLines(positions[rank]);
      for (std::size_t j = 0; j < read.size(); ++j)
        lines[slots[rank][j]] = {ranked[rank].first, std::move(read[j])};
    }
  }

  for (auto& [source, line] : lines) {
    json event = json::parse(line, nullptr, false);
    // Not an object any more: the file was rewritten since it was indexed.
    if (event.is_object()) page.events.push_back(served(std::move(event), *source));
  }
  return page;
}

std::optional<json> EventLog::event(const std::string& source, long long id, double pre_roll,
                                    double post_roll) const {
  std::string line;
  fs::path folder;
  {
    std::lock_guard lock(index_mutex_);
    const auto found = sources_.find(source);
    if (found == sources_.end()) return std::nullopt;
    EventIndex& index = found->second.index;
    index.refresh();
    const auto position = index.find(id);
    if (!position) return std::nullopt;
    line = std::move(index.readLines({*position}).front());
    folder = found->second.folder;
  }
  json candidate = json::parse(line, nullptr, false);
  // Not an object, or another event: the line was rewritten in place since it was indexed.
  if (!candidate.is_object() || eventId(candidate) != id) return std::nullopt;
  const double from = candidate.value("start", json::object()).value("pts", 0.0) - pre_roll;
  const double to = candidate.value("end", json::object()).value("pts", 0.0) + post_roll;
  json scores =
      scoreCurve(folder / "scores.csv", candidate.value("target", std::string()), from, to);
  json event = served(std::move(candidate), source);
  event["scores"] = std::move(scores);
  return event;
}

std::vector<json> EventLog::takeNew() {
  std::vector<std::pair<const std::string*, std::string>> lines;  // source, line
  {
    std::lock_guard lock(index_mutex_);
    for (auto& [name, source] : sources_) {
      EventIndex& index = source.index;
      index.refresh();
      // Indexed again from 0: events.jsonl was truncated or replaced, i.e. a run started
      // writing it anew (--overwrite). Its events are new ones, so all of them are
      // announced, also those with ids announced before: those were the old file's.
      if (index.generation() != source.announced_generation) {
        source.announced = 0;
        source.announced_generation = index.generation();
      }
      std::vector<std::size_t> positions;
      for (std::size_t i = source.announced; i < index.events().size(); ++i)
        positions.push_back(i);
      source.announced = index.events().size();
      for (std::string& line : index.readLines(positions))
        lines.emplace_back(&name, std::move(line));
    }
  }
  std::vector<json> fresh;
  for (auto& [source, line] : lines) {
    json event = json::parse(line, nullptr, false);
    if (event.is_object()) fresh.push_back(served(std::move(event), *source));
  }
  return fresh;
}

}  // namespace deepbug::web
