package dev.lustrecsi.sanity;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.ListVolumesRequest;
import csi.v1.ListVolumesResponse;
import java.util.ArrayList;
import java.util.List;

/** Walks ListVolumes page by page. */
final class VolumeListing {
  /** Guards against a driver whose tokens never run out. */
  private static final int MAX_PAGES = 10_000;

  private VolumeListing() {}

  /** Every entry, following next_token with pages of at most {@code maxEntries} (0: the plugin decides). */
  static List<ListVolumesResponse.Entry> all(CsiTarget target, int maxEntries) {
    List<ListVolumesResponse.Entry> entries = new ArrayList<>();
    String token = "";
    for (int pages = 0; pages < MAX_PAGES; pages++) {
      ListVolumesResponse page = page(target, maxEntries, token);
      entries.addAll(page.getEntriesList());
      if (page.getNextToken().isEmpty()) {
        return entries;
      }
      token = page.getNextToken();
    }
    throw new AssertionError("ListVolumes still returned a next_token after " + MAX_PAGES + " pages");
  }

  /** The ids of every listed volume, in listing order, duplicates kept. */
  static List<String> allIds(CsiTarget target, int maxEntries) {
    return all(target, maxEntries).stream().map(e -> e.getVolume().getVolumeId()).toList();
  }

  /** One page, checked against max_entries. */
  static ListVolumesResponse page(CsiTarget target, int maxEntries, String token) {
    ListVolumesResponse page = target.controller().listVolumes(
        ListVolumesRequest.newBuilder().setMaxEntries(maxEntries).setStartingToken(token).build());
    if (maxEntries > 0) {
      assertThat(page.getEntriesCount()).as("entries in a page with max_entries %d", maxEntries).isLessThanOrEqualTo(maxEntries);
    }
    return page;
  }
}
