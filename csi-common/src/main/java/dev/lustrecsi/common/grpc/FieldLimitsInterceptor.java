package dev.lustrecsi.common.grpc;

import com.google.protobuf.Message;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.error.ErrorMappingInterceptor;
import dev.lustrecsi.common.request.FieldLimits;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Refuses a request with a field over the CSI size limits ({@link FieldLimits}) before the
 * service sees it, on every RPC of both plugins, including the fields no service reads.
 */
public final class FieldLimitsInterceptor implements ServerInterceptor {
  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (message instanceof Message request) {
          try {
            FieldLimits.check(request);
          } catch (CsiException tooLarge) {
            refused = true;
            call.close(ErrorMappingInterceptor.statusOf(tooLarge), new Metadata());
            return;
          }
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        // A refused request never reached the service: there is nothing for it to answer.
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }
}
