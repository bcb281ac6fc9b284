package dev.lustrecsi.common.identity;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The driver's name and version.
 *
 * @param driverName the CSI driver name, as in the CSIDriver object and StorageClass provisioner
 * @param version the build's version, read from the jar
 */
public record PluginInfo(String driverName, String version) {
  /** The driver name registered with Kubernetes. */
  public static final String DRIVER_NAME = "lustre.csi.lustrecsi.dev";

  /** This build's identity: the version Maven stamped into {@code lustre-csi-version.properties}. */
  public static PluginInfo current() {
    return new PluginInfo(DRIVER_NAME, buildVersion());
  }

  private static String buildVersion() {
    try (InputStream in = PluginInfo.class.getResourceAsStream("/lustre-csi-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
