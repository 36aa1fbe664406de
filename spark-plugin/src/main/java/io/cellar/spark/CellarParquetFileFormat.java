// SPDX-License-Identifier: Apache-2.0
// CellarParquetFileFormat -- Spark's Parquet format, reading through the executor's cache
package io.cellar.spark;

import io.cellar.spark.chunk.CellarColumnVector;
import io.cellar.spark.read.CellarReader;
import io.cellar.spark.read.ReadSettings;
import io.cellar.spark.read.ScanMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import scala.Function1;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.immutable.Map;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * Spark's Parquet file format whose columnar reader serves decoded column chunks from the
 * executor's cache. Everything else (schema inference, splitting, statistics, writing) is Spark's.
 * Cellar's optimizer rule puts it in place of {@code ParquetFileFormat} in a query's relations, so
 * the plan keeps Spark's own scan node.
 *
 * <p>Equality ignores the metrics it may carry: two instances are equal, so that plans that read
 * the same data stay equal for exchange and subquery reuse.
 */
public class CellarParquetFileFormat extends ParquetFileFormat {
  private static final long serialVersionUID = 1L;

  private final ScanMetrics metrics;

  public CellarParquetFileFormat() {
    this(null);
  }

  private CellarParquetFileFormat(ScanMetrics metrics) {
    this.metrics = metrics;
  }

  /** The same format, counting into the given metrics. */
  public CellarParquetFileFormat withMetrics(ScanMetrics m) {
    return new CellarParquetFileFormat(m);
  }

  /** The metrics this instance counts into, or null. */
  public ScanMetrics metrics() {
    return metrics;
  }

  @Override
  public Option<Seq<String>> vectorTypes(
      StructType requiredSchema, StructType partitionSchema, SQLConf sqlConf) {
    List<String> types = new ArrayList<>();
    for (int i = 0; i < requiredSchema.length(); i++) {
      types.add(CellarColumnVector.class.getName());
    }
    for (int i = 0; i < partitionSchema.length(); i++) {
      types.add(ConstantColumnVector.class.getName());
    }
    return Option.apply(CollectionConverters.asScala(types).toSeq());
  }

  @Override
  public Function1<PartitionedFile, Iterator<InternalRow>> buildReaderWithPartitionValues(
      SparkSession sparkSession,
      StructType dataSchema,
      StructType partitionSchema,
      StructType requiredSchema,
      Seq<Filter> filters,
      Map<String, String> options,
      Configuration hadoopConf) {
    // Spark's own reader: used for row-based reads, and by the executors whenever the cache
    // cannot serve a file. Building it also sets the Hadoop configuration up as Spark's reader
    // expects it (requested schema, time zone, case sensitivity...).
    Function1<PartitionedFile, Iterator<InternalRow>> spark =
        super.buildReaderWithPartitionValues(sparkSession, dataSchema, partitionSchema,
            requiredSchema, filters, options, hadoopConf);
    SQLConf conf = ((org.apache.spark.sql.classic.SparkSession) sparkSession).sessionState().conf();
    boolean batches = conf.parquetVectorizedReaderEnabled()
        && "true".equals(options.getOrElse("returning_batch", () -> "false"));
    if (!batches) {
      return spark;
    }
    ReadSettings settings = new ReadSettings(conf, requiredSchema, partitionSchema, filters,
        options);
    Broadcast<SerializableConfiguration> bc = sparkSession.sparkContext().broadcast(
        new SerializableConfiguration(hadoopConf),
        ClassTag$.MODULE$.apply(SerializableConfiguration.class));
    return new CellarReader(spark, settings, bc, metrics);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CellarParquetFileFormat;
  }

  @Override
  public int hashCode() {
    return CellarParquetFileFormat.class.hashCode();
  }
}
