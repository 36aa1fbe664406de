// SPDX-License-Identifier: Apache-2.0
// HdfsLoopback -- a real HDFS (one NameNode, one DataNode) on 127.0.0.1 for the benchmark's remote data
package io.cellar.it.bench;

import io.cellar.it.tpcds.TpcdsData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * HDFS from Hadoop's own minicluster artifact ({@code hadoop-client-minicluster}, the one Spark's
 * test suites use), started in this JVM: a NameNode and a DataNode whose RPC, data-transfer and
 * HTTP endpoints all bind to 127.0.0.1, with block files under a directory on the work disk.
 *
 * <p>A Spark reader then talks to it exactly as to a production HDFS: block locations from the
 * NameNode over RPC, bytes streamed from the DataNode over TCP with CRC checks, no short-circuit
 * reads. That costs what remote storage costs (a network stack, a second process's CPU, copies),
 * minus the network's latency and bandwidth limits, which loopback does not have: the measured
 * gap between local and remote data is therefore a lower bound of what a real cluster sees.
 */
final class HdfsLoopback implements AutoCloseable {
  private final MiniDFSCluster cluster;

  private HdfsLoopback(MiniDFSCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts the cluster with its state under {@code baseDir} (created; removed by close). */
  static HdfsLoopback start(Path baseDir) throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toAbsolutePath().toString());
    conf.set("dfs.replication", "1");
    conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.set("dfs.client.read.shortcircuit", "false");
    // blocks as large as a production default, so that a Parquet file is one block
    conf.setLong("dfs.blocksize", 128L << 20);
    MiniDFSCluster c = new MiniDFSCluster.Builder(conf, baseDir.toFile())
        .numDataNodes(1)
        .format(true)
        .build();
    c.waitActive();
    return new HdfsLoopback(c);
  }

  /** The file system's URI, {@code hdfs://127.0.0.1:<port>}. */
  String uri() {
    return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
  }

  /**
   * Copies the Parquet files of the given tables from the local data directory to
   * {@code <uri>/tpcds/<name>/<table>/}; returns that root URI.
   */
  String upload(Path localDir, String name, Collection<String> tables, PrintStream log)
      throws IOException {
    var fs = cluster.getFileSystem();
    String root = uri() + "/tpcds/" + name;
    long bytes = 0;
    long start = System.nanoTime();
    for (String t : tables) {
      org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(root + "/" + t);
      fs.mkdirs(dst);
      for (Path rel : TpcdsData.tableFiles(localDir.resolve(t))) {
        Path f = localDir.resolve(t).resolve(rel);
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()),
            new org.apache.hadoop.fs.Path(dst, rel.toString()));
        bytes += f.toFile().length();
      }
    }
    log.printf("[bench] HDFS on 127.0.0.1: copied %.1f MiB of %d tables to %s in %.1f s%n",
        bytes / 1048576.0, tables.size(), root, (System.nanoTime() - start) / 1e9);
    return root;
  }

  @Override
  public void close() {
    cluster.shutdown(true);
  }
}
