package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.UpgradeStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Decides the next step of a rolling upgrade of a filesystem's server VMs onto
 * {@code spec.serverImage}: one server at a time, OSSes first, then the MDS, then the MGS, each
 * only after the one before is back (its VMI runs the new image, its agent answers with
 * health_check healthy, and each of its targets is mounted with recovery over). A server that is
 * not back within the limit stalls the rollout and the rest are left as they are. A pure
 * function of what the reconciler observed; the reconciler writes the result to the status before
 * it replaces anything, so a controller restarted mid-way waits for the same server.
 *
 * <p>Why this order: an OSS restart pauses I/O to its OSTs only, while the MDS carries every
 * namespace operation and the MGS every client's configuration lock (and imperative recovery, which
 * tells clients a server restarted): they are replaced last, once the OSSes have shown the image
 * works.
 */
public final class RollingUpgrade {
  public static final String UPGRADING = UpgradeStatus.UPGRADING;
  public static final String STALLED = UpgradeStatus.STALLED;
  public static final String COMPLETE = UpgradeStatus.COMPLETE;
  /** The condition the rollout reports on. */
  public static final String CONDITION = "ServersUpToDate";
  /** How long a replaced server may take to come back before the rollout stops. */
  public static final Duration DEFAULT_LIMIT = Duration.ofMinutes(20);

  /**
   * The images of one server's VM.
   *
   * @param template what its VirtualMachine's template boots from; empty when there is no VM
   * @param running what its running VirtualMachineInstance booted from; empty when there is none
   */
  public record ServerImages(String template, String running) {}

  /** An Event the step asks for. */
  public record Note(boolean warning, String reason, String message) {}

  /**
   * The outcome of one step.
   *
   * @param status the rollout's progress for the status; null when no rollout ever began
   * @param condition the ServersUpToDate condition; null when no rollout ever began
   * @param replace the server whose VM must now boot the new image (its VMI deleted, KubeVirt
   *     starts a new one from the template): the one just picked, or the one in flight whose
   *     instance still runs the old image because the controller stopped before replacing it
   * @param notes Events to record
   */
  public record Step(UpgradeStatus status, FilesystemCondition condition, Optional<String> replace, List<Note> notes) {}

  private RollingUpgrade() {}

  /**
   * The image a server's VM template should boot from: a server the rollout has not reached keeps
   * the image it has, so nothing restarts it before its turn; a new server gets the spec's image,
   * and so does one whose instance runs it already (its template edited by someone else: put back,
   * with nothing to restart).
   *
   * @param runningImage what the server's running instance booted from; empty when none runs
   */
  public static String imageFor(String server, String specImage, String currentTemplate, String runningImage, UpgradeStatus upgrade) {
    if (currentTemplate.isEmpty() || currentTemplate.equals(specImage) || runningImage.equals(specImage)) {
      return specImage;
    }
    boolean inFlight = upgrade != null && specImage.equals(upgrade.image()) && server.equals(upgrade.server());
    return inFlight ? specImage : currentTemplate;
  }

  /** The servers still in the filesystem: one drained away is neither upgraded nor waited for. */
  private static List<ServerStatus> live(LustreFilesystemStatus observed) {
    return observed.servers().stream().filter(s -> !s.removed()).toList();
  }

  /** The order servers are replaced in: OSSes (in the order they were planned), the MDS, the MGS. */
  static List<ServerStatus> order(List<ServerStatus> servers) {
    Comparator<ServerStatus> byRole = Comparator.comparingInt(s -> switch (s.role()) {
      case TargetKinds.OSS -> 0;
      case TargetKinds.MDS -> 1;
      default -> 2;
    });
    return servers.stream().sorted(byRole).toList();
  }

