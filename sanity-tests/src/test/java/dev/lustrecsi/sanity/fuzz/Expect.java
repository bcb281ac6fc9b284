package dev.lustrecsi.sanity.fuzz;

import io.grpc.Status.Code;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a fuzzed request may be answered with, by the CSI spec and docs/conformance.md. INTERNAL,
 * UNKNOWN and a missed deadline are never acceptable, whatever the request.
 *
 * @param mayBeOk whether OK is a right answer
 * @param codes the failure codes that are right answers
 * @param unconfirmed for ValidateVolumeCapabilities: an OK answer must not confirm
 */
record Expect(boolean mayBeOk, Set<Code> codes, boolean unconfirmed) {
  /** Codes that say something about the request or the volume; never about a fault of the driver. */
  private static final Set<Code> ANSWERS = EnumSet.of(Code.INVALID_ARGUMENT, Code.NOT_FOUND, Code.ALREADY_EXISTS,
      Code.FAILED_PRECONDITION, Code.OUT_OF_RANGE, Code.ABORTED, Code.RESOURCE_EXHAUSTED, Code.UNIMPLEMENTED);

  /** A request whose right answer the fuzzer does not model: anything but a fault. */
  static Expect anything() {
    return new Expect(true, ANSWERS, false);
  }

  /** A request that is right as it is: OK and nothing else. */
  static Expect ok() {
    return new Expect(true, EnumSet.noneOf(Code.class), false);
  }

  /** A request the driver must refuse, with one of these codes. */
  static Expect fails(Code first, Code... more) {
    return new Expect(false, EnumSet.of(first, more), false);
  }

  /** A caller's mistake: INVALID_ARGUMENT. */
  static Expect refused() {
    return fails(Code.INVALID_ARGUMENT);
  }

  /** ValidateVolumeCapabilities of something the volume cannot be: an answer that does not confirm, or a refusal. */
  static Expect notConfirmed() {
    return new Expect(true, EnumSet.of(Code.INVALID_ARGUMENT, Code.NOT_FOUND), true);
  }

  /** The same, with UNAVAILABLE allowed too: CreateVolume and expansion while a filesystem grows. */
  Expect orUnavailable() {
    Set<Code> more = EnumSet.copyOf(codes);
    more.add(Code.UNAVAILABLE);
    return new Expect(mayBeOk, more, unconfirmed);
  }

  /** What is left to say when several mutations meet in one request: only that it must not be OK if one of them must fail. */
  Expect and(Expect other) {
    Set<Code> all = EnumSet.copyOf(ANSWERS);
    all.addAll(codes);
    all.addAll(other.codes);
    return new Expect(mayBeOk && other.mayBeOk, all, unconfirmed || other.unconfirmed);
  }
}
