package dev.lustrecsi.sanity.fuzz;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import csi.v1.ValidateVolumeCapabilitiesResponse;
import dev.lustrecsi.common.error.CallerText;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Sends one fuzzed request and says what was wrong with how the driver took it: a fault
 * (INTERNAL, UNKNOWN) or a hang (the deadline passed), OK for a request that must fail or a
 * failure the spec does not allow, a message with a raw control character or too long for a
 * header, a mount outside the allowed roots, a change in the canary, a mount of one volume
 * changed by a request naming another, and a log line with a raw control character.
 */
final class Judge {
  /** The most bytes of message a status may carry (docs/conformance.md). */
  private static final int MESSAGE_BYTES = 2000;

  /** The code a request was answered with, and what was wrong. */
  record Verdict(Status.Code code, List<String> findings) {}

  private final FuzzWorld world;
  private final LogCapture logs;
  private final Path allowedArea;
  private final List<String> canary;

  /** @param allowedArea where the driver may mount anything: the sandbox's directory; null for a driver elsewhere */
  Judge(FuzzWorld world, LogCapture logs, Path allowedArea) {
    this.world = world;
    this.logs = logs;
    this.allowedArea = allowedArea;
    this.canary = listing(world.canary);
  }

  Verdict judge(FuzzCase fuzzCase) {
    Map<Path, MountPoints.Mount> before = MountPoints.read();
    Status.Code code;
    Message answer = null;
    List<String> findings = new ArrayList<>();
    try {
      answer = fuzzCase.call().get();
      code = Status.Code.OK;
      checkAnswer(fuzzCase, answer, findings);
    } catch (StatusRuntimeException e) {
      code = e.getStatus().getCode();
      checkFailure(fuzzCase, e.getStatus(), findings);
    }
    Map<Path, MountPoints.Mount> after = MountPoints.read();
    checkMounts(fuzzCase, code, before, after, findings);
    if (!listing(world.canary).equals(canary)) {
      findings.add("the canary directory outside the allowed roots changed: " + listing(world.canary));
    }
    for (String line : logs.unsafeLines()) {
      findings.add("log line with a raw control character: " + line);
    }
    if (answer != null) {
      // Only now: what the world does with an answer (undoing old mounts, deleting old volumes) is not the request's doing.
      fuzzCase.onOk().accept(answer);
    }
    return new Verdict(code, findings);
  }

  private static void checkAnswer(FuzzCase fuzzCase, Message answer, List<String> findings) {
    if (!fuzzCase.expect().mayBeOk()) {
      findings.add("OK for a request that must fail with one of " + fuzzCase.expect().codes());
    }
    if (fuzzCase.expect().unconfirmed() && answer instanceof ValidateVolumeCapabilitiesResponse validated && validated.hasConfirmed()) {
      findings.add("confirmed what the volume cannot be");
    }
    messagesOf(answer).filter(m -> !CallerText.isPrintable(m)).forEach(m -> findings.add("answer message with a raw control character: "
        + CallerText.quote(m)));
  }

  private static void checkFailure(FuzzCase fuzzCase, Status status, List<String> findings) {
    switch (status.getCode()) {
      case INTERNAL, UNKNOWN -> findings.add("fault: " + status.getCode() + " " + CallerText.quote(status.getDescription()));
      case DEADLINE_EXCEEDED -> findings.add("hang: no answer within the deadline");
      default -> {
        if (!fuzzCase.expect().codes().contains(status.getCode())) {
          findings.add("answered " + status.getCode() + " " + CallerText.quote(status.getDescription()) + "; right answers: "
              + (fuzzCase.expect().mayBeOk() ? "OK, " : "") + fuzzCase.expect().codes());
        }
      }
    }
    String message = Objects.requireNonNullElse(status.getDescription(), "");
    if (!CallerText.isPrintable(message)) {
      findings.add("status message with a raw control character: " + CallerText.quote(message));
    }
    if (message.getBytes(StandardCharsets.UTF_8).length > MESSAGE_BYTES) {
      findings.add("status message of " + message.length() + " characters");
    }
  }

  private void checkMounts(FuzzCase fuzzCase, Status.Code code, Map<Path, MountPoints.Mount> before, Map<Path, MountPoints.Mount> after,
      List<String> findings) {
    for (Map.Entry<Path, MountPoints.Mount> mount : after.entrySet()) {
      Path point = mount.getKey();
      if (Objects.equals(before.get(point), mount.getValue())) {
        continue;
      }
      if (point.startsWith(world.canary) || ours(mount.getValue()) && !point.startsWith(allowedArea)) {
        findings.add("mounted outside the allowed roots: " + point);
      }
      String named = fuzzCase.volumeId();
      if (code == Status.Code.OK && named != null && !named.startsWith("static:") && point.startsWith(world.dir)) {
        // What an OK stage or publish mounted must be the volume its id names, where the world knows that volume's root.
        String expected = rootOf(named, before, after);
        if (expected != null && !expected.equals(mount.getValue().root())) {
          findings.add("a request naming " + named + " mounted " + mount.getValue().root() + " at " + point);
        }
      }
    }
    String named = fuzzCase.volumeId();
    if (named == null || named.startsWith("static:")) {
      return;  // a static id without its context names no directory: it may act on any of the driver's mounts
    }
    for (Map.Entry<Path, String> held : world.heldMounts().entrySet()) {
      MountPoints.Mount was = before.get(held.getKey());
      boolean sameVolume = named.equals(held.getValue()) || world.dataOf(named) != null && world.dataOf(named).equals(world.dataOf(held.getValue()));
      if (was != null && !was.equals(after.get(held.getKey())) && !sameVolume) {
        findings.add("a request naming " + named + " changed the mount of " + held.getValue() + " at " + held.getKey());
      }
    }
  }

  /**
   * Whether the driver under test made this mount: other processes on the machine mount too. A
   * sandbox's mounts all show part of its own directory, whose name is unique; a driver
   * elsewhere is watched in the canary only.
   */
  private boolean ours(MountPoints.Mount mount) {
    return allowedArea != null && mount.root().contains("/" + allowedArea.getFileName() + "/");
  }

  private String rootOf(String volumeId, Map<Path, MountPoints.Mount> before, Map<Path, MountPoints.Mount> after) {
    String data = world.dataOf(volumeId);
    if (data == null) {
      return null;
    }
    Path staging = data.equals("a") ? world.stagingA : world.stagingB;
    MountPoints.Mount mount = before.getOrDefault(staging, after.get(staging));
    return mount == null ? null : mount.root();
  }

  /** The text of every field named message, however deep: what an answer says in words. */
  private static Stream<String> messagesOf(Message message) {
    return message.getAllFields().entrySet().stream().flatMap(field -> {
      FieldDescriptor descriptor = field.getKey();
      List<?> values = descriptor.isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
      return values.stream().flatMap(value -> value instanceof Message nested ? messagesOf(nested)
          : descriptor.getName().equals("message") ? Stream.of(String.valueOf(value)) : Stream.empty());
    });
  }

  /** Every path below the directory with its size, links not followed. */
  private static List<String> listing(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.map(p -> dir.relativize(p) + ":" + (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? size(p) : "d"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }
}
