// SPDX-License-Identifier: Apache-2.0
// CellarUiSuite -- the Cellar page in headless Chromium: live UI and history server, against STATUS
package io.cellar.spark.ui

import java.io.File
import java.lang.management.ManagementFactory
import java.net.{HttpURLConnection, ServerSocket, URL}
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path, Paths}
import java.util.concurrent.TimeUnit

import scala.jdk.CollectionConverters._

import io.cellar.spark.{CellarSuiteBase, LineNeutral}
import io.cellar.spark.exec.ExecutorCache
import org.apache.spark.sql.Row

@LineNeutral
class CellarUiSuite extends CellarSuiteBase {
  private lazy val events: Path = Files.createDirectories(workDir.resolve("events"))

  override protected def sessionConf: Map[String, String] = Map(
    "spark.plugins" -> "io.cellar.spark.CellarPlugin",
    "spark.ui.enabled" -> "true",
    "spark.ui.port" -> "0",
    "spark.cellar.ui.sample-interval" -> "200ms",
    "spark.eventLog.enabled" -> "true",
    "spark.eventLog.dir" -> events.toUri.toString)

  /** Debian's chromium, if installed (CI installs it). */
  private lazy val chromium: Option[String] =
    Seq("/usr/bin/chromium", "/usr/bin/chromium-browser").find(p => new File(p).canExecute)

  /** Runs headless Chromium on a loopback URL with the given action flag; its stdout. */
  private def browse(url: String, action: String*): String = {
    assert(url.startsWith("http://127.0.0.1:"), url)
    val profile = Files.createTempDirectory(workDir, "chromium-")
    val cmd = Seq(chromium.get, "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-default-apps", "--no-first-run", "--no-default-browser-check",
      "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
      "--metrics-recording-only", "--password-store=basic", s"--user-data-dir=$profile") ++
      action :+ url
    val out = workDir.resolve(s"chromium-${System.nanoTime()}.out")
    val p = new ProcessBuilder(cmd.asJava).redirectOutput(out.toFile)
      .redirectError(ProcessBuilder.Redirect.DISCARD).start()
    try {
      assert(p.waitFor(90, TimeUnit.SECONDS), s"chromium did not finish: $cmd")
      assert(p.exitValue() == 0, s"chromium exited with ${p.exitValue()}")
    } finally p.destroyForcibly()
    new String(Files.readAllBytes(out), StandardCharsets.UTF_8)
  }

  /** The tier rows of a page's DOM: (executor, tier) -> data attributes. */
  private def tierRows(dom: String): Map[(String, Int), Map[String, Long]] = {
    val row = """<tr class="cellar-tier"([^>]*)>""".r
    val attr = """data-([a-z]+)="([^"]*)"""".r
    row.findAllMatchIn(dom).map { m =>
      val a = attr.findAllMatchIn(m.group(1)).map(x => x.group(1) -> x.group(2)).toMap
      (a("executor"), a("tier").toInt) ->
        (a - "executor" - "tier").map { case (k, v) => k -> v.toLong }
    }.toMap
  }

  private def expected(status: Seq[Row]): Map[(String, Int), Map[String, Long]] =
    status.map { r =>
      (r.getAs[String]("executor"), r.getAs[Int]("tier")) -> Map(
        "entries" -> r.getAs[Long]("entries"), "used" -> r.getAs[Long]("bytes_used"),
        "size" -> r.getAs[Long]("bytes_size"), "hits" -> r.getAs[Long]("hits"),
        "misses" -> r.getAs[Long]("misses"), "evictions" -> r.getAs[Long]("evictions"))
    }.toMap

  private def httpGet(url: String): Option[String] = try {
    val c = new URL(url).openConnection().asInstanceOf[HttpURLConnection]
    c.setConnectTimeout(2000)
    c.setReadTimeout(20000)
    try {
      if (c.getResponseCode != 200) None
      else Some(new String(c.getInputStream.readAllBytes(), StandardCharsets.UTF_8))
    } finally c.disconnect()
  } catch { case _: java.io.IOException => None }

  private def eventually[T](what: String, seconds: Int)(f: => Option[T]): T = {
    val deadline = System.nanoTime() + seconds * 1000000000L
    var r = f
    while (r.isEmpty) {
      assert(System.nanoTime() < deadline, s"timed out waiting for $what")
      Thread.sleep(200)
      r = f
    }
    r.get
  }

