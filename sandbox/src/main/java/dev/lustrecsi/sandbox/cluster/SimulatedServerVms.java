package dev.lustrecsi.sandbox.cluster;

import dev.lustrecsi.agent.AgentServer;
import dev.lustrecsi.agent.ListenAddress;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.metrics.AgentMetrics;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.common.metrics.MetricsAddress;
import dev.lustrecsi.common.metrics.MetricsServer;
import dev.lustrecsi.common.tls.TlsFiles;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.servers.ObjectMeta;
import dev.lustrecsi.controller.servers.TargetDisks;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What runs inside each Lustre server VM, for the sandbox: when KubeVirt (the simulator) starts
 * a VM, its targets are formatted once and mounted on the simulated servers, as the VM's setup
 * script does, and its agent starts serving at the VM's pod address over mutual TLS with the
 * certificate from its Secret disk, running the simulated Lustre commands beneath the agent's
 * real command runner, measured as the agent command measures it; its metrics are served at
 * the VM's address on a free port (a real VM serves them on the fixed agent metrics port, but
 * here every VM shares the machine with whatever else listens). {@link #setUp} runs again for every running VM on each pass, as the
 * setup timer does in a real VM, so OSTs added to a running OSS come up. A VM whose instance is
 * deleted shuts down: its agent stops and its targets unmount ({@link #shuttingDown}) while
 * KubeVirt keeps the instance until the guest is off.
 */
public final class SimulatedServerVms implements KubeVirtSimulator.Listener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SimulatedServerVms.class.getName());

  private final KubernetesClient client;
  private final String namespace;
  private final SimulatedServers servers;
  private final int agentPort;
  private final java.nio.file.Path snapshotMounts;
  private final Map<String, AgentServer> agents = new ConcurrentHashMap<>();
  private final Map<String, MetricsServer> agentMetrics = new ConcurrentHashMap<>();

  /**
   * @param snapshotMounts where each VM's agent gets the directory it mounts snapshots in (one per
   *     VM below it: each real VM has its own)
   */
  public SimulatedServerVms(KubernetesClient client, String namespace, SimulatedServers servers, int agentPort, java.nio.file.Path snapshotMounts) {
    this.snapshotMounts = snapshotMounts;
    this.client = client;
    this.namespace = namespace;
    this.servers = servers;
    this.agentPort = agentPort;
  }

  @Override
  public void started(GenericKubernetesResource vm, String podAddress) {
    String name = vm.getMetadata().getName();
    try {
      Optional<LustreFilesystem> filesystem = filesystemOf(vm);
      if (filesystem.isEmpty()) {
        return;
      }
      if (servers.server(name).isPresent()) {
        servers.serverUp(name);  // booting again (a restart, an eviction, a new image): up before its targets mount
      }
      setUp(name);
      servers.serverUp(name);
      LustreFilesystem fs = filesystem.get();
      boolean mds = TargetKinds.MDS.equals(vm.getMetadata().getLabels().get(ObjectMeta.ROLE_LABEL));
      AgentMetrics metrics = new AgentMetrics();
      AgentService service = new AgentService(metrics.measured(new SimulatedLustreCommands(servers, name)),
          mds ? Optional.of(servers.namespace(fs.getSpec().fsName())) : Optional.empty(), Optional.empty(), snapshotMounts.resolve(name));
      AgentServer agent = AgentServer.start(new ListenAddress(podAddress, agentPort), tlsOf(fs), service);
      AgentServer previous = agents.put(name, agent);
      if (previous != null) {
        previous.close();
      }
      MetricsServer previousMetrics = agentMetrics.put(name, MetricsServer.start(new MetricsAddress(podAddress, 0), metrics.registry()));
      if (previousMetrics != null) {
        previousMetrics.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "server VM " + name + " failed to come up: " + e.getMessage());
    }
  }

  /**
   * The guest shuts down as the image's does: systemd stops the agent, and the targets unmount.
   * An unmount keeps the clients' state on the target, so they replay to it when it mounts again:
   * to Lustre that is a server stop like any other, recovery included.
   */
  @Override
  public void shuttingDown(String vmName) {
    stopped(vmName);
  }

  @Override
  public void stopped(String vmName) {
    AgentServer agent = agents.remove(vmName);
    if (agent != null) {
      agent.close();
    }
    MetricsServer metrics = agentMetrics.remove(vmName);
    if (metrics != null) {
      metrics.close();
    }
    if (servers.server(vmName).isPresent()) {
      servers.serverDown(vmName);
    }
  }

  /** The setup script's work for one running VM: register it, format what was never formatted, mount what is not mounted. */
  public void setUp(String vmName) {
    GenericKubernetesResource vm = client.genericKubernetesResources(KubeVirtSimulator.VMS).inNamespace(namespace).withName(vmName).get();
    if (vm == null) {
      return;
    }
    Optional<LustreFilesystem> found = filesystemOf(vm);
    if (found.isEmpty() || found.get().getStatus() == null) {
      return;
    }
    LustreFilesystem filesystem = found.get();
    Optional<ServerStatus> server = filesystem.getStatus().servers().stream().filter(s -> s.name().equals(vmName)).findFirst();
    if (server.isEmpty()) {
      return;
    }
    servers.addServer(vmName, server.get().nids().getFirst());
    String attached = io.fabric8.kubernetes.client.utils.Serialization.asJson(vm.getAdditionalProperties().get("spec"));
    for (TargetStatus target : filesystem.getStatus().targets()) {
      if (!target.server().equals(vmName) || !attached.contains("\"claimName\":\"" + target.disk() + "\"")) {
        continue;  // not this VM's, or its disk is not hot-plugged yet
      }
      String fsName = filesystem.getSpec().fsName();
      TargetKind kind = TargetKind.valueOf(target.kind());
      if (kind == TargetKind.OST && servers.isReleased(fsName, target.index())) {
        continue;  // a drain let go of it; its disk waits to be detached (the script checks the same tag)
      }
      if (!servers.isFormatted(fsName, kind, target.index())) {
        servers.format(vmName, fsName, kind, target.index(), Sizes.parse(TargetDisks.size(filesystem.getSpec(), target.kind())));
      }
      if (servers.heldByAnotherInstance(fsName, kind, target.index())) {
        // As the script does: that target stays down, the others come up, and the next pass tries again.
        LOG.log(Level.WARNING, vmName + ": " + target.kind() + " " + target.index() + " is in use by another instance of the server; not importing it");
        continue;
      }
      servers.mount(fsName, kind, target.index());
    }
  }

  /** Reruns setup on every running VM, as each VM's setup timer does. */
  public void setUpAll(Iterable<String> running) {
    for (String vm : running) {
      try {
        setUp(vm);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "setup of " + vm + " failed: " + e.getMessage());
      }
    }
  }

  private Optional<LustreFilesystem> filesystemOf(GenericKubernetesResource vm) {
    Map<String, String> labels = vm.getMetadata().getLabels();
    String filesystem = labels == null ? null : labels.get(ObjectMeta.FILESYSTEM_LABEL);
    if (filesystem == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(client.resources(LustreFilesystem.class).inNamespace(namespace).withName(filesystem).get());
  }

  private TlsMaterial tlsOf(LustreFilesystem filesystem) throws IOException {
    String name = ResourceNames.of(filesystem.getSpec().fsName()).agentTlsSecret();
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      throw new IOException("Secret " + name + " (the VM's TLS disk) does not exist");
    }
    return new TlsMaterial(decode(secret, TlsFiles.CA), decode(secret, TlsFiles.CERT), decode(secret, TlsFiles.KEY));
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  /** The agents serving now, by VM name. */
  public List<String> serving() {
    return List.copyOf(agents.keySet());
  }

  /** Where each running VM's agent serves its metrics, by VM name. */
  public Map<String, URI> agentMetrics() {
    Map<String, URI> uris = new java.util.TreeMap<>();
    agentMetrics.forEach((vm, server) -> uris.put(vm, server.uri()));
    return uris;
  }

  @Override
  public void close() {
    agents.values().forEach(AgentServer::close);
    agents.clear();
    agentMetrics.values().forEach(MetricsServer::close);
    agentMetrics.clear();
  }
}
