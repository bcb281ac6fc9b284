package dev.lustrecsi.common.identity;

import com.google.protobuf.BoolValue;
import csi.v1.GetPluginCapabilitiesRequest;
import csi.v1.GetPluginCapabilitiesResponse;
import csi.v1.GetPluginInfoRequest;
import csi.v1.GetPluginInfoResponse;
import csi.v1.IdentityGrpc;
import csi.v1.ProbeRequest;
import csi.v1.ProbeResponse;
import io.grpc.stub.StreamObserver;
import java.util.function.BooleanSupplier;

/**
 * The CSI Identity service both plugins serve: who we are, what we can do, and whether we are
 * ready. What we can do is the driver's, the same on every socket ({@link DriverCapabilities});
 * readiness is the plugin's own check (the node plugin, for example, is not ready until it can
 * mount), so liveness probes and the sidecars see the truth.
 */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {
  private final PluginInfo info;
  private final BooleanSupplier ready;

  public IdentityService(PluginInfo info, BooleanSupplier ready) {
    this.info = info;
    this.ready = ready;
  }

  @Override
  public void getPluginInfo(GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> response) {
    response.onNext(GetPluginInfoResponse.newBuilder()
        .setName(info.driverName())
        .setVendorVersion(info.version())
        .build());
    response.onCompleted();
  }

  @Override
  public void getPluginCapabilities(GetPluginCapabilitiesRequest request, StreamObserver<GetPluginCapabilitiesResponse> response) {
    response.onNext(GetPluginCapabilitiesResponse.newBuilder().addAllCapabilities(DriverCapabilities.ALL).build());
    response.onCompleted();
  }

  @Override
  public void probe(ProbeRequest request, StreamObserver<ProbeResponse> response) {
    response.onNext(ProbeResponse.newBuilder().setReady(BoolValue.of(ready.getAsBoolean())).build());
    response.onCompleted();
  }
}