  test("a sample neither opens a cache nor posts figures when none is open") {
    val posted = new java.util.concurrent.atomic.AtomicInteger()
    val sampler = CellarSampler.start(spark.sparkContext, _ => posted.incrementAndGet(), 3600000L)
    try {
      ExecutorCache.shutdown() // as the local executor does while the application stops
      sampler.sample(1000)
      assert(posted.get == 0, "an empty sample was posted")
      assert(ExecutorCache.ifOpen() == null, "the sample opened a cache")
      val data = workDir.resolve("ui-sample").toString
      spark.range(0, 1000).write.parquet(data)
      assert(spark.read.parquet(data).collect().length == 1000)
      assert(ExecutorCache.ifOpen() != null, "the read opened no cache")
      sampler.sample(1000)
      assert(posted.get == 1, "the open cache was not sampled")
    } finally sampler.close()
    assert(posted.get == 2, "close takes a last sample of the open cache")
  }

  test("the Cellar page shows STATUS's figures and charts, live and in the history server") {
    assume(chromium.isDefined, "Debian's chromium is not installed (CI installs it)")
    val data = workDir.resolve("ui-data").toString
    spark.range(0, 300000, 1, 3).selectExpr("id AS a", "id % 11 AS b", "CAST(id AS STRING) AS s")
      .write.option("parquet.block.size", "131072").parquet(data)
    spark.sql(s"CELLAR WARM parquet.`$data` COLUMNS (a, s)")
    spark.read.parquet(data).where("b = 3").select("a", "s").collect()
    spark.read.parquet(data).select("b").collect()
    Thread.sleep(1000) // samples after the last read
    val status = spark.sql("CELLAR STATUS").collect().toSeq
    val want = expected(status)
    assert(want.nonEmpty && want.values.forall(_("entries") > 0), status)

    val url = spark.sparkContext.uiWebUrl.get.replace("localhost", "127.0.0.1") + "/cellar/"
    val live = browse(url, "--dump-dom")
    assert(live.contains("cellar-tiers"), live.take(2000))
    assert(tierRows(live) == want, s"page ${tierRows(live)} != STATUS $want")
    for (chart <- Seq("cellar-chart-used", "cellar-chart-hits", "cellar-chart-evictions")) {
      assert(live.contains(s"""id="$chart""""), s"no $chart")
    }
    assert(live.contains("class=\"cellar-series\""), "the charts have no line")
    assert(live.contains("class=\"cellar-table\"") && live.contains("ui-data"),
      "the most cached tables do not list the warmed data")
    val shot = Paths.get("target", "cellar-ui.png").toAbsolutePath
    Files.deleteIfExists(shot)
    browse(url, "--window-size=1400,1600", s"--screenshot=$shot", "--hide-scrollbars")
    assert(Files.size(shot) > 10000, "no screenshot")
    info(s"screenshot: $shot")

    // the history server replays the samples from the event log
    val appId = spark.sparkContext.applicationId
    spark.stop()
    val port = { val s = new ServerSocket(0); try s.getLocalPort finally s.close() }
    val jvm = ManagementFactory.getRuntimeMXBean.getInputArguments.asScala
      .filter(a => a.startsWith("--add-opens") || a.startsWith("--add-exports") ||
        a.startsWith("-XX:+IgnoreUnrecognized"))
    val cmd = Seq(Paths.get(System.getProperty("java.home"), "bin", "java").toString) ++ jvm ++
      Seq("-Xmx512m", "-cp", System.getProperty("java.class.path"),
        s"-Dspark.history.fs.logDirectory=${events.toUri}", s"-Dspark.history.ui.port=$port",
        "-Dspark.history.fs.update.interval=1s",
        "org.apache.spark.deploy.history.HistoryServer")
    val pb = new ProcessBuilder(cmd.asJava).redirectErrorStream(true)
      .redirectOutput(workDir.resolve("history-server.log").toFile)
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1")
    val hs = pb.start()
    def hsLog: String = {
      val l = new String(Files.readAllBytes(workDir.resolve("history-server.log")),
        StandardCharsets.UTF_8)
      l.takeRight(4000)
    }
    try {
      val base = s"http://127.0.0.1:$port"
      val page = s"$base/history/$appId/cellar/"
      // read when a failure is reported
      val clue = new Object {
        override def toString: String =
          s"history server log:\n$hsLog\nevent logs: ${events.toFile.list.toList}\n"
      }
      withClue(clue) {
        eventually("the history server to list the application", 120) {
          assert(hs.isAlive, "the history server stopped")
          httpGet(s"$base/api/v1/applications").filter(_.contains(appId))
        }
        eventually("the history server's Cellar page", 120) {
          httpGet(page).filter(_.contains("cellar-tiers"))
        }
      }
      val replayed = browse(page, "--dump-dom")
      assert(tierRows(replayed) == want, s"history ${tierRows(replayed)} != STATUS $want")
      browse(page, "--window-size=1400,1600",
        s"--screenshot=${Paths.get("target", "cellar-ui-history.png").toAbsolutePath}")
    } finally {
      hs.destroy()
      if (!hs.waitFor(20, TimeUnit.SECONDS)) hs.destroyForcibly()
    }
  }
}
