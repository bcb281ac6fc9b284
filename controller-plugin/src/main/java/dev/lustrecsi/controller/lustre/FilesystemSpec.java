package dev.lustrecsi.controller.lustre;

import dev.lustrecsi.controller.parameters.FilesystemParameters;

/**
 * What a filesystem is asked to be when first created.
 *
 * @param fsName the Lustre fsname
 * @param ostSize bytes per OST
 * @param maxOsts growth limit
 * @param overcommit bytes of volume capacity one byte of OST backs
 * @param given what the StorageClass said about the filesystem (only what it said): an existing
 *     filesystem is held to that alone; {@link FilesystemParameters#NONE} for a filesystem as it is
 */
public record FilesystemSpec(String fsName, long ostSize, int maxOsts, double overcommit, FilesystemParameters given) {
  /** The filesystem a StorageClass asks for: what it gave, and the defaults for the rest. */
  public static FilesystemSpec requested(String fsName, FilesystemParameters given) {
    return new FilesystemSpec(fsName, given.ostSize(), given.maxOsts(), given.overcommit(), given);
  }
}
