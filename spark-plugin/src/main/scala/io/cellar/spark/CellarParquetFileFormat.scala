// SPDX-License-Identifier: Apache-2.0
// CellarParquetFileFormat -- Spark's Parquet format, reading through the executor's cache
package io.cellar.spark

import io.cellar.spark.chunk.CellarColumnVector
import io.cellar.spark.read.{CellarReader, GeneratedColumn, ReadSettings, ScanMetrics}
import org.apache.hadoop.conf.Configuration
import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.execution.datasources.PartitionedFile
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector
import org.apache.spark.sql.internal.SQLConf
import org.apache.spark.sql.sources.Filter
import org.apache.spark.sql.types.StructType
import org.apache.spark.util.SerializableConfiguration

/**
 * Spark's Parquet file format whose columnar reader serves decoded column chunks from the
 * executor's cache. Everything else (schema inference, splitting, statistics, writing) is Spark's.
 * Cellar's optimizer rule puts it in place of `ParquetFileFormat` in a query's relations, so the
 * plan keeps Spark's own scan node.
 *
 * Scala only because its overrides take Scala `Seq`s, which are different classes on Scala 2.12
 * and 2.13; each hands its work to Java at once.
 *
 * Equality ignores the metrics it may carry: two instances are equal, so that plans that read
 * the same data stay equal for exchange and subquery reuse. A table format's subclass (see
 * [[io.cellar.spark.format.TableFormat]]) defines its own.
 */
class CellarParquetFileFormat(val metrics: ScanMetrics) extends ParquetFileFormat {

  def this() = this(null)

  /** The same format, counting into the given metrics. */
  def withMetrics(m: ScanMetrics): CellarParquetFileFormat = new CellarParquetFileFormat(m)

  override def vectorTypes(
      requiredSchema: StructType,
      partitionSchema: StructType,
      sqlConf: SQLConf): Option[Seq[String]] =
    Some(Seq.fill(requiredSchema.length)(classOf[CellarColumnVector].getName) ++
      Seq.fill(partitionSchema.length)(classOf[ConstantColumnVector].getName))

  override def buildReaderWithPartitionValues(
      sparkSession: SparkSession,
      dataSchema: StructType,
      partitionSchema: StructType,
      requiredSchema: StructType,
      filters: Seq[Filter],
      options: Map[String, String],
      hadoopConf: Configuration): PartitionedFile => Iterator[InternalRow] = {
    // Spark's own reader: used for row-based reads, and by the executors whenever the cache
    // cannot serve a file. Building it also sets the Hadoop configuration up as Spark's reader
    // expects it (requested schema, time zone, case sensitivity...).
    val spark = super.buildReaderWithPartitionValues(sparkSession, dataSchema, partitionSchema,
      requiredSchema, filters, options, hadoopConf)
    cachedReader(spark, sparkSession, requiredSchema, partitionSchema, filters, options,
      hadoopConf, java.util.Map.of(), confirmFiles = false)
  }

  /**
   * The read function of a scan: through the cache when the scan returns batches, with
   * `fallback` (a reader of the same columns) for files the cache cannot serve; otherwise
   * `fallback` itself. `generated` names the requested columns the reader makes; with
   * `confirmFiles` each file is looked up before it is served (see [[ReadSettings]]).
   */
  protected def cachedReader(
      fallback: PartitionedFile => Iterator[InternalRow],
      sparkSession: SparkSession,
      requiredSchema: StructType,
      partitionSchema: StructType,
      filters: Seq[Filter],
      options: Map[String, String],
      hadoopConf: Configuration,
      generated: java.util.Map[String, GeneratedColumn],
      confirmFiles: Boolean): PartitionedFile => Iterator[InternalRow] = {
    val conf = Sessions.conf(sparkSession)
    val batches = conf.parquetVectorizedReaderEnabled &&
      options.getOrElse("returning_batch", "false") == "true"
    if (!batches) {
      fallback
    } else {
      val settings = new ReadSettings(conf, requiredSchema, partitionSchema, filters.toArray,
        options, generated, confirmFiles)
      val bc = sparkSession.sparkContext.broadcast(new SerializableConfiguration(hadoopConf))
      new CellarReader(fallback, settings, bc, metrics)
    }
  }

  override def equals(other: Any): Boolean =
    other != null && other.getClass == classOf[CellarParquetFileFormat]

  override def hashCode(): Int = classOf[CellarParquetFileFormat].hashCode()
}
