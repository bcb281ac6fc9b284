package dev.lustrecsi.controller.volume;

/**
 * A filesystem record changed in the journal since this journal last read it: another
 * controller wrote it first. The write was not made; the caller re-reads and decides again,
 * because blindly writing over the other controller's record could hand out its project ids.
 */
public final class StaleRecordException extends RuntimeException {
  public StaleRecordException(String fsName) {
    super("the record of filesystem " + fsName + " changed since it was read; re-read it and retry");
  }
}
