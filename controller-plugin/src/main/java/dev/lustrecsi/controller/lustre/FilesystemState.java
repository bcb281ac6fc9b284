package dev.lustrecsi.controller.lustre;

import java.util.List;

/**
 * A filesystem as its servers report it.
 *
 * @param spec what it was created as
 * @param osts its OSTs, by index
 * @param ready whether every target is up and the filesystem takes new volumes
 */
public record FilesystemState(FilesystemSpec spec, List<Ost> osts, boolean ready) {
  public FilesystemState {
    osts = List.copyOf(osts);
  }

  /**
   * One object storage target.
   *
   * @param index the OST index (FSNAME-OST%04x)
   * @param capacityBytes its size
   * @param usedBytes bytes in use
   */
  public record Ost(int index, long capacityBytes, long usedBytes) {}

  public long capacityBytes() {
    return osts.stream().mapToLong(Ost::capacityBytes).sum();
  }

  public long usedBytes() {
    return osts.stream().mapToLong(Ost::usedBytes).sum();
  }
}
