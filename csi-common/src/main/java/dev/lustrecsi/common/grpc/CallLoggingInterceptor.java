package dev.lustrecsi.common.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.lustrecsi.common.error.CallerText;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Logs every call once it ends: method, volume id, status code, duration, and the error message
 * when it failed. Only the {@code volume_id} field is read from requests, so secrets, volume
 * contexts and parameters never reach the log; it and the message are escaped, so no caller
 * text reaches it raw. The calls pollers make (see {@link #POLLED}) are logged at DEBUG when
 * they succeed: one line per server each second says nothing, and buries the lines that do.
 * A failed one is logged like any other.
 */
public final class CallLoggingInterceptor implements ServerInterceptor {
  private static final System.Logger LOG = System.getLogger("csi.calls");
  private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");

  /**
   * Calls made on a timer, which only read: kubelet's liveness sidecar (Probe, every few
   * seconds), kubelet's volume stats (NodeGetCapabilities then NodeGetVolumeStats, per volume each
   * minute), and the controller's checks of every server agent (GetHealth, GetTargetUsage and
   * CheckServers, on each reconcile pass).
   */
  static final Set<String> POLLED =
      Set.of("Probe", "NodeGetCapabilities", "NodeGetVolumeStats", "GetHealth", "GetTargetUsage", "CheckServers");

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    long started = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    String[] volumeId = {""};
    ServerCall<Q, A> logged =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            long micros = (System.nanoTime() - started) / 1_000;
            Level level = level(method, status);
            if (LOG.isLoggable(level)) {
              LOG.log(level, format(method, volumeId[0], status, micros));
            }
            super.close(status, trailers);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(logged, headers)) {
      @Override
      public void onMessage(Q message) {
        volumeId[0] = volumeIdOf(message);
        super.onMessage(message);
      }
    };
  }

  static Level level(String method, Status status) {
    return status.isOk() && POLLED.contains(method) ? Level.DEBUG : Level.INFO;
  }

  static String format(String method, String volumeId, Status status, long micros) {
    StringBuilder line = new StringBuilder(96).append(method);
    if (!volumeId.isEmpty()) {
      // The id is the caller's text: anything but a plain id is quoted and escaped, so it cannot
      // end the line, forge the fields after it or drive a terminal.
      line.append(" volume=").append(PLAIN_ID.matcher(volumeId).matches() ? volumeId : CallerText.quote(volumeId));
    }
    // Milliseconds with two decimals, formatted by hand: String.format parses its pattern on every call.
    long hundredths = (micros + 5) / 10;
    long fraction = hundredths % 100;
    line.append(" code=").append(status.getCode()).append(" ms=").append(hundredths / 100).append('.')
        .append(fraction < 10 ? "0" : "").append(fraction);
    if (!status.isOk() && status.getDescription() != null) {
      line.append(" error=\"").append(CallerText.printable(status.getDescription())).append('"');
    }
    return line.toString();
  }

  private static String volumeIdOf(Object request) {
    if (request instanceof Message message) {
      FieldDescriptor field = message.getDescriptorForType().findFieldByName("volume_id");
      if (field != null && field.getType() == FieldDescriptor.Type.STRING) {
        return (String) message.getField(field);
      }
    }
    return "";
  }
}
