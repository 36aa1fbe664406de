// SPDX-License-Identifier: Apache-2.0
// CachedParquetScanExec -- Spark 3.5: the fields of a Parquet file scan served by Cellar
package io.cellar.spark

import io.cellar.spark.read.ScanMetrics
import org.apache.hadoop.fs.FileStatus
import org.apache.spark.sql.catalyst.TableIdentifier
import org.apache.spark.sql.catalyst.expressions.{Attribute, Expression}
import org.apache.spark.sql.execution.FileSourceScanExec
import org.apache.spark.sql.execution.datasources.HadoopFsRelation
import org.apache.spark.sql.types.StructType
import org.apache.spark.util.collection.BitSet

/**
 * A sibling of Spark 3.5's FileSourceScanExec (same nine fields, no stream, same parent trait)
 * for a relation read through [[CellarParquetFileFormat]]; [[CachedScan]] does its work.
 * Equality and canonical form use the scan's fields only.
 */
case class CachedParquetScanExec(
    @transient override val relation: HadoopFsRelation,
    override val output: Seq[Attribute],
    override val requiredSchema: StructType,
    override val partitionFilters: Seq[Expression],
    override val optionalBucketSet: Option[BitSet],
    override val optionalNumCoalescedBuckets: Option[Int],
    override val dataFilters: Seq[Expression],
    override val tableIdentifier: Option[TableIdentifier],
    override val disableBucketedScan: Boolean)
  extends CachedScan {

  @transient protected lazy val cellarMetrics: ScanMetrics = new ScanMetrics(sparkContext)

  @transient lazy val delegate: FileSourceScanExec = {
    val format = relation.fileFormat.asInstanceOf[CellarParquetFileFormat]
    FileSourceScanExec(
      relation.copy(fileFormat = format.withMetrics(cellarMetrics))(relation.sparkSession),
      output, requiredSchema, partitionFilters, optionalBucketSet, optionalNumCoalescedBuckets,
      dataFilters, tableIdentifier, disableBucketedScan)
  }

  protected def listedFiles: Iterator[FileStatus] =
    delegate.selectedPartitions.iterator.flatMap(_.files.map(_.fileStatus))

  override def doCanonicalize(): CachedParquetScanExec = {
    val c = delegate.doCanonicalize()
    CachedParquetScanExec(relation, c.output, c.requiredSchema, c.partitionFilters,
      c.optionalBucketSet, c.optionalNumCoalescedBuckets, c.dataFilters, None,
      c.disableBucketedScan)
  }
}

object CachedParquetScanExec {
  /** The cached sibling of a scan, reading `relation` (the scan's, through Cellar's format). */
  def of(scan: FileSourceScanExec, relation: HadoopFsRelation): CachedParquetScanExec =
    CachedParquetScanExec(relation, scan.output, scan.requiredSchema,
      scan.partitionFilters, scan.optionalBucketSet, scan.optionalNumCoalescedBuckets,
      scan.dataFilters, scan.tableIdentifier, scan.disableBucketedScan)
}
