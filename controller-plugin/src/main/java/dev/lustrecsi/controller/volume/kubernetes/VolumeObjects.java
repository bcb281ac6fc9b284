package dev.lustrecsi.controller.volume.kubernetes;

import dev.lustrecsi.common.naming.Sha256;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.servers.ObjectMeta;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.controller.volume.VolumeSource;
import java.time.Instant;
import java.util.Optional;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Pure conversions between volume records and LustreVolume objects. */
public final class VolumeObjects {
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_NAME = 253;

  private VolumeObjects() {}

  /**
   * The object name of a volume: its CSI name when Kubernetes accepts that (so kubectl shows the
   * PV's name), else a hash of it, which is stable, so a retried CreateVolume finds its object.
   */
  public static String objectName(String csiName) {
    if (csiName.length() <= MAX_NAME && DNS_SUBDOMAIN.matcher(csiName).matches()) {
      return csiName;
    }
    return "vol-" + Sha256.hex(csiName, 20);
  }

  public static LustreVolume toObject(VolumeRecord volume, String namespace) {
    LustreVolume object = new LustreVolume();
    object.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(objectName(volume.name()))
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/managed-by", "lustre-csi")
        .addToLabels(Map.ofEntries(ObjectMeta.filesystemLabel(volume.id().fsName())))
        .build());
    object.setSpec(new LustreVolumeSpec(volume.name(), volume.id().fsName(), volume.id().directory(), volume.capacityBytes(),
        Sizes.format(volume.capacityBytes()), volume.striping(), volume.projectId(), volume.state().name(),
        volume.parameters().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> new LustreVolumeSpec.Parameter(e.getKey(), e.getValue()))
            .toList(),
        volume.source().map(s -> new LustreVolumeSpec.Source(s.kind().name(), s.id(), s.lustreSnapshot(), s.directory(), s.phase().name()))
            .orElse(null),
        volume.lastRequested().toString()));
    return object;
  }

  public static VolumeRecord toRecord(LustreVolume object) {
    LustreVolumeSpec spec = object.getSpec();
    Map<String, String> parameters = spec.parameters() == null ? Map.of()
        : spec.parameters().stream().collect(Collectors.toMap(LustreVolumeSpec.Parameter::name, LustreVolumeSpec.Parameter::value));
    Optional<VolumeSource> source = Optional.ofNullable(spec.source()).map(s -> new VolumeSource(VolumeSource.Kind.valueOf(s.kind()), s.id(),
        s.lustreSnapshot(), s.directory(), VolumeSource.Phase.valueOf(s.phase())));
    return new VolumeRecord(spec.name(), new VolumeId(spec.fsName(), spec.directory()), spec.capacityBytes(), spec.striping(),
        spec.projectId(), VolumeRecord.State.valueOf(spec.state()), parameters, source,
        lastRequested(spec.lastRequested(), object.getMetadata()));
  }

  /**
   * When a call last asked for a volume or snapshot, from its record's {@code recorded} field. A
   * record written before the field existed, or whose field was edited into something that is not
   * RFC 3339, counts from its object's creation, which every API server stamps (one bad record
   * must not make every record unreadable); one with neither (never stored) counts from the epoch.
   */
  public static Instant lastRequested(String recorded, io.fabric8.kubernetes.api.model.ObjectMeta metadata) {
    return instant(recorded)
        .or(() -> instant(metadata == null ? null : metadata.getCreationTimestamp()))
        .orElse(Instant.EPOCH);
  }

  private static Optional<Instant> instant(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The order of {@code VolumeJournal.volumes()}. */
  public static final Comparator<VolumeRecord> BY_ID = Comparator.comparing(v -> v.id().toString());
}
