package dev.lustrecsi.sanity.fuzz;

import csi.v1.VolumeCapability;
import csi.v1.VolumeCapability.AccessMode.Mode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hostile values for each kind of field: ids, names, tokens, paths, maps, capabilities and
 * StorageClass parameters, each with what it is, for a finding to say.
 */
final class HostileValues {
  /** A value for a string field. */
  record Text(String value, String what) {}

  /** How a path can be wrong. */
  enum PathKind { MISSING, OVER_LIMIT, CONTROL, RELATIVE, OUTSIDE, CANARY, THROUGH_LINK_OUT, NOT_NORMAL, LONG_COMPONENT, ALLOWED_ROOT,
    INSIDE_VOLUME, ABOVE_VOLUMES }

  /** Ids that look like something: a path, an option, half an id. */
  private static final List<String> ODD_IDS = List.of("../../etc/passwd", "-rf", "--help", "fs/../x", "static:", "/", "fs/a/b", " fs/a",
      "fs/a ", "%2e%2e", "fs/.", "$(reboot)", "*", "static:../../etc",
      // Snapshot-shaped, look-alike (fullwidth dots, a Cyrillic a) and too deep ids.
      "fs@snap", "@", "fs@", "fs@..", "fs/a@b", "\uff0e\uff0e/x", "fs/\u0430bc", "fs/a/b/c/d/e");

  /** StorageClass parameter values that must be refused (docs/storageclass-parameters.md), the issue's cases among them. */
  static final List<Map.Entry<String, String>> BAD_PARAMETERS = List.of(
      Map.entry("stripeCount", " 2"), Map.entry("stripeCount", "+2"), Map.entry("stripeCount", "2 "), Map.entry("stripeCount", ""),
      Map.entry("stripeCount", "0"), Map.entry("stripeCount", "2001"), Map.entry("stripeSize", "4G"), Map.entry("stripeSize", " 4M"),
      Map.entry("stripeSize", "+4M"), Map.entry("stripeSize", "4m"), Map.entry("stripeSize", "4 M"), Map.entry("stripeSize", ""),
      Map.entry("ostSize", "1TI"), Map.entry("ostSize", "1 Ti"), Map.entry("ostSize", ""), Map.entry("mgtSize", "1GI"),
      Map.entry("mdtSize", "64 Gi"), Map.entry("serverMemory", "4gi"), Map.entry("ostsPerOss", "+4"), Map.entry("serverCpu", " 2"),
      Map.entry("overcommit", "+1.0"), Map.entry("overcommit", "1e1"), Map.entry("overcommit", "NaN"), Map.entry("lnetNetworks", ","),
      Map.entry("lnetNetworks", "tcp,,"), Map.entry("serverImage", " "), Map.entry("serverImage", "a\0b"),
      Map.entry("serverImage", "x".repeat(3000)), Map.entry("fsName", "-"), Map.entry("fsName", "_x"), Map.entry("fsName", ""),
      Map.entry("pool", ".."), Map.entry("pool", "."), Map.entry("maxOsts", "0"), Map.entry("lnet", "TCP"), Map.entry("retention", "keep"),
      Map.entry("storageCidr", "10.1.0.0/+24"), Map.entry("storageNetwork", "a/b/c"), Map.entry("diskStorageClass", "A"),
      Map.entry("fsName", "fs\n1"), Map.entry("csi.storage.k8s.io/pvc/name", "\u001b[31mred"), Map.entry("stripecount", "2"),
      Map.entry("csi.storage.k8s.io/fstype", "ext4"));

  private final HostileText text;
  private final FuzzWorld world;

  HostileValues(HostileText text, FuzzWorld world) {
    this.text = text;
    this.world = world;
  }

  /** A bad or odd id; {@code known} stand for the ids that exist. */
  Text id() {
    return switch (text.random().nextInt(6)) {
      case 0 -> new Text("", "missing");
      case 1 -> over(128);
      case 2 -> control(text.oneOf(world.knownIds()));
      case 3 -> text.chance(50) ? new Text(text.printable(32), "random text") : multibyte(128);
      case 4 -> new Text(text.oneOf(ODD_IDS), "odd id");
      default -> new Text(text.oneOf(world.knownIds()), "another volume's id");
    };
  }

  /** A bad or odd snapshot id; {@code known} stand for the run's snapshots and group snapshots, and ones that do not exist. */
  Text snapshotId() {
    return text.chance(40) ? new Text(text.oneOf(world.knownSnapshotIds()), "a snapshot's id") : id();
  }

