// SPDX-License-Identifier: Apache-2.0
// WarmRestartSuite -- a killed executor's replacement reattaches its pool and serves from it
package io.cellar.it.cluster

import java.nio.file.Files

import scala.jdk.CollectionConverters._

import io.cellar.spark.locality.DriverLocality

class WarmRestartSuite extends ClusterSuiteBase {
  test("the replacement of a killed executor reattaches its pool: the next query hits") {
    val pools = work.resolve("pools")
    Files.createDirectories(pools)
    // one persistent file tier (the default for a pool directory); both executors share the
    // directory, each holding its own locked file
    // a replacement executor starts with a cold JVM, so its first tasks are slow: give its
    // splits Spark's default locality wait (3s) rather than Cellar's 1s, or the warm executor
    // takes them over on this one-host cluster
    val (s, log) = session(locality = true, tiers = s"file:$pools:256m",
      extra = Map("spark.cellar.locality.wait" -> "3s"))
    try {
      writeTable(s)
      s.conf.set("spark.cellar.enabled", "false")
      val (expected, _, _) = run(s, log)
      s.conf.set("spark.cellar.enabled", "true")
      val (rows1, first, _) = run(s, log)
      Thread.sleep(1000)
      val (rows2, _, c2) = run(s, log)
      assert(rows1 == expected && rows2 == expected)
      assert(ratio(c2) >= 0.95, c2)
      val files = Files.list(pools).iterator().asScala.map(_.getFileName.toString).toList.sorted
      assert(files == List("cellar-0.pool", "cellar-1.pool"), files)

      val victim = first.head.executor
      val before = s.sparkContext.getExecutorMemoryStatus.keySet
      val registry = DriverLocality.current().registry()
      val victimSplits = first.filter(_.executor == victim).map(_.index).toSet
      cluster.killExecutor(victim)
      // the Worker launches a replacement, which takes over the free pool file
      val deadline = System.nanoTime() + 120L * 1000 * 1000 * 1000
      var replacement: Option[String] = None
      while (replacement.isEmpty) {
        assert(System.nanoTime() < deadline, "no replacement executor reported a warm cache")
        val live = registry.liveExecutors().asScala.toSet
        replacement = live.find(id => !first.exists(_.executor == id) &&
          splitRefs(s).zipWithIndex.exists { case (g, i) =>
            victimSplits(i) && registry.preferredForGroup(g.asJava, 1).asScala.toList == List(id)
          })
        if (replacement.isEmpty) Thread.sleep(500)
      }
      info(s"executor $victim killed; replacement ${replacement.get} reported its reattached" +
        s" pool (${victimSplits.size} splits)")

      val (rows3, third, c3) = run(s, log)
      assert(rows3 == expected)
      assert(!third.exists(_.executor == victim))
      info(f"after the restart: hit ratio ${ratio(c3)}%.3f")
      assert(ratio(c3) >= 0.9, c3)
    } finally {
      s.stop()
    }
  }
}
