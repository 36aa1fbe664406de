// SPDX-License-Identifier: Apache-2.0
// DriverLocalitySuite -- scan splits prefer the executors that cache them, as Spark's locations
package io.cellar.spark.locality

import scala.jdk.CollectionConverters._

import io.cellar.scheduler.{ApplyResult, InventoryTracker}
import io.cellar.spark.exec.Inventory
import io.cellar.spark.key.{ChunkKey, FileIds}
import org.apache.spark.paths.SparkPath
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.execution.datasources.{FilePartition, PartitionedFile}
import org.scalatest.funsuite.AnyFunSuite

class DriverLocalitySuite extends AnyFunSuite {
  private def file(name: String, start: Long, length: Long, size: Long = 1000): PartitionedFile =
    PartitionedFile(InternalRow.empty, SparkPath.fromUrlString(s"file:/data/t/$name"), start,
      length, Array("blockhost"), 7L, size)

  private def partition(files: PartitionedFile*): FilePartition = FilePartition(0, files.toArray)

  /** Each executor's inventory, per driver (one tracker per executor, as on a cluster). */
  private val executors =
    scala.collection.mutable.Map[(DriverLocality, String), (Inventory, InventoryTracker)]()

  /** Executor `id` caches one chunk of row group `rg` ([start, start + bytes)) of `f`. */
  private def report(d: DriverLocality, id: String, f: PartitionedFile, rg: Int, start: Long,
      bytes: Long): Unit = {
    val (inv, t) = executors.getOrElseUpdate((d, id), {
      val i = new Inventory
      val tr = new InventoryTracker(id, 1000, 0)
      i.attach(tr)
      (i, tr)
    })
    inv.chunkAdded(new ChunkKey(FileIds.of(f), start, rg, bytes, "c", new Array[Byte](16)))
    val delta = t.poll(System.nanoTime()).get
    assert(d.receive(delta) == ApplyResult.APPLIED.name)
  }

  private def locations(d: DriverLocality, p: FilePartition): Seq[String] =
    d.preferred(p, Seq("blockhost").asJava, java.util.Map.of()).asScala.toSeq

  test("a split prefers the executor caching most of its bytes, ahead of the block hosts") {
    val d = new DriverLocality(2, false)
    d.registry().executorAdded("1", "hostA")
    d.registry().executorAdded("2", "hostB")
    val a = file("a.parquet", 0, 1000)
    report(d, "2", a, 0, 4, 300)
    report(d, "1", a, 1, 304, 600)
    assert(locations(d, partition(a)) == Seq("executor_hostA_1", "executor_hostB_2",
      "blockhost"))
    // the second half of the file holds only row group 1 (midpoint 604)
    assert(locations(d, partition(file("a.parquet", 500, 500))) ==
      Seq("executor_hostA_1", "blockhost"))
  }

  test("a task of several files prefers the executor holding most bytes over all of them") {
    val d = new DriverLocality(1, false)
    d.registry().executorAdded("1", "h1")
    d.registry().executorAdded("2", "h2")
    val c = file("c.parquet", 0, 1000)
    val e = file("e.parquet", 0, 1000)
    report(d, "1", c, 0, 4, 500)
    report(d, "2", c, 1, 504, 300)
    report(d, "2", e, 0, 4, 300)
    assert(locations(d, partition(c, e)) == Seq("executor_h2_2", "blockhost"))
    assert(locations(d, partition(c)) == Seq("executor_h1_1", "blockhost"))
  }

  test("uncached splits keep Spark's locations, or get a stable executor by hashing") {
    val off = new DriverLocality(2, false)
    val on = new DriverLocality(2, true)
    for (d <- Seq(off, on)) {
      d.registry().executorAdded("1", "h1")
      d.registry().executorAdded("2", "h2")
    }
    val b = partition(file("b.parquet", 0, 1000))
    assert(locations(off, b) == Seq("blockhost"))
    val assigned = locations(on, b)
    assert(assigned.size == 2 && assigned(1) == "blockhost")
    assert(Set("executor_h1_1", "executor_h2_2").contains(assigned.head))
    assert(locations(on, b) == assigned, "the same split gets the same executor")
  }

