// SPDX-License-Identifier: Apache-2.0
// AccessTrace.java -- records the order in which scans ask the cache for chunks, for the benches
package io.cellar.spark.exec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A developer's aid, off unless the JVM is started with {@code -Dcellar.trace.file=PATH}: every
 * chunk a scan asks the cache for is appended to PATH as a line {@code id size}, where {@code id}
 * numbers the distinct chunk keys in the order they were first asked for (no file name or key
 * bytes are written) and {@code size} is the chunk's size in bytes. A hit is recorded when it is
 * pinned, a miss when its chunk is built (so its size is known), or dropped when none is built.
 * The C bench ({@code cellar_bench --traces}) and the JMH trace benchmark replay such a file.
 *
 * <p>Only one JVM may write a file: give each executor its own path.
 */
public final class AccessTrace {
  /** The system property naming the file. */
  public static final String PROPERTY = "cellar.trace.file";
  /** The first line of every trace file, which the replays check. */
  public static final String HEADER = "# cellar access trace v1: id size";

  private static final Logger LOG = LoggerFactory.getLogger(AccessTrace.class);
  private static final AccessTrace INSTANCE = open(System.getProperty(PROPERTY));

  private final Path path;
  private final BufferedWriter out;
  private final Map<ByteBuffer, Integer> ids = new HashMap<>();
  private boolean failed;

  private AccessTrace(Path path, BufferedWriter out) {
    this.path = path;
    this.out = out;
  }

  /** A recorder into {@code file}, or null when none is named or it cannot be written. */
  static AccessTrace open(String file) {
    if (file == null || file.isEmpty()) {
      return null;
    }
    Path p = Path.of(file);
    try {
      BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.US_ASCII);
      w.write(HEADER);
      w.newLine();
      AccessTrace t = new AccessTrace(p, w);
      Runtime.getRuntime().addShutdownHook(new Thread(t::close, "cellar-trace-close"));
      LOG.warn("Cellar: recording every chunk access into {} ({})", p, PROPERTY);
      return t;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cellar: cannot record chunk accesses into {} ({}): {}", file, PROPERTY,
          e.toString());
      return null;
    }
  }

  /** Whether this JVM records. */
  public static boolean enabled() {
    return INSTANCE != null;
  }

  /**
   * Records one access.
   *
   * @param key the chunk's cache key
   * @param size the chunk's size in bytes
   */
  public static void access(byte[] key, long size) {
    AccessTrace t = INSTANCE;
    if (t != null) {
      t.write(key, size);
    }
  }

  /** Writes what is buffered, so a reader sees every access recorded so far. */
  public static void flush() {
    AccessTrace t = INSTANCE;
    if (t != null) {
      t.flushNow();
    }
  }

  synchronized void write(byte[] key, long size) {
    if (failed) {
      return;
    }
    Integer id = ids.get(ByteBuffer.wrap(key));
    if (id == null) {
      // a copy of the key, which the caller may reuse
      id = ids.size();
      ids.put(ByteBuffer.wrap(key.clone()), id);
    }
    try {
      out.write(id + " " + size);
      out.newLine();
    } catch (IOException e) {
      fail(e);
    }
  }

  private synchronized void flushNow() {
    if (!failed) {
      try {
        out.flush();
      } catch (IOException e) {
        fail(e);
      }
    }
  }

  synchronized void close() {
    flushNow();
    try {
      out.close();
    } catch (IOException e) {
      // flushNow reported what matters
    }
  }

  private void fail(IOException e) {
    failed = true;
    LOG.warn("Cellar: recording chunk accesses into {} stopped: {}", path, e.toString());
  }
}
