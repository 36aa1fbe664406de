// SPDX-License-Identifier: Apache-2.0
// DemoSuite -- the newcomer's demo keeps working (at a tiny scale, on the suites' data)
package io.cellar.it

import java.io.{ByteArrayOutputStream, PrintStream}
import java.nio.file.{Files, Paths}

import scala.jdk.CollectionConverters._

import io.cellar.it.demo.Demo
import io.cellar.it.tpcds.TpcdsData
import org.scalatest.funsuite.AnyFunSuite

class DemoSuite extends AnyFunSuite {
  test("the demo runs, agrees with Spark, prints its table and leaves only its data") {
    val scale = sys.props.getOrElse("cellar.tpcds.scale", "0.01").toDouble
    // the same work directory as TpcdsSuite's data, so neither generates twice
    val work = Paths.get("target").toAbsolutePath
    val bytes = new ByteArrayOutputStream()
    val out = new PrintStream(bytes, true)
    val poolsBefore = pools()
    val ok = new Demo(out).run(scale, work)
    val text = bytes.toString
    assert(ok, text)
    assert(text.contains("| query | Spark cold s | Spark warm s | Cellar cold s"), text)
    for (q <- Demo.QUERIES.asScala) assert(text.contains(s"| $q |"), text)
    assert(!text.contains("| NO |"), text)
    assert(text.contains("cache bytes:"), text)
    assert(TpcdsData.isGenerated(work.resolve(s"tpcds-${TpcdsData.scaleName(scale)}"), scale))
    assert(pools() == poolsBefore, "the demo left a pool directory behind")
  }

  private def pools(): Set[String] = {
    val shm = Paths.get("/dev/shm")
    val dir = if (Files.isDirectory(shm)) shm else Paths.get(System.getProperty("java.io.tmpdir"))
    val s = Files.list(dir)
    try s.iterator().asScala.map(_.getFileName.toString)
      .filter(_.startsWith("cellar-demo-pool")).toSet
    finally s.close()
  }
}
