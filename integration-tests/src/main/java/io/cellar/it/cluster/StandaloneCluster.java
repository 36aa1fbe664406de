// SPDX-License-Identifier: Apache-2.0
// StandaloneCluster -- a real Spark standalone cluster on 127.0.0.1: a Master and Workers, by PID
package io.cellar.it.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts Spark's own standalone Master and Worker processes from the Maven-resolved Spark jars
 * (no Spark distribution): a {@code SPARK_HOME} directory whose {@code jars/} links this JVM's
 * class-path jars and whose {@code conf/} holds a quiet log configuration. Every process binds
 * to 127.0.0.1; the Workers launch executors through that {@code SPARK_HOME}. {@link #close()}
 * stops exactly the processes this object started (and the executors they launched), by PID.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final Pattern EXECUTOR_ID = Pattern.compile("--executor-id (\\S+)");

  private final Path home;
  private final Path logs;
  private final int masterPort;
  private final int masterUiPort;
  private final List<Process> workers = new ArrayList<>();
  private Process master;

  private StandaloneCluster(Path work) throws IOException {
    this.home = work.resolve("spark-home");
    this.logs = work.resolve("logs");
    this.masterPort = freePort();
    this.masterUiPort = freePort();
  }

  /**
   * Starts a Master and {@code workers} Workers, each offering {@code cores} cores and
   * {@code memory} (e.g. "2g") to executors, and waits until every Worker has registered.
   *
   * @param work a directory for SPARK_HOME, logs and the workers' directories (created)
   */
  public static StandaloneCluster start(Path work, int workers, int cores, String memory)
      throws IOException, InterruptedException {
    StandaloneCluster c = new StandaloneCluster(work);
    try {
      c.layOut();
      c.master = c.launch("master", List.of("org.apache.spark.deploy.master.Master", "--host",
          "127.0.0.1", "--port", Integer.toString(c.masterPort), "--webui-port",
          Integer.toString(c.masterUiPort)));
      c.awaitPort(c.masterPort, c.master);
      for (int i = 0; i < workers; i++) {
        Path dir = work.resolve("worker-" + i);
        Files.createDirectories(dir);
        c.workers.add(c.launch("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--cores", Integer.toString(cores), "--memory", memory,
            "--webui-port", Integer.toString(freePort()), "--work-dir", dir.toString(),
            c.url())));
      }
      c.awaitWorkers(workers);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The master URL, {@code spark://127.0.0.1:<port>}. */
  public String url() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** Where the processes' logs are. */
  public Path logs() {
    return logs;
  }

  /** The running executor processes the Workers launched, by executor id. */
  public Map<String, ProcessHandle> executors() {
    Map<String, ProcessHandle> out = new java.util.TreeMap<>();
    for (Process w : workers) {
      w.descendants().filter(ProcessHandle::isAlive).forEach(p -> {
        String cmd = p.info().commandLine().orElse("");
        Matcher m = EXECUTOR_ID.matcher(cmd);
        if (cmd.contains("CoarseGrainedExecutorBackend") && m.find()) {
          out.put(m.group(1), p);
        }
      });
    }
    return out;
  }

  /** Kills an executor process with SIGKILL, as a crash would, and waits until it is gone. */
  public void killExecutor(String id) throws InterruptedException {
    ProcessHandle p = executors().get(id);
    if (p == null) {
      throw new IllegalArgumentException("no running executor " + id + "; running: "
          + executors().keySet());
    }
    p.destroyForcibly();
    p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process w : workers) {
      w.descendants().forEach(all::add);
      all.add(w.toHandle());
    }
    if (master != null) {
      all.add(master.toHandle());
    }
    for (ProcessHandle p : all) {
      p.destroy();
    }
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
  }

  private void layOut() throws IOException {
    Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("conf"));
    Files.createDirectories(logs);
    Set<String> names = new HashSet<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      // Cellar itself is not installed: applications bring it with spark.jars, as users do
      if (name.endsWith(".jar") && !name.startsWith("cellar-") && Files.isRegularFile(p)
          && names.add(name)) {
        Path link = home.resolve("jars").resolve(name);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, p.toAbsolutePath());
      }
    }
    Files.writeString(home.resolve("conf").resolve("log4j2.properties"), String.join("\n",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.stderr.ref = console",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.target = SYSTEM_ERR",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n",
        "logger.cellar.name = io.cellar",
        "logger.cellar.level = info",
        "logger.master.name = org.apache.spark.deploy",
        "logger.master.level = info",
        ""), StandardCharsets.UTF_8);
  }

  /** Starts one daemon JVM with Spark's Java 17 flags, its output in logs/NAME.log. */
  private Process launch(String name, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-exports")
          || a.startsWith("-Djdk.reflect") || a.startsWith("-XX:+IgnoreUnrecognized")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx512m");
    cmd.add("-Dlog4j2.configurationFile=" + home.resolve("conf").resolve("log4j2.properties"));
    cmd.add("-cp");
    cmd.add(home.resolve("conf") + File.pathSeparator + home.resolve("jars") + "/*");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_CONF_DIR", home.resolve("conf").toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return pb.start();
  }

  private void awaitPort(int port, Process p) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("the master exited with " + p.exitValue() + "; see "
            + logs.resolve("master.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IOException("the master did not listen on 127.0.0.1:" + port + " within 60 s");
  }

  /** Waits until the master's JSON status lists {@code n} ALIVE workers. */
  private void awaitWorkers(int n) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    URI json = URI.create("http://127.0.0.1:" + masterUiPort + "/json/");
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process w : workers) {
        if (!w.isAlive()) {
          throw new IOException("a worker exited with " + w.exitValue() + "; see " + logs);
        }
      }
      try (InputStream in = json.toURL().openStream()) {
        last = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int alive = last.split("\"state\" ?: ?\"ALIVE\"", -1).length - 1;
        if (alive >= n) {
          return;
        }
      } catch (IOException notYet) {
        // the UI starts after the RPC port
      }
      Thread.sleep(300);
    }
    throw new IOException(n + " workers did not register within 90 s; master says " + last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The user jar (cellar-spark) on this JVM's class path, for an application's spark.jars. */
  public static Path cellarJar() {
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      if (name.startsWith("cellar-spark-") && name.endsWith(".jar")) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException("no cellar-spark jar on the class path");
  }
}
