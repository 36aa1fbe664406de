// SPDX-License-Identifier: Apache-2.0
// CachedScan -- what a scan served by Cellar does on every Spark line
package io.cellar.spark

import scala.jdk.CollectionConverters._

import io.cellar.spark.key.ListedEtags
import io.cellar.spark.read.ScanMetrics
import org.apache.hadoop.fs.FileStatus
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.execution.{FileSourceScanExec, FileSourceScanLike}
import org.apache.spark.sql.execution.metric.SQLMetric
import org.apache.spark.sql.vectorized.ColumnarBatch

/**
 * The version-neutral part of [[CachedParquetScanExec]], whose fields (those of Spark's
 * FileSourceScanExec) differ between Spark lines. The node hands all work to Spark's own scan of
 * the same relation, whose format counts into this node's [[ScanMetrics]], so that the Spark UI
 * shows those metrics on the scan; its RDDs prefer the executors that cache their splits.
 */
trait CachedScan extends FileSourceScanLike {

  /** Spark's own scan of the same relation, its format counting into [[cellarMetrics]]. */
  def delegate: FileSourceScanExec

  /** The metrics the delegate's format counts into. */
  protected def cellarMetrics: ScanMetrics

  /** The statuses of the files the delegate's listing returned (its shape differs by line). */
  protected def listedFiles: Iterator[FileStatus]

  override protected val nodeNamePrefix: String = "Cached"

  override lazy val supportsColumnar: Boolean = delegate.supportsColumnar

  /**
   * The ETags of the files the scan's listing returned (URL-encoded path to ETag), for the
   * file identities of chunk keys and locality; empty where the file system gives none.
   */
  @transient private lazy val etags: java.util.HashMap[String, String] = {
    val m = new java.util.HashMap[String, String]()
    listedFiles.foreach { f =>
      val e = ListedEtags.of(f)
      if (!e.isEmpty) {
        m.put(f.getPath.toUri.toString, e)
      }
    }
    m
  }

  override def vectorTypes: Option[Seq[String]] = delegate.vectorTypes

  // the same RDDs, their splits preferring the executors that cache them (cache-aware scheduling)
  override def inputRDDs(): Seq[RDD[InternalRow]] =
    delegate.inputRDDs().map(r => new CellarLocalityRDD(r, etags))

  override protected def doExecute(): RDD[InternalRow] =
    new CellarLocalityRDD(delegate.execute(), etags)

  override protected def doExecuteColumnar(): RDD[ColumnarBatch] =
    new CellarLocalityRDD(delegate.executeColumnar(), etags)

  override def metrics: Map[String, SQLMetric] =
    delegate.metrics ++ cellarMetrics.byName().asScala
}
