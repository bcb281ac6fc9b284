package dev.lustrecsi.common.error;

import io.grpc.Status;

/**
 * A failure with the CSI status code it must reach the caller with.
 *
 * <p>Domain code throws these at the point where it knows what went wrong; {@link
 * ErrorMappingInterceptor} is the one place that turns them into gRPC statuses. The message is
 * what the caller sees, so it names the offending field or object; caller-supplied values in it
 * are quoted with {@link CallerText#quote}.
 */
public final class CsiException extends RuntimeException {
  /** The most bytes of message a status carries; percent-encoded, that stays well under 8 KiB. */
  public static final int MAX_MESSAGE_BYTES = 2000;

  private final Status.Code code;

  private CsiException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }

  /**
   * The status the caller receives. Its message is escaped and bounded whatever it holds: it
   * travels in a response header, which a caller's limit (8 KiB in grpc-java and grpc-go) would
   * otherwise turn into RESOURCE_EXHAUSTED, and it reaches the call log.
   */
  public Status toStatus() {
    return Status.fromCode(code).withDescription(CallerText.printable(getMessage(), MAX_MESSAGE_BYTES));
  }

  public static CsiException invalidArgument(String field, String problem) {
    return new CsiException(Status.Code.INVALID_ARGUMENT, field + ": " + problem, null);
  }

  public static CsiException missing(String field) {
    return invalidArgument(field, "is required");
  }

  public static CsiException notFound(String message) {
    return new CsiException(Status.Code.NOT_FOUND, message, null);
  }

  public static CsiException alreadyExists(String message) {
    return new CsiException(Status.Code.ALREADY_EXISTS, message, null);
  }

  public static CsiException failedPrecondition(String message) {
    return new CsiException(Status.Code.FAILED_PRECONDITION, message, null);
  }

  public static CsiException outOfRange(String field, String problem) {
    return new CsiException(Status.Code.OUT_OF_RANGE, field + ": " + problem, null);
  }

  public static CsiException aborted(String message) {
    return new CsiException(Status.Code.ABORTED, message, null);
  }

  public static CsiException resourceExhausted(String message) {
    return new CsiException(Status.Code.RESOURCE_EXHAUSTED, message, null);
  }

  public static CsiException unavailable(String message) {
    return new CsiException(Status.Code.UNAVAILABLE, message, null);
  }

  public static CsiException internal(String message, Throwable cause) {
    return new CsiException(Status.Code.INTERNAL, message, cause);
  }

  /**
   * A failure another service reported with {@code code} (an agent's answer, say), passed on with
   * that code; OK and codes a caller of this driver never expects become INTERNAL.
   */
  public static CsiException withCode(Status.Code code, String message) {
    Status.Code passed = code == Status.Code.OK || code == Status.Code.UNKNOWN ? Status.Code.INTERNAL : code;
    return new CsiException(passed, message, null);
  }
}
