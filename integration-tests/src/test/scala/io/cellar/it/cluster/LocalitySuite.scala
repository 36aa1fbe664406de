// SPDX-License-Identifier: Apache-2.0
// LocalitySuite -- cache-aware scheduling and CELLAR statements on a real standalone cluster
// (Master + 2 Workers, loopback)
package io.cellar.it.cluster

import scala.jdk.CollectionConverters._

import io.cellar.spark.locality.DriverLocality
import org.apache.spark.sql.Row

class LocalitySuite extends ClusterSuiteBase {
  test("tasks run where their splits are cached; a killed executor's splits move elsewhere") {
    val (s, log) = session(locality = true)
    try {
      writeTable(s)
      assert(s.sparkContext.getConf.get("spark.locality.wait.process") == "1000ms",
        "Cellar's locality wait (1s) became Spark's process-local wait")
      s.conf.set("spark.cellar.enabled", "false")
      val (expected, _, _) = run(s, log)
      s.conf.set("spark.cellar.enabled", "true")

      val (rows1, first, c1) = run(s, log)
      Thread.sleep(1000) // the executors' reports reach the driver
      val (rows2, second, c2) = run(s, log)
      assert(rows1 == expected && rows2 == expected)
      val local = second.count(_.locality == "PROCESS_LOCAL").toDouble / splits
      val same = sameExecutor(first, second)
      info(f"second run: $same%.2f of scan tasks on the executor that cached their split," +
        f" $local%.2f process-local, hit ratio ${ratio(c2)}%.3f (first run ${ratio(c1)}%.3f)")
      assert(same >= 0.95, second)
      assert(ratio(c2) >= 0.95, c2)
      assert(first.map(_.executor).toSet.size == 2, "both executors cached splits")

      // every split is preferred on the executor that holds it
      val registry = DriverLocality.current().registry()
      val owner = second.map(t => t.index -> t.executor).toMap
      val refs = splitRefs(s)
      val preferred = refs.map(g => registry.preferredForGroup(g.asJava, 2).asScala.toList)
      for ((p, i) <- preferred.zipWithIndex) {
        assert(p.headOption.contains(owner(i)), s"split $i: preferred $p, cached on ${owner(i)}")
      }

      // a busy executor: its splits wait at most the locality wait, then run on the other one
      val busy = first.head.executor
      @volatile var blockerError: Throwable = null
      val blocker = new Thread(() => {
        try {
          s.sparkContext.makeRDD(Seq((1, Seq(s"executor_127.0.0.1_$busy"))))
            .map(LocalitySuite.sleepThenKeep).collect()
        } catch {
          case e: Throwable => blockerError = e
        }
      })
      blocker.start()
      // until the blocker occupies the busy executor's only core
      val t0 = System.nanoTime()
      while (!s.sparkContext.statusTracker.getExecutorInfos.exists(i =>
          i.numRunningTasks == 1) && blockerError == null) {
        assert(System.nanoTime() - t0 < 30L * 1000 * 1000 * 1000, "the blocker did not start")
        Thread.sleep(50)
      }
      assert(blockerError == null, s"the blocker failed: $blockerError")
      val busyStart = System.currentTimeMillis()
      val (rows3, third, _) = run(s, log)
      val busyEnd = System.currentTimeMillis()
      blocker.join()
      assert(blockerError == null, s"the blocker failed: $blockerError")
      assert(log.tasks.asScala.exists(t => t.finish - t.launch >= 11000 && t.executor == busy),
        "the blocker held the busy executor")
      assert(rows3 == expected)
      assert(!third.exists(_.executor == busy), s"a task ran on the busy executor: $third")
      info(f"busy executor $busy: the scan took ${(busyEnd - busyStart) / 1000.0}%.1f s while" +
        " the executor was busy for 12 s")
      assert(busyEnd - busyStart < 9000, "the scan waited for the busy executor")

      // kill the executor that cached the first split
      val victim = second.head.executor
      cluster.killExecutor(victim)
      val deadline = System.nanoTime() + 60L * 1000 * 1000 * 1000
      while (registry.liveExecutors().contains(victim)) {
        assert(System.nanoTime() < deadline, "the driver did not drop the killed executor")
        Thread.sleep(100)
      }
      val (rows4, fourth, _) = run(s, log)
      assert(rows4 == expected)
      assert(!fourth.exists(_.executor == victim), s"a task ran on the dead executor: $fourth")
      Thread.sleep(1000)
      val after = splitRefs(s).map(g => registry.preferredForGroup(g.asJava, 2).asScala.toList)
      assert(after.forall(p => p.nonEmpty && !p.contains(victim)),
        s"every split is cached on a live executor again: $after")
    } finally {
      s.stop()
    }
  }

  test("without locality, about half of the tasks find their split cached") {
    val (s, log) = session(locality = false)
    try {
      writeTable(s)
      val (_, first, _) = run(s, log)
      val (_, second, c2) = run(s, log)
      val same = sameExecutor(first, second)
      info(f"locality off: $same%.2f of scan tasks on the executor that ran the split before," +
        f" hit ratio ${ratio(c2)}%.3f")
      assert(ratio(c2) < 0.95, "without locality the second run still misses")
    } finally {
      s.stop()
    }
  }

  // the CELLAR statements share this suite's cluster (one cluster start less in CI)
  test("WARM fills both executors so the first run hits everything; STATUS and CLEAR reach" +
    " every executor") {
    val (s, log) = session(locality = true)
    try {
      writeTable(s)
      def sql(q: String): Seq[Row] = s.sql(q).collect().toSeq
      def sum(rows: Seq[Row], c: String): Long = rows.map(_.getAs[Long](c)).sum

      val cleared = sql("CELLAR CLEAR ALL")
      assert(cleared.map(_.getAs[String]("executor")).toSet.size == 2, cleared)
      val w = sql(s"CELLAR WARM parquet.`$data`").head
      val added = w.getAs[Long]("chunks_added")
      assert(added > 0, w)
      info(s"CELLAR WARM: $w")

      // the query's first run, placed by the registry, finds every chunk
      val (_, tasks, counters) = run(s, log)
      info(f"first run after WARM: hit ratio ${ratio(counters)}%.3f")
      assert(ratio(counters) == 1.0, counters)
      assert(tasks.map(_.executor).toSet.size == 2)

      val status = sql("CELLAR STATUS")
      assert(status.map(_.getAs[String]("executor")).toSet.size == 2, status)
      assert(sum(status, "entries") == added, status)
      assert(status.forall(r => r.getAs[Long]("entries") > 0), "WARM filled one executor only")
      val table = sql(s"CELLAR STATUS parquet.`$data`")
      assert(sum(table, "chunks") == added && sum(table, "files") == splits, table)

      val dropped = sql(s"CELLAR CLEAR parquet.`$data`")
      assert(sum(dropped, "chunks_dropped") == added, dropped)
      assert(sum(sql("CELLAR STATUS"), "entries") == 0)
      val (_, _, after) = run(s, log)
      assert(after._1 == 0, after)
    } finally {
      s.stop()
    }
  }
}

object LocalitySuite {
  /** A task body that holds its executor's core for 12 s. */
  val sleepThenKeep: Int => Int = { x =>
    Thread.sleep(12000)
    x
  }
}
