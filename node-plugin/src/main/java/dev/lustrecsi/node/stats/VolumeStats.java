package dev.lustrecsi.node.stats;

/**
 * Capacity and inodes of a volume as statfs on its directory reports them. On Lustre 2.16+,
 * statfs of a directory with a project id reports that project's quota, so these are the
 * volume's own numbers, not the filesystem's.
 *
 * @param totalBytes size
 * @param availableBytes free for unprivileged writers
 * @param usedBytes in use
 * @param totalInodes inode capacity
 * @param freeInodes inodes free
 * @param usedInodes inodes in use
 */
public record VolumeStats(long totalBytes, long availableBytes, long usedBytes, long totalInodes, long freeInodes, long usedInodes) {}
