// SPDX-License-Identifier: Apache-2.0
// S3Loopback -- an S3-compatible object store (S3Proxy) on 127.0.0.1, read through Hadoop's S3A
package io.cellar.it.s3;

import io.cellar.it.tpcds.TpcdsData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * S3Proxy ({@code org.gaul:s3proxy}, its runnable jar) serving one bucket from a directory, as a
 * server process of its own on 127.0.0.1, with path-style access, a fixed test key pair (AWS
 * signatures are checked) and an optional {@link S3Latency} profile. Spark reads it through
 * Hadoop's S3A connector with {@link #hadoopConf()}; S3A's requests are counted by
 * {@link S3Requests}. The store is S3Proxy's file-system backend: objects are files under
 * {@code <dir>/<bucket>/}, their ETag the MD5 of their content, their Last-Modified the file's
 * modification time in whole seconds. {@link #close()} stops the process it started, by PID.
 *
 * <p>The jar is found through the system property {@code cellar.s3proxy.jar} (the Maven build
 * copies it to {@code integration-tests/spark-LINE/target/s3proxy/s3proxy.jar}, and the suites and
 * {@code bin/cellar-bench} set the property).
 */
public final class S3Loopback implements AutoCloseable {
  /** The test key pair; S3Proxy accepts only these. */
  public static final String ACCESS_KEY = "cellar-loopback-access";
  public static final String SECRET_KEY = "cellar-loopback-secret-key";
  private static final String JAR_PROPERTY = "cellar.s3proxy.jar";
  private static final long START_TIMEOUT_MS = 90_000;

  private final Process process;
  private final Path dir;
  private final String bucket;
  private final int port;
  private final S3Latency latency;

  private S3Loopback(Process process, Path dir, String bucket, int port, S3Latency latency) {
    this.process = process;
    this.dir = dir;
    this.bucket = bucket;
    this.port = port;
    this.latency = latency;
  }

  /**
   * Starts S3Proxy with an empty bucket whose objects live under {@code dir} (created); its log
   * goes to {@code dir/s3proxy.log}.
   *
   * @throws IOException when the jar is missing or the server does not start
   */
  public static S3Loopback start(Path dir, String bucket, S3Latency latency, PrintStream log)
      throws IOException {
    Path jar = jar();
    Path store = dir.resolve("store");
    Files.createDirectories(store.resolve(bucket));
    int port = freePort();
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", ACCESS_KEY);
    p.setProperty("s3proxy.credential", SECRET_KEY);
    p.setProperty("jclouds.provider", "filesystem");
    p.setProperty("jclouds.filesystem.basedir", store.toAbsolutePath().toString());
    latency.s3proxyProperties().forEach(p::setProperty);
    Path props = dir.resolve("s3proxy.conf");
    try (Writer w = Files.newBufferedWriter(props, StandardCharsets.UTF_8)) {
      p.store(w, "S3Proxy on loopback for Cellar's suites and benchmark");
    }
    Path logFile = dir.resolve("s3proxy.log");
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar.toString(), "--properties", props.toString())
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    Process proc = pb.start();
    S3Loopback s3 = new S3Loopback(proc, dir, bucket, port, latency);
    try {
      s3.awaitListening(logFile);
    } catch (IOException | RuntimeException e) {
      s3.close();
      throw e;
    }
    log.printf("[s3] S3Proxy (pid %d) serves bucket %s at %s from %s; %s%n", proc.pid(), bucket,
        s3.endpoint(), store, latency.describe());
    return s3;
  }

  private static Path jar() throws IOException {
    String configured = System.getProperty(JAR_PROPERTY);
    Path jar = configured != null ? Path.of(configured)
        : Path.of("integration-tests", "spark-4.1", "target", "s3proxy", "s3proxy.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IOException("S3Proxy's jar is not at " + jar.toAbsolutePath() + " (system"
          + " property " + JAR_PROPERTY + "); `mvn -pl integration-tests/spark-4.1"
          + " generate-resources` copies it there");
    }
    return jar;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitListening(Path logFile) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("S3Proxy exited with " + process.exitValue() + " before it"
            + " listened on 127.0.0.1:" + port + "; its log " + logFile + " ends with:\n"
            + tail(logFile));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException("S3Proxy did not listen on 127.0.0.1:" + port + " within "
        + START_TIMEOUT_MS / 1000 + " s; its log " + logFile + " ends with:\n" + tail(logFile));
  }

  private static String tail(Path f) {
    try {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for S3Proxy", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** {@code s3a://<bucket>}. */
  public String bucketUri() {
    return "s3a://" + bucket;
  }

  /** The profile the store was started with. */
  public S3Latency latency() {
    return latency;
  }

  /** The S3Proxy process's id. */
  public long pid() {
    return process.pid();
  }

  /** The file that holds an object of the bucket (S3Proxy's file-system backend). */
  public Path objectFile(String key) {
    return dir.resolve("store").resolve(bucket).resolve(key);
  }

  /**
   * S3A's settings for this store: endpoint, path-style access over plain HTTP, the key pair, a
   * region (none is needed by S3Proxy, but S3A's client wants one), no bucket probe, and
   * {@link S3Requests} counting every request. Give them to Spark as {@code spark.hadoop.*}.
   */
  public Map<String, String> hadoopConf() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("fs.s3a.endpoint", endpoint());
    c.put("fs.s3a.endpoint.region", "us-east-1");
    c.put("fs.s3a.path.style.access", "true");
    c.put("fs.s3a.connection.ssl.enabled", "false");
    c.put("fs.s3a.access.key", ACCESS_KEY);
    c.put("fs.s3a.secret.key", SECRET_KEY);
    c.put("fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    c.put("fs.s3a.bucket.probe", "0");
    c.put("fs.s3a.audit.execution.interceptors", S3Requests.class.getName());
    return c;
  }

  /** {@link #hadoopConf()} as Spark settings ({@code spark.hadoop.*}). */
  public Map<String, String> sparkConf() {
    Map<String, String> c = new LinkedHashMap<>();
    hadoopConf().forEach((k, v) -> c.put("spark.hadoop." + k, v));
    return c;
  }

  /** A Hadoop configuration that reaches the store. */
  public Configuration configuration() {
    Configuration c = new Configuration();
    hadoopConf().forEach(c::set);
    return c;
  }

  /**
   * Uploads the files of the given tables ({@link TpcdsData#tableFiles}: the Parquet files, and a
   * Delta table's log) from {@code localDir/<table>/} to {@code s3a://<bucket>/<prefix>/<table>/}
   * through S3A; returns that root URI.
   */
  public String upload(Path localDir, String prefix, Collection<String> tables, PrintStream log)
      throws IOException {
    String root = bucketUri() + "/" + prefix;
    FileSystem fs = FileSystem.newInstance(URI.create(bucketUri() + "/"), configuration());
    long bytes = 0;
    long start = System.nanoTime();
    try {
      for (String t : tables) {
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(root + "/" + t);
        for (Path rel : TpcdsData.tableFiles(localDir.resolve(t))) {
          Path f = localDir.resolve(t).resolve(rel);
          fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()),
              new org.apache.hadoop.fs.Path(dst, rel.toString()));
          bytes += Files.size(f);
        }
      }
    } finally {
      fs.close();
    }
    log.printf("[s3] uploaded %.1f MiB of %d tables to %s in %.1f s%n", bytes / 1048576.0,
        tables.size(), root, (System.nanoTime() - start) / 1e9);
    return root;
  }

  /** Stops S3Proxy (by its PID) and waits for it; the directory is the caller's. */
  @Override
  public void close() {
    ProcessHandle h = process.toHandle();
    h.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        h.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      h.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
