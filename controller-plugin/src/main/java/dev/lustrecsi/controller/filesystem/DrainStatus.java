package dev.lustrecsi.controller.filesystem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How far the drain of one OST has come. Written to the status after each step is done, so a
 * controller that restarts carries on from the step it finds here; every step may be repeated.
 *
 * @param step {@value #WAITING}, {@value #MIGRATING}, {@value #REMOVING}, {@value #RELEASING},
 *     {@value #DETACHING} or {@value #REMOVED}, in that order
 * @param filesLeft files with objects on the OST at the last batch (lfs find --ost)
 * @param filesMigrated files moved off it so far, over every batch
 * @param filesFailed files lfs migrate refused in the last batch (in use); they are tried again
 * @param bytesLeft bytes used on the OST, as lfs df last reported it
 * @param message why it waits, or the last refusal
 * @param since when it entered its step
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrainStatus(String step, Long filesLeft, Long filesMigrated, Long filesFailed, Long bytesLeft, String message,
    String since) {
  /** Not started: the remaining OSTs cannot hold its data yet (message says by how much), or not looked at yet. */
  public static final String WAITING = "Waiting";
  /** No new objects on it; its files are being migrated, a batch per pass. */
  public static final String MIGRATING = "Migrating";
  /** Empty: being deactivated for good and deleted from the configuration logs on the MGS. */
  public static final String REMOVING = "Removing";
  /** Gone from the configuration: being unmounted on its OSS. */
  public static final String RELEASING = "Releasing";
  /** Unmounted: its disk is being detached from the VM and deleted. */
  public static final String DETACHING = "Detaching";
  /** Gone, disk and all. Its index is never used again. */
  public static final String REMOVED = "Removed";

  /** Every step, in order. */
  public static final List<String> STEPS = List.of(WAITING, MIGRATING, REMOVING, RELEASING, DETACHING, REMOVED);

  /** The message of a drain the controller has not looked at yet. */
  public static final String NOT_STARTED = "not started yet";

  public static DrainStatus waiting(String message, String since) {
    return new DrainStatus(WAITING, null, 0L, null, null, message, since);
  }

  public DrainStatus at(String newStep, String now) {
    return new DrainStatus(newStep, filesLeft, filesMigrated, filesFailed, bytesLeft, null, now);
  }

  /** Whether its disk is still attached to its server VM (and the VM must keep it). */
  public boolean diskAttached() {
    return !DETACHING.equals(step) && !REMOVED.equals(step);
  }

  /** Whether it still serves data: until it leaves the configuration it is mounted and answers. */
  public boolean serving() {
    return WAITING.equals(step) || MIGRATING.equals(step) || REMOVING.equals(step);
  }
}
