package dev.lustrecsi.controller.csi;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.volume.VolumeRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * ListVolumes pagination. Volumes are ordered by id and a token is the last id a page returned,
 * so a token stays valid while volumes come and go: the next page starts after that id whether
 * or not it still exists, and no volume present throughout is skipped or repeated.
 */
public final class VolumePages {
  /** Page size when the caller sets no max_entries. */
  static final int DEFAULT_PAGE = 500;

  private final Supplier<List<VolumeRecord>> volumes;

  /** @param volumes every volume, sorted by volume id */
  public VolumePages(Supplier<List<VolumeRecord>> volumes) {
    this.volumes = volumes;
  }

  /** One page and the token for the next, empty when this is the last. */
  public record Page(List<VolumeRecord> volumes, String nextToken) {}

  public Page page(String startingToken, int maxEntries) {
    String after = startingToken.isEmpty() ? "" : decode(startingToken);
    int size = maxEntries == 0 ? DEFAULT_PAGE : maxEntries;
    List<VolumeRecord> remaining = volumes.get().stream()
        .filter(v -> v.id().toString().compareTo(after) > 0)
        .toList();
    if (remaining.size() <= size) {
      return new Page(remaining, "");
    }
    List<VolumeRecord> page = remaining.subList(0, size);
    return new Page(page, encode(page.getLast().id().toString()));
  }

  /**
   * The token is the last volume id itself: an id fits the CSI spec's 128 bytes for a string
   * ({@link VolumeId#MAX_ID_BYTES}), and so does a token that is nothing more (an encoding of it
   * would not: base64 adds a third).
   */
  private static String encode(String volumeId) {
    return volumeId;
  }

  private static String decode(String token) {
    if (VolumeId.parse(token).isPresent()) {
      return token;
    }
    try {
      // The tokens of earlier versions, which a CO may hold across an upgrade: base64url of "v1:" and the id.
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("v1:")) {
        return text.substring(3);
      }
    } catch (IllegalArgumentException notBase64) {
      // fall through
    }
    // The spec's code for a token the plugin did not issue.
    throw CsiException.aborted("starting_token " + CallerText.quote(token) + " was not issued by this plugin");
  }
}
