package dev.lustrecsi.controller.snapshot.kubernetes;

/**
 * A {@link dev.lustrecsi.controller.snapshot.SnapshotRecord} as the LustreSnapshot resource stores it.
 *
 * @param name the CO's name for the snapshot
 * @param fsName the filesystem of the source volume
 * @param sourceDirectory the source volume's directory (with fsName, its volume id)
 * @param lustreSnapshot the ZFS snapshot name every target holds the Lustre snapshot under
 * @param sizeBytes the source volume's capacity
 * @param size the same, readable, for kubectl's printer column
 * @param creationSeconds when the Lustre snapshot was taken; 0 until READY
 * @param state CREATING, READY or DELETING
 * @param groupSnapshot the record name of the group snapshot it belongs to; absent for a snapshot of its own
 * @param lastRequested when a CreateSnapshot last asked for the snapshot (RFC 3339); absent in
 *     records of controllers before it, which count from the object's creation instead
 */
public record LustreSnapshotSpec(String name, String fsName, String sourceDirectory, String lustreSnapshot, long sizeBytes, String size,
    long creationSeconds, String state, String groupSnapshot, String lastRequested) {}
