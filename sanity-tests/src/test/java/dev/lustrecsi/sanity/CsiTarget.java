package dev.lustrecsi.sanity;

import csi.v1.ControllerGrpc;
import csi.v1.IdentityGrpc;
import csi.v1.NodeGrpc;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.sandbox.Sandbox;
import dev.lustrecsi.sandbox.co.CoRetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The driver under test: by default a {@link Sandbox} started in a fresh temporary directory (the
 * production controller path, with only the Kubernetes API, KubeVirt and Lustre's commands
 * simulated), or, when {@value #CONTROLLER_ENDPOINT} is set, a driver that is already running.
 *
 * <p>System properties (pass them to Maven with {@code -D}):
 * <ul>
 *   <li>{@value #CONTROLLER_ENDPOINT}: {@code unix:///path/controller.sock} of the controller plugin;</li>
 *   <li>{@value #NODE_ENDPOINT}: the node plugin's socket (defaults to the controller's, for a driver that serves both on one);</li>
 *   <li>{@value #MOUNT_ROOT}: a directory the node plugin accepts staging and target paths under (required with an external driver);</li>
 *   <li>{@value #PARAMETERS}: CreateVolume parameters as {@code k=v,k=v} (defaults to {@value #SANDBOX_PARAMETERS}).</li>
 * </ul>
 */
public final class CsiTarget implements AutoCloseable {
  public static final String CONTROLLER_ENDPOINT = "sanity.controllerEndpoint";
  public static final String NODE_ENDPOINT = "sanity.nodeEndpoint";
  public static final String MOUNT_ROOT = "sanity.mountRoot";
  public static final String PARAMETERS = "sanity.parameters";
  /**
   * The sandbox runs the suite on a filesystem the site runs, of this fsName (its management
   * host's agent over mutual TLS, no VMs); parameters then default to {@code fsName=NAME}.
   */
  public static final String EXTERNAL_FILESYSTEM = "sanity.externalFilesystem";

  private static final String WHY_NOT_TWICE = EXTERNAL_FILESYSTEM + " makes the suite start a sandbox of its own; the driver at "
      + CONTROLLER_ENDPOINT + " is checked by the run without it";

  /**
   * Whether this is the build's second run of the suite (surefire execution
   * conformance-on-a-site-filesystem, which starts a sandbox on a site filesystem) while the suite
   * is pointed at an external driver: that driver is checked by the first run, and this one skips.
   */
  static boolean siteRunOfAnExternalDriver() {
    return !System.getProperty(EXTERNAL_FILESYSTEM, "").isBlank() && !System.getProperty(CONTROLLER_ENDPOINT, "").isBlank();
  }

  /** Why {@link #siteRunOfAnExternalDriver} skips, for the test report. */
  static String whyNotTwice() {
    return WHY_NOT_TWICE;
  }

  /** Whether this run's volumes are on a filesystem the site runs (see {@link #EXTERNAL_FILESYSTEM}). */
  static boolean onSiteFilesystem() {
    return !System.getProperty(EXTERNAL_FILESYSTEM, "").isBlank();
  }

  /** A small OST size, so that the suite's volumes make the sandbox's filesystem grow. */
  static final String SANDBOX_PARAMETERS = "fsName=sanity,ostSize=16Gi";

  /** Deadline of every call the suite makes. */
  private static final long CALL_TIMEOUT_SECONDS = 60;

  private final Sandbox sandbox;
  private final Path sandboxDir;
  private final UnixSockets.Client controllerClient;
  private final UnixSockets.Client nodeClient;
  private final Path mountRoot;
  private final Map<String, String> parameters;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);

  private CsiTarget(Sandbox sandbox, Path sandboxDir, Endpoint controller, Endpoint node, Path mountRoot, Map<String, String> parameters) {
    this.sandbox = sandbox;
    this.sandboxDir = sandboxDir;
    this.controllerClient = UnixSockets.connect(controller);
    this.nodeClient = node.equals(controller) ? null : UnixSockets.connect(node);
    this.mountRoot = mountRoot;
    this.parameters = Collections.unmodifiableMap(parameters);
  }

  /** The target the system properties describe: an external driver, or a new sandbox. */
  public static CsiTarget fromSystemProperties() {
    String external = System.getProperty(EXTERNAL_FILESYSTEM, "").strip();
    Map<String, String> parameters = parseParameters(System.getProperty(PARAMETERS, external.isEmpty() ? SANDBOX_PARAMETERS : "fsName=" + external));
    String controller = System.getProperty(CONTROLLER_ENDPOINT, "").strip();
    if (!controller.isEmpty()) {
      if (siteRunOfAnExternalDriver()) {
        org.junit.jupiter.api.Assumptions.abort(WHY_NOT_TWICE);
      }
      Endpoint controllerEndpoint = Endpoint.parse(controller);
      String node = System.getProperty(NODE_ENDPOINT, "").strip();
      Endpoint nodeEndpoint = node.isEmpty() ? controllerEndpoint : Endpoint.parse(node);
      String root = System.getProperty(MOUNT_ROOT, "").strip();
      if (root.isEmpty()) {
        throw new IllegalStateException(MOUNT_ROOT + " must name a directory the node plugin may mount in when "
            + CONTROLLER_ENDPOINT + " points at an external driver");
      }
      Path mountRoot = Path.of(root).toAbsolutePath().normalize();
      try {
        Files.createDirectories(mountRoot);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + MOUNT_ROOT + " " + mountRoot, e);
      }
      return new CsiTarget(null, null, controllerEndpoint, nodeEndpoint, mountRoot, parameters);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("lustre-csi-sanity-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the sandbox", e);
    }
    Sandbox sandbox = Sandbox.start(dir);
    try {
      if (!external.isEmpty()) {
        // Eight OSTs of 128 GiB: the 1 TiB the suite's default filesystem may grow to.
        sandbox.cluster().addExternalFilesystem(external, 8, 128L << 30);
      }
      return new CsiTarget(sandbox, dir, sandbox.controllerEndpoint(), sandbox.nodeEndpoint(), sandbox.kubeletDir(), parameters);
    } catch (IOException | RuntimeException e) {
      sandbox.close();
      throw e instanceof IOException io ? new UncheckedIOException("cannot start the site's filesystem", io) : (RuntimeException) e;
    }
  }

  /** Parses {@code k=v,k=v}; blank entries are skipped, a value may itself hold '='. */
  static Map<String, String> parseParameters(String text) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(PARAMETERS + ": \"" + entry + "\" is not key=value");
      }
      parsed.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
    }
    return parsed;
  }

  /**
   * Makes a call as a CO's sidecar makes it: again, after a growing delay, while the driver
   * answers UNAVAILABLE (a filesystem's servers coming up) or ABORTED (another call for the same
   * volume in flight); any other answer is the call's. The suite's volumes are created, expanded
   * and deleted through this, so it runs on a driver that brings up servers as volumes ask for them.
   */
  public <T> T asCo(Supplier<T> call) {
    return CoRetry.DEFAULT.call(call);
  }

  /** A controller stub whose deadline starts now: take a new one for every call. */
  /** The GroupController service, on the controller's socket. */
  public csi.v1.GroupControllerGrpc.GroupControllerBlockingStub groupController() {
    return csi.v1.GroupControllerGrpc.newBlockingStub(controllerClient.channel()).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  public ControllerGrpc.ControllerBlockingStub controller() {
    return ControllerGrpc.newBlockingStub(controllerClient.channel()).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** A node stub whose deadline starts now: take a new one for every call. */
  public NodeGrpc.NodeBlockingStub node() {
    return NodeGrpc.newBlockingStub(nodeChannel().channel()).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  public IdentityGrpc.IdentityBlockingStub controllerIdentity() {
    return IdentityGrpc.newBlockingStub(controllerClient.channel()).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  public IdentityGrpc.IdentityBlockingStub nodeIdentity() {
    return IdentityGrpc.newBlockingStub(nodeChannel().channel()).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** Both identity endpoints, named for test display; one entry when both plugins share a socket. */
  public Map<String, IdentityGrpc.IdentityBlockingStub> identities() {
    Map<String, IdentityGrpc.IdentityBlockingStub> all = new LinkedHashMap<>();
    all.put("controller", controllerIdentity());
    if (nodeClient != null) {
      all.put("node", nodeIdentity());
    }
    return all;
  }

  /** The directory under which the suite makes its staging and target paths. */
  public Path mountRoot() {
    return mountRoot;
  }

  /** The CreateVolume parameters every volume of the suite is created with. */
  public Map<String, String> parameters() {
    return parameters;
  }

  /** Short, random, and the same for the whole run: it keeps volume names of concurrent runs apart. */
  public String runId() {
    return runId;
  }

  public boolean isSandbox() {
    return sandbox != null;
  }

  private UnixSockets.Client nodeChannel() {
    return nodeClient != null ? nodeClient : controllerClient;
  }

  @Override
  public void close() {
    controllerClient.close();
    if (nodeClient != null) {
      nodeClient.close();
    }
    if (sandbox != null) {
      sandbox.close();
      // Never walk into a mount: only delete the directory when nothing is mounted below it.
      List<Path> left = MountInfo.mountPointsUnder(sandboxDir);
      if (left.isEmpty()) {
        Directories.deleteTree(sandboxDir);
      } else {
        System.err.println("sanity: leaving " + sandboxDir + " in place, still mounted below it: " + left);
      }
    }
  }
}
