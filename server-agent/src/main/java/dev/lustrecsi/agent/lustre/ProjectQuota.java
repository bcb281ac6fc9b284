package dev.lustrecsi.agent.lustre;

/**
 * A project's line of {@code lfs quota -p}.
 *
 * @param usedKib the kbytes column
 * @param hardLimitKib the block limit column; 0 when unlimited
 * @param files the files column
 * @param overLimit whether lfs marked usage or files with '*' (a limit is exceeded)
 */
public record ProjectQuota(long usedKib, long hardLimitKib, long files, boolean overLimit) {}
