package dev.lustrecsi.controller.lustre;

import dev.lustrecsi.controller.parameters.ServerParameters;
import java.util.Set;

/**
 * What a filesystem is asked to be when first created.
 *
 * @param fsName the Lustre fsname
 * @param ostSize bytes per OST
 * @param maxOsts growth limit
 * @param overcommit bytes of volume capacity one byte of OST backs
 * @param servers what the StorageClass says about the server VMs (only what it says)
 * @param givenSizing which of ostSize and maxOsts the StorageClass gave (the others are their
 *     defaults): an existing filesystem is held to those only; empty for a filesystem as it is
 */
public record FilesystemSpec(String fsName, long ostSize, int maxOsts, double overcommit, ServerParameters servers,
    Set<String> givenSizing) {
  public FilesystemSpec {
    givenSizing = Set.copyOf(givenSizing);
  }
}