  test("with fewer than two live executors, a changed file or a removed holder: Spark's") {
    val d = new DriverLocality(2, false)
    d.registry().executorAdded("1", "h1")
    val a = file("a.parquet", 0, 1000)
    report(d, "1", a, 0, 4, 900)
    assert(locations(d, partition(a)) == Seq("blockhost"), "one executor: nothing to choose")
    d.registry().executorAdded("2", "h2")
    report(d, "2", a, 0, 4, 900)
    assert(locations(d, partition(a)).head == "executor_h1_1")
    // the same path, rewritten: its old chunks are no one's to prefer
    val rewritten = file("a.parquet", 0, 1000, size = 2000)
    assert(locations(d, partition(rewritten)) == Seq("blockhost"))
    assert(locations(d, partition(a)) == Seq("blockhost"), "the old content was dropped")
    // a removed executor is never preferred
    report(d, "1", rewritten, 0, 4, 900)
    report(d, "2", rewritten, 0, 4, 900)
    d.registry().executorAdded("3", "h3")
    d.registry().executorRemoved("1")
    assert(locations(d, partition(rewritten)) == Seq("executor_h2_2", "blockhost"))
  }

  test("an evicted chunk key leaves the executor's inventory; other keys are ignored") {
    val d = new DriverLocality(2, false)
    d.registry().executorAdded("1", "h1")
    d.registry().executorAdded("2", "h2")
    val a = file("a.parquet", 0, 1000)
    val inv = new Inventory
    val t = new InventoryTracker("1", 1000, 0)
    inv.attach(t)
    val k = new ChunkKey(FileIds.of(a), 4, 0, 900, "c", new Array[Byte](16))
    inv.chunkAdded(k)
    d.receive(t.poll(System.nanoTime()).get)
    assert(locations(d, partition(a)).head == "executor_h1_1")
    inv.keyEvicted("not a chunk key".getBytes)
    inv.keyEvicted(k.encode())
    d.receive(t.poll(System.nanoTime()).get)
    assert(locations(d, partition(a)) == Seq("blockhost"))
  }

  test("10^5 splits over 100 executors: every cached split names its holder") {
    val d = new DriverLocality(2, true)
    val executors = 100
    for (i <- 0 until executors) d.registry().executorAdded(i.toString, s"host$i")
    // 10^4 files of 10 row groups of 1000 bytes; file f's row groups live on executor f % 100
    val files = 10000
    val trackers = (0 until executors).map(i => new InventoryTracker(i.toString, 1 << 20, 0))
    for (f <- 0 until files; rg <- 0 until 10) {
      val pf = file(f"f$f%05d.parquet", 0, 10000, 10000)
      trackers(f % executors).chunkAdded(FileIds.of(pf), rg, rg * 1000L,
        1000L)
    }
    for (t <- trackers) assert(d.receive(t.poll(System.nanoTime()).get) == "APPLIED")
    // each file cut into 10 splits: 10^5 single-file tasks
    val parts = for (f <- 0 until files; s <- 0 until 10)
      yield partition(file(f"f$f%05d.parquet", s * 1000L, 1000L, 10000))
    val start = System.nanoTime()
    val locs = parts.map(p => locations(d, p))
    val ms = (System.nanoTime() - start) / 1e6
    for ((l, i) <- locs.zipWithIndex) {
      val f = i / 10
      assert(l.head == s"executor_host${f % executors}_${f % executors}", s"split $i: $l")
    }
    info(f"preferred locations of 10^5 splits: $ms%.0f ms (${ms * 1000 / parts.size}%.1f us a" +
      " split)")
  }
}
