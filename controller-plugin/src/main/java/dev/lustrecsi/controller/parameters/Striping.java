package dev.lustrecsi.controller.parameters;

/**
 * A directory's default file layout (lfs setstripe -c COUNT -S SIZE [-p POOL]), as a volume
 * records it; which values Lustre takes is {@link dev.lustrecsi.common.volume.StripingRules}'.
 *
 * @param count stripe count, or -1 for all OSTs
 * @param sizeBytes stripe size, a multiple of 64 KiB
 * @param pool OST pool name, or empty for none
 */
public record Striping(int count, long sizeBytes, String pool) {
  public Striping {
    pool = pool == null ? "" : pool;
  }
}
