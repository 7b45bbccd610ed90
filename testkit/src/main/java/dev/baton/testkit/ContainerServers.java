package dev.baton.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.RemoteDockerImage;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs each server of an ensemble in its own container, through the Docker engine that
 * Testcontainers finds ({@link DockerClientFactory}): a JRE image ({@value #IMAGE_ENV} or {@value
 * #DEFAULT_IMAGE}, pulled by Testcontainers' rules only if absent) with ZooKeeper's server jars
 * ({@link ServerClasspath}) and zoo.cfg copied in, not mounted, so that a remote engine works too.
 * Containers use the host network only and the servers bind 127.0.0.1, as the ensemble's config
 * says; its {@code dataDir} is rewritten to {@value #DATA_DIR} in the container, where the data
 * survives {@link #stop} or {@link #kill}: a later {@link #start} of the server starts the same
 * container again.
 *
 * <p>Faults map to the engine: {@link #kill} is its kill (SIGKILL), {@link #stop} its stop
 * (SIGTERM, SIGKILL after {@value #STOP_GRACE_SECONDS} s), {@link #pause} its pause (cgroup
 * freezer: the server keeps its sockets and answers nothing) and {@link #resume} its unpause.
 *
 * <p>Containers carry the labels {@value #LABEL_TESTKIT}{@code =true} and {@value
 * #LABEL_ENSEMBLE}{@code =<ensembleId>} (a test can check that {@link #close} left none), and
 * Testcontainers' session label, so that its reaper (Ryuk, or a JVM shutdown hook where Ryuk is
 * disabled) removes them if the JVM exits without {@link #close}. The engine is driven through
 * Testcontainers' docker client, not GenericContainer, which in Testcontainers 1.x needs JUnit 4.
 *
 * <p>Confined to the {@code ZooKeeperEnsemble} that owns it, which serialises the calls that change
 * state; {@link #isRunning} and {@link #describe} may also be called from other threads.
 */
final class ContainerServers implements ServerBackend {

  /** The image used where {@value #IMAGE_ENV} is unset (machines that can pull from a registry). */
  static final String DEFAULT_IMAGE = "eclipse-temurin:17-jre";

  /** Environment variable naming a (local) JRE image to use instead of {@value #DEFAULT_IMAGE}. */
  static final String IMAGE_ENV = "BATON_JRE_IMAGE";

  static final String LABEL_TESTKIT = "dev.baton.testkit";
  static final String LABEL_ENSEMBLE = "dev.baton.testkit.ensemble";
  private static final String LABEL_SERVER = "dev.baton.testkit.server";
  private static final String LABEL_BACKEND = "dev.baton.testkit.backend";
  static final String DATA_DIR = "/data/zk";
  private static final String CONFIG = "/conf/zoo.cfg";
  static final int STOP_GRACE_SECONDS = 10;
  private static final int LOG_LINES = 15;
  private static final Pattern DATA_DIR_LINE = Pattern.compile("(?m)^[ \\t]*dataDir[ \\t]*=.*$");
  private static final Pattern LOG_DIR_LINE = Pattern.compile("(?m)^[ \\t]*dataLogDir[ \\t]*=.*$");
  private static final String[] COMMAND =
      ("java -Xmx256m -XX:+UseSerialGC -cp /zk/lib/* "
              + "org.apache.zookeeper.server.quorum.QuorumPeerMain "
              + CONFIG)
          .split(" ");

  private final String ensembleId;
  private final String backendId = UUID.randomUUID().toString();
  private final String imageName = imageName();
  private final Map<Integer, String> containerIds = new ConcurrentHashMap<>();
  private String image; // resolved (pulled only if absent) on first start

  ContainerServers(String ensembleId) {
    this.ensembleId = ensembleId;
  }

  /** {@value #IMAGE_ENV} if set and not blank, else {@value #DEFAULT_IMAGE}. */
  static String imageName() {
    String env = System.getenv(IMAGE_ENV);
    return env == null || env.isBlank() ? DEFAULT_IMAGE : env.trim();
  }

  /** Whether a Docker engine answers; false, quickly, when there is none. Never throws. */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  /** The ensemble's zoo.cfg with {@code dataDir} (and any {@code dataLogDir}) in the container. */
  static String containerConfig(String config) {
    String out = LOG_DIR_LINE.matcher(config).replaceAll("dataLogDir=" + DATA_DIR + "/txlog");
    if (DATA_DIR_LINE.matcher(out).find()) {
      return DATA_DIR_LINE.matcher(out).replaceAll("dataDir=" + DATA_DIR);
    }
    return out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + "dataDir=" + DATA_DIR + "\n";
  }

  /**
   * Starts server {@code spec.id()}: the first time in a new container (jars, zoo.cfg and myid
   * copied in), after a stop or kill by starting the same container again with zoo.cfg copied in
   * anew and {@value #DATA_DIR} kept. Returns once the container runs, not when the server serves.
   */
  @Override
  public void start(ServerSpec spec, String config, Path dataDir) {
    int id = spec.id();
    byte[] cfg = containerConfig(config).getBytes(StandardCharsets.UTF_8);
    String cid = containerIds.get(id);
    if (cid != null && isRunning(id)) {
      throw new IllegalStateException("server " + id + " already runs in container " + cid);
    }
    try {
      Map<String, byte[]> files = new LinkedHashMap<>(); // the engine creates parent folders
      if (cid == null) {
        cid = create(id);
        for (Path jar : ServerClasspath.jars()) {
          files.put("zk/lib/" + jar.getFileName(), Files.readAllBytes(jar));
        }
        files.put("data/zk/myid", Files.readAllBytes(dataDir.resolve("myid")));
      }
      files.put("conf/zoo.cfg", cfg);
      copyIn(cid, files);
      client().startContainerCmd(cid).exec();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "could not start server " + id + where(cid) + " (image " + imageName + ")" + tail(cid),
          e);
    }
    ContainerState s = state(id);
    if (s == null || !Boolean.TRUE.equals(s.getRunning())) {
      throw new IllegalStateException(
          String.format(
              "server %d exited at once%s (exit code %s)%s",
              id, where(cid), s == null ? "?" : s.getExitCodeLong(), tail(cid)));
    }
  }

  /** Creates (does not start) server {@code id}'s container on the host network, labelled. */
  private String create(int id) {
    if (image == null) {
      image = new RemoteDockerImage(DockerImageName.parse(imageName)).get();
    }
    Map<String, String> labels = new HashMap<>(DockerClientFactory.DEFAULT_LABELS);
    labels.put(DockerClientFactory.TESTCONTAINERS_SESSION_ID_LABEL, DockerClientFactory.SESSION_ID);
    labels.put(LABEL_TESTKIT, "true");
    labels.put(LABEL_ENSEMBLE, ensembleId);
    labels.put(LABEL_SERVER, Integer.toString(id));
    labels.put(LABEL_BACKEND, backendId);
    String cid =
        client()
            .createContainerCmd(image)
            .withLabels(labels)
            .withCmd(COMMAND)
            .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
            .exec()
            .getId();
    containerIds.put(id, cid); // at once: close() removes it even if the start fails later
    return cid;
  }

  /** Unpacks {@code files} (path below the root, without a leading slash: content) into it. */
  private static void copyIn(String cid, Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(f.getValue().length);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
    }
    client()
        .copyArchiveToContainerCmd(cid)
        .withRemotePath("/")
        .withTarInputStream(new ByteArrayInputStream(bytes.toByteArray()))
        .exec();
  }

  /** Graceful stop by the engine; a paused server is unpaused first so it can shut down. */
  @Override
  public void stop(int id) {
    ContainerState s = state(id);
    if (s != null && Boolean.TRUE.equals(s.getRunning())) {
      engine(
          "stop",
          id,
          cid -> {
            if (Boolean.TRUE.equals(s.getPaused())) {
              client().unpauseContainerCmd(cid).exec();
            }
            client().stopContainerCmd(cid).withTimeout(STOP_GRACE_SECONDS).exec();
          });
    }
  }

  /** SIGKILL by the engine; a paused server is killed without being thawed first. */
  @Override
  public void kill(int id) {
    if (isRunning(id)) {
      engine("kill", id, cid -> client().killContainerCmd(cid).exec());
    }
  }

  @Override
  public void pause(int id) {
    if (!Boolean.TRUE.equals(runningState(id, "pause").getPaused())) {
      engine("pause", id, cid -> client().pauseContainerCmd(cid).exec());
    }
  }

  @Override
  public void resume(int id) {
    if (Boolean.TRUE.equals(runningState(id, "resume").getPaused())) {
      engine("resume", id, cid -> client().unpauseContainerCmd(cid).exec());
    }
  }

  /** Asks the engine: a running or paused container is running; an exited or gone one is not. */
  @Override
  public boolean isRunning(int id) {
    ContainerState s = state(id);
    return s != null && Boolean.TRUE.equals(s.getRunning());
  }

  @Override
  public String describe(int id) {
    String cid = containerIds.get(id);
    if (cid == null) {
      return "server " + id + ": no container (image " + imageName + ")";
    }
    ContainerState s = state(id);
    String status = s == null ? "gone" : s.getStatus();
    return String.format(
        "container %s (image %s, %s)%s", shortId(cid), imageName, status, tail(cid));
  }

  /**
   * Unpauses paused containers, then kills and removes every container this backend created (found
   * by its label, so also one whose start failed half way) with its anonymous volumes. Idempotent.
   */
  @Override
  public void close() {
    if (containerIds.isEmpty()) {
      return;
    }
    containerIds.clear();
    List<String> failed = new ArrayList<>();
    List<Container> all;
    try {
      all =
          client()
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of(LABEL_BACKEND, backendId))
              .exec();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot list the containers of ensemble " + ensembleId, e);
    }
    for (Container c : all) {
      try {
        if ("paused".equals(c.getState())) {
          client().unpauseContainerCmd(c.getId()).exec();
        }
        client().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
      } catch (NotFoundException gone) {
        // removed meanwhile
      } catch (RuntimeException e) {
        String server = c.getLabels().get(LABEL_SERVER);
        failed.add("server " + server + " in container " + shortId(c.getId()) + ": " + e);
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException("could not remove every container: " + failed);
    }
  }

  private static DockerClient client() {
    return DockerClientFactory.instance().client();
  }

  /** The engine's view of server {@code id}'s container, or null if it has none or it is gone. */
  private ContainerState state(int id) {
    String cid = containerIds.get(id);
    try {
      return cid == null ? null : client().inspectContainerCmd(cid).exec().getState();
    } catch (NotFoundException e) {
      return null;
    }
  }

  private ContainerState runningState(int id, String action) {
    ContainerState s = state(id);
    if (s == null || !Boolean.TRUE.equals(s.getRunning())) {
      String cid = containerIds.get(id);
      String is = cid == null ? "not started" : s == null ? "gone" : s.getStatus();
      throw new IllegalStateException(
          "cannot " + action + " server " + id + ": it is " + is + where(cid));
    }
    return s;
  }

  /**
   * Runs an engine command on server {@code id}'s container; failures name server and container.
   */
  private void engine(String action, int id, Consumer<String> command) {
    String cid = containerIds.get(id);
    try {
      command.accept(cid);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          action + " of server " + id + where(cid) + " failed: " + e.getMessage(), e);
    }
  }

  private static String where(String cid) {
    return cid == null ? "" : " in container " + shortId(cid);
  }

  private static String shortId(String cid) {
    return cid.length() > 12 ? cid.substring(0, 12) : cid;
  }

  /** The last lines of a container's log after a newline, or "" if they cannot be had. */
  private static String tail(String cid) {
    if (cid == null) {
      return "";
    }
    StringBuffer out = new StringBuffer();
    try (ResultCallback.Adapter<Frame> logs =
        client()
            .logContainerCmd(cid)
            .withStdOut(true)
            .withStdErr(true)
            .withTail(LOG_LINES)
            .exec(
                new ResultCallback.Adapter<>() {
                  @Override
                  public void onNext(Frame frame) {
                    out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                  }
                })) {
      logs.awaitCompletion(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      return "";
    }
    String text = out.toString().strip();
    return text.isEmpty() ? "" : "\n  last log lines:\n    " + text.replace("\n", "\n    ");
  }
}
