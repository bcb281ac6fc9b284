package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.snapshot.SnapshotRecord.State;
import dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal;
import dev.lustrecsi.controller.snapshot.kubernetes.SnapshotObjects;
import dev.lustrecsi.controller.volume.VolumeRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Group snapshots: several volumes of one filesystem in one Lustre snapshot, so the group is
 * consistent across its volumes as of one barrier. A group has no record of its own: it is its
 * members, LustreSnapshot records that name it and share one Lustre snapshot, written (all
 * CREATING) before that snapshot is taken. Its id is {@code FSNAME@GROUPRECORD}.
 */
public final class GroupSnapshots {
  /** A group snapshot: its id and members, sorted by source volume. */
  public record Group(String id, List<SnapshotRecord> members) {
    public boolean ready() {
      return members.stream().allMatch(m -> m.state() == State.READY);
    }

    public long creationSeconds() {
      return members.stream().mapToLong(SnapshotRecord::creationSeconds).max().orElse(0);
    }
  }

  private final KubernetesSnapshotJournal journal;
  private final Function<VolumeId, Optional<VolumeRecord>> volumes;
  private final SnapshotBatches batches;
  private final SnapshotService snapshots;
  private final Clock clock;

  /** @param clock when CreateVolumeGroupSnapshot calls come, for the members' lastRequested */
  public GroupSnapshots(KubernetesSnapshotJournal journal, Function<VolumeId, Optional<VolumeRecord>> volumes, SnapshotBatches batches,
      SnapshotService snapshots, Clock clock) {
    this.journal = journal;
    this.volumes = volumes;
    this.batches = batches;
    this.snapshots = snapshots;
    this.clock = clock;
  }

  /** CreateVolumeGroupSnapshot: the group named {@code name} of these volumes, taken now or found from an earlier call. */
  public Group create(String name, List<String> sourceVolumeIds) {
    String group = SnapshotObjects.objectName(name);
    Set<String> sources = new LinkedHashSet<>(sourceVolumeIds);
    try (SnapshotService.Busy held = snapshots.hold("group/" + group, "group snapshot " + CallerText.quote(name))) {
      List<SnapshotRecord> existing = members(group);
      if (existing.stream().anyMatch(m -> m.state() == State.DELETING)) {
        throw CsiException.aborted("group snapshot " + CallerText.quote(name) + " is being deleted; retry later");
      }
      if (!existing.isEmpty()) {
        Set<String> had = existing.stream().map(m -> m.source().toString()).collect(Collectors.toSet());
        // Fewer members than asked for is a call that died while writing them, and is finished;
        // a member the request does not name means the name was used for another group. A member
        // is marked ready only once every member is written, so a group with a ready member is
        // whole: asked for more volumes, its Lustre snapshot (taken before they were asked for)
        // would be handed out as theirs.
        boolean whole = existing.stream().anyMatch(m -> m.state() == State.READY);
        if (!existing.getFirst().name().startsWith(memberPrefix(name)) || !sources.containsAll(had) || whole && !sources.equals(had)) {
          throw CsiException.alreadyExists("group snapshot " + CallerText.quote(name) + " exists already, of volumes " + new TreeMap<>(
              existing.stream().collect(Collectors.toMap(m -> m.source().toString(), m -> m.state()))).keySet() + ", not of " + sources);
        }
      }
      sameFilesystem(sources);
      // Volumes already in the group are not looked up again: a retry succeeds even when one was deleted since.
      List<VolumeRecord> missing = sources.stream().filter(s -> existing.stream().noneMatch(m -> m.source().toString().equals(s)))
          .map(this::volume).toList();
      String fsName = existing.isEmpty() ? missing.getFirst().id().fsName() : existing.getFirst().id().fsName();
      if (existing.isEmpty()) {
        batches.requireSnapshottable(fsName);
      }
      List<SnapshotRecord> written = new ArrayList<>(existing);
      SnapshotBatches.Batch batch = null;
      if (existing.isEmpty()) {
        // Held until every member names the batch, so no deletion of a snapshot sharing it misses them.
        try (SnapshotBatches.Joined joined = batches.join(fsName)) {
          batch = joined.batch();
          written.addAll(writeMembers(name, group, fsName, missing, batch.name()));
        }
      } else {
        // Members a crashed call never wrote join the Lustre snapshot its other members name,
        // beside the joiners: a deletion that found that snapshot unshared (the members read are
        // being withdrawn meanwhile) must not have it named again by a member written after.
        String lustreSnapshot = existing.getFirst().lustreSnapshot();
        try (SnapshotBatches.Rejoined beside = batches.rejoin(fsName, lustreSnapshot, () -> stillLive(group, existing))) {
          written.addAll(writeMembers(name, group, fsName, missing, lustreSnapshot));
        }
      }
      List<SnapshotRecord> ready = new ArrayList<>();
      if (batch != null) {
        long creation = batches.await(batch);
        for (SnapshotRecord member : written) {
          ready.add(snapshots.recordReady(member, creation));
        }
      } else {
        for (SnapshotRecord member : written) {
          ready.add(member.state() == State.READY ? member : snapshots.finish(snapshots.stillRequested(member)));
        }
      }
      ready.sort(Comparator.comparing(m -> m.source().toString()));
      return new Group(new SnapshotId(fsName, group).toString(), List.copyOf(ready));
    }
  }

