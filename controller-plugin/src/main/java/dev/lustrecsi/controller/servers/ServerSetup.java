package dev.lustrecsi.controller.servers;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The cloud-init that turns a booted server image into one Lustre server: it writes the setup
 * script (lustre-csi-setup.sh, shipped in this jar) with its settings, the systemd units that run
 * it and the server agent, and starts them. Pure functions of the filesystem and the server.
 *
 * <p>The constants are also what the server image must provide; deploy-tests checks the image
 * recipe (deploy/images/server-vm/build.sh) against them.
 */
public final class ServerSetup {
  public static final String SCRIPT_RESOURCE = "lustre-csi-setup.sh";
  public static final String LNET_INTERFACE = "lnet0";
  public static final String TLS_LABEL = "LCSITLS";
  public static final String TLS_DIR = "/etc/lustre-csi/tls";
  public static final String CLIENT_MOUNT_ROOT = "/lustre/client";

  /** The Lustre server release the setup script is written for (and was tried on). */
  public static final String LUSTRE_RELEASE = "2.16.1";
  /** The OSD the script formats targets with ({@code mkfs.lustre --backfstype}): each target a ZFS pool. */
  public static final String OSD = "zfs";

  /** Where the image installs the launcher and the shaded jar the dist module builds. */
  public static final String AGENT_HOME = "/opt/lustre-csi";
  /** The launcher (bin/lustre-csi of this repository); bin/jdk.sh, which it sources, lies beside it. */
  public static final String LAUNCHER = AGENT_HOME + "/bin/lustre-csi";
  /** The jar the launcher runs: the image has no sources to build one from, so the agent unit names it. */
  public static final String JAR = AGENT_HOME + "/lustre-csi.jar";

  /** Where cloud-init writes the setup script. */
  public static final String SETUP_COMMAND = "/usr/local/sbin/lustre-csi-setup";
  public static final String SETUP_SERVICE = "lustre-csi-setup.service";
  public static final String SETUP_TIMER = "lustre-csi-setup.timer";
  /** The MDS's client mount, in a unit of its own so that nothing waits for it. */
  public static final String CLIENT_MOUNT_SERVICE = "lustre-csi-client-mount.service";
  public static final String AGENT_SERVICE = "lustre-csi-agent.service";
  /** Units cloud-init enables that the image itself must carry. */
  public static final List<String> IMAGE_UNITS = List.of("qemu-guest-agent.service");
  /**
   * Where each agent serves Prometheus metrics, on the VM's pod-network address. Fixed: every VM
   * has its pod address to itself, and the chart's Service for scraping the agents names this port.
   */
  public static final int AGENT_METRICS_PORT = 9444;
  /**
   * Where the setup writes how the MDS's client mount stands (mounted, still mounting, waiting for
   * OSTs, failed): the agent quotes it when a volume call finds no client mount, so the caller
   * learns why, and not only that it must retry. The script's own default (its STATE_DIR); the
   * script test checks the two agree.
   */
  public static final String CLIENT_MOUNT_STATUS = "/var/lib/lustre-csi/client-mount.status";
  /**
   * Where the setup keeps why it leaves each target down (a pool another instance of the server
   * still uses), one file per target: the agent reports them with its health. The script's own
   * default (its POOL_STATUS_DIR); the script test checks the two agree. The agent reads it by
   * default and the user data does not name it: user data is rewritten for every server when the
   * controller is upgraded, and a server still on an older image would have its agent refuse an
   * option it does not know at its next boot. New agent options must keep to that rule.
   */
  public static final String SETUP_PROBLEMS = "/var/lib/lustre-csi/pools";
  /** How long one attempt at the MDS's client mount may take before it gives up and the timer tries again. */
  public static final int CLIENT_MOUNT_TIMEOUT_SECONDS = 120;

  private ServerSetup() {}

