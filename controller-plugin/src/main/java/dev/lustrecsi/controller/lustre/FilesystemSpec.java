package dev.lustrecsi.controller.lustre;

/**
 * What a filesystem is asked to be when first created.
 *
 * @param fsName the Lustre fsname
 * @param ostSize bytes per OST
 * @param maxOsts growth limit
 */
public record FilesystemSpec(String fsName, long ostSize, int maxOsts) {}
