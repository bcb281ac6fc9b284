package dev.lustrecsi.controller.lustre;

/**
 * What a volume directory holds, as its project quota sees it (lfs quota -p).
 *
 * @param usedBytes bytes charged to the project
 * @param quotaBytes the hard block limit, 0 when none is set
 * @param usedInodes files and directories charged to the project
 */
public record DirectoryUsage(long usedBytes, long quotaBytes, long usedInodes) {
  public boolean overQuota() {
    return quotaBytes > 0 && usedBytes > quotaBytes;
  }
}