  /** The setup script, as it runs in the VM. */
  public static String script() {
    try (InputStream in = ServerSetup.class.getResourceAsStream(SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT_RESOURCE + " is missing from the controller's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The script's settings: one shell assignment per line, values single-quoted. */
  public static String environment(LustreFilesystem filesystem, ServerStatus server, ServerStatus mgs) {
    String fsName = filesystem.getSpec().fsName();
    String nets = server.nids().stream()
        .map(nid -> nid.substring(nid.indexOf('@') + 1))
        .map(net -> (net.matches(".*\\d$") ? net : net + "0") + ":" + LNET_INTERFACE)
        .collect(Collectors.joining(" "));
    return "FSNAME=" + quote(fsName) + "\n"
        + "ROLE=" + quote(server.role()) + "\n"
        + "MGS_NIDS=" + quote(String.join(",", mgs.nids())) + "\n"
        + "LNET_NETS=" + quote(nets) + "\n"
        + "CLIENT_MOUNT=" + quote(clientMount(fsName)) + "\n"
        + "CLIENT_MOUNT_UNIT=" + quote(CLIENT_MOUNT_SERVICE) + "\n"
        + "LEGACY_HOSTID=" + quote(legacyHostId(server.address())) + "\n"
        + "CLIENT_MOUNT_TIMEOUT=" + quote(Integer.toString(CLIENT_MOUNT_TIMEOUT_SECONDS)) + "\n";
  }

  public static String clientMount(String fsName) {
    return CLIENT_MOUNT_ROOT + "/" + fsName;
  }

  /**
   * The ZFS host id every boot of the server took before each boot got one of its own: its
   * storage-network address in hex (10.1.0.12 is 0a01000c). The setup script imports a pool last
   * imported under it (made before multihost was turned on) with -f once, as it was imported
   * without -f then, and turns multihost on; it imports no other foreign pool without that.
   */
  public static String legacyHostId(String ipv4) {
    StringBuilder hex = new StringBuilder();
    for (String octet : ipv4.split("\\.")) {
      hex.append(String.format("%02x", Integer.parseInt(octet)));
    }
    return hex.toString();
  }

  /** The #cloud-config user data. */
  public static String userData(LustreFilesystem filesystem, ServerStatus server, ServerStatus mgs, int agentPort) {
    String fsName = filesystem.getSpec().fsName();
    String agent = LAUNCHER + " agent --listen 0.0.0.0:" + agentPort + " --tls-dir " + TLS_DIR
        + ("mds".equals(server.role()) ? " --client-mount " + clientMount(fsName) + " --client-mount-status " + CLIENT_MOUNT_STATUS : "")
        + " --metrics-address :" + AGENT_METRICS_PORT;
    return "#cloud-config\n"
        + "write_files:\n"
        + file("/etc/lustre-csi/server.env", "0644", environment(filesystem, server, mgs))
        + "- path: " + SETUP_COMMAND + "\n"
        + "  permissions: '0755'\n"
        + "  encoding: b64\n"
        + "  content: " + Base64.getEncoder().encodeToString(script().getBytes(StandardCharsets.UTF_8)) + "\n"
        + file(unitPath(SETUP_SERVICE), "0644", """
            [Unit]
            Description=lustre-csi: bring this server's Lustre targets up
            After=network-online.target
            Wants=network-online.target
            [Service]
            Type=oneshot
            ExecStart=%s
            """.formatted(SETUP_COMMAND))
        + file(unitPath(SETUP_TIMER), "0644", """
            [Unit]
            Description=lustre-csi: pick up new target disks
            [Timer]
            OnBootSec=5
            OnUnitInactiveSec=60
            [Install]
            WantedBy=timers.target
            """)
        // The script bounds each attempt itself; the start timeout is the backstop should a mount ignore its signals.
        + file(unitPath(CLIENT_MOUNT_SERVICE), "0644", """
            [Unit]
            Description=lustre-csi: mount the filesystem as a client for the agent (the setup starts it on the MDS)
            After=network-online.target
            [Service]
            Type=oneshot
            ExecStart=%s client-mount
            TimeoutStartSec=%d
            """.formatted(SETUP_COMMAND, CLIENT_MOUNT_TIMEOUT_SECONDS + 60))
        // Not ordered after the setup: the agent reports health whatever state the targets are in.
        + file(unitPath(AGENT_SERVICE), "0644", """
            [Unit]
            Description=lustre-csi server agent
            After=network-online.target
            [Service]
            Environment=LUSTRE_CSI_JAR=%s
            ExecStartPre=/bin/sh -c 'mkdir -p %s && (mountpoint -q %s || mount -o ro /dev/disk/by-label/%s %s)'
            ExecStart=%s
            Restart=always
            RestartSec=5
            [Install]
            WantedBy=multi-user.target
            """.formatted(JAR, TLS_DIR, TLS_DIR, TLS_LABEL, TLS_DIR, agent))
        + "runcmd:\n"
        + "- [systemctl, daemon-reload]\n"
        + IMAGE_UNITS.stream().map(unit -> "- [systemctl, enable, --now, " + unit + "]\n").collect(Collectors.joining())
        + "- [systemctl, enable, --now, " + SETUP_TIMER + "]\n"
        + "- [systemctl, enable, --now, " + AGENT_SERVICE + "]\n";
  }

  private static String unitPath(String unit) {
    return "/etc/systemd/system/" + unit;
  }

  /** cloud-init network config v2: the storage network interface, found by its fixed MAC. */
  public static String networkData(ServerStatus server, String prefixedAddress) {
    return "version: 2\n"
        + "ethernets:\n"
        + "  " + LNET_INTERFACE + ":\n"
        + "    match:\n"
        + "      macaddress: '" + macAddress(server.address()) + "'\n"
        + "    set-name: " + LNET_INTERFACE + "\n"
        + "    addresses: ['" + prefixedAddress + "']\n";
  }

  /**
   * A locally administered MAC derived from the server's address, so the guest finds its storage
   * interface by MAC on every boot whatever name the kernel gives it.
   */
  public static String macAddress(String ipv4) {
    String[] octets = ipv4.split("\\.");
    StringBuilder mac = new StringBuilder("02:6c");
    for (String octet : octets) {
      mac.append(':').append(String.format("%02x", Integer.parseInt(octet)));
    }
    return mac.toString();
  }

  private static String file(String path, String permissions, String content) {
    StringBuilder entry = new StringBuilder()
        .append("- path: ").append(path).append('\n')
        .append("  permissions: '").append(permissions).append("'\n")
        .append("  content: |\n");
    for (String line : content.split("\n", -1)) {
      if (!line.isEmpty()) {
        entry.append("    ").append(line).append('\n');
      }
    }
    return entry.toString();
  }

  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
