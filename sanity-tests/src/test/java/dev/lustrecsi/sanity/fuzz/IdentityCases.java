package dev.lustrecsi.sanity.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import csi.v1.ControllerGetCapabilitiesRequest;
import csi.v1.GetPluginCapabilitiesRequest;
import csi.v1.GetPluginInfoRequest;
import csi.v1.NodeGetCapabilitiesRequest;
import csi.v1.NodeGetInfoRequest;
import csi.v1.ProbeRequest;
import java.nio.charset.StandardCharsets;

/**
 * The RPCs without request fields: Identity on both sockets, and the capability and info calls.
 * All a caller can send them is fields they do not have, which must change nothing: OK, always.
 */
final class IdentityCases {
  private final HostileText text;
  private final Stubs stubs;

  IdentityCases(HostileText text, Stubs stubs) {
    this.text = text;
    this.stubs = stubs;
  }

  FuzzCase next(int changes) {
    boolean node = text.chance(50);
    String socket = node ? " (node)" : " (controller)";
    var identity = node ? stubs.nodeIdentity() : stubs.controllerIdentity();
    return switch (text.random().nextInt(5)) {
      case 0 -> {
        GetPluginInfoRequest request = unknown(GetPluginInfoRequest.getDefaultInstance(), changes);
        yield new FuzzCase("GetPluginInfo" + socket, describe(changes), Expect.ok(), () -> identity.getPluginInfo(request), null, null);
      }
      case 1 -> {
        GetPluginCapabilitiesRequest request = unknown(GetPluginCapabilitiesRequest.getDefaultInstance(), changes);
        yield new FuzzCase("GetPluginCapabilities" + socket, describe(changes), Expect.ok(), () -> identity.getPluginCapabilities(request), null, null);
      }
      case 2 -> {
        ProbeRequest request = unknown(ProbeRequest.getDefaultInstance(), changes);
        yield new FuzzCase("Probe" + socket, describe(changes), Expect.ok(), () -> identity.probe(request), null, null);
      }
      case 3 -> {
        ControllerGetCapabilitiesRequest request = unknown(ControllerGetCapabilitiesRequest.getDefaultInstance(), changes);
        yield new FuzzCase("ControllerGetCapabilities", describe(changes), Expect.ok(),
            () -> stubs.controller().controllerGetCapabilities(request), null, null);
      }
      default -> {
        if (node) {
          NodeGetInfoRequest request = unknown(NodeGetInfoRequest.getDefaultInstance(), changes);
          yield new FuzzCase("NodeGetInfo", describe(changes), Expect.ok(), () -> stubs.node().nodeGetInfo(request), null, null);
        }
        NodeGetCapabilitiesRequest request = unknown(NodeGetCapabilitiesRequest.getDefaultInstance(), changes);
        yield new FuzzCase("NodeGetCapabilities", describe(changes), Expect.ok(), () -> stubs.node().nodeGetCapabilities(request), null, null);
      }
    };
  }

  private static String describe(int changes) {
    return changes == 0 ? "as it is" : changes + " unknown fields";
  }

  /** The message with fields of numbers it does not have, holding hostile text. */
  @SuppressWarnings("unchecked")
  private <M extends Message> M unknown(M message, int fields) {
    UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
    for (int i = 0; i < fields; i++) {
      String value = text.chance(50) ? text.withControl(text.printable(20)) : text.overLimit(128);
      unknown.addField(1 + text.random().nextInt(1000),
          UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build());
    }
    return (M) message.toBuilder().setUnknownFields(unknown.build()).build();
  }
}
