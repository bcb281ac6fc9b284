package dev.lustrecsi.controller.filesystem;

/** The three kinds of Lustre target, and the server roles that serve them. */
public final class TargetKinds {
  public static final String MGT = "MGT";
  public static final String MDT = "MDT";
  public static final String OST = "OST";

  public static final String MGS = "mgs";
  public static final String MDS = "mds";
  public static final String OSS = "oss";

  private TargetKinds() {}

  /** The Lustre target name: "MGS", or fsname-MDT0000 / fsname-OST000a. */
  public static String targetName(String fsName, String kind, int index) {
    return MGT.equals(kind) ? "MGS" : String.format("%s-%s%04x", fsName, kind, index);
  }
}
