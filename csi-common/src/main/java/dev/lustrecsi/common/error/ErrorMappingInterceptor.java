package dev.lustrecsi.common.error;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.lang.System.Logger.Level;

/**
 * Maps exceptions thrown by service methods to gRPC statuses, in one place.
 *
 * <p>Unary handlers run the service method inside {@code onHalfClose}; catching there lets every
 * service simply throw {@link CsiException}. Anything else is a bug on our side and becomes
 * INTERNAL with the exception's message, never the UNKNOWN that grpc-java would send.
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {
  private static final System.Logger LOG = System.getLogger(ErrorMappingInterceptor.class.getName());

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          close(call, statusOf(e));
        }
      }

      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          close(call, statusOf(e));
        }
      }
    };
  }

  /** The status a caller receives for an exception escaping a service method. */
  public static Status statusOf(Throwable e) {
    if (e instanceof CsiException csi) {
      return csi.toStatus();
    }
    if (e instanceof io.grpc.StatusRuntimeException sre) {
      // A status from a call further on (an agent's) goes out held to the same bounds as our own.
      Status status = sre.getStatus();
      return status.getDescription() == null ? status
          : status.withDescription(CallerText.printable(status.getDescription(), CsiException.MAX_MESSAGE_BYTES));
    }
    LOG.log(Level.ERROR, "unexpected failure in a CSI call", e);
    return Status.INTERNAL.withDescription(CallerText.printable("internal error: " + e, CsiException.MAX_MESSAGE_BYTES));
  }

  private static void close(ServerCall<?, ?> call, Status status) {
    try {
      call.close(status, new Metadata());
    } catch (IllegalStateException alreadyClosed) {
      // The service already answered; nothing more can be sent.
    }
  }
}
