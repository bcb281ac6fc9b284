package dev.lustrecsi.node.csi;

import io.grpc.stub.StreamObserver;
import java.util.function.BiConsumer;

/** Calls a service method directly and returns its one answer; exceptions propagate as the server would map them. */
final class Calls {
  private Calls() {}

  static <Q, A> A call(BiConsumer<Q, StreamObserver<A>> method, Q request) {
    Object[] answer = new Object[1];
    method.accept(request, new StreamObserver<A>() {
      @Override
      public void onNext(A value) {
        answer[0] = value;
      }

      @Override
      public void onError(Throwable t) {
        throw new IllegalStateException(t);
      }

      @Override
      public void onCompleted() {}
    });
    @SuppressWarnings("unchecked")
    A result = (A) answer[0];
    return result;
  }
}
