// SPDX-License-Identifier: Apache-2.0
// CommandsSuite -- CELLAR WARM, STATUS and CLEAR on a standalone cluster of two executors
package io.cellar.it.cluster

import org.apache.spark.sql.Row

class CommandsSuite extends ClusterSuiteBase {
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
