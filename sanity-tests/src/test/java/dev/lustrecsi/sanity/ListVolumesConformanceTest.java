package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.ListVolumesRequest;
import csi.v1.ListVolumesResponse;
import csi.v1.Volume;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ListVolumes: contents, pagination, and tokens that survive volumes coming and going. */
class ListVolumesConformanceTest extends ConformanceTest {

  private List<Volume> createVolumes(int count) {
    return IntStream.range(0, count).mapToObj(i -> ws.createVolume()).toList();
  }

  private static List<String> ids(ListVolumesResponse page) {
    return page.getEntriesList().stream().map(e -> e.getVolume().getVolumeId()).toList();
  }

  @Test
  void createdVolumesAreListedOnceWithTheirCapacity() {
    List<Volume> volumes = createVolumes(3);
    List<ListVolumesResponse.Entry> entries = VolumeListing.all(target, 0);
    for (Volume volume : volumes) {
      assertThat(entries)
          .filteredOn(e -> e.getVolume().getVolumeId().equals(volume.getVolumeId()))
          .as("entries of volume %s", volume.getVolumeId())
          .singleElement()
          .satisfies(e -> {
            assertThat(e.getVolume().getCapacityBytes()).isEqualTo(volume.getCapacityBytes());
            assertThat(e.getStatus().getVolumeCondition().getAbnormal()).as("condition %s", e.getStatus().getVolumeCondition()).isFalse();
          });
    }
  }

  @Test
  void deletedVolumesAreNotListed() {
    List<Volume> volumes = createVolumes(2);
    ws.deleteVolume(volumes.get(0).getVolumeId());
    List<String> listed = VolumeListing.allIds(target, 0);
    assertThat(listed).doesNotContain(volumes.get(0).getVolumeId()).containsOnlyOnce(volumes.get(1).getVolumeId());
  }

  @ParameterizedTest(name = "max_entries {0}")
  @ValueSource(ints = {1, 2, 3})
  void paginationWalksEveryVolumeExactlyOnce(int maxEntries) {
    List<Volume> volumes = createVolumes(5);
    List<String> walked = VolumeListing.allIds(target, maxEntries);
    assertThat(walked).doesNotHaveDuplicates();
    assertThat(walked).containsAll(volumes.stream().map(Volume::getVolumeId).toList());
    assertThat(new HashSet<>(walked)).isEqualTo(new HashSet<>(VolumeListing.allIds(target, 0)));
  }

  @Test
  void maxEntriesAboveTheVolumeCountReturnsEverythingWithoutAToken() {
    createVolumes(2);
    int total = VolumeListing.allIds(target, 0).size();
    ListVolumesResponse page = VolumeListing.page(target, total + 10, "");
    assertThat(page.getEntriesCount()).isEqualTo(total);
    assertThat(page.getNextToken()).isEmpty();
  }

  @Test
  void aPageSmallerThanTheVolumeCountComesWithAToken() {
    createVolumes(3);
    ListVolumesResponse page = VolumeListing.page(target, 2, "");
    assertThat(page.getEntriesCount()).isEqualTo(2);
    assertThat(page.getNextToken()).isNotEmpty();
  }

  @Test
  void tokenStaysValidWhileVolumesAreDeletedAndCreated() {
    List<Volume> ours = createVolumes(6);
    Set<String> ourIds = new HashSet<>(ours.stream().map(Volume::getVolumeId).toList());

    // Walk to the first page that shows one of ours.
    List<String> seen = new ArrayList<>();
    String token = "";
    ListVolumesResponse page;
    do {
      page = VolumeListing.page(target, 2, token);
      seen.addAll(ids(page));
      token = page.getNextToken();
    } while (!token.isEmpty() && Collections.disjoint(seen, ourIds));
    assertThat(token).as("a token for the rest of the listing (listed so far: %s)", seen).isNotEmpty();

    // Between pages: delete the volume the last page ended with (a token may be anchored on it),
    // delete one not listed yet, and create two.
    Set<String> deleted = new HashSet<>();
    List<String> lastPage = ids(page);
    String anchor = lastPage.getLast();
    if (ourIds.contains(anchor)) {
      ws.deleteVolume(anchor);
      deleted.add(anchor);
    }
    String notListedYet = ours.stream().map(Volume::getVolumeId).filter(id -> !seen.contains(id)).sorted().toList().get(1);
    ws.deleteVolume(notListedYet);
    deleted.add(notListedYet);
    createVolumes(2);

    // The rest of the walk, with the token issued before the changes.
    while (!token.isEmpty()) {
      page = VolumeListing.page(target, 2, token);
      seen.addAll(ids(page));
      token = page.getNextToken();
    }

    assertThat(seen).as("volumes listed across all pages").doesNotHaveDuplicates();
    for (String id : ourIds) {
      if (!deleted.contains(id)) {
        assertThat(seen).as("volume %s, present throughout the walk", id).containsOnlyOnce(id);
      }
    }
  }

  @ParameterizedTest(name = "starting_token \"{0}\"")
  @ValueSource(strings = {"not-a-token", "!!!", "AAAA", "dGhpcyBpcyBub3QgYSB0b2tlbg"})
  void startingTokenThePluginDidNotIssueIsAborted(String token) {
    assertFails(Status.Code.ABORTED, () -> target.controller().listVolumes(ListVolumesRequest.newBuilder().setStartingToken(token).build()));
  }

  @Test
  void negativeMaxEntriesIsInvalidArgument() {
    assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().listVolumes(ListVolumesRequest.newBuilder().setMaxEntries(-1).build()));
  }
}
