// SPDX-License-Identifier: Apache-2.0
// ClusterSuiteBase -- a standalone cluster on loopback, a 24-split table and a scan-heavy query
package io.cellar.it.cluster

import java.nio.file.{Files, Path, Paths}
import java.util.concurrent.ConcurrentLinkedQueue

import scala.jdk.CollectionConverters._

import io.cellar.scheduler.SplitRef
import io.cellar.spark.CachedParquetScanExec
import io.cellar.spark.exec.Inventory
import io.cellar.spark.key.FileIds
import io.cellar.spark.locality.DriverLocality
import org.apache.spark.scheduler.{SparkListener, SparkListenerStageSubmitted, SparkListenerTaskEnd}
import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.execution.{FileSourceScanExec, SparkPlan}
import org.apache.spark.sql.execution.adaptive.{AdaptiveSparkPlanExec, QueryStageExec}
import org.apache.spark.sql.execution.datasources.FilePartition
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/** One finished task: its stage, split index, executor and locality level. */
case class TaskRun(stage: Int, index: Int, executor: String, locality: String, launch: Long,
    finish: Long)

/** Records every finished task and stage submission of an application. */
class TaskLog extends SparkListener {
  val tasks = new ConcurrentLinkedQueue[TaskRun]()
  val stages = new ConcurrentLinkedQueue[(Int, Int)]() // (stage id, tasks)

  override def onStageSubmitted(e: SparkListenerStageSubmitted): Unit =
    stages.add((e.stageInfo.stageId, e.stageInfo.numTasks))

  override def onTaskEnd(e: SparkListenerTaskEnd): Unit = {
    val i = e.taskInfo
    if (i.successful) {
      tasks.add(TaskRun(e.stageId, i.index, i.executorId, i.taskLocality.toString, i.launchTime,
        i.finishTime))
    }
  }
}

/**
 * A standalone cluster (Master + 2 Workers of 1 core, on 127.0.0.1) for the suite, a Parquet
 * table of 24 files (one split each), and helpers that run a scan-heavy query and report its
 * scan tasks and Cellar's chunk counters.
 */
trait ClusterSuiteBase extends AnyFunSuite with BeforeAndAfterAll {
  protected val work: Path =
    Files.createTempDirectory(Paths.get("target").toAbsolutePath, "cluster-")
  protected val data = work.resolve("table").toString
  protected val splits = 24
  protected var cluster: StandaloneCluster = _
  protected val query = s"SELECT count(*), sum(a), sum(b), max(c), min(d) FROM parquet.`$data`"

  override def beforeAll(): Unit = {
    cluster = StandaloneCluster.start(work, 2, 1, "1536m")
  }

  override def afterAll(): Unit = {
    SparkSession.getActiveSession.foreach(_.stop())
    if (cluster != null) cluster.close()
  }

  protected def session(locality: Boolean, tiers: String = "dram:256m",
      extra: Map[String, String] = Map.empty): (SparkSession, TaskLog) = {
    // a local session another suite left would be reused by getOrCreate: stop it first
    SparkSession.getActiveSession.foreach(_.stop())
    SparkSession.getDefaultSession.foreach(_.stop())
    SparkSession.clearActiveSession()
    SparkSession.clearDefaultSession()
    val s = SparkSession.builder()
      .master(cluster.url())
      .appName(s"${getClass.getSimpleName}-locality-$locality")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.ui.enabled", "false")
      .config("spark.executor.memory", "1g")
      .config("spark.executor.cores", "1")
      .config("spark.cores.max", "2")
      .config("spark.jars", StandaloneCluster.cellarJar().toString)
      // the suites' own classes, for the few tasks that run test code (a blocker)
      .config("spark.executor.extraClassPath",
        Paths.get(getClass.getProtectionDomain.getCodeSource.getLocation.toURI).toString)
      .config("spark.plugins", "io.cellar.spark.CellarPlugin")
      .config("spark.sql.extensions", "io.cellar.spark.CellarExtensions")
      .config("spark.cellar.tiers", tiers)
      .config("spark.cellar.locality.enabled", locality.toString)
      .config("spark.cellar.locality.report-interval", "100ms")
      .config("spark.sql.shuffle.partitions", "2")
      // one split per file (each file is smaller than the open cost): 24 scan tasks
      .config("spark.sql.files.maxPartitionBytes", "16m")
      .config("spark.sql.files.openCostInBytes", "16m")
      .config(extra)
      .getOrCreate()
    val log = new TaskLog
    s.sparkContext.addSparkListener(log)
    awaitExecutors(s, 2)
    (s, log)
  }

