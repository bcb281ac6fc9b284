package dev.lustrecsi.controller.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.volume.VolumeRecord;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumePagesTest {
  /** Volumes kept sorted by id, as the journal lists them. */
  static final class Volumes {
    final java.util.TreeMap<String, VolumeRecord> byId = new java.util.TreeMap<>();

    void put(VolumeRecord volume) {
      byId.put(volume.id().toString(), volume);
    }

    void remove(VolumeRecord volume) {
      byId.remove(volume.id().toString());
    }

    List<VolumeRecord> list() {
      return List.copyOf(byId.values());
    }
  }

  static VolumeRecord volume(String directory) {
    return new VolumeRecord(directory, new VolumeId("fs1", directory), 1 << 20, new Striping(1, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of(), java.time.Instant.EPOCH);
  }

  @Test
  void walksEveryVolumeOnceAcrossPages() {
    Volumes journal = new Volumes();
    for (int i = 0; i < 10; i++) {
      journal.put(volume("v" + i));
    }
    VolumePages pages = new VolumePages(journal::list);
    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      VolumePages.Page page = pages.page(token, 3);
      assertThat(page.volumes().size()).isLessThanOrEqualTo(3);
      page.volumes().forEach(v -> seen.add(v.id().directory()));
      token = page.nextToken();
    } while (!token.isEmpty());
    assertThat(seen).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
  }

  @Test
  void aTokenStaysValidWhileVolumesComeAndGo() {
    Volumes journal = new Volumes();
    for (String name : List.of("a", "c", "e", "g", "i")) {
      journal.put(volume(name));
    }
    VolumePages pages = new VolumePages(journal::list);
    VolumePages.Page first = pages.page("", 2);
    assertThat(first.volumes()).extracting(v -> v.id().directory()).containsExactly("a", "c");
    journal.remove(volume("c")); // the volume the token points at goes away
    journal.put(volume("b"));   // a new one sorts before the token: not this listing's business
    journal.put(volume("f"));   // a new one after the token shows up
    List<String> rest = new ArrayList<>();
    String token = first.nextToken();
    while (!token.isEmpty()) {
      VolumePages.Page page = pages.page(token, 2);
      page.volumes().forEach(v -> rest.add(v.id().directory()));
      token = page.nextToken();
    }
    assertThat(rest).containsExactly("e", "f", "g", "i");
  }

  @Test
  void tokensFitTheCsiSpecs128BytesForTheLongestIdsAndEarlierTokensStillWork() {
    String root = "r".repeat(26) + "/" + "s".repeat(VolumeId.MAX_ROOT_LENGTH - 27);
    Volumes journal = new Volumes();
    for (String name : List.of("a", "b", "c")) {
      journal.put(new VolumeRecord(name, VolumeId.under("fsname_8", root, name.repeat(64)), 1 << 20, new Striping(1, 1 << 20, ""), 1000,
          VolumeRecord.State.READY, Map.of(), java.time.Instant.EPOCH));
    }
    VolumePages pages = new VolumePages(journal::list);
    String token = pages.page("", 1).nextToken();
    // As ListVolumes checks a starting_token it is given.
    assertThat(dev.lustrecsi.common.request.RequestFields.optional(token, "starting_token")).isEqualTo(token);
    assertThat(pages.page(token, 1).volumes()).extracting(v -> v.name()).containsExactly("b");

    String earlier = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("v1:" + journal.list().get(1).id())
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(pages.page(earlier, 1).volumes()).extracting(v -> v.name()).as("a token of an earlier version").containsExactly("c");
  }

  @Test
  void aTokenItDidNotIssueIsAborted() {
    VolumePages pages = new VolumePages(List::of);
    assertThatThrownBy(() -> pages.page("not-a-token!", 1))
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
  }
}
