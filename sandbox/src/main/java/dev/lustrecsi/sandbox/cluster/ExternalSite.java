package dev.lustrecsi.sandbox.cluster;

import dev.lustrecsi.agent.AgentServer;
import dev.lustrecsi.agent.ListenAddress;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Lustre filesystem a site runs on its own servers, for the sandbox: its MGS, MDS and OSSes are
 * simulated servers that no VM stands for (the site formatted and mounted them long ago), and its
 * management host, a Lustre client with the filesystem mounted, runs the real agent over mutual
 * TLS with a certificate from the installation's CA, on the simulated Lustre commands. The
 * driver reaches it only through that agent, as it would a real site's.
 */
public final class ExternalSite implements AutoCloseable {
  /** The management host's name among the simulated servers: a client only, it serves no target. */
  public static final String MANAGEMENT_HOST = "site-mgmt";

  private final String fsName;
  private final String mgsNid;
  private final AgentServer agent;
  private final SimulatedServers servers;

  private ExternalSite(String fsName, String mgsNid, AgentServer agent, SimulatedServers servers) {
    this.fsName = fsName;
    this.mgsNid = mgsNid;
    this.agent = agent;
    this.servers = servers;
  }

  /**
   * Brings up the site's servers for {@code fsName} (one MGS, one MDS, {@code osts} OSTs of
   * {@code ostBytes} on one OSS each) and the agent on its management host at {@code address},
   * serving with {@code tls}.
   */
  static ExternalSite start(SimulatedServers servers, String fsName, int osts, long ostBytes, String address, TlsMaterial tls)
      throws IOException {
    String mgsNid = "10.200.0.1@tcp";
    servers.addServer(fsName + "-site-mgs", mgsNid);
    servers.addServer(fsName + "-site-mds", "10.200.0.2@tcp");
    servers.format(fsName + "-site-mgs", fsName, TargetKind.MGT, 0, 1L << 30);
    servers.format(fsName + "-site-mds", fsName, TargetKind.MDT, 0, 64L << 30);
    for (int i = 0; i < osts; i++) {
      servers.addServer(fsName + "-site-oss" + i, "10.200.0." + (10 + i) + "@tcp");
      servers.format(fsName + "-site-oss" + i, fsName, TargetKind.OST, i, ostBytes);
    }
    servers.mount(fsName, TargetKind.MGT, 0);
    servers.mount(fsName, TargetKind.MDT, 0);
    for (int i = 0; i < osts; i++) {
      servers.mount(fsName, TargetKind.OST, i);
    }
    servers.addServer(MANAGEMENT_HOST, "10.200.0.100@tcp");
    AgentService service = new AgentService(new SimulatedLustreCommands(servers, MANAGEMENT_HOST), Optional.of(servers.namespace(fsName)));
    AgentServer agent = AgentServer.start(new ListenAddress(address, 0), tls, service);
    return new ExternalSite(fsName, mgsNid, agent, servers);
  }

  /** The LustreFilesystem spec an admin writes for this site, with the limits given. */
  public LustreFilesystemSpec spec(String volumeRoot, Double overcommit, Integer firstProjectId, Integer lastProjectId) {
    return LustreFilesystemSpec.external(fsName, new LustreFilesystemSpec.External(mgsNid, null, agentAddress(), volumeRoot, overcommit,
        firstProjectId == null && lastProjectId == null ? null : new LustreFilesystemSpec.ProjectIdRange(firstProjectId, lastProjectId)));
  }

  /** HOST:PORT of the management host's agent. */
  public String agentAddress() {
    return agent.listen().host() + ":" + agent.port();
  }

  /** The directory the management host's client mount shows. */
  public Path mount() {
    return servers.namespace(fsName);
  }

  /** An OST of the site's stops (its OSS lost it), as an admin's failure would. */
  public void loseOst(int index) {
    servers.unmount(fsName, TargetKind.OST, index);
  }

  /** The OSS of OST {@code index} crashes and boots again: the OST is mounted at once and recovers its clients. */
  public void crashAndRestartOss(int index) {
    String oss = fsName + "-site-oss" + index;
    servers.serverDown(oss);
    servers.serverUp(oss);
    servers.mount(fsName, TargetKind.OST, index);
  }

  @Override
  public void close() {
    agent.close();
  }
}