  protected def awaitExecutors(s: SparkSession, n: Int): Unit = {
    val deadline = System.nanoTime() + 120L * 1000 * 1000 * 1000
    while (s.sparkContext.getExecutorMemoryStatus.size < n + 1) { // + the driver
      assert(System.nanoTime() < deadline, s"$n executors did not register; see ${cluster.logs()}")
      Thread.sleep(200)
    }
  }

  protected def writeTable(s: SparkSession): Unit = {
    if (!Files.exists(Paths.get(data))) {
      s.range(0, 3000000, 1, splits)
        .selectExpr("id AS a", "CAST(id % 1000 AS DOUBLE) * 0.5 AS b",
          "CONCAT('v', CAST(id % 977 AS STRING)) AS c", "CAST(id % 31 AS INT) AS d")
        .write.parquet(data)
    }
  }

  /** Runs the query; returns its rows, its scan stage's tasks and Cellar's chunk counters. */
  protected def run(s: SparkSession, log: TaskLog): (Seq[Row], Seq[TaskRun], (Long, Long)) = {
    val before = log.stages.asScala.map(_._1).toSet
    val df = s.sql(query)
    val rows = df.collect().toSeq
    val deadline = System.nanoTime() + 30L * 1000 * 1000 * 1000
    var scan: Seq[TaskRun] = Seq.empty
    while (scan.size < splits && System.nanoTime() < deadline) {
      val stage = log.stages.asScala.filter(st => !before(st._1) && st._2 == splits).map(_._1)
        .toSet
      scan = log.tasks.asScala.filter(t => stage.contains(t.stage)).toSeq
      if (scan.size < splits) Thread.sleep(100)
    }
    assert(scan.map(_.index).toSet.size == splits,
      s"scan tasks: $scan; stages (id, tasks): ${log.stages.asScala.toList}")
    val m = scans(df.queryExecution.executedPlan).map(_.metrics)
    val hits = m.map(x => x("cellarChunksFromTop").value + x("cellarChunksFromLower").value).sum
    val misses = m.map(x => x("cellarChunksAdded").value + x("cellarChunksUncached").value).sum
    (rows, scan.groupBy(_.index).values.map(_.head).toSeq.sortBy(_.index), (hits, misses))
  }

  protected def scans(p: SparkPlan): Seq[CachedParquetScanExec] = p match {
    case a: AdaptiveSparkPlanExec => scans(a.executedPlan)
    case q: QueryStageExec => scans(q.plan)
    case c: CachedParquetScanExec => Seq(c)
    case o => o.children.flatMap(scans)
  }

  protected def ratio(hm: (Long, Long)): Double = hm._1.toDouble / math.max(1, hm._1 + hm._2)

  protected def sameExecutor(a: Seq[TaskRun], b: Seq[TaskRun]): Double = {
    val first = a.map(t => t.index -> t.executor).toMap
    b.count(t => first.get(t.index).contains(t.executor)).toDouble / b.size
  }

  /** The scan's splits, as the registry knows them (from the plan, before it runs). */
  protected def splitRefs(s: SparkSession): Seq[Seq[SplitRef]] = {
    def parts(p: SparkPlan): Seq[FilePartition] = p match {
      case a: AdaptiveSparkPlanExec => parts(a.executedPlan)
      case c: CachedParquetScanExec => c.delegate.inputRDD.partitions.toSeq
          .map(_.asInstanceOf[FilePartition])
      case f: FileSourceScanExec => f.inputRDD.partitions.toSeq.map(_.asInstanceOf[FilePartition])
      case o => o.children.flatMap(parts)
    }
    val found = parts(s.sql(query).queryExecution.executedPlan)
    assert(found.size == splits, found)
    found.map(_.files.toSeq.map(f => new SplitRef(FileIds.of(f), f.start,
      f.length)))
  }
}
