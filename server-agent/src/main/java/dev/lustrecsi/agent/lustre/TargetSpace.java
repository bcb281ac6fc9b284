package dev.lustrecsi.agent.lustre;

/**
 * One row of {@code lfs df}.
 *
 * @param uuid as printed, "lfs-OST0000_UUID" (or "OST0003" for an inactive device)
 * @param target the target it describes
 * @param totalKib the 1K-blocks column
 * @param usedKib the Used column
 * @param availableKib the Available column
 * @param flags trailing flags: D degraded, N no-create, R read-only, S out of space, I out of inodes
 * @param inactive whether lfs df printed the target as an inactive device (no numbers then)
 */
public record TargetSpace(String uuid, TargetName target, long totalKib, long usedKib, long availableKib, String flags, boolean inactive) {}
