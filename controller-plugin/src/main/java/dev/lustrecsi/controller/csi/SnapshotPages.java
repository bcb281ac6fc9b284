package dev.lustrecsi.controller.csi;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * ListSnapshots pagination, as {@link VolumePages} does it for volumes: snapshots ordered by id, a
 * token the last id a page returned, so it stays valid while snapshots come and go.
 */
final class SnapshotPages {
  static final int DEFAULT_PAGE = 500;
  private static final String PREFIX = "s1:";

  private SnapshotPages() {}

  record Page(List<SnapshotRecord> snapshots, String nextToken) {}

  /** @param sorted the snapshots that pass the request's filters, sorted by id */
  static Page page(List<SnapshotRecord> sorted, String startingToken, int maxEntries) {
    String after = startingToken.isEmpty() ? "" : decode(startingToken);
    int size = maxEntries == 0 ? DEFAULT_PAGE : maxEntries;
    List<SnapshotRecord> remaining = sorted.stream().filter(s -> s.id().toString().compareTo(after) > 0).toList();
    if (remaining.size() <= size) {
      return new Page(remaining, "");
    }
    List<SnapshotRecord> page = remaining.subList(0, size);
    return new Page(page, Base64.getUrlEncoder().withoutPadding()
        .encodeToString((PREFIX + page.getLast().id()).getBytes(StandardCharsets.UTF_8)));
  }

  private static String decode(String token) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith(PREFIX)) {
        return text.substring(PREFIX.length());
      }
    } catch (IllegalArgumentException notBase64) {
      // fall through
    }
    // The spec's code for a token the plugin did not issue.
    throw CsiException.aborted("starting_token " + CallerText.quote(token) + " was not issued by this plugin");
  }
}