  /**
   * One step.
   *
   * @param image the image the spec asks for
   * @param previous the status before this pass (the rollout's last progress and conditions)
   * @param observed the status this pass observed (server and target states)
   * @param images each server's images, by server name
   */
  public static Step next(String image, LustreFilesystemStatus previous, LustreFilesystemStatus observed,
      Map<String, ServerImages> images, Instant now, Duration limit) {
    List<ServerStatus> servers = order(live(observed));
    UpgradeStatus last = previous.upgrade();
    List<ServerStatus> stale = servers.stream().filter(s -> isStale(images.get(s.name()), image)).toList();
    if (last == null && stale.isEmpty()) {
      return new Step(null, null, Optional.empty(), List.of());
    }
    List<Note> notes = new ArrayList<>();
    String inFlight = null;
    String since = null;
    String state = UPGRADING;
    if (last == null || !image.equals(last.image())) {
      notes.add(new Note(false, "UpgradeStarted", "rolling " + servers.size() + " server VMs onto " + image
          + " one at a time, in this order: " + String.join(", ", servers.stream().map(ServerStatus::name).toList())));
    } else {
      // A server no longer in the filesystem (an OSS drained away) is waited for no more.
      inFlight = servers.stream().anyMatch(s -> s.name().equals(last.server())) ? last.server() : null;
      since = last.serverSince();
      state = last.state();
    }
    Optional<String> replace = Optional.empty();
    String message;
    if (inFlight != null) {
      String server = inFlight;
      ServerImages serverImages = images.getOrDefault(server, new ServerImages("", ""));
      if (isBack(observed, server, serverImages, image)) {
        notes.add(new Note(false, "ServerUpgraded", server + " is back on " + image
            + ": targets mounted, recovery complete, health_check healthy, agent answering"));
        inFlight = null;
        since = null;
        state = UPGRADING;
      } else {
        if (!serverImages.running().isEmpty() && !serverImages.running().equals(image)) {
          replace = Optional.of(server);  // picked, but its instance was never restarted onto the image
        }
        Duration waited = Duration.between(Instant.parse(since), now);
        String why = whyNotBack(observed, server, serverImages, image);
        if (waited.compareTo(limit) > 0) {
          message = server + " did not come back on " + image + " within " + minutes(limit) + ": " + why
              + "; the rollout stopped and the other servers are left as they are. It goes on by itself once " + server
              + " is back; to roll back, set spec.serverImage to the image it ran before";
          if (!STALLED.equals(state)) {
            notes.add(new Note(true, "UpgradeStalled", message));
          }
          return step(image, STALLED, server, since, observed, images, message, previous, now, Optional.empty(), notes);
        }
        // No elapsed time in the message: a status that changes every pass would be written every pass.
        message = "replacing " + server + " with " + image + " (waiting at most " + minutes(limit) + "): " + why;
        return step(image, UPGRADING, server, since, observed, images, message, previous, now, replace, notes);
      }
    }
    stale = servers.stream().filter(s -> isStale(images.get(s.name()), image)).toList();
    if (stale.isEmpty()) {
      message = "every server VM runs " + image;
      if (!COMPLETE.equals(state)) {
        notes.add(new Note(false, "UpgradeComplete", message));
      }
      return step(image, COMPLETE, null, null, observed, images, message, previous, now, Optional.empty(), notes);
    }
    // A server already out of service is replaced at once: restarting it cannot take anything more
    // away, and other servers down too do not hold it back (an old image that fails on several
    // servers must be replaceable on all of them). Not while another server's target is in Lustre
    // recovery, though: that waits for every client it knew, the MDT's connection among them, and
    // a server restarting meanwhile can keep it waiting to its hard limit and get clients evicted.
    // Recovery ends by itself, bounded, so waiting for it cannot hold the rollout for good.
    Optional<ServerStatus> down = stale.stream().filter(s -> !FilesystemStatusCalculator.READY.equals(s.state()))
        .filter(s -> noOtherInRecovery(observed, s.name())).findFirst();
    boolean healthy = FilesystemStatusCalculator.READY.equals(observed.phase())
        && servers.stream().allMatch(s -> FilesystemStatusCalculator.READY.equals(s.state()));
    if (down.isEmpty() && !healthy) {
      message = "waiting for the filesystem to be Ready (now " + observed.phase() + ") before replacing " + stale.getFirst().name();
      return step(image, UPGRADING, null, null, observed, images, message, previous, now, Optional.empty(), notes);
    }
    ServerStatus next = down.orElse(stale.getFirst());
    message = "replacing " + next.name() + " (" + next.role() + ") with " + image;
    notes.add(new Note(false, "ServerUpgrading", message));
    return step(image, UPGRADING, next.name(), now.toString(), observed, images, message, previous, now, Optional.of(next.name()), notes);
  }

