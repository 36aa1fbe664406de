// SPDX-License-Identifier: Apache-2.0
// Storage -- where the benchmark's queries read their Parquet: S3, local disk or HDFS on loopback
package io.cellar.it.bench;

import io.cellar.it.s3.S3Latency;
import io.cellar.it.s3.S3Loopback;
import io.cellar.it.tpcds.TpcdsData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A storage setting of the benchmark; every mode runs once per setting. */
enum Storage {
  /**
   * The same files in a bucket of S3Proxy, started by the benchmark on 127.0.0.1 with a latency
   * profile, read through Hadoop's S3A connector.
   */
  S3("s3", "Parquet on S3 (S3Proxy on loopback, in-region latency)",
      "Parquet on S3 (S3Proxy on 127.0.0.1, started by the benchmark, read through S3A)"),
  /** The generated files where they are, on the local disk (the OS page cache holds them). */
  LOCAL("local", "Parquet on local disk", "Parquet on local disk (page cache warm)"),
  /** The same files copied to an HDFS that the benchmark starts on 127.0.0.1. */
  HDFS("hdfs", "Parquet on HDFS over loopback",
      "Parquet on HDFS (NameNode + DataNode on 127.0.0.1, started by the benchmark)");

  private final String label;
  private final String title;
  private final String description;

  Storage(String label, String title, String description) {
    this.label = label;
    this.title = title;
    this.description = description;
  }

  String label() {
    return label;
  }

  String title() {
    return title;
  }

  String description() {
    return description;
  }

  /** The settings of a comma-separated list, in its order. */
  static List<Storage> list(String text) {
    return OptionList.parse(text, values(), Storage::label, "storage", "storage");
  }

  /** Where the modes of this setting read the data; closing it stops what it started. */
  interface Location extends AutoCloseable {
    String uri();

    /** Spark settings a session needs to read there ({@code spark.hadoop.*}). */
    default Map<String, String> sparkConf() {
      return Map.of();
    }

    @Override
    void close() throws IOException;
  }

  /**
   * Makes the data of the given tables in {@code dataDir} available in this setting, under
   * {@code name} on a remote store.
   */
  Location open(Path dataDir, String name, Collection<String> tables, PrintStream log,
      S3Latency latency) throws IOException {
    if (this == LOCAL) {
      String uri = dataDir.toString();
      return new Location() {
        @Override
        public String uri() {
          return uri;
        }

        @Override
        public void close() {}
      };
    }
    if (this == S3) {
      return serve("S3Proxy", log, base -> {
        S3Loopback s3 = S3Loopback.start(base, "cellar-bench", latency, log);
        return new Server(s3::close, s3.sparkConf(),
            () -> s3.upload(dataDir, "tpcds/" + name, TpcdsData.tables(), log));
      });
    }
    return serve("HDFS", log, base -> {
      HdfsLoopback hdfs = HdfsLoopback.start(base);
      return new Server(hdfs::close, Map.of(),
          () -> hdfs.upload(dataDir, name, TpcdsData.tables(), log));
    });
  }

  /** What a remote setting started: how to stop it, how to reach it, how to fill it. */
  private record Server(Runnable stop, Map<String, String> sparkConf, Upload upload) {}

  /** Copies every table's files (so that registering the whole schema finds each location). */
  @FunctionalInterface
  private interface Upload {
    /** Returns the root URI the tables are under. */
    String run() throws IOException;
  }

  @FunctionalInterface
  private interface Starter {
    Server start(Path base) throws IOException;
  }

  /**
   * Starts a server on 127.0.0.1 with its state in a new temporary directory, uploads the data
   * and returns where it is; closing the location stops the server and removes the directory,
   * as does a failure on the way.
   */
  private static Location serve(String what, PrintStream log, Starter starter)
      throws IOException {
    Path base = Files.createTempDirectory("cellar-bench-" + what.toLowerCase(Locale.ROOT) + "-");
    log.printf("[bench] starting %s on 127.0.0.1 (state in %s)%n", what, base);
    Server server;
    try {
      server = starter.start(base);
    } catch (IOException | RuntimeException e) {
      TpcdsBench.deleteTree(base);
      throw e;
    }
    String uri;
    try {
      uri = server.upload().run();
    } catch (IOException | RuntimeException e) {
      server.stop().run();
      TpcdsBench.deleteTree(base);
      throw e;
    }
    return new Location() {
      @Override
      public String uri() {
        return uri;
      }

      @Override
      public Map<String, String> sparkConf() {
        return server.sparkConf();
      }

      @Override
      public void close() throws IOException {
        server.stop().run();
        TpcdsBench.deleteTree(base);
      }
    };
  }
}
