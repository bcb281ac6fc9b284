package dev.lustrecsi.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.lang.System.Logger.Level;
import org.junit.jupiter.api.Test;

class CallLoggingInterceptorTest {
  @Test
  void aLineNamesMethodVolumeCodeAndMillisecondsRoundedToTwoDecimals() {
    assertThat(CallLoggingInterceptor.format("CreateVolume", "fs1/pvc-1", Status.OK, 1_234))
        .isEqualTo("CreateVolume volume=fs1/pvc-1 code=OK ms=1.23");
    assertThat(CallLoggingInterceptor.format("Probe", "", Status.OK, 5)).isEqualTo("Probe code=OK ms=0.01");
    assertThat(CallLoggingInterceptor.format("Probe", "", Status.OK, 0)).isEqualTo("Probe code=OK ms=0.00");
    assertThat(CallLoggingInterceptor.format("Probe", "", Status.OK, 1_099_996)).isEqualTo("Probe code=OK ms=1100.00");
    assertThat(CallLoggingInterceptor.format("Probe", "", Status.OK, 20_304)).isEqualTo("Probe code=OK ms=20.30");
  }

  @Test
  void callsMadeOnATimerAreDebugLinesWhileTheySucceedAndEveryOtherCallIsInfo() {
    for (String polled : new String[] {"Probe", "NodeGetVolumeStats", "NodeGetCapabilities", "GetHealth", "GetTargetUsage", "CheckServers"}) {
      assertThat(CallLoggingInterceptor.level(polled, Status.OK)).as(polled).isEqualTo(Level.DEBUG);
      assertThat(CallLoggingInterceptor.level(polled, Status.UNAVAILABLE)).as(polled + " failing").isEqualTo(Level.INFO);
    }
    for (String call : new String[] {"CreateVolume", "NodePublishVolume", "EnsureVolumeDirectory", "MigrateOstFiles", "NodeGetInfo"}) {
      assertThat(CallLoggingInterceptor.level(call, Status.OK)).as(call).isEqualTo(Level.INFO);
    }
  }

  @Test
  void aFailedCallCarriesItsMessage() {
    assertThat(CallLoggingInterceptor.format("DeleteVolume", "x", Status.NOT_FOUND.withDescription("volume x does not exist"), 70))
        .isEqualTo("DeleteVolume volume=x code=NOT_FOUND ms=0.07 error=\"volume x does not exist\"");
  }
}