  /**
   * Text of characters of two, three or four bytes in UTF-8: exactly the limit in bytes (to be
   * taken), or just over it in bytes while far under it in characters (to be refused by bytes).
   */
  Text multibyte(int limitBytes) {
    String c = text.oneOf("\u00e9", "\u6f22", "\ud83d\ude00");
    int bytes = c.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (text.chance(50) && limitBytes % bytes == 0) {
      return new Text(c.repeat(limitBytes / bytes), "exactly " + limitBytes + " bytes of multibyte text");
    }
    String over = c.repeat(limitBytes / bytes + 1);
    return new Text(over, over.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes");
  }

  /** Over the limit, with a control character, or random. */
  Text string(int limit) {
    return switch (text.random().nextInt(5)) {
      case 0 -> over(limit);
      case 1 -> control(text.printable(20));
      case 3 -> multibyte(limit);
      // A quarter of the limit in characters: within it in bytes, whatever they are.
      default -> new Text(text.printable(limit / 4), "random text");
    };
  }

  Text over(int limit) {
    String value = text.overLimit(limit);
    return new Text(value, value.length() + " bytes");
  }

  Text control(String base) {
    return new Text(text.withControl(base), "a control character");
  }

  PathKind pathKind() {
    return text.oneOf(PathKind.values());
  }

  /** A path of the kind: what each kind looks like below the run's directory, or out of it. */
  String path(PathKind kind) {
    Path dir = world.dir;
    return switch (kind) {
      case MISSING -> "";
      case OVER_LIMIT -> dir + "/" + ("d".repeat(200) + "/").repeat(21);
      case CONTROL -> text.withControl(dir + "/p-control");
      case RELATIVE -> text.oneOf("some/path", "staging", ".", "..", "fuzz/" + dir.getFileName());
      case OUTSIDE -> text.oneOf("/etc", "/etc/kubernetes", "/", "/proc/self", "/tmp", "/var/lib/kubelet-other/x");
      case CANARY -> text.oneOf(world.canary.toString(), world.canary.resolve("inside").toString(), world.canary.resolve("new").toString(),
          world.canary.resolve("secret").toString());
      case THROUGH_LINK_OUT -> world.linkOut + text.oneOf("", "/inside", "/new", "/secret");
      case NOT_NORMAL -> text.oneOf(dir + "/./x", dir + "//x", dir + "/p/../x", world.stagingA + "/..", dir + "/x/.");
      // NAME_MAX counts bytes: 86 characters of three bytes each are over it.
      case LONG_COMPONENT -> dir + "/" + text.oneOf("c".repeat(256), "\u6f22".repeat(86));
      case ALLOWED_ROOT -> world.target.mountRoot().toString();
      case INSIDE_VOLUME -> text.oneOf(world.stagingA, world.targetA, world.stagingB) + text.oneOf("/sub", "/sub/deeper", "/file");
      case ABOVE_VOLUMES -> text.oneOf(dir, world.targetA.getParent()).toString();
    };
  }

  /** More than 4 KiB of keys and values. */
  Map<String, String> oversizeMap() {
    Map<String, String> map = new LinkedHashMap<>();
    int entries = 1 + text.random().nextInt(40);
    int each = 4097 / entries + 1;
    for (int i = 0; i < entries; i++) {
      map.put("k" + i, "v".repeat(each));
    }
    return map;
  }

  /** A few small entries of random text, controls and all. */
  Map<String, String> smallMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = text.random().nextInt(4); i > 0; i--) {
      map.put(text.printable(12), text.chance(30) ? text.withControl("v") : text.printable(20));
    }
    return map;
  }

  /** A capability a Lustre volume cannot have, or one written wrongly. */
  Text badCapabilityWhat() {
    return new Text("", text.oneOf("block", "no access type", "fs_type", "no access mode", "unrecognized access mode", "mount flag"));
  }

  VolumeCapability badCapability(String what) {
    VolumeCapability good = FuzzWorld.capability();
    return switch (what) {
      case "block" -> good.toBuilder().setBlock(VolumeCapability.BlockVolume.getDefaultInstance()).build();
      case "no access type" -> good.toBuilder().clearAccessType().build();
      case "fs_type" -> good.toBuilder().setMount(VolumeCapability.MountVolume.newBuilder()
          .setFsType(text.oneOf("ext4", "xfs", "lustre\n", text.withControl("lustre"), "LUSTRE"))).build();
      case "no access mode" -> good.toBuilder().setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.UNKNOWN)).build();
      // An access mode of a later spec than this driver's: a number its enum does not have.
      case "unrecognized access mode" -> good.toBuilder().setAccessMode(VolumeCapability.AccessMode.newBuilder()
          .setModeValue(text.oneOf(8, 42, -1))).build();
      default -> good.toBuilder().setMount(VolumeCapability.MountVolume.newBuilder().addMountFlags(badMountFlag())).build();
    };
  }

  /**
   * A capability a Lustre volume can have, other than the run's: another access mode, fs_type
   * lustre, a mount flag, a volume_mount_group (which Lustre has no use for).
   */
  Text otherGoodCapabilityWhat() {
    return new Text("", text.oneOf("access mode", "fs_type lustre", "good mount flag", "volume_mount_group"));
  }

  VolumeCapability otherGoodCapability(String what) {
    VolumeCapability good = FuzzWorld.capability();
    return switch (what) {
      case "access mode" -> good.toBuilder().setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(text.oneOf(
          Mode.SINGLE_NODE_WRITER, Mode.SINGLE_NODE_READER_ONLY, Mode.MULTI_NODE_READER_ONLY, Mode.MULTI_NODE_SINGLE_WRITER,
          Mode.SINGLE_NODE_SINGLE_WRITER, Mode.SINGLE_NODE_MULTI_WRITER))).build();
      case "fs_type lustre" -> good.toBuilder().setMount(VolumeCapability.MountVolume.newBuilder().setFsType("lustre")).build();
      case "good mount flag" -> good.toBuilder().setMount(VolumeCapability.MountVolume.newBuilder()
          .addMountFlags(text.oneOf("noatime", "flock", "user_xattr", "nosuid", "nodev,noexec", "lazystatfs"))).build();
      default -> good.toBuilder().setMount(VolumeCapability.MountVolume.newBuilder().setVolumeMountGroup(text.oneOf("1000", "0", "65534")))
          .build();
    };
  }

  private String badMountFlag() {
    return text.oneOf("network=tcp1", "exclude=fs1-OST0001", "flock,network=tcp1", "ro,rw", "flock,localflock", "", "noatime,,",
        "bogus", text.withControl("noatime"), "x".repeat(120), "remount", "bind", "suid", "dev");
  }
}
