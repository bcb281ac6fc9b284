package dev.lustrecsi.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.CreateVolumeResponse;
import csi.v1.DeleteVolumeRequest;
import csi.v1.DeleteVolumeResponse;
import csi.v1.IdentityGrpc;
import csi.v1.ProbeRequest;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.identity.IdentityService;
import dev.lustrecsi.common.identity.PluginInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsiServerTest {
  @TempDir Path dir;

  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logLines.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** A controller whose calls fail the ways real services do. */
  static final class FailingController extends ControllerGrpc.ControllerImplBase {
    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> response) {
      throw CsiException.invalidArgument("parameters.fsName", "is required");
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> response) {
      throw new IllegalStateException("a bug");
    }
  }

  /** A controller that answers NOT_FOUND quoting the id, and counts the calls that reach it. */
  static final class EchoingController extends ControllerGrpc.ControllerImplBase {
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> response) {
      calls.incrementAndGet();
      throw CsiException.notFound("volume " + dev.lustrecsi.common.error.CallerText.quote(request.getVolumeId()) + " does not exist");
    }

    @Override
    public void controllerGetVolume(csi.v1.ControllerGetVolumeRequest request, StreamObserver<csi.v1.ControllerGetVolumeResponse> response) {
      // As a status from a call further on (an agent's) arrives: whatever it carries.
      throw Status.NOT_FOUND.withDescription("the agent said: " + request.getVolumeId() + "\n" + "x".repeat(10_000)).asRuntimeException();
    }

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> response) {
      calls.incrementAndGet();
      // A message that carries caller text raw, as a careless one would: the status still goes out bounded and escaped.
      throw CsiException.invalidArgument("name", "\"" + request.getName() + "\" " + "is wrong ".repeat(2000));
    }
  }

  @Test
  void aRequestOverTheCsiSizeLimitsIsRefusedBeforeTheServiceSeesIt() {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    EchoingController service = new EchoingController();
    try (CsiServer server = CsiServer.start(endpoint, List.of(service));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var controller = ControllerGrpc.newBlockingStub(client.channel());
      assertThatThrownBy(() -> controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId("v".repeat(64 * 1024)).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as("not RESOURCE_EXHAUSTED from an echo of 64 KiB").isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo("volume_id: is 65536 bytes; at most 128 are allowed");
          });
      assertThatThrownBy(() -> controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId("fs1/v").putSecrets("k", "s".repeat(5000)).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).startsWith("secrets: ").doesNotContain("sss");
          });
      assertThat(service.calls).as("calls that reached the service").hasValue(0);
      assertThatThrownBy(() -> controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId("fs1/v").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
    assertThat(logLines).noneMatch(line -> line.contains("vvvvvvvvvv".repeat(30)));
  }

  @Test
  void anErrorMessageGoesOutEscapedAndBoundedWhateverItHolds() {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new EchoingController()));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var controller = ControllerGrpc.newBlockingStub(client.channel());
      assertThatThrownBy(() -> controller.createVolume(CreateVolumeRequest.newBuilder().setName("a\nb\u001b[31m").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).startsWith("name: \"a\\nb\\x1b[31m\" is wrong").endsWith("...")
                .hasSizeLessThanOrEqualTo(CsiException.MAX_MESSAGE_BYTES);
          });
    }
  }

  @Test
  void aStatusFromFurtherOnGoesOutHeldToTheSameBounds() {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new EchoingController()));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var controller = ControllerGrpc.newBlockingStub(client.channel());
      assertThatThrownBy(() -> controller.controllerGetVolume(csi.v1.ControllerGetVolumeRequest.newBuilder().setVolumeId("fs1/\u001b[2J").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).startsWith("the agent said: fs1/\\x1b[2J\\nxxx")
                .hasSizeLessThanOrEqualTo(CsiException.MAX_MESSAGE_BYTES);
          });
    }
  }

  @Test
  void theCallLogCarriesNoRawControlCharacterFromTheCaller() {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new EchoingController()));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var controller = ControllerGrpc.newBlockingStub(client.channel());
      assertThatThrownBy(() -> controller.deleteVolume(DeleteVolumeRequest.newBuilder()
          .setVolumeId("x\n2024-01-01 INFO forged\r\u001b[2J\0").build())).isInstanceOf(StatusRuntimeException.class);
    }
    assertThat(logLines).anySatisfy(line -> assertThat(line)
        .startsWith("DeleteVolume volume=\"x\\n2024-01-01 INFO forged\\r\\x1b[2J\\x00\" code=NOT_FOUND"));
    assertThat(logLines).allSatisfy(line -> assertThat(dev.lustrecsi.common.error.CallerText.isPrintable(line)).as(line).isTrue());
  }

  // Held in a field: java.util.logging keeps loggers only weakly, so a logger fetched, given a
  // handler and dropped can be collected and replaced by a fresh one without the handler.
  private final Logger callLog = Logger.getLogger("csi.calls");

  @BeforeEach
  void captureLogs() {
    callLog.addHandler(capture);
  }

  @AfterEach
  void releaseLogs() {
    callLog.removeHandler(capture);
  }

  @Test
  void servesOverAUnixSocketAndReportsReadiness() {
    AtomicBoolean ready = new AtomicBoolean(false);
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new IdentityService(PluginInfo.current(), ready::get)));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var identity = IdentityGrpc.newBlockingStub(client.channel());
      assertThat(identity.probe(ProbeRequest.getDefaultInstance()).getReady().getValue()).isFalse();
      ready.set(true);
      assertThat(identity.probe(ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
    }
    assertThat(dir.resolve("csi.sock")).doesNotExist();
  }

  @Test
  void replacesAStaleSocketFile() throws Exception {
    Files.writeString(dir.resolve("csi.sock"), "left over by a crashed plugin");
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new IdentityService(PluginInfo.current(), () -> true)));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      assertThat(IdentityGrpc.newBlockingStub(client.channel()).probe(ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
    }
  }

  @Test
  void mapsDomainErrorsToTheirCodeAndBugsToInternal() {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new FailingController()));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var controller = ControllerGrpc.newBlockingStub(client.channel());
      assertThatThrownBy(() -> controller.createVolume(CreateVolumeRequest.newBuilder().setName("v").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo("parameters.fsName: is required");
          });
      assertThatThrownBy(() -> controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId("fs1/v").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
    }
  }

  @Test
  void logsEveryCallWithoutSecrets() {
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new FailingController()));
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      var controller = ControllerGrpc.newBlockingStub(client.channel());
      assertThatThrownBy(() -> controller.deleteVolume(DeleteVolumeRequest.newBuilder()
          .setVolumeId("fs1/pvc-1").putSecrets("password", "hunter2").build())).isInstanceOf(StatusRuntimeException.class);
    }
    assertThat(logLines).anySatisfy(line -> assertThat(line)
        .startsWith("DeleteVolume volume=fs1/pvc-1 code=INTERNAL ms="));
    assertThat(String.join("\n", logLines)).doesNotContain("hunter2").doesNotContain("password");
  }
}
