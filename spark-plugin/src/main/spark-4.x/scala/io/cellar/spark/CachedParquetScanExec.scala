// SPDX-License-Identifier: Apache-2.0
// CachedParquetScanExec -- a Parquet file scan served by Cellar, with Cellar's SQL metrics
package io.cellar.spark

import scala.jdk.CollectionConverters._

import io.cellar.spark.key.ListedEtags
import io.cellar.spark.read.ScanMetrics
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.catalyst.{InternalRow, TableIdentifier}
import org.apache.spark.sql.catalyst.expressions.{Attribute, Expression}
import org.apache.spark.sql.connector.read.streaming.SparkDataStream
import org.apache.spark.sql.execution.{FileSourceScanExec, FileSourceScanLike}
import org.apache.spark.sql.execution.datasources.HadoopFsRelation
import org.apache.spark.sql.execution.metric.SQLMetric
import org.apache.spark.sql.types.StructType
import org.apache.spark.sql.vectorized.ColumnarBatch
import org.apache.spark.util.collection.BitSet

/**
 * A sibling of Spark's FileSourceScanExec (same fields, same parent trait) for a relation read
 * through [[CellarParquetFileFormat]]. It hands all work to a FileSourceScanExec built from its
 * own fields, whose format counts into this node's [[ScanMetrics]]; it exists so that the Spark UI
 * shows those metrics on the scan. Equality and canonical form use the scan's fields only.
 */
case class CachedParquetScanExec(
    @transient override val relation: HadoopFsRelation,
    @transient stream: Option[SparkDataStream],
    override val output: Seq[Attribute],
    override val requiredSchema: StructType,
    override val partitionFilters: Seq[Expression],
    override val optionalBucketSet: Option[BitSet],
    override val optionalNumCoalescedBuckets: Option[Int],
    override val dataFilters: Seq[Expression],
    override val tableIdentifier: Option[TableIdentifier],
    override val disableBucketedScan: Boolean)
  extends FileSourceScanLike {

  override protected val nodeNamePrefix: String = "Cached"

  @transient private lazy val cellarMetrics: ScanMetrics = new ScanMetrics(sparkContext)

  /** Spark's own scan of the same relation, its format counting into this node's metrics. */
  @transient lazy val delegate: FileSourceScanExec = {
    val format = relation.fileFormat.asInstanceOf[CellarParquetFileFormat]
    FileSourceScanExec(
      relation.copy(fileFormat = format.withMetrics(cellarMetrics))(relation.sparkSession),
      stream, output, requiredSchema, partitionFilters, optionalBucketSet,
      optionalNumCoalescedBuckets, dataFilters, tableIdentifier, disableBucketedScan)
  }

  override lazy val supportsColumnar: Boolean = delegate.supportsColumnar

  /**
   * The ETags of the files the scan's listing returned (URL-encoded path to ETag), for the
   * file identities of chunk keys and locality; empty where the file system gives none.
   */
  @transient private lazy val etags: java.util.HashMap[String, String] = {
    val m = new java.util.HashMap[String, String]()
    delegate.selectedPartitions.filePartitionIterator.foreach { p =>
      p.files.foreach { f =>
        val e = ListedEtags.of(f.fileStatus)
        if (!e.isEmpty) {
          m.put(f.fileStatus.getPath.toUri.toString, e)
        }
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

  override def doCanonicalize(): CachedParquetScanExec = {
    val c = delegate.doCanonicalize()
    CachedParquetScanExec(relation, None, c.output, c.requiredSchema, c.partitionFilters,
      c.optionalBucketSet, c.optionalNumCoalescedBuckets, c.dataFilters, None,
      c.disableBucketedScan)
  }

  override def getStream: Option[SparkDataStream] = stream
}

object CachedParquetScanExec {
  /** The cached sibling of a scan whose relation reads through Cellar's format. */
  def of(scan: FileSourceScanExec): CachedParquetScanExec =
    CachedParquetScanExec(scan.relation, scan.stream, scan.output, scan.requiredSchema,
      scan.partitionFilters, scan.optionalBucketSet, scan.optionalNumCoalescedBuckets,
      scan.dataFilters, scan.tableIdentifier, scan.disableBucketedScan)
}