  /** Writes a CREATING member record of the group for each volume, on the Lustre snapshot named. */
  private List<SnapshotRecord> writeMembers(String name, String group, String fsName, List<VolumeRecord> volumes, String lustreSnapshot) {
    List<SnapshotRecord> written = new ArrayList<>();
    for (VolumeRecord volume : volumes) {
      String memberName = memberPrefix(name) + volume.id();
      SnapshotRecord member = new SnapshotRecord(memberName, new SnapshotId(fsName, SnapshotObjects.objectName(memberName)), volume.id(),
          lustreSnapshot, volume.capacityBytes(), 0, State.CREATING, group, clock.instant());
      journal.put(member);
      written.add(member);
    }
    return written;
  }

  /** The group with this id, if any member of it exists. */
  public Optional<Group> get(String groupId) {
    return SnapshotId.parse(groupId).flatMap(id -> {
      List<SnapshotRecord> members = members(id.record()).stream().filter(m -> m.id().fsName().equals(id.fsName())).toList();
      return members.isEmpty() ? Optional.empty() : Optional.of(new Group(groupId, members));
    });
  }

  /** DeleteVolumeGroupSnapshot: every member; a group that is gone already is deleted. */
  public void delete(String groupId) {
    Optional<SnapshotId> id = SnapshotId.parse(groupId);
    if (id.isEmpty()) {
      return;
    }
    String described = "group snapshot " + CallerText.quote(groupId);
    try (SnapshotService.Busy held = snapshots.hold("group/" + id.get().record(), described)) {
      List<SnapshotRecord> own = members(id.get().record()).stream().filter(m -> m.id().fsName().equals(id.get().fsName())).toList();
      try (SnapshotService.Busy deleting = snapshots.deleting(own.stream().map(SnapshotRecord::id).toList(), described)) {
        // Every member checked before any is deleted: a group is deleted whole or not at all.
        for (SnapshotRecord member : own) {
          snapshots.requireNotRestoring(member.id(), described + " (its member " + CallerText.quote(member.id().toString()) + ")");
        }
        own.forEach(snapshots::delete);
      }
    }
  }

  /** Whether every member read before is still there and not being deleted: records never become live again. */
  private boolean stillLive(String group, List<SnapshotRecord> read) {
    Set<SnapshotId> live = members(group).stream().filter(m -> m.state() != State.DELETING).map(SnapshotRecord::id)
        .collect(Collectors.toSet());
    return read.stream().allMatch(m -> live.contains(m.id()));
  }

  private List<SnapshotRecord> members(String group) {
    return journal.all().stream().filter(r -> r.group().equals(group))
        .sorted(Comparator.comparing(m -> m.source().toString())).toList();
  }

  /** Member names are the group's name and the volume's id: never a name a CO gives a snapshot of its own (the CSI name has a '/'). */
  private static String memberPrefix(String groupName) {
    return groupName + "/";
  }

  private VolumeRecord volume(String volumeId) {
    return VolumeId.parse(volumeId).flatMap(volumes).filter(v -> v.state() == VolumeRecord.State.READY)
        .orElseThrow(() -> CsiException.notFound("source_volume_ids: volume " + CallerText.quote(volumeId) + " does not exist"));
  }

  /**
   * One Lustre snapshot covers one filesystem: volumes of several are refused, named by
   * filesystem. Checked on the ids, which name their filesystem, before any lookup.
   */
  private static void sameFilesystem(Set<String> sources) {
    Map<String, List<String>> byFilesystem = new TreeMap<>();
    for (String source : sources) {
      VolumeId.parse(source).ifPresent(id -> byFilesystem.computeIfAbsent(id.fsName(), fs -> new ArrayList<>()).add(source));
    }
    if (byFilesystem.size() > 1) {
      throw CsiException.invalidArgument("source_volume_ids", "a group snapshot is one Lustre snapshot, of one filesystem; these volumes are on "
          + byFilesystem.size() + ": " + byFilesystem);
    }
  }
}
