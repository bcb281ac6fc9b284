package dev.lustrecsi.agent.lustre;

/** A Lustre tool printed something its parser does not recognise: better to fail loudly than to guess. */
public final class UnexpectedOutputException extends RuntimeException {
  public UnexpectedOutputException(String tool, String problem) {
    super(tool + ": " + problem);
  }
}
