// SPDX-License-Identifier: Apache-2.0
// CellarLocalityRDD -- a scan's RDD whose splits prefer the executors that cache them
package io.cellar.spark

import scala.jdk.CollectionConverters._
import scala.reflect.ClassTag

import io.cellar.spark.locality.DriverLocality
import io.cellar.spark.key.ListedEtags
import org.apache.spark.{Partition, TaskContext}
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.execution.datasources.FilePartition

/**
 * Passes a file scan's RDD through unchanged (same partitions, same rows) except for its
 * preferred locations, which [[DriverLocality]] computes on the driver: the executors holding
 * most of the split's cached bytes first, then the block hosts Spark found. It also carries the
 * ETags of the scan's listing to the tasks, which register those of their files before reading.
 */
class CellarLocalityRDD[T: ClassTag](prev: RDD[T], etags: java.util.HashMap[String, String])
    extends RDD[T](prev) {
  override protected def getPartitions: Array[Partition] = firstParent[T].partitions

  override def compute(split: Partition, context: TaskContext): Iterator[T] = {
    split match {
      case p: FilePartition if !etags.isEmpty =>
        val mine = new java.util.HashMap[String, String]()
        p.files.foreach { f =>
          val e = etags.get(f.urlEncodedPath)
          if (e != null) {
            mine.put(f.urlEncodedPath, e)
          }
        }
        ListedEtags.register(context, mine)
      case _ =>
    }
    firstParent[T].iterator(split, context)
  }

  override protected def getPreferredLocations(split: Partition): Seq[String] = {
    val spark = firstParent[T].preferredLocations(split)
    split match {
      case p: FilePartition => DriverLocality.locations(p, spark.asJava, etags).asScala.toSeq
      case _ => spark
    }
  }
}
