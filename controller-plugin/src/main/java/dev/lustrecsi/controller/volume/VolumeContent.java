package dev.lustrecsi.controller.volume;

/**
 * Makes a new volume's content from its source (a snapshot, or another volume), between the
 * moment its directory exists and the moment it is READY. The copy can take long, so it is not
 * waited for: each call moves it on as far as it can and answers UNAVAILABLE with its progress
 * while it runs, and the CO calls again, as it does while a filesystem grows.
 */
public interface VolumeContent {
  /**
   * Moves the copy of a CREATING volume with a source on; returns the record to mark READY (its
   * source's phase DONE) once the volume holds its content and nothing of the source is held for
   * it any more. Progress is written to the journal as it is made.
   */
  VolumeRecord fill(VolumeRecord creating);

  /** Gives back what an unfinished copy holds for the volume (a mounted snapshot, a clone's own snapshot); done already is fine. */
  void release(VolumeRecord deleting);
}
