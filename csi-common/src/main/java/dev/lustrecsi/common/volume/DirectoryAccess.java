package dev.lustrecsi.common.volume;

/**
 * The owner and permission bits a new volume's directory is given once, when it is made
 * ({@code chown UID:GID; chmod MODE}). Afterwards the directory belongs to the volume's users and
 * the driver never sets them again. The rules are in one place for the controller, which checks
 * StorageClass parameters, and the agent, which checks the requests it runs: a value one accepts
 * the other must accept too, or a volume is accepted and then fails on the server at every retry.
 *
 * <p>The defaults make a volume that any pod can write to, whatever user it runs as: the chart's
 * CSIDriver has fsGroupPolicy None (no recursive chown of terabytes at every mount), so neither
 * fsGroup nor anything else would otherwise open a root-owned 0755 directory to a non-root pod.
 *
 * @param mode permission bits, set-id and sticky bits included (at most 07777)
 * @param uid numeric owner
 * @param gid numeric group
 */
public record DirectoryAccess(int mode, long uid, long gid) {
  /** rwx for everyone, as Azure Files' dir_mode and NFS subdirectory provisioners default to. */
  public static final int DEFAULT_MODE = 0777;
  public static final long DEFAULT_ID = 0;
  public static final DirectoryAccess DEFAULT = new DirectoryAccess(DEFAULT_MODE, DEFAULT_ID, DEFAULT_ID);

  /** Permission, set-id and sticky bits: what chmod sets; anything above is the file type. */
  public static final int MAX_MODE = 07777;
  /** Kubernetes takes runAsUser, runAsGroup and fsGroup from 0 to 2^31-1; higher ids no pod could run as. */
  public static final long MAX_ID = Integer.MAX_VALUE;

  /**
   * Exactly four digits: a mode with a leading 0 that a YAML 1.1 reader (Helm's values) takes
   * for an octal number comes out as three decimal digits at most (0777 is 511), which this
   * refuses rather than reads as another mode.
   */
  public static final String MODE_RULE = "an octal mode of exactly 4 digits `0`-`7`, quoted, such as `\"0777\"` or `\"2770\"`";
  public static final String ID_RULE = "a numeric id from 0 to " + MAX_ID;

  public DirectoryAccess {
    String problem = modeProblem(mode);
    if (problem == null) {
      problem = idProblem(uid);
    }
    if (problem == null) {
      problem = idProblem(gid);
    }
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why the mode cannot be set, or null when it can. */
  public static String modeProblem(long mode) {
    return mode >= 0 && mode <= MAX_MODE ? null
        : "0" + Long.toOctalString(mode) + " (octal) is not a directory mode: it has bits beyond 07777";
  }

  /** Why the uid or gid cannot be set, or null when it can. */
  public static String idProblem(long id) {
    return id >= 0 && id <= MAX_ID ? null : id + " is not an id: " + ID_RULE;
  }
}
