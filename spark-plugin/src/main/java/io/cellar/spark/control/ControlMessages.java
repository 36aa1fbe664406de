// SPDX-License-Identifier: Apache-2.0
// ControlMessages -- what the driver and the executors say to each other for CELLAR statements
package io.cellar.spark.control;

import io.cellar.spark.exec.CacheReport;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages of the control channel. Spark's plugin API lets an executor ask its driver, not
 * the other way round, so each executor polls: it asks for the requests queued for it and
 * answers each with a {@link CacheReport}. The driver's replies hold JDK types only ({@link
 * Request#encode}): an executor's RPC threads deserialize them with the JVM's class loader,
 * which does not see the jars an application adds with {@code --jars}.
 */
public final class ControlMessages {
  private ControlMessages() {}

  /** A request for every executor: report, or drop chunks and report. */
  public static final class Request implements Serializable {
    private static final long serialVersionUID = 1L;
    public final long id;
    public final boolean clear;
    /** URL-encoded file paths as chunk keys name them, or null for every file. */
    public final ArrayList<String> paths;
    /** Whether to count chunks and bytes per table too. */
    public final boolean tables;

    Request(long id, boolean clear, List<String> paths, boolean tables) {
      this.id = id;
      this.clear = clear;
      this.paths = paths == null ? null : new ArrayList<>(paths);
      this.tables = tables;
    }

    /** The request as strings: id, clear, tables, "all" or "some", then the paths. */
    String[] encode() {
      List<String> out = new ArrayList<>(List.of(Long.toString(id), Boolean.toString(clear),
          Boolean.toString(tables), paths == null ? "all" : "some"));
      if (paths != null) {
        out.addAll(paths);
      }
      return out.toArray(new String[0]);
    }

    /** The request of {@link #encode}'s strings. */
    static Request decode(String[] s) {
      List<String> paths = s[3].equals("all") ? null : List.of(s).subList(4, s.length);
      return new Request(Long.parseLong(s[0]), Boolean.parseBoolean(s[1]), paths,
          Boolean.parseBoolean(s[2]));
    }
  }

  /** An executor asks for its pending requests. */
  public static final class Poll implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String executor;

    public Poll(String executor) {
      this.executor = executor;
    }
  }

  /** An executor's answer to one request. */
  public static final class Answer implements Serializable {
    private static final long serialVersionUID = 1L;
    public final long id;
    public final CacheReport report;

    public Answer(long id, CacheReport report) {
      this.id = id;
      this.report = report;
    }
  }
}