  private static Step step(String image, String state, String server, String since, LustreFilesystemStatus observed,
      Map<String, ServerImages> images, String message, LustreFilesystemStatus previous, Instant now, Optional<String> replace,
      List<Note> notes) {
    List<ServerStatus> live = live(observed);
    int total = live.size();
    int upgraded = (int) live.stream()
        .filter(s -> isBack(observed, s.name(), images.getOrDefault(s.name(), new ServerImages("", "")), image)).count();
    String progress = switch (state) {
      case COMPLETE -> upgraded + "/" + total;
      case STALLED -> "stalled at " + server + " (" + upgraded + "/" + total + ")";
      default -> upgraded + "/" + total + (server == null ? " waiting" : " " + server);
    };
    boolean done = COMPLETE.equals(state);
    String reason = done ? "UpgradeComplete" : STALLED.equals(state) ? "UpgradeStalled" : "Upgrading";
    String status = done ? "True" : "False";
    String transition = previous.conditions().stream().filter(c -> c.type().equals(CONDITION) && c.status().equals(status))
        .map(FilesystemCondition::lastTransitionTime).findFirst().orElse(now.toString());
    var condition = new FilesystemCondition(CONDITION, status, reason, message, transition, observed.observedGeneration());
    return new Step(new UpgradeStatus(image, state, server, since, upgraded, total, progress, message), condition, replace, notes);
  }

  /** Whether a server's VM or its running instance boots from anything but the image. A server with no VM yet gets the image when made. */
  static boolean isStale(ServerImages images, String image) {
    if (images == null || images.template().isEmpty()) {
      return false;
    }
    return !images.template().equals(image) || (!images.running().isEmpty() && !images.running().equals(image));
  }

  /**
   * Back: its instance runs the image, its agent answers healthy, and each of its targets in
   * service is mounted with recovery over. An OST a drain has let go of stays in the status under
   * its server (Removed) but is never mounted again: waiting for it would stall the rollout.
   */
  static boolean isBack(LustreFilesystemStatus observed, String server, ServerImages images, String image) {
    boolean ready = observed.servers().stream().anyMatch(s -> s.name().equals(server) && FilesystemStatusCalculator.READY.equals(s.state()));
    boolean targetsUp = targetsInService(observed, server).allMatch(t -> FilesystemStatusCalculator.UP.equals(t.state()));
    return image.equals(images.template()) && image.equals(images.running()) && ready && targetsUp;
  }

  /** Whether no target of a server other than {@code except} is in Lustre recovery. */
  private static boolean noOtherInRecovery(LustreFilesystemStatus observed, String except) {
    return observed.targets().stream().noneMatch(t -> !except.equals(t.server()) && FilesystemStatusCalculator.RECOVERING.equals(t.state()));
  }

  private static String whyNotBack(LustreFilesystemStatus observed, String server, ServerImages images, String image) {
    if (!image.equals(images.running())) {
      return images.running().isEmpty() ? "no instance running yet" : "its instance still runs " + images.running();
    }
    Optional<ServerStatus> status = observed.servers().stream().filter(s -> s.name().equals(server)).findFirst();
    if (status.isPresent() && !FilesystemStatusCalculator.READY.equals(status.get().state())) {
      return "server " + status.get().state() + (status.get().message() == null ? "" : " (" + status.get().message() + ")");
    }
    return targetsInService(observed, server).filter(t -> !FilesystemStatusCalculator.UP.equals(t.state()))
        .map(t -> t.name() + " " + t.state()).reduce((a, b) -> a + ", " + b).orElse("checking");
  }

  private static Stream<TargetStatus> targetsInService(LustreFilesystemStatus observed, String server) {
    return observed.targets().stream().filter(t -> server.equals(t.server()) && t.inService());
  }

  private static String minutes(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds < 120 ? seconds + " s" : (seconds / 60) + " min";
  }
}
