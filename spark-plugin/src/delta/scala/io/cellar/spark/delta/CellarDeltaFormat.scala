// SPDX-License-Identifier: Apache-2.0
// CellarDeltaFormat -- a Delta table's Parquet format, reading through the executor's cache
package io.cellar.spark.delta

import io.cellar.spark.CellarParquetFileFormat
import io.cellar.spark.read.ScanMetrics
import org.apache.hadoop.conf.Configuration
import org.apache.hadoop.fs.{FileStatus, Path}
import org.apache.hadoop.mapreduce.Job
import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.catalyst.util.QuotingUtils
import org.apache.spark.sql.delta.{DeltaColumnMapping, DeltaParquetFileFormat, NoMapping}
import org.apache.spark.sql.execution.datasources.{OutputWriterFactory, PartitionedFile}
import org.apache.spark.sql.sources.Filter
import org.apache.spark.sql.types.{StructField, StructType}

/**
 * Delta's Parquet format with its reads served from Cellar. Everything but reading batches is
 * Delta's own format's (splitting, metadata columns and their values, writing); a read asks the
 * cache for the physical columns Delta would read (column mapping applied), makes Delta's
 * deleted-row marks and row indexes itself, and falls back to Delta's own reader for any file or
 * scan the cache cannot serve (row-based reads, cache unavailable). With `confirmFiles` (a scan
 * that may list vacuumed files), each file is looked up before it is served.
 *
 * Scala only because its overrides take Scala collections; the work is in [[DeltaScans]].
 */
class CellarDeltaFormat(
    val delta: DeltaParquetFileFormat,
    metrics: ScanMetrics,
    val confirmFiles: Boolean)
  extends CellarParquetFileFormat(metrics) {

  override def withMetrics(m: ScanMetrics): CellarParquetFileFormat =
    new CellarDeltaFormat(delta, m, confirmFiles)

  override def buildReaderWithPartitionValues(
      sparkSession: SparkSession,
      dataSchema: StructType,
      partitionSchema: StructType,
      requiredSchema: StructType,
      filters: Seq[Filter],
      options: Map[String, String],
      hadoopConf: Configuration): PartitionedFile => Iterator[InternalRow] = {
    val own = delta.buildReaderWithPartitionValues(sparkSession, dataSchema, partitionSchema,
      requiredSchema, filters, options, hadoopConf)
    // column names as pushed filters write them: dotted paths, each part quoted if it must be
    val physical: java.util.Map[String, String] =
      if (delta.columnMappingMode == NoMapping) null
      else {
        val m = new java.util.HashMap[String, String]()
        DeltaColumnMapping.getLogicalNameToPhysicalNameMap(delta.referenceSchema).foreach {
          case (l, p) => m.put(QuotingUtils.quoted(l.toArray), QuotingUtils.quoted(p.toArray))
        }
        m
      }
    val read = delta.prepareSchemaForRead(requiredSchema)
    cachedReader(own, sparkSession, read, delta.prepareSchemaForRead(partitionSchema),
      DeltaScans.pushed(delta, filters.toArray, physical).toSeq, options, hadoopConf,
      DeltaScans.generated(delta, read), confirmFiles)
  }

  override def inferSchema(
      sparkSession: SparkSession,
      options: Map[String, String],
      files: Seq[FileStatus]): Option[StructType] = delta.inferSchema(sparkSession, options, files)

  override def prepareWrite(
      sparkSession: SparkSession,
      job: Job,
      options: Map[String, String],
      dataSchema: StructType): OutputWriterFactory =
    delta.prepareWrite(sparkSession, job, options, dataSchema)

  override def isSplitable(
      sparkSession: SparkSession,
      options: Map[String, String],
      path: Path): Boolean = delta.isSplitable(sparkSession, options, path)

  override def supportBatch(sparkSession: SparkSession, schema: StructType): Boolean =
    delta.supportBatch(sparkSession, schema)

  override def supportFieldName(name: String): Boolean = delta.supportFieldName(name)

  override def metadataSchemaFields: Seq[StructField] = delta.metadataSchemaFields

  override def fileConstantMetadataExtractors: Map[String, PartitionedFile => Any] =
    delta.fileConstantMetadataExtractors

  override def equals(other: Any): Boolean = other match {
    case o: CellarDeltaFormat => o.delta == delta && o.confirmFiles == confirmFiles
    case _ => false
  }

  override def hashCode(): Int = delta.hashCode()
}
